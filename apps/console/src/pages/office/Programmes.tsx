// City-wide programmes: the four style-governance tracks and the nine major actions, each with staged goals on
// the escalation ladder; the lead unit reports a goal achieved, the office verifies it here.
import { MinusCircleOutlined, PlusOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { AutoComplete, Button, Card, Form, Input, Select, Space, Table, Tag, Typography, type FormInstance } from 'antd';
import { useState } from 'react';
import { api, call, idempotencyKey } from '../../api/client';
import { DEFAULT_OFFSET, useI18n } from '../../i18n';
import { CampaignPicker, useCampaignChoice } from '../../ui/CampaignPicker';
import { CampaignZone, useCampaignOffset } from '../../ui/zone';
import { CardTag } from '../../ui/domain';
import { ErrorNote } from '../../ui/errors';
import { DateInput, dateToDeadline, useAction } from '../../ui/forms';
import { useAllUnits } from './useAllUnits';
import { FIELD_LIMITS } from '../../../../../libs/domain/src';

/** The seed's programmes: four governance tracks, nine actions. */
const SEED_PROGRAMMES = {
  governance: ['会风文风', '机关效能', '领导干部工作生活待遇', '“三公”经费'],
  action: ['基层走亲', '服务提效', '贴心城管', '三改一拆', '交通治堵', '清水治污', '大气整治', '食品安全', '就业促进'],
} as const;

const programmesKey = ['programmes'] as const;

export default function Programmes() {
  const { t, time } = useI18n();
  const [page, setPage] = useState(1);
  const list = useQuery({
    queryKey: [...programmesKey, page],
    queryFn: () => call(api.GET('/api/programmes', { params: { query: { page, pageSize: 20 } } })),
  });
  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      <Typography.Title level={1} style={{ fontSize: 24 }}>
        {t('专项整治与重大行动', 'Programmes: governance tracks and major actions')}
      </Typography.Title>
      <NewProgramme />
      <ErrorNote error={list.error} />
      <Table
        rowKey="id"
        loading={list.isLoading}
        dataSource={list.data?.items ?? []}
        pagination={{ current: page, pageSize: 20, total: list.data?.total ?? 0, onChange: setPage, hideOnSinglePage: true }}
        expandable={{ expandedRowRender: (p) => <ProgrammeGoals id={p.id} /> }}
        columns={[
          { title: t('名称', 'Name'), dataIndex: 'name', sorter: (a, b) => a.name.localeCompare(b.name, 'zh-CN') },
          {
            title: t('类别', 'Track'),
            render: (_, p) => <Tag>{p.track === 'governance' ? t('专项整治', 'Governance track') : t('重大行动', 'Major action')}</Tag>,
            sorter: (a, b) => a.track.localeCompare(b.track),
          },
          {
            title: t('牵头市领导', 'Lead leader'),
            dataIndex: 'leadLeader',
            sorter: (a, b) => a.leadLeader.localeCompare(b.leadLeader, 'zh-CN'),
          },
          { title: t('阶段目标', 'Goals'), render: (_, p) => p.goals.length, sorter: (a, b) => a.goals.length - b.goals.length },
          {
            title: t('创建', 'Created'),
            render: (_, p) => time(p.createdAt, false),
            sorter: (a, b) => a.createdAt.localeCompare(b.createdAt),
          },
        ]}
      />
    </Space>
  );
}

function ProgrammeGoals({ id }: { id: string }) {
  const { t, time } = useI18n();
  const view = useQuery({
    queryKey: [...programmesKey, id],
    queryFn: () => call(api.GET('/api/programmes/{id}', { params: { path: { id } } })),
  });
  return (
    <>
      <ErrorNote error={view.error} />
      <Table
        rowKey="id"
        size="small"
        pagination={false}
        loading={view.isLoading}
        dataSource={view.data?.goals ?? []}
        columns={[
          { title: t('阶段目标', 'Goal'), dataIndex: 'title', sorter: (a, b) => a.title.localeCompare(b.title, 'zh-CN') },
          { title: t('时限', 'Due'), render: (_, g) => time(g.dueAt, false), sorter: (a, b) => a.dueAt.localeCompare(b.dueAt) },
          {
            title: t('状态', 'Status'),
            render: (_, g) =>
              g.status === 'open'
                ? t('推进中', 'Open')
                : g.status === 'achieved'
                  ? t('待核验', 'Achieved, to verify')
                  : t('已完成', 'Closed'),
          },
          { title: t('亮牌', 'Card'), render: (_, g) => <CardTag card={g.card} /> },
          { title: '', render: (_, g) => (g.status === 'achieved' ? <VerifyGoal programmeId={id} goalId={g.id} /> : null) },
        ]}
      />
    </>
  );
}

