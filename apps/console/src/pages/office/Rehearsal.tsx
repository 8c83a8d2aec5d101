// 预演 — the office rehearses its campaign before (or while) it runs: the whole calendar simulated in minutes on the
// real workflows (POST /api/simulations), the units behaving as a profile says, with its progress and its report.
// Nothing live changes. Times are in the campaign's zone; the report's dates are days of that zone.
import { useQuery } from '@tanstack/react-query';
import { Button, Card, Collapse, Form, Input, InputNumber, Progress, Radio, Space, Table, Tag, Typography, type FormInstance } from 'antd';
import { lazy, Suspense, useState, type ReactNode } from 'react';
import { DEFAULT_PROFILE } from '../../../../../libs/simulation/src/profile';
import type { SimulationReport } from '../../../../../libs/simulation/src/report';
import { api, call } from '../../api/client';
import { useI18n } from '../../i18n';
import { ErrorNote } from '../../ui/errors';
import { useAction } from '../../ui/forms';

const RehearsalChart = lazy(() => import('./rehearsal-charts'));

type Job = {
  id: string;
  status: 'queued' | 'running' | 'done' | 'failed';
  request: { units?: number; unitsFrom?: string; seed?: string };
  progress: {
    stage?: string;
    note?: string;
    at?: string;
    from?: string;
    to?: string;
    actionsDone?: number;
    actionsTotal?: number;
    etaMs?: number;
  };
  totals?: SimulationReport['totals'];
  error?: string;
  createdAt: string;
  finishedAt?: string;
};

const minutes = (ms: number, t: (zh: string, en: string) => string) =>
  ms < 60_000
    ? t(`约 ${Math.max(1, Math.round(ms / 1000))} 秒`, `about ${Math.max(1, Math.round(ms / 1000))} s`)
    : t(`约 ${Math.round(ms / 60_000)} 分钟`, `about ${Math.round(ms / 60_000)} min`);

/** The rehearsal form: the enrolled units or a generated mix of them, a seed and a behaviour profile (JSON). */
interface RehearsalValues {
  source: 'enrolment' | 'mix';
  units?: number;
  groups?: number;
  seed?: string;
  profile?: string;
}

/** A profile as typed: a JSON object, or why not. */
function parseProfile(text: string): { profile: Record<string, unknown> } | { problem: 'json' | 'object' } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { problem: 'json' };
  }
  return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? { profile: { ...parsed } } : { problem: 'object' };
}

export function Rehearsal({ campaignId, enrolled }: { campaignId: string; enrolled: number }) {
  const { t } = useI18n();
  const [selected, setSelected] = useState<string>();
  const jobs = useQuery({
    queryKey: ['simulations', campaignId],
    queryFn: () =>
      call(api.GET('/api/simulations', { params: { query: { campaignId, page: 1, pageSize: 20 } } })) as Promise<{
        items: Job[];
        total: number;
      }>,
    refetchInterval: (q) => ((q.state.data?.items ?? []).some((j) => j.status === 'queued' || j.status === 'running') ? 2_000 : false),
  });
  const items = jobs.data?.items ?? [];
  const shown = items.find((j) => j.id === selected) ?? items.find((j) => j.status === 'done');

  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }} data-testid="rehearsal">
      <Typography.Paragraph>
        {t(
          '预演用真实的工作流把整个活动在几分钟内跑一遍：参加单位按设定的行为推进，系统照常预警、亮牌、移交。预演在独立的测试环境和临时数据库中进行，不改变本活动的任何数据。',
          'A rehearsal runs the whole campaign in minutes on the real workflows: the units move as the profile says, and the engine reminds, cards and refers as it would. It runs on a test server and a scratch database of its own: nothing of this campaign changes.',
        )}
      </Typography.Paragraph>
      <Card title={<h2 style={{ fontSize: 18, margin: 0 }}>{t('开始预演', 'Start a rehearsal')}</h2>} size="small">
        <RehearsalForm campaignId={campaignId} enrolled={enrolled} onStarted={setSelected} />
      </Card>
      <Card title={<h2 style={{ fontSize: 18, margin: 0 }}>{t('预演记录', 'Rehearsals')}</h2>} size="small">
        <ErrorNote error={jobs.error} />
        <RehearsalJobs items={items} shownId={shown?.id} onShow={setSelected} />
      </Card>
      {shown?.status === 'done' ? <Report id={shown.id} /> : null}
    </Space>
  );
}

