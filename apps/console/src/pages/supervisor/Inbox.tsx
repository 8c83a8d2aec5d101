// The supervisor's inbox: what waits on the group, oldest first — transitions to decide, meetings to attest,
// items to verify, extensions to decide — each decided right here with a reason, which the unit's workflow
// history keeps. A refusal (a gate unmet, a rule broken) shows beside the decision that was refused.
import { useQuery } from '@tanstack/react-query';
import { Badge, Button, Card, Empty, Form, Input, List, Segmented, Space, Tag, Typography } from 'antd';
import { useState, type ReactNode } from 'react';
import { api, call, present } from '../../api/client';
import { useSession } from '../../api/session';
import { instantOf, useI18n, wallTime } from '../../i18n';
import { Link } from '../../router';
import { ErrorNote } from '../../ui/errors';
import { DateTimeInput, useAction, useConfirm } from '../../ui/forms';
import { CampaignZone } from '../../ui/zone';
import { Evidence, transitionSummary } from './Evidence';
import { FIELD_LIMITS } from '../../../../../libs/domain/src';

type Kind = 'transition' | 'meeting' | 'verification' | 'extension';
export const inboxKey = ['inbox'] as const;

interface Entry {
  kind: string;
  since: string;
  unitId: string;
  unitCode: string;
  unitName: string;
  campaignId: string;
  subjectId: string;
  itemId: string | null;
  extensionId: string | null;
  title: string;
  detail: string | null;
  at: string | null;
  from: string | null;
  to: string | null;
}

export default function Inbox() {
  const { t } = useI18n();
  const [kind, setKind] = useState<Kind | 'all'>('all');
  const [page, setPage] = useState(1);
  const inbox = useQuery({
    queryKey: [...inboxKey, kind, page],
    queryFn: () => call(api.GET('/api/inbox', { params: { query: { page, pageSize: 20, ...(kind === 'all' ? {} : { kind }) } } })),
    refetchInterval: 10_000,
  });
  const kindLabel = useKindLabels();
  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      <Typography.Title level={1} style={{ fontSize: 24 }}>
        {t('待办', 'Inbox')} <Badge count={inbox.data?.total ?? 0} overflowCount={9999} showZero color="#a8071a" />
      </Typography.Title>
      <InboxScope />
      <Segmented
        aria-label={t('类别', 'Kind')}
        value={kind}
        onChange={(v) => {
          setKind(v as Kind | 'all');
          setPage(1);
        }}
        options={[
          { value: 'all', label: t('全部', 'All') },
          ...(Object.keys(kindLabel) as Kind[]).map((k) => ({ value: k, label: kindLabel[k] })),
        ]}
      />
      <ErrorNote error={inbox.error} />
      <List
        loading={inbox.isLoading}
        dataSource={inbox.data?.items ?? []}
        locale={{ emptyText: <Empty description={t('没有待办事项', 'Nothing waits on you')} /> }}
        pagination={{ current: page, pageSize: 20, total: inbox.data?.total ?? 0, onChange: setPage, hideOnSinglePage: true }}
        renderItem={(e) => (
          <List.Item key={`${e.kind}:${e.subjectId}:${e.extensionId ?? ''}`} style={{ display: 'block' }}>
            <CampaignZone campaignId={e.campaignId}>
              <InboxCard entry={e} kindLabel={kindLabel[e.kind]} />
            </CampaignZone>
          </List.Item>
        )}
      />
    </Space>
  );
}

/** Each kind of waiting work, by name. */
function useKindLabels(): Record<Kind, string> {
  const { t } = useI18n();
  return {
    transition: t('环节转换', 'Transitions'),
    meeting: t('民主生活会到会证明', 'Meetings to attest'),
    verification: t('整改销号核验', 'Items to verify'),
    extension: t('延期申请', 'Extensions'),
  };
}

/** Whose waiting work this is: a supervisor's own group's, or every group's. */
function InboxScope() {
  const { t } = useI18n();
  const session = useSession();
  return (
    <Typography.Paragraph>
      {session?.principal.role === 'supervisor'
        ? t(
            '本督导组负责单位的待办事项，按等待时间先后排列。每项决定须说明理由，并记入单位的工作流历史。',
            "What waits on your group, oldest first. Every decision carries a reason, kept in the unit's workflow history.",
          )
        : t('所有督导组的待办事项。', "Every group's waiting work.")}
    </Typography.Paragraph>
  );
}