function VerifyGoal({ programmeId, goalId }: { programmeId: string; goalId: string }) {
  const { t } = useI18n();
  const [form] = Form.useForm<{ comment: string }>();
  const verify = useAction({
    invalidate: [[...programmesKey, programmeId]],
    fn: (v: { accept: boolean; comment: string }) =>
      call(api.POST('/api/programmes/{id}/goals/{gid}/verification', { params: { path: { id: programmeId, gid: goalId } }, body: v })),
  });
  const decide = async (accept: boolean) => {
    const v = await form.validateFields().catch(() => undefined);
    if (v) await verify.run({ accept, comment: v.comment });
  };
  return (
    <Form name={`verify-${goalId}`} form={form} layout="inline">
      <Form.Item name="comment" rules={[{ required: true, whitespace: true, message: t('请说明理由', 'Give a reason') }]}>
        <Input aria-label={t('理由', 'Reason')} placeholder={t('理由', 'Reason')} />
      </Form.Item>
      <Button size="small" type="primary" onClick={() => void decide(true)}>
        {t('核验通过', 'Accept')}
      </Button>
      <Button size="small" danger onClick={() => void decide(false)}>
        {t('退回', 'Reject')}
      </Button>
      <ErrorNote error={verify.error} />
    </Form>
  );
}

/** The new programme's form; a select never touched, or a list with no row yet, is absent. */
interface ProgrammeValues {
  name: string;
  track: 'governance' | 'action';
  leadLeader: string;
  leadUnitId: string;
  responsibleUnitIds?: string[];
  goals?: Array<{ title: string; dueAt: string }>;
}

function NewProgramme() {
  const { t } = useI18n();
  const [campaignId, setCampaignId] = useCampaignChoice();
  // Goals fall due at the end of a day of the campaign's calendar, in its zone.
  const zone = useCampaignOffset(campaignId) ?? DEFAULT_OFFSET;
  const units = useAllUnits(campaignId ?? '');
  const [form] = Form.useForm<ProgrammeValues>();
  // Nothing is watched before the form's first render.
  const watchedTrack = Form.useWatch<ProgrammeValues['track'] | undefined>('track', form);
  const track = watchedTrack ?? 'action';
  const unitOptions = (units.data ?? []).map((u) => ({ value: u.id, label: `${u.code} ${u.name}` }));
  const create = useCreateProgramme(form, campaignId, zone);
  return (
    <CampaignZone campaignId={campaignId}>
      <Card size="small" title={<h2 style={{ fontSize: 16, margin: 0 }}>{t('新建专项', 'New programme')}</h2>}>
        <Space style={{ marginBottom: 8 }}>
          {t('所属活动（预警规则与日历）', 'Campaign (its ladder and calendar)')}:{' '}
          <CampaignPicker value={campaignId} onChange={setCampaignId} />
        </Space>
        <Form
          name="Programmes-2"
          form={form}
          layout="vertical"
          onFinish={create.submit}
          initialValues={{ track: 'action', goals: [{ title: '', dueAt: '' }] }}
        >
          <ProgrammeFields track={track} unitOptions={unitOptions} />
          <GoalList />
          <Button type="primary" htmlType="submit" loading={create.busy} style={{ marginTop: 12 }}>
            {t('创建', 'Create')}
          </Button>
          <ErrorNote error={create.error} />
        </Form>
      </Card>
    </CampaignZone>
  );
}