/** Starts a rehearsal of the form's settings; a profile that is not a JSON object is named on its field. */
function useStartRehearsal(form: FormInstance<RehearsalValues>, campaignId: string, onStarted: (jobId: string) => void) {
  const { t } = useI18n();
  return useAction({
    form,
    fields: ['units', 'groups', 'seed', 'profile'],
    reset: false,
    invalidate: [['simulations', campaignId]],
    success: t('预演已开始', 'The rehearsal has started'),
    fn: (v: RehearsalValues) => {
      let profile: Record<string, unknown> | undefined;
      if (v.profile?.trim()) {
        const parsed = parseProfile(v.profile);
        if ('problem' in parsed) {
          const problem =
            parsed.problem === 'json'
              ? t('行为设定不是有效的 JSON', 'The profile is not valid JSON')
              : t('行为设定须是一个 JSON 对象', 'The profile must be a JSON object');
          form.setFields([{ name: 'profile', errors: [problem] }]);
          return Promise.reject(new Error('profile'));
        }
        profile = parsed.profile;
      }
      return call(
        api.POST('/api/simulations', {
          body: {
            campaignId,
            ...(v.source === 'mix' ? { units: v.units, ...(v.groups ? { groups: v.groups } : {}) } : {}),
            ...(v.seed?.trim() ? { seed: v.seed.trim() } : {}),
            ...(profile ? { profile } : {}),
          },
        }),
      );
    },
    onDone: (r) => onStarted(r.id),
  });
}

/** What to rehearse: the enrolled units or a generated mix, a seed, and the behaviour profile. */
function RehearsalForm({ campaignId, enrolled, onStarted }: { campaignId: string; enrolled: number; onStarted: (jobId: string) => void }) {
  const { t } = useI18n();
  const [form] = Form.useForm<RehearsalValues>();
  const start = useStartRehearsal(form, campaignId, onStarted);
  // Nothing is watched before the form's first render.
  const watched = Form.useWatch<RehearsalValues['source'] | undefined>('source', form);
  const source = watched ?? (enrolled > 0 ? 'enrolment' : 'mix');
  return (
    <Form
      form={form}
      layout="vertical"
      initialValues={{
        source: enrolled > 0 ? 'enrolment' : 'mix',
        units: 100,
        seed: '1',
        profile: JSON.stringify(DEFAULT_PROFILE, null, 2),
      }}
      onFinish={start.submit}
    >
      <Form.Item name="source" label={t('参加单位', 'Units')}>
        <Radio.Group>
          <Radio value="enrolment" disabled={enrolled === 0}>
            {t(`本活动已报名的 ${enrolled} 个单位`, `The ${enrolled} units enrolled in this campaign`)}
          </Radio>
          <Radio value="mix">{t('按种子文件的单位构成生成', "Units in the seed's mix of kinds and levels")}</Radio>
        </Radio.Group>
      </Form.Item>
      {source === 'mix' ? <MixSize /> : null}
      <Form.Item
        name="seed"
        label={t('随机种子（相同的设定与种子得出相同的报告）', 'Seed (the same settings and seed give the same report)')}
      >
        <Input style={{ maxWidth: 240 }} maxLength={100} data-testid="rehearsal-seed" />
      </Form.Item>
      <ProfileEditor />
      <Space style={{ marginTop: 12 }}>
        <Button type="primary" htmlType="submit" loading={start.busy} data-testid="start-rehearsal">
          {t('开始预演', 'Start the rehearsal')}
        </Button>
      </Space>
      <ErrorNote error={start.error} />
    </Form>
  );
}

