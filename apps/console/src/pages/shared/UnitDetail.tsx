// A unit as the office, its supervisors and auditors see it: where it stands, its gates, a pending request to
// decide right here (its supervisors), its transitions, documents, meeting and task book, its items, and a link
// to its timeline (the history rendered). Times in the campaign's zone.
import { mayAccess } from '../../../../../libs/domain/src';
import { Card, Descriptions, List, Space, Table, Tabs, Tag, Typography } from 'antd';
import { useState } from 'react';
import { api, call } from '../../api/client';
import { useSession } from '../../api/session';
import { useI18n } from '../../i18n';
import { wordMeetingReason } from '../../refusals';
import { Link } from '../../router';
import { ErrorNote, useWords } from '../../ui/errors';
import { GateChecklist, UnitFacts } from '../../ui/domain';
import { useAction } from '../../ui/forms';
import { CampaignZone, ZoneNote } from '../../ui/zone';
import { ItemsPanel } from '../unit/ItemsPanel';
import { docsKey, unitKey, useDocs, useUnit } from '../unit/useUnit';
import { Decision, inboxKey } from '../supervisor/Inbox';
import { Evidence, transitionSummary } from '../supervisor/Evidence';

interface TransitionLike {
  id: string;
  from: string;
  to: string;
  status: string;
  requested: { at: string; comment?: string };
  decided?: { at: string; comment?: string };
}

export default function UnitDetail({ id }: { id: string }) {
  const unit = useUnit(id);
  if (unit.error) return <ErrorNote error={unit.error} />;
  if (!unit.data) return null;
  return (
    <CampaignZone campaignId={unit.data.campaignId}>
      <UnitDetailBody id={id} v={unit.data} />
    </CampaignZone>
  );
}

type UnitView = NonNullable<ReturnType<typeof useUnit>['data']>;

function UnitDetailBody({ id, v }: { id: string; v: UnitView }) {
  const { t } = useI18n();
  const session = useSession();
  const pending = (v as { pendingTransition?: TransitionLike }).pendingTransition;
  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
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
      <ZoneNote />
      <UnitFacts unit={v} />
      {pending ? <PendingTransition id={id} v={v} pending={pending} /> : null}
      <Card>
        <GateChecklist phase={v.phase} unmetGates={v.unmetGates} />
      </Card>
      <Tabs
        items={[
          { key: 'transitions', label: t('环节转换', 'Transitions'), children: <Transitions id={id} /> },
          { key: 'records', label: t('记录', 'Records'), children: <Docs id={id} kind="records" /> },
          { key: 'problems', label: t('查摆问题', 'Problems'), children: <Docs id={id} kind="problems" /> },
          { key: 'meeting', label: t('民主生活会', 'Meeting'), children: <MeetingSummary meeting={v.meeting} /> },
          { key: 'task-book', label: t('整改任务书', 'Task book'), children: <TaskBookItems taskBook={v.taskBook} /> },
          { key: 'items', label: t('整改事项', 'Items'), children: <ItemsPanel unitId={id} readOnly /> },
        ]}
      />
    </Space>
  );
}

/** The transition awaiting a decision: decided here by whom the access table lets (a supervisor of the unit's group). */
function PendingTransition({ id, v, pending }: { id: string; v: UnitView; pending: TransitionLike }) {
  const { t, time, label } = useI18n();
  const session = useSession();
  const supervisor = !!session && mayAccess(session.principal, 'unit.transition.decide', { unitId: id, groupId: v.groupId });
  return (
    <Card
      data-testid="pending-decision"
      title={<h2 style={{ fontSize: 16, margin: 0 }}>{t('待审批的环节转换', 'Transition awaiting a decision')}</h2>}
    >
      <Typography.Paragraph>
        {label.phase(pending.from)} → {label.phase(pending.to)} · {t('申请于', 'requested')} {time(pending.requested.at)}
        {typeof pending.requested.comment === 'string' && pending.requested.comment ? ` · ${pending.requested.comment}` : ''}
      </Typography.Paragraph>
      {supervisor ? (
        <DecideHere unitId={id} code={v.code} name={v.name} pending={pending} />
      ) : (
        <Typography.Text>{t('由该单位所属督导组审批。', 'Its supervisory group decides.')}</Typography.Text>
      )}
    </Card>
  );
}

