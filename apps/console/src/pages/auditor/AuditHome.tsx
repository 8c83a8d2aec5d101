// The auditor's desk: a campaign's units (each with its timeline and history), replay jobs with live progress,
// reconciliation of the read model against the workflows, and the referral dossiers to print.
import { useQuery } from '@tanstack/react-query';
import { Alert, Button, Card, Progress, Space, Table, Typography } from 'antd';
import { useState } from 'react';
import { UnitsTable } from '../office/UnitsTable';
import { useEscalationWords } from '../../ui/escalation';
import { CampaignZone } from '../../ui/zone';
import { api, call, present } from '../../api/client';
import { useI18n } from '../../i18n';
import { Link } from '../../router';
import { CampaignPicker, useCampaignChoice } from '../../ui/CampaignPicker';
import { ErrorNote } from '../../ui/errors';
import { useAction } from '../../ui/forms';

export default function AuditHome() {
  const { t } = useI18n();
  const [campaignId, setCampaignId] = useCampaignChoice();
  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      <Typography.Title level={1} style={{ fontSize: 24 }}>
        {t('审计', 'Audit')}
      </Typography.Title>
      <CampaignPicker value={campaignId} onChange={setCampaignId} />
      {campaignId ? (
        <CampaignZone campaignId={campaignId}>
          <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
            <UnitsCard campaignId={campaignId} />
            <ReplayCard campaignId={campaignId} />
            <ReconcileCard campaignId={campaignId} />
            <DossierCard campaignId={campaignId} />
          </Space>
        </CampaignZone>
      ) : null}
    </Space>
  );
}

function UnitsCard({ campaignId }: { campaignId: string }) {
  const { t } = useI18n();
  return (
    <Card title={<h2 style={{ fontSize: 18, margin: 0 }}>{t('参加单位', 'Units')}</h2>}>
      <UnitsTable campaignId={campaignId} linkTo={(id) => `/audit/units/${id}`} />
    </Card>
  );
}

/** A replay of the campaign's histories, started here; its job is polled until it has run. */
function useReplayJob(campaignId: string) {
  const [jobId, setJobId] = useState<string>();
  const start = useAction({
    fn: () => call(api.POST('/api/audit/replays', { body: { campaignId } })),
    onDone: (r) => setJobId(r.id),
  });
  const job = useQuery({
    queryKey: ['replay', jobId],
    enabled: !!jobId,
    queryFn: () => call(api.GET('/api/audit/replays/{id}', { params: { path: { id: present(jobId, 'replay job id') } } })),
    refetchInterval: (q) => (q.state.data?.status === 'running' || !q.state.data ? 1000 : false),
  });
  return { start, job: job.data };
}

type ReplayJob = NonNullable<ReturnType<typeof useReplayJob>['job']>;

function ReplayCard({ campaignId }: { campaignId: string }) {
  const { t } = useI18n();
  const { start, job: j } = useReplayJob(campaignId);
  return (
    <Card title={<h2 style={{ fontSize: 18, margin: 0 }}>{t('重放工作流历史', 'Replay the histories')}</h2>}>
      <Typography.Paragraph>
        {t(
          '用当前代码重放本活动的全部工作流历史，证明每一项已记录的决定都符合规则。',
          "Replays every workflow history of the campaign against today's code, proving each recorded decision follows from the rules.",
        )}
      </Typography.Paragraph>
      <Button type="primary" onClick={() => start.submit(undefined)} loading={start.busy} data-testid="start-replay">
        {t('开始重放', 'Start replay')}
      </Button>
      <ErrorNote error={start.error} />
      {j ? <ReplayProgress job={j} /> : null}
    </Card>
  );
}

/** How far the replay has come, how it ended, and each history that disagrees with today's code. */
function ReplayProgress({ job: j }: { job: ReplayJob }) {
  const { t } = useI18n();
  const percent = j.total ? Math.round((100 * j.replayed) / j.total) : j.status === 'done' ? 100 : 0;
  return (
    <div style={{ marginTop: 12 }} data-testid="replay-job" data-status={j.status}>
      <Progress
        aria-label={t('进度', 'Progress')}
        percent={percent}
        status={j.status === 'running' ? 'active' : j.failures.length || j.status === 'failed' ? 'exception' : 'success'}
      />
      <div role="status">
        {t(`已重放 ${j.replayed} / ${j.total}`, `Replayed ${j.replayed} of ${j.total}`)} ·{' '}
        {j.status === 'running'
          ? t('进行中', 'running')
          : j.status === 'failed'
            ? t(`任务失败：${j.error ?? ''}`, `job failed: ${j.error ?? ''}`)
            : j.failures.length
              ? t(`${j.failures.length} 个历史与当前代码不一致`, `${j.failures.length} histories disagree with the code`)
              : t('全部一致', 'all consistent')}
      </div>
      {j.failures.length ? <ReplayFailures failures={j.failures} /> : null}
    </div>
  );
}