/** A generated mix's size: how many units, and how many groups supervise them. */
function MixSize() {
  const { t } = useI18n();
  return (
    <Space wrap>
      <Form.Item
        name="units"
        label={t('单位数', 'How many units')}
        rules={[{ required: true, message: t('请填写单位数', 'How many units?') }]}
      >
        <InputNumber min={1} max={10_000} data-testid="rehearsal-units" />
      </Form.Item>
      <Form.Item name="groups" label={t('督导组数（默认每 20 个单位一个）', 'Groups (default one per 20 units)')}>
        <InputNumber min={1} max={1_000} />
      </Form.Item>
    </Space>
  );
}

/** The behaviour profile, folded away: the JSON the units behave by. */
function ProfileEditor() {
  const { t } = useI18n();
  return (
    <Collapse
      size="small"
      items={[
        {
          key: 'profile',
          label: t(
            '行为设定：各单位何时通过各环节、会议无效的比例、整改事项逾期的比例与天数、延期与异议',
            'Behaviour profile: when units pass each gate, invalid meetings, late items and by how much, extensions, objections',
          ),
          children: (
            <Form.Item
              name="profile"
              label={t('行为设定（JSON，未写的部分取默认值）', 'Profile (JSON; what it leaves out takes the default)')}
            >
              <Input.TextArea rows={14} spellCheck={false} style={{ fontFamily: 'monospace', fontSize: 12 }} />
            </Form.Item>
          ),
        },
      ]}
    />
  );
}

const useJobStatus = () => {
  const { t } = useI18n();
  return (j: Job) =>
    ({ queued: t('排队中', 'Queued'), running: t('运行中', 'Running'), done: t('已完成', 'Done'), failed: t('未能完成', 'Failed') })[
      j.status
    ];
};

/** The rehearsals, newest first: when, how many units, the seed, their progress, and their report. */
function RehearsalJobs({ items, shownId, onShow }: { items: Job[]; shownId: string | undefined; onShow: (id: string) => void }) {
  const { t, time } = useI18n();
  return (
    <Table<Job>
      size="small"
      rowKey="id"
      pagination={false}
      dataSource={items}
      locale={{ emptyText: t('尚未预演', 'No rehearsal yet') }}
      data-testid="rehearsal-jobs"
      columns={[
        { title: t('开始于', 'Started'), render: (_, j) => time(j.createdAt) },
        { title: t('单位', 'Units'), render: (_, j) => j.request.units ?? '—' },
        { title: t('种子', 'Seed'), render: (_, j) => j.request.seed ?? '—' },
        { title: t('进度', 'Progress'), render: (_, j) => <JobProgress j={j} /> },
        {
          title: t('报告', 'Report'),
          render: (_, j) =>
            j.status === 'done' ? (
              <Space>
                <Button size="small" onClick={() => onShow(j.id)} type={shownId === j.id ? 'primary' : 'default'}>
                  {t('查看', 'Show')}
                </Button>
                <HtmlLink id={j.id} />
              </Space>
            ) : null,
        },
      ]}
    />
  );
}