/** The unit's transitions, newest first, each with its decision. */
function Transitions({ id }: { id: string }) {
  const { t, time, label } = useI18n();
  const transitions = useDocs(id, 'transitions', 1, 50);
  return (
    <List
      dataSource={[...(transitions.data?.items ?? [])].reverse() as TransitionLike[]}
      locale={{ emptyText: t('暂无', 'None') }}
      renderItem={(tr: TransitionLike) => (
        <List.Item>
          {label.phase(tr.from)} → {label.phase(tr.to)} ·{' '}
          <Tag color={tr.status === 'approved' ? 'success' : tr.status === 'rejected' ? 'error' : 'processing'}>
            {label.decision(tr.status)}
          </Tag>
          {time(tr.requested.at)}
          {tr.decided ? ` · ${time(tr.decided.at)} ${typeof tr.decided.comment === 'string' ? tr.decided.comment : ''}` : ''}
        </List.Item>
      )}
    />
  );
}

/** The meeting: when and where, and whether it was held and valid. */
function MeetingSummary({ meeting }: { meeting: UnitView['meeting'] }) {
  const { t, time } = useI18n();
  const words = useWords();
  if (!meeting) return t('尚未安排', 'Not scheduled');
  return (
    <Descriptions size="small" bordered column={1}>
      <Descriptions.Item label={t('安排', 'Scheduled')}>
        {time(meeting.scheduledAt)} · {meeting.location}
      </Descriptions.Item>
      <Descriptions.Item label={t('状态', 'Status')}>
        {meeting.status === 'held'
          ? `${time(meeting.startedAt)} — ${time(meeting.endedAt)} · ${meeting.valid ? t('有效', 'valid') : `${t('无效：', 'invalid: ')}${wordMeetingReason(meeting.reason, words)}`}`
          : t('已安排，尚未召开', 'scheduled, not held yet')}
      </Descriptions.Item>
    </Descriptions>
  );
}

/** The task book's items: measure, who answers for it, its deadline and status. */
function TaskBookItems({ taskBook }: { taskBook: UnitView['taskBook'] }) {
  const { t, time, label } = useI18n();
  if (!taskBook) return t('尚未编制', 'Not drawn up yet');
  return (
    <Table
      rowKey="id"
      size="small"
      pagination={false}
      dataSource={taskBook.items}
      columns={[
        {
          title: t('措施', 'Measure'),
          dataIndex: 'measure',
          sorter: (a, b) => a.measure.localeCompare(b.measure, 'zh-CN'),
        },
        {
          title: t('责任人', 'Responsible'),
          dataIndex: 'owner',
          sorter: (a, b) => a.owner.localeCompare(b.owner, 'zh-CN'),
        },
        {
          title: t('时限', 'Deadline'),
          render: (_, i) => time(i.deadline, false),
          sorter: (a, b) => Date.parse(a.deadline) - Date.parse(b.deadline),
        },
        { title: t('状态', 'Status'), render: (_, i) => label.itemStatus(i.status) },
      ]}
    />
  );
}

/** A supervisor of the unit's group decides its pending transition here, having read what stands behind it. */
function DecideHere({ unitId, code, name, pending }: { unitId: string; code: string; name: string; pending: TransitionLike }) {
  const { t, label } = useI18n();
  const act = useAction({
    invalidate: [inboxKey, unitKey(unitId), docsKey(unitId, 'transitions')],
    success: (r) => (r.status === 'approved' ? t('已批准', 'Approved') : t('已驳回', 'Rejected')),
    fn: (v: { approve: boolean; comment: string }) =>
      call(api.POST('/api/units/{id}/transitions/{tid}/decision', { params: { path: { id: unitId, tid: pending.id } }, body: v })),
  });
  return (
    <>
      <Evidence unitId={unitId} to={pending.to} />
      <Decision
        id={`unit-${pending.id}`}
        summary={(approve) => transitionSummary(t, label, { unitCode: code, unitName: name, from: pending.from, to: pending.to }, approve)}
        onDecide={(approve, comment) => act.run({ approve, comment })}
        busy={act.busy}
        error={act.error}
        approveLabel={t('批准', 'Approve')}
        rejectLabel={t('驳回', 'Reject')}
      />
    </>
  );
}

function Docs({ id, kind }: { id: string; kind: 'records' | 'problems' }) {
  const { t, time, label } = useI18n();
  const [page, setPage] = useState(1);
  const docs = useDocs(id, kind, page);
  return (
    <Table
      rowKey="id"
      size="small"
      loading={docs.isLoading}
      dataSource={docs.data?.items ?? []}
      pagination={{ current: page, pageSize: 10, total: docs.data?.total ?? 0, onChange: setPage, hideOnSinglePage: true }}
      columns={[
        { title: t('类别', 'Kind'), render: (_, d) => ('kind' in d ? label.record(d.kind) : label.category(d.category)) },
        { title: t('标题', 'Title'), dataIndex: 'title' },
        { title: t('时间', 'When'), render: (_, d) => time(d.at) },
      ]}
    />
  );
}