function InboxCard({ entry: e, kindLabel }: { entry: Entry; kindLabel: string }) {
  const { t, time } = useI18n();
  return (
    <Card
      size="small"
      data-testid={`inbox-${e.kind}`}
      title={
        <Space wrap>
          <Tag color={e.kind === 'transition' ? 'red' : e.kind === 'meeting' ? 'gold' : 'blue'}>{kindLabel}</Tag>
          <span>
            {e.unitCode} {e.unitName}
          </span>
        </Space>
      }
      extra={
        <Space>
          <span>
            {t('等待自', 'Waiting since')} {time(e.since)}
          </span>
          <Link to={`/units/${e.unitId}`}>{t('条件与历史', 'Gates and history')}</Link>
        </Space>
      }
    >
      {e.kind === 'transition' ? <TransitionDecision e={e} /> : null}
      {e.kind === 'meeting' ? <MeetingAttestation e={e} /> : null}
      {e.kind === 'verification' ? <ItemVerification e={e} /> : null}
      {e.kind === 'extension' ? <ExtensionDecision e={e} /> : null}
    </Card>
  );
}

interface DecisionProps {
  id: string;
  onDecide: (approve: boolean, comment: string) => Promise<unknown>;
  busy: boolean;
  error: unknown;
  approveLabel: string;
  rejectLabel: string;
  /** What the decision does, for its confirmation. */
  summary: (approve: boolean) => { title: string; content: ReactNode };
}

/** Approve or reject with a reason; one form, two buttons; each decision asks first, with what it does. */
export function Decision({ id, onDecide, busy, error, approveLabel, rejectLabel, summary }: DecisionProps) {
  const { t } = useI18n();
  const { form, decide } = useDecide({ onDecide, approveLabel, rejectLabel, summary });
  return (
    <Form name={`decide-${id}`} form={form} layout="vertical">
      <Form.Item
        name="comment"
        label={t('理由（记入历史）', 'Reason (kept in the history)')}
        rules={[{ required: true, whitespace: true, message: t('请说明理由', 'Give a reason') }]}
      >
        <Input.TextArea rows={2} maxLength={FIELD_LIMITS.comment} />
      </Form.Item>
      <Space>
        <Button type="primary" loading={busy} onClick={() => void decide(true)}>
          {approveLabel}
        </Button>
        <Button danger loading={busy} onClick={() => void decide(false)}>
          {rejectLabel}
        </Button>
      </Space>
      <ErrorNote error={error} />
    </Form>
  );
}

/** The reason's form, and a decision: the reason checked, then asked with what it does and why, then taken. */
function useDecide({ onDecide, approveLabel, rejectLabel, summary }: Omit<DecisionProps, 'id' | 'busy' | 'error'>) {
  const { t } = useI18n();
  const confirm = useConfirm();
  const [form] = Form.useForm<{ comment: string }>();
  const decide = async (approve: boolean) => {
    const v = await form.validateFields().catch(() => undefined);
    if (!v) return;
    const s = summary(approve);
    const ok = await confirm({
      title: s.title,
      okText: approve ? approveLabel : rejectLabel,
      danger: !approve,
      content: (
        <div>
          {s.content}
          <p style={{ marginBottom: 0 }}>
            {t('理由', 'Reason')}: {v.comment}
          </p>
        </div>
      ),
    });
    if (ok) await onDecide(approve, v.comment);
  };
  return { form, decide };
}

function TransitionDecision({ e }: { e: Entry }) {
  const { t, label } = useI18n();
  const act = useAction({
    invalidate: [inboxKey, ['unit', e.unitId]],
    success: (r) => (r.status === 'approved' ? t('已批准', 'Approved') : t('已驳回', 'Rejected')),
    fn: (v: { approve: boolean; comment: string }) =>
      call(api.POST('/api/units/{id}/transitions/{tid}/decision', { params: { path: { id: e.unitId, tid: e.subjectId } }, body: v })),
  });
  return (
    <>
      <Typography.Paragraph>
        {t('申请', 'Requests')} <strong>{e.from}</strong> {label.phase(e.from)} → <strong>{e.to}</strong> {label.phase(e.to)}
        {e.detail ? ` · ${e.detail}` : ''}
      </Typography.Paragraph>
      <Evidence unitId={e.unitId} to={e.to} />
      <Decision
        id={`${e.kind}-${e.subjectId}-${e.extensionId ?? ''}`}
        summary={(approve) => transitionSummary(t, label, { unitCode: e.unitCode, unitName: e.unitName, from: e.from, to: e.to }, approve)}
        onDecide={(approve, comment) => act.run({ approve, comment })}
        busy={act.busy}
        error={act.error}
        approveLabel={t('批准', 'Approve')}
        rejectLabel={t('驳回', 'Reject')}
      />
    </>
  );
}

