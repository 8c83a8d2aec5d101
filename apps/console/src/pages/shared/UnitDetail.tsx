// A unit as the office, its supervisors and auditors see it: where it stands, its gates, its transitions, its
// documents, meeting and task book, its items, and links to its timeline (the history rendered).
import { Card, List, Space, Table, Tabs, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useSession } from '../../api/session';
import { useI18n } from '../../i18n';
import { Link } from '../../router';
import { ErrorNote } from '../../ui/errors';
import { GateChecklist, UnitFacts } from '../../ui/domain';
import { ItemsPanel } from '../unit/ItemsPanel';
import { useDocs, useUnit } from '../unit/useUnit';

interface TransitionLike {
  id: string;
  from: string;
  to: string;
  status: string;
  requested: { at: string };
  decided?: { at: string; comment?: string };
}

export default function UnitDetail({ id }: { id: string }) {
  const { t, lang, label, time } = useI18n();
  const session = useSession();
  const unit = useUnit(id);
  const transitions = useDocs(id, 'transitions', 1, 50);
  const v = unit.data;
  if (unit.error) return <ErrorNote error={unit.error} />;
  if (!v) return null;
  const phase = v.phase as 'P1' | null;
  return (
    <Space direction="vertical" size="middle" style={{ width: '100%' }}>
      <Space style={{ justifyContent: 'space-between', width: '100%' }} wrap>
        <Typography.Title level={1} style={{ fontSize: 24, margin: 0 }}>
          {v.code} {v.name}
        </Typography.Title>
        <Space>
          {session?.principal.role === 'supervisor' ? <Link to="/inbox">{t('返回待办', 'Back to the inbox')}</Link> : null}
          <Link to={`/audit/units/${id}`} data-testid="timeline-link">
            {t('工作流时间线', 'Timeline')}
          </Link>
        </Space>
      </Space>
      <UnitFacts unit={{ ...v, phase, card: v.card as 'none', window: v.window as never }} />
      <Card>
        <GateChecklist phase={phase} unmetGates={v.unmetGates} />
      </Card>
      <Tabs
        items={[
          {
            key: 'transitions',
            label: t('环节转换', 'Transitions'),
            children: (
              <List
                dataSource={[...(transitions.data?.items ?? [])].reverse() as TransitionLike[]}
                locale={{ emptyText: t('暂无', 'None') }}
                renderItem={(tr: TransitionLike) => (
                  <List.Item>
                    {tr.from} → {tr.to} ·{' '}
                    <Tag color={tr.status === 'approved' ? 'success' : tr.status === 'rejected' ? 'error' : 'processing'}>{tr.status}</Tag>
                    {time(tr.requested.at)}
                    {tr.decided ? ` · ${time(tr.decided.at)} ${tr.decided.comment ?? ''}` : ''}
                  </List.Item>
                )}
              />
            ),
          },
          { key: 'records', label: t('记录', 'Records'), children: <Docs id={id} kind="records" /> },
          { key: 'problems', label: t('查摆问题', 'Problems'), children: <Docs id={id} kind="problems" /> },
          {
            key: 'meeting',
            label: t('民主生活会', 'Meeting'),
            children: v.meeting ? (
              <Typography.Paragraph>
                {time(v.meeting.scheduledAt)} · {v.meeting.location} ·{' '}
                {v.meeting.status === 'held' ? (v.meeting.valid ? t('有效', 'valid') : t(`无效：${v.meeting.reason ?? ''}`, `invalid: ${v.meeting.reason ?? ''}`)) : t('已安排', 'scheduled')}
              </Typography.Paragraph>
            ) : (
              t('尚未安排', 'Not scheduled')
            ),
          },
          {
            key: 'task-book',
            label: t('整改任务书', 'Task book'),
            children: v.taskBook ? (
              <Table
                rowKey="id"
                size="small"
                pagination={false}
                dataSource={v.taskBook.items}
                columns={[
                  { title: t('措施', 'Measure'), dataIndex: 'measure' },
                  { title: t('责任人', 'Responsible'), dataIndex: 'owner' },
                  { title: t('时限', 'Deadline'), render: (_, i) => time(i.deadline, false) },
                  { title: t('状态', 'Status'), render: (_, i) => label.itemStatus(i.status) },
                ]}
              />
            ) : (
              t('尚未编制', 'Not drawn up yet')
            ),
          },
          { key: 'items', label: t('整改事项', 'Items'), children: <ItemsPanel unitId={id} readOnly /> },
        ]}
      />
    </Space>
  );
}

function Docs({ id, kind }: { id: string; kind: 'records' | 'problems' }) {
  const { t, lang, label, time } = useI18n();
  const [page, setPage] = useState(1);
  const docs = useDocs(id, kind, page);
  return (
    <Table
      rowKey="id"
      size="small"
      loading={docs.isLoading}
      dataSource={(docs.data?.items ?? []) as Array<{ id: string; title: string; at: string; kind?: string; category?: string }>}
      pagination={{ current: page, pageSize: 10, total: docs.data?.total ?? 0, onChange: setPage, hideOnSinglePage: true }}
      columns={[
        { title: t('类别', 'Kind'), render: (_, d) => (d.kind ? label.record(d.kind) : label.category(d.category)) },
        { title: t('标题', 'Title'), dataIndex: 'title' },
        { title: t('时间', 'When'), render: (_, d) => time(d.at) },
      ]}
    />
  );
}