/** Creates the programme, its goals due at the end of their days in the campaign's zone (`zone`, an offset). */
function useCreateProgramme(form: FormInstance<ProgrammeValues>, campaignId: string | undefined, zone: string) {
  return useAction({
    form,
    fields: ['name', 'track', 'leadLeader', 'leadUnitId', 'responsibleUnitIds', 'goals'],
    invalidate: [programmesKey],
    fn: (v: ProgrammeValues) =>
      call(
        api.POST('/api/programmes', {
          params: { header: { 'Idempotency-Key': idempotencyKey() } },
          body: {
            ...v,
            responsibleUnitIds: v.responsibleUnitIds ?? [],
            goals: (v.goals ?? []).map((g) => ({ title: g.title, dueAt: dateToDeadline(g.dueAt, zone) })),
            ...(campaignId ? { campaignId } : {}),
          },
        }),
      ),
  });
}

/** The programme's track, name (the seed's names of its track offered), lead leader, lead and responsible units. */
function ProgrammeFields({
  track,
  unitOptions,
}: {
  track: ProgrammeValues['track'];
  unitOptions: Array<{ value: string; label: string }>;
}) {
  const { t } = useI18n();
  return (
    <Space wrap align="start">
      <TrackField />
      <Form.Item
        name="name"
        label={t('名称', 'Name')}
        rules={[{ required: true, whitespace: true, message: t('请填写名称', 'Enter a name') }]}
      >
        <AutoComplete style={{ width: 240 }} aria-label={t('名称', 'Name')} options={SEED_PROGRAMMES[track].map((n) => ({ value: n }))} />
      </Form.Item>
      <Form.Item
        name="leadLeader"
        label={t('牵头市领导', 'Lead city leader')}
        rules={[{ required: true, whitespace: true, message: t('请填写', 'Required') }]}
      >
        <Input style={{ width: 200 }} maxLength={FIELD_LIMITS.name} />
      </Form.Item>
      <Form.Item name="leadUnitId" label={t('牵头单位', 'Lead unit')} rules={[{ required: true, message: t('请选择', 'Choose one') }]}>
        <Select
          showSearch={{ optionFilterProp: 'label' }}
          style={{ width: 260 }}
          aria-label={t('牵头单位', 'Lead unit')}
          options={unitOptions}
        />
      </Form.Item>
      <Form.Item name="responsibleUnitIds" label={t('责任单位', 'Responsible units')}>
        <Select
          mode="multiple"
          showSearch={{ optionFilterProp: 'label' }}
          style={{ width: 320 }}
          aria-label={t('责任单位', 'Responsible units')}
          options={unitOptions}
        />
      </Form.Item>
    </Space>
  );
}

/** The programme's track: one of the four governance tracks, or one of the nine actions. */
function TrackField() {
  const { t } = useI18n();
  return (
    <Form.Item name="track" label={t('类别', 'Track')}>
      <Select
        style={{ width: 200 }}
        aria-label={t('类别', 'Track')}
        options={[
          { value: 'governance', label: t('四项专项整治', 'Four governance tracks') },
          { value: 'action', label: t('九大行动', 'Nine major actions') },
        ]}
      />
    </Form.Item>
  );
}

/** The programme's stage goals, each a title and a day it falls due; added and removed one by one. */
function GoalList() {
  const { t } = useI18n();
  return (
    <Form.List name="goals">
      {(fields, { add, remove }) => (
        <>
          {fields.map((f) => (
            <Space key={f.key} align="start">
              <Form.Item
                name={[f.name, 'title']}
                label={t('阶段目标', 'Goal')}
                rules={[{ required: true, whitespace: true, message: t('请填写', 'Required') }]}
              >
                <Input style={{ width: 360 }} maxLength={FIELD_LIMITS.title} />
              </Form.Item>
              <Form.Item
                name={[f.name, 'dueAt']}
                label={t('时限', 'Due')}
                rules={[{ required: true, message: t('请选择日期', 'Choose a date') }]}
              >
                <DateInput />
              </Form.Item>
              <Button
                type="text"
                icon={<MinusCircleOutlined />}
                aria-label={t('删除目标', 'Remove goal')}
                onClick={() => remove(f.name)}
                style={{ marginTop: 30 }}
              />
            </Space>
          ))}
          <div>
            <Button icon={<PlusOutlined />} onClick={() => add({ title: '', dueAt: '' })}>
              {t('添加阶段目标', 'Add a goal')}
            </Button>
          </div>
        </>
      )}
    </Form.List>
  );
}