/** A rehearsal's progress: its stage, the simulated day reached and the time left, or why it failed. */
function JobProgress({ j }: { j: Job }) {
  const { t, time } = useI18n();
  const status = useJobStatus();
  const p = j.progress;
  if (j.status === 'failed') return <Typography.Text type="danger">{j.error}</Typography.Text>;
  if (j.status === 'queued') return <Tag>{status(j)}</Tag>;
  const pct = p.actionsTotal ? Math.round((100 * (p.actionsDone ?? 0)) / p.actionsTotal) : 0;
  return (
    <Space orientation="vertical" size={0} style={{ minWidth: 240 }}>
      <Progress percent={j.status === 'done' ? 100 : pct} size="small" status={j.status === 'done' ? 'success' : 'active'} />
      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
        {j.status === 'done'
          ? `${status(j)} · ${time(j.finishedAt)}`
          : p.stage === 'preparing'
            ? t(`准备中：${p.note ?? ''}`, `Preparing: ${p.note ?? ''}`)
            : p.at
              ? `${t('模拟到', 'Simulated up to')} ${time(p.at, false)}${p.etaMs ? ` · ${t('剩余', 'left')} ${minutes(p.etaMs, t)}` : ''}`
              : status(j)}
      </Typography.Text>
    </Space>
  );
}

/** The printable HTML report, opened in a new tab (fetched with the session's token, shown from a blob). */
function HtmlLink({ id }: { id: string }) {
  const { t, lang } = useI18n();
  const open = async () => {
    const r = await api.GET('/api/simulations/{id}/report', { params: { path: { id }, query: { format: 'html', lang } }, parseAs: 'text' });
    if (typeof r.data !== 'string') return;
    const url = URL.createObjectURL(new Blob([r.data], { type: 'text/html' }));
    window.open(url, '_blank', 'noopener');
  };
  return (
    <Button size="small" onClick={() => void open()}>
      {t('打印版报告', 'Printable report')}
    </Button>
  );
}

/** A section of the report: a card with its title. */
function Section({ title, children, testId }: { title: string; children: ReactNode; testId?: string }) {
  return (
    <Card size="small" title={<h3 style={{ fontSize: 16, margin: 0 }}>{title}</h3>} data-testid={testId}>
      {children}
    </Card>
  );
}

function Report({ id }: { id: string }) {
  const { t } = useI18n();
  const report = useQuery({
    queryKey: ['simulation-report', id],
    queryFn: async () => (await call(api.GET('/api/simulations/{id}/report', { params: { path: { id } } }))) as unknown as SimulationReport,
    staleTime: Infinity,
  });
  const r = report.data;
  if (report.error) return <ErrorNote error={report.error} />;
  if (!r) return <Typography.Text>{t('加载中…', 'Loading…')}</Typography.Text>;
  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }} data-testid="rehearsal-report">
      <Typography.Title level={2} style={{ fontSize: 20, margin: 0 }}>
        {t('预演报告', 'Rehearsal report')} · {r.campaign.from} – {r.campaign.to}
      </Typography.Title>
      <ReportTotals r={r} />
      <Suspense fallback={<div style={{ height: 300 }} />}>
        <Section title={t('每周预警（按类别）', 'Rungs fired per week, by kind')}>
          <RehearsalChart kind="weekly" report={r} />
        </Section>
        <Section title={t('每周黄牌、红牌（按批次）', 'Cards per week, by batch')}>
          <RehearsalChart kind="cards" report={r} />
        </Section>
        <Section title={t('环节时限结束时仍在该环节的单位', 'Units still in a phase when its window ended')}>
          <PhaseOverruns r={r} />
        </Section>
        <Section title={t('督导组每日须全程参加的会议', 'Meetings each group must attend throughout, per day')} testId="rehearsal-groups">
          <GroupClashes r={r} />
        </Section>
        <Section title={t('各批次移交纪检监察', 'Referrals per batch')}>
          <RehearsalChart kind="referrals" report={r} />
        </Section>
        <Section title={t('活动办公室最忙的日子（红牌与移交建议）', "The office's busiest days (red cards and referral proposals)")}>
          <OfficeBusiestDays r={r} />
        </Section>
      </Suspense>
    </Space>
  );
}

