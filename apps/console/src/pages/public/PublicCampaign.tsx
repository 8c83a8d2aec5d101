// A campaign's disclosures: task books under disclosure and in effect, and the units one may write to.
import { useQuery } from '@tanstack/react-query';
import { Card, Input, Segmented, Space, Tag, Typography } from 'antd';
import { ResponsiveTable } from '../../ui/responsive';
import { useState } from 'react';
import { api, call } from '../../api/client';
import { useI18n, ZoneProvider } from '../../i18n';
import { Link } from '../../router';
import { ErrorNote } from '../../ui/errors';

export function PublicCampaign({ id }: { id: string }) {
  const campaign = usePublicCampaign(id);
  return (
    <ZoneProvider offset={campaign.data?.utcOffset}>
      <CampaignDisclosures id={id} campaign={campaign} />
    </ZoneProvider>
  );
}

function CampaignDisclosures({ id, campaign }: { id: string; campaign: ReturnType<typeof usePublicCampaign> }) {
  const { t } = useI18n();
  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      <Typography.Title level={1} style={{ fontSize: 24 }}>
        {campaign.data?.name ?? t('活动', 'Campaign')}
      </Typography.Title>
      <ErrorNote error={campaign.error} />
      <Card title={<h2 style={{ fontSize: 18, margin: 0 }}>{t('整改任务书', 'Task books')}</h2>}>
        <TaskBooks id={id} />
      </Card>
      <Card title={<h2 style={{ fontSize: 18, margin: 0 }}>{t('向参加单位提意见', 'Send a unit an opinion')}</h2>}>
        <UnitFinder id={id} />
      </Card>
    </Space>
  );
}

type TaskBookStatus = 'disclosed' | 'effective' | 'all';

/** The campaign's task books under disclosure, in effect, or both: each unit's, with its objections answered. */
function TaskBooks({ id }: { id: string }) {
  const { t } = useI18n();
  const [status, setStatus] = useState<TaskBookStatus>('disclosed');
  const [page, setPage] = useState(1);
  const books = usePublicTaskBooks(id, status, page);
  return (
    <>
      <Segmented
        style={{ maxWidth: '100%', overflowX: 'auto' }}
        aria-label={t('状态', 'Status')}
        value={status}
        onChange={(v) => {
          setStatus(v as typeof status);
          setPage(1);
        }}
        options={[
          { value: 'disclosed', label: t('公示中（可提异议）', 'Under disclosure (objections open)') },
          { value: 'effective', label: t('已生效', 'In effect') },
          { value: 'all', label: t('全部', 'All') },
        ]}
      />
      <ErrorNote error={books.error} />
      <TaskBooksTable books={books} page={page} onPage={setPage} />
    </>
  );
}

/** A page of task books: the unit (a link to its page), status, end of disclosure, items and objections answered. */
function TaskBooksTable({
  books,
  page,
  onPage,
}: {
  books: ReturnType<typeof usePublicTaskBooks>;
  page: number;
  onPage: (p: number) => void;
}) {
  const { t, time } = useI18n();
  return (
    <ResponsiveTable
      style={{ marginTop: 12 }}
      rowKey="unitId"
      loading={books.isLoading}
      dataSource={books.data?.items ?? []}
      pagination={{ current: page, pageSize: 20, total: books.data?.total ?? 0, onChange: onPage }}
      columns={[
        { title: t('单位', 'Unit'), render: (_, b) => <Link to={`/public/units/${b.unitId}`}>{`${b.unitCode} ${b.unitName}`}</Link> },
        {
          title: t('状态', 'Status'),
          render: (_, b) =>
            b.status === 'disclosed' ? (
              <Tag color="processing">{t('公示中', 'Under disclosure')}</Tag>
            ) : (
              <Tag color="success">{t('已生效', 'In effect')}</Tag>
            ),
        },
        { title: t('公示截止', 'Disclosure ends'), render: (_, b) => time(b.disclosureEndsAt) },
        { title: t('事项', 'Items'), dataIndex: 'items' },
        {
          title: t('异议（已答复/总数）', 'Objections (answered/filed)'),
          render: (_, b) => `${b.objections.answered}/${b.objections.filed}`,
        },
      ]}
    />
  );
}

/** The campaign's units, found by code or name, each a link to its page (where an opinion is sent). */
function UnitFinder({ id }: { id: string }) {
  const { t, label } = useI18n();
  const [q, setQ] = useState('');
  const [unitPage, setUnitPage] = useState(1);
  const units = useQuery({
    queryKey: ['public', 'units', id, q, unitPage],
    queryFn: () =>
      call(
        api.GET('/api/public/campaigns/{id}/units', {
          params: { path: { id }, query: { page: unitPage, pageSize: 10, ...(q ? { q } : {}) } },
        }),
      ),
  });
  return (
    <>
      <Input.Search
        aria-label={t('搜索单位', 'Search units')}
        placeholder={t('单位代码或名称', 'Unit code or name')}
        allowClear
        onSearch={(v) => {
          setQ(v.trim());
          setUnitPage(1);
        }}
        style={{ maxWidth: 360 }}
      />
      <ResponsiveTable
        style={{ marginTop: 12 }}
        rowKey="id"
        size="small"
        loading={units.isLoading}
        dataSource={units.data?.items ?? []}
        pagination={{ current: unitPage, pageSize: 10, total: units.data?.total ?? 0, onChange: setUnitPage }}
        columns={[
          { title: t('代码', 'Code'), dataIndex: 'code' },
          { title: t('单位', 'Unit'), render: (_, u) => <Link to={`/public/units/${u.id}`}>{u.name}</Link> },
          { title: t('批次', 'Batch'), dataIndex: 'batch' },
          { title: t('环节', 'Phase'), render: (_, u) => (u.phase ? label.phase(u.phase) : t('批次未开始', 'Batch not open')) },
        ]}
      />
    </>
  );
}

const usePublicCampaign = (id: string) =>
  useQuery({
    queryKey: ['public', 'campaign', id],
    queryFn: () => call(api.GET('/api/public/campaigns/{id}', { params: { path: { id } } })),
  });

const usePublicTaskBooks = (id: string, status: TaskBookStatus, page: number) =>
  useQuery({
    queryKey: ['public', 'task-books', id, status, page],
    queryFn: () =>
      call(
        api.GET('/api/public/campaigns/{id}/task-books', {
          params: { path: { id }, query: { page, pageSize: 20, ...(status === 'all' ? {} : { status }) } },
        }),
      ),
  });