/** The histories that disagree: which workflow, its first diverging event, and the error. */
function ReplayFailures({ failures }: { failures: ReplayJob['failures'] }) {
  const { t } = useI18n();
  return (
    <Table
      rowKey="workflowId"
      size="small"
      dataSource={failures}
      pagination={false}
      columns={[
        { title: t('工作流', 'Workflow'), dataIndex: 'workflowId' },
        {
          title: t('首个分歧事件', 'First diverging event'),
          render: (_, f) => (f.eventId ? `${f.eventId} ${f.eventType ?? ''}` : '—'),
        },
        { title: t('错误', 'Error'), dataIndex: 'error' },
      ]}
    />
  );
}

function ReconcileCard({ campaignId }: { campaignId: string }) {
  const { t } = useI18n();
  const run = useAction({ fn: () => call(api.POST('/api/audit/reconciliations', { body: { campaignId } })) });
  const r = run.result;
  return (
    <Card title={<h2 style={{ fontSize: 18, margin: 0 }}>{t('数据核对', 'Reconciliation')}</h2>}>
      <Typography.Paragraph>
        {t('核对报表数据库与各工作流的状态是否一致。', "Checks the reporting database against the workflows' own state.")}
      </Typography.Paragraph>
      <Button onClick={() => run.submit(undefined)} loading={run.busy} data-testid="reconcile">
        {t('开始核对', 'Reconcile')}
      </Button>
      <ErrorNote error={run.error} />
      {r ? (
        <div style={{ marginTop: 12 }}>
          <Alert
            role="status"
            type={r.mismatches.length ? 'warning' : 'success'}
            showIcon
            title={t(
              `已核对 ${r.checked} 个工作流，不一致 ${r.mismatches.length} 处`,
              `${r.checked} workflows checked, ${r.mismatches.length} mismatches`,
            )}
          />
          {r.mismatches.length ? (
            <Table
              size="small"
              rowKey={(m, i) => `${m.workflowId}:${m.field}:${i}`}
              dataSource={r.mismatches}
              pagination={false}
              columns={[
                { title: t('工作流', 'Workflow'), dataIndex: 'workflowId' },
                { title: t('字段', 'Field'), dataIndex: 'field' },
                { title: t('数据库', 'Database'), render: (_, m) => JSON.stringify(m.projection) },
                { title: t('工作流', 'Workflow'), render: (_, m) => JSON.stringify(m.history) },
              ]}
            />
          ) : null}
        </div>
      ) : null}
    </Card>
  );
}

function DossierCard({ campaignId }: { campaignId: string }) {
  const { t, time } = useI18n();
  const describe = useEscalationWords();
  const [page, setPage] = useState(1);
  const referrals = useQuery({
    queryKey: ['escalations', campaignId, 'referral', page],
    queryFn: () => call(api.GET('/api/escalations', { params: { query: { campaignId, rung: 'referral', page, pageSize: 20 } } })),
  });
  return (
    <Card title={<h2 style={{ fontSize: 18, margin: 0 }}>{t('移交纪检监察的卷宗', 'Referral dossiers')}</h2>}>
      <ErrorNote error={referrals.error} />
      <Table
        rowKey="id"
        size="small"
        loading={referrals.isLoading}
        dataSource={referrals.data?.items ?? []}
        pagination={{ current: page, pageSize: 20, total: referrals.data?.total ?? 0, onChange: setPage, hideOnSinglePage: true }}
        locale={{ emptyText: t('暂无移交', 'No referral') }}
        columns={[
          { title: t('触发时间', 'Fired'), render: (_, e) => time(e.firedAt), sorter: (a, b) => a.firedAt.localeCompare(b.firedAt) },
          {
            title: t('单位', 'Unit'),
            render: (_, e) => [e.unitCode, e.unitName].filter(Boolean).join(' '),
            sorter: (a, b) => String(a.unitCode).localeCompare(String(b.unitCode)),
          },
          { title: t('事由', 'Matter'), render: (_, e) => describe(e) },
          { title: '', render: (_, e) => <Link to={`/audit/dossiers/${e.id}`}>{t('查看并打印', 'View and print')}</Link> },
        ]}
      />
    </Card>
  );
}