/** The rungs fired by kind (items, windows, all), and the totals in a sentence. */
function ReportTotals({ r }: { r: SimulationReport }) {
  const { t, label } = useI18n();
  const tot = r.totals;
  return (
    <>
      <Table
        size="small"
        pagination={false}
        rowKey="k"
        dataSource={[
          { k: 'item', name: t('整改事项预警', 'Item rungs'), ...tot.itemRungs },
          { k: 'window', name: t('环节时限预警', 'Phase-window rungs'), ...tot.windowRungs },
          { k: 'all', name: t('合计', 'Total'), ...tot.rungs },
        ]}
        columns={[
          { title: '', dataIndex: 'name' },
          ...(['reminder', 'yellow', 'red', 'referral'] as const).map((k) => ({ title: label.rung(k), dataIndex: k })),
        ]}
      />
      <Typography.Paragraph data-testid="rehearsal-totals">
        {t(
          `整改事项 ${tot.items} 项（其中延期 ${tot.itemsExtended} 项）；专题民主生活会 ${tot.meetings} 场，其中无效需重开 ${tot.meetingsInvalid} 场；督导组须同时在两处开会的日子 ${tot.clashDays} 天；组织措施建议 ${tot.measuresProposed} 项。`,
          `${tot.items} items (${tot.itemsExtended} extended); ${tot.meetings} meetings held, ${tot.meetingsInvalid} of them invalid and reconvened; ${tot.clashDays} days a group must be in two meetings at once; ${tot.measuresProposed} measures proposed.`,
        )}
      </Typography.Paragraph>
    </>
  );
}

function PhaseOverruns({ r }: { r: SimulationReport }) {
  const { t, label } = useI18n();
  return (
    <>
      <RehearsalChart kind="overruns" report={r} />
      <Table
        size="small"
        pagination={false}
        rowKey={(p) => `${p.batch}-${p.phase}`}
        dataSource={r.phaseOverruns}
        columns={[
          { title: t('批次', 'Batch'), render: (_, p) => t(`第${p.batch}批`, `Batch ${p.batch}`) },
          { title: t('环节', 'Phase'), render: (_, p) => label.phase(p.phase) },
          { title: t('时限截止', 'Window ended'), render: (_, p) => p.windowEndsAt.slice(0, 10) },
          { title: t('仍在该环节', 'Still in it'), dataIndex: 'stillIn' },
          { title: t('单位（列出前 50 个）', 'Units (first 50)'), render: (_, p) => p.units.join('、') },
        ]}
      />
    </>
  );
}

function GroupClashes({ r }: { r: SimulationReport }) {
  const { t } = useI18n();
  return (
    <>
      <RehearsalChart kind="groups" report={r} />
      <Typography.Title level={4} style={{ fontSize: 15 }}>
        {t('须同时在两处的日子（全程参与无法做到）', 'Days one group must be in two meetings at once (全程参与 cannot be met)')}
      </Typography.Title>
      <Table
        size="small"
        rowKey={(c) => `${c.group}-${c.date}`}
        dataSource={r.clashes}
        pagination={{ pageSize: 20, hideOnSinglePage: true }}
        locale={{ emptyText: t('没有', 'None') }}
        data-testid="rehearsal-clashes"
        columns={[
          { title: t('督导组', 'Group'), dataIndex: 'group' },
          { title: t('日期', 'Date'), dataIndex: 'date' },
          { title: t('同日开会的单位', 'Units meeting that day'), render: (_, c) => c.units.join('、') },
        ]}
      />
    </>
  );
}

function OfficeBusiestDays({ r }: { r: SimulationReport }) {
  const { t, label } = useI18n();
  return (
    <>
      <RehearsalChart kind="office" report={r} />
      <Table
        size="small"
        pagination={false}
        rowKey="date"
        dataSource={r.officeBusiestDays}
        columns={[
          { title: t('日期', 'Date'), dataIndex: 'date' },
          { title: label.rung('red'), dataIndex: 'red' },
          { title: label.rung('referral'), dataIndex: 'referrals' },
          { title: t('合计', 'Total'), dataIndex: 'total' },
        ]}
      />
    </>
  );
}