function MeetingAttestation({ e }: { e: Entry }) {
  const { t, time, zone } = useI18n();
  const [form] = Form.useForm<{ arrivedAt: string; leftAt: string }>();
  const act = useAction({
    form,
    fields: ['arrivedAt', 'leftAt'],
    invalidate: [inboxKey, ['unit', e.unitId]],
    success: t('到会证明已提交', 'Attendance attested'),
    fn: (v: { arrivedAt: string; leftAt: string }) =>
      call(
        api.POST('/api/units/{id}/meeting/attendance', {
          params: { path: { id: e.unitId } },
          body: { arrivedAt: v.arrivedAt, leftAt: v.leftAt },
        }),
      ),
  });
  return (
    <Form
      name={`attest-${e.subjectId}`}
      form={form}
      layout="vertical"
      onFinish={act.submit}
      initialValues={{ arrivedAt: e.at ? instantOf(wallTime(e.at, zone).slice(0, 16), zone) : undefined }}
    >
      <Typography.Paragraph>
        {t('专题民主生活会', 'Democratic life meeting')}: {time(e.at)} · {e.title}.{' '}
        {t(
          '督导组须全程参与：到会不晚于开始，离会不早于结束。',
          'The group must attend it whole: arrive by its start, leave after its end.',
        )}
      </Typography.Paragraph>
      <Space wrap align="start">
        <Form.Item
          name="arrivedAt"
          label={t('到会时间', 'Arrived')}
          rules={[{ required: true, message: t('请选择时间', 'Choose a time') }]}
        >
          <DateTimeInput />
        </Form.Item>
        <Form.Item name="leftAt" label={t('离会时间', 'Left')} rules={[{ required: true, message: t('请选择时间', 'Choose a time') }]}>
          <DateTimeInput />
        </Form.Item>
      </Space>
      <Button type="primary" htmlType="submit" loading={act.busy}>
        {t('证明到会', 'Attest attendance')}
      </Button>
      <ErrorNote error={act.error} />
    </Form>
  );
}

function ItemVerification({ e }: { e: Entry }) {
  const { t, time } = useI18n();
  const act = useAction({
    invalidate: [inboxKey],
    success: (r) => (r.status === 'closed' ? t('已销号', 'Closed') : t('已退回整改', 'Sent back')),
    fn: (v: { accept: boolean; comment: string }) =>
      call(
        api.POST('/api/items/{itemId}/verification', {
          params: { path: { itemId: present(e.itemId, 'the item of this entry') } },
          body: v,
        }),
      ),
  });
  return (
    <>
      <Typography.Paragraph>
        {e.title} · {t('时限', 'deadline')} {time(e.at)}
        <br />
        {t('完成佐证：', 'Evidence: ')}
        {e.detail}
      </Typography.Paragraph>
      <Decision
        id={`${e.kind}-${e.subjectId}-${e.extensionId ?? ''}`}
        summary={(accept) => ({
          title: accept
            ? t(`核验并销号：${e.unitCode} ${e.unitName}`, `Verify and close: ${e.unitCode} ${e.unitName}`)
            : t(`退回整改：${e.unitCode} ${e.unitName}`, `Send back: ${e.unitCode} ${e.unitName}`),
          content: (
            <p>
              {e.title} ·{' '}
              {accept
                ? t('销号后事项结束，预警停止。', 'Closed, its ladder stops.')
                : t('事项回到整改中，时限不变。', 'It reopens; the deadline stays.')}
            </p>
          ),
        })}
        onDecide={(accept, comment) => act.run({ accept, comment })}
        busy={act.busy}
        error={act.error}
        approveLabel={t('销号', 'Close (verified)')}
        rejectLabel={t('退回整改', 'Send back')}
      />
    </>
  );
}

function ExtensionDecision({ e }: { e: Entry }) {
  const { t, time } = useI18n();
  const act = useAction({
    invalidate: [inboxKey],
    success: (r) => (r.status === 'approved' ? t('已批准延期', 'Extension approved') : t('已不予延期', 'Extension refused')),
    fn: (v: { approve: boolean; comment: string }) =>
      call(
        api.POST('/api/items/{itemId}/extensions/{eid}/decision', {
          params: {
            path: { itemId: present(e.itemId, 'the item of this entry'), eid: present(e.extensionId, 'the extension of this entry') },
          },
          body: v,
        }),
      ),
  });
  return (
    <>
      <Typography.Paragraph>
        {e.title}: {time(e.from, false)} → {time(e.at, false)} · {e.detail}
      </Typography.Paragraph>
      <Decision
        id={`${e.kind}-${e.subjectId}-${e.extensionId ?? ''}`}
        summary={(approve) => ({
          title: approve
            ? t(`批准延期：${e.unitCode} ${e.unitName}`, `Approve the extension: ${e.unitCode} ${e.unitName}`)
            : t(`不予延期：${e.unitCode} ${e.unitName}`, `Refuse the extension: ${e.unitCode} ${e.unitName}`),
          content: (
            <p>
              {e.title}: {time(e.from, false)} → {time(e.at, false)} ·{' '}
              {approve
                ? t('批准后按新时限重新预警，已触发的预警保留。', 'The ladder restarts on the new deadline; rungs fired stay.')
                : t('时限不变。', 'The deadline stays.')}
            </p>
          ),
        })}
        onDecide={(approve, comment) => act.run({ approve, comment })}
        busy={act.busy}
        error={act.error}
        approveLabel={t('批准延期', 'Approve extension')}
        rejectLabel={t('不予延期', 'Refuse')}
      />
    </>
  );
}
