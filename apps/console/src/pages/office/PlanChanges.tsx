// 日程调整 — the office changes a running campaign's plan by version: it edits the change (holidays and swapped
// workdays, the disclosure period, a ladder's offsets, a phase window), previews what it would move on the live
// deadlines (a table of every unit, item and rung, before and after, and a chart of the day counts before and
// after), then confirms it as a new plan version for the batches it chooses. The versions are listed with what each
// changed. Auditors see the versions only. Times are in the campaign's zone.
import { useQuery } from '@tanstack/react-query';
import {
  Alert,
  Button,
  Card,
  Checkbox,
  Col,
  Descriptions,
  Form,
  Input,
  InputNumber,
  Row,
  Select,
  Space,
  Table,
  Tag,
  Typography,
  type FormInstance,
} from 'antd';
import type { ColumnsType } from 'antd/es/table/interface';
import { lazy, Suspense, useMemo, useState, type ReactNode } from 'react';
import { ACTIVE_PHASES, FIELD_LIMITS, RUNGS, type Plan } from '../../../../../libs/domain/src';
import { api, call, present } from '../../api/client';
import { useI18n } from '../../i18n';
import { ErrorNote } from '../../ui/errors';
import { DateTimeInput, useAction, useConfirm } from '../../ui/forms';
import { toChange, toForm, toOffset, type FormValues } from './plan-change-form';

const PlanChangeChart = lazy(() => import('./plan-change-chart'));

type Rung = (typeof RUNGS)[number];
export interface PlanMove {
  batch: number;
  unitId: string;
  unit: { code: string; name: string };
  itemId?: string;
  item?: { n: number };
  subject: 'phase-window' | 'item' | 'disclosure';
  phase?: string;
  rung: Rung | null;
  before: string;
  after: string;
  firesAtOnce: boolean;
}
interface Preview {
  digest: string;
  batches: number[];
  from: Record<string, number>;
  version: number;
  plan: Plan;
  diff: DiffEntry[];
  now: string;
  total: number;
  counts: Partial<Record<string, { deadlines: number; rungs: number; firesAtOnce: number; units: number; items: number }>>;
  moves: PlanMove[];
  days: Array<{ date: string; before: number; after: number }>;
}
interface DiffEntry {
  path: string;
  before: unknown;
  after: unknown;
}
interface Version {
  version: number;
  batches: number[];
  runningOn: number[];
  diff: DiffEntry[];
  reason?: string;
  createdByName?: string;
  createdAt: string;
  rollout?: { units: number; items: number; doneAt?: string };
  plan: Plan;
}
interface Versions {
  current: Partial<Record<string, number>>;
  items: Version[];
}

/** An offset in words: 截止前 2 天 / 2 days before, 到期时 / at the deadline, 逾期 3 天 / 3 days after. */
function useOffsetWords() {
  const { t } = useI18n();
  return (offset: unknown): string => {
    if (typeof offset !== 'string') return '—';
    // (an optional group that did not take part is undefined)
    const m: Array<string | undefined> | null = /^(-)?P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/.exec(offset);
    if (!m) return offset;
    const days = Number(m[2] ?? 0) * 7 + Number(m[3] ?? 0);
    const [h, mi, s] = [Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0)];
    if (!days && !h && !mi && !s) return t('到期时', 'at the deadline');
    const zh = [days ? `${days} 天` : '', h ? `${h} 小时` : '', mi ? `${mi} 分钟` : '', s ? `${s} 秒` : ''].filter(Boolean).join(' ');
    const en = [days ? `${days} d` : '', h ? `${h} h` : '', mi ? `${mi} min` : '', s ? `${s} s` : ''].filter(Boolean).join(' ');
    return m[1] ? t(`截止前 ${zh}`, `${en} before`) : t(`逾期 ${zh}`, `${en} after`);
  };
}

/** A plan difference in words: what changed, before → after. */
export function useDiffWords() {
  const { t, label, time } = useI18n();
  const offset = useOffsetWords();
  return (d: DiffEntry): { what: string; before: string; after: string } => {
    const parts = d.path.split('.');
    const dayList = (v: unknown) => (Array.isArray(v) ? v.join('、') : '—');
    const instant = (v: unknown) => (typeof v === 'string' ? time(v) : '—');
    if (parts[0] === 'batches') {
      const b = parts[1];
      if (parts[2] === 'phases') {
        const what = `${t(`第${b}批`, `Batch ${b}`)} ${label.phase(parts[3])} ${parts[4] === 'startsAt' ? t('开始', 'starts') : t('结束', 'ends')}`;
        return { what, before: instant(d.before), after: instant(d.after) };
      }
      return {
        what: `${t(`第${b}批`, `Batch ${b}`)} ${parts[2] === 'startsAt' ? t('开始', 'starts') : t('结束', 'ends')}`,
        before: instant(d.before),
        after: instant(d.after),
      };
    }
    if (parts[0] === 'disclosure')
      return {
        what: t('公示期', 'Disclosure period'),
        before: offset(d.before).replace(/^逾期 |after$/, ''),
        after: offset(d.after).replace(/^逾期 |after$/, ''),
      };
    if (parts[0] === 'ladder' || parts[0] === 'windowLadder') {
      const which = parts[0] === 'ladder' ? t('整改事项预警', 'Item ladder') : t('环节时限预警', 'Phase-window ladder');
      const none = t('无此级', 'no such rung');
      return {
        what: `${which}：${label.rung(parts[1])}`,
        before: d.before == null ? none : offset(d.before),
        after: d.after == null ? none : offset(d.after),
      };
    }
    if (d.path === 'calendar.count') {
      const c = (v: unknown) => (v === 'working-days' ? t('按工作日', 'working days') : t('按自然日', 'calendar days'));
      return { what: t('计日方式', 'Days counted'), before: c(d.before), after: c(d.after) };
    }
    if (parts[0] === 'calendar') {
      const list = parts[1] === 'holidays' ? t('节假日', 'Holidays') : t('调休上班日', 'Swapped workdays (调休)');
      return parts[2] === 'added'
        ? { what: `${list}${t('（新增）', ' added')}`, before: '—', after: dayList(d.after) }
        : { what: `${list}${t('（取消）', ' removed')}`, before: dayList(d.before), after: '—' };
    }
    return { what: d.path, before: JSON.stringify(d.before), after: JSON.stringify(d.after) };
  };
}

export function PlanChanges({ campaignId, canChange, running }: { campaignId: string; canChange: boolean; running: boolean }) {
  const { t } = useI18n();
  const versions = useQuery({
    queryKey: ['plan-versions', campaignId],
    queryFn: () =>
      call(api.GET('/api/campaigns/{id}/plan-versions', { params: { path: { id: campaignId } } })) as unknown as Promise<Versions>,
    refetchInterval: (q) => ((q.state.data?.items ?? []).some((v) => v.version > 1 && !v.rollout?.doneAt) ? 2_000 : false),
  });
  const latest = versions.data?.items.at(-1);
  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }} data-testid="plan-changes">
      <ErrorNote error={versions.error} />
      {canChange && running && versions.data && latest ? (
        <ChangeForm campaignId={campaignId} plan={latest.plan} current={versions.data.current} />
      ) : null}
      {canChange && !running ? (
        <Alert
          type="info"
          showIcon
          title={t('活动启动后，可在此按版本调整日程。', 'Once the campaign runs, its plan can be changed here, version by version.')}
        />
      ) : null}
      <Card title={<h2 style={{ fontSize: 18, margin: 0 }}>{t('日程版本', 'Plan versions')}</h2>} size="small">
        <VersionsTable versions={versions.data} loading={versions.isLoading} />
      </Card>
    </Space>
  );
}

/** The plan's versions, newest first, each with what it changed and how far its rollout has come. */
function VersionsTable({ versions, loading }: { versions: Versions | undefined; loading: boolean }) {
  const { t } = useI18n();
  const columns = useVersionColumns();
  return (
    <>
      <Table<Version>
        size="small"
        rowKey="version"
        pagination={false}
        dataSource={[...(versions?.items ?? [])].reverse()}
        loading={loading}
        data-testid="plan-versions"
        columns={columns}
      />
      <Typography.Paragraph type="secondary" style={{ marginTop: 8, marginBottom: 0 }}>
        {t('每次预警、亮牌都记录其计算所依据的日程版本。', 'Every rung and card records the plan version it was computed under.')}{' '}
        {versions
          ? Object.entries(versions.current)
              .map(([b, v]) => t(`第${b}批现行第 ${v ?? 1} 版`, `batch ${b} runs on version ${v ?? 1}`))
              .join(t('；', '; '))
          : null}
      </Typography.Paragraph>
    </>
  );
}

/** A version's columns: which, when, by whom and why, the batches that took it, what it changed, its rollout. */
function useVersionColumns(): ColumnsType<Version> {
  const { t, time } = useI18n();
  const diffWords = useDiffWords();
  return [
    {
      title: t('版本', 'Version'),
      render: (_, v) => <span data-testid={`plan-version-${v.version}`}>{t(`第 ${v.version} 版`, `Version ${v.version}`)}</span>,
    },
    { title: t('时间', 'When'), render: (_, v) => time(v.createdAt) },
    { title: t('经办', 'By'), render: (_, v) => v.createdByName ?? t('活动办公室', 'Campaign office') },
    {
      title: t('原因', 'Why'),
      render: (_, v) => (v.version === 1 ? t('活动启动时的日程', 'The plan the campaign started with') : v.reason),
    },
    {
      title: t('采用的批次', 'Taken by'),
      render: (_, v) => (
        <Space size={4} wrap>
          {v.batches.map((b) => (
            <Tag key={b} color={v.runningOn.includes(b) ? 'blue' : undefined}>
              {t(`第${b}批`, `Batch ${b}`)}
              {v.runningOn.includes(b) ? t('（现行）', ' (current)') : ''}
            </Tag>
          ))}
        </Space>
      ),
    },
    {
      title: t('改动', 'What changed'),
      render: (_, v) => (v.diff.length ? <DiffList diff={v.diff} words={diffWords} /> : '—'),
    },
    { title: t('下达进度', 'Rollout'), render: (_, v) => <RolloutProgress v={v} /> },
  ];
}

/** How far a version's rollout has come: done (with its units, items and when) or under way; none for the first. */
function RolloutProgress({ v }: { v: Version }) {
  const { t, time } = useI18n();
  if (v.version === 1) return '—';
  if (v.rollout?.doneAt)
    return t(
      `已完成：${v.rollout.units} 个单位、${v.rollout.items} 项整改事项（${time(v.rollout.doneAt)}）`,
      `Done: ${v.rollout.units} units, ${v.rollout.items} items (${time(v.rollout.doneAt)})`,
    );
  return <Tag color="processing">{t(`进行中：${v.rollout?.units ?? 0} 个单位`, `Under way: ${v.rollout?.units ?? 0} units`)}</Tag>;
}

/** A plan's differences, one line each: what, before → after. */
function DiffList({ diff, words }: { diff: DiffEntry[]; words: ReturnType<typeof useDiffWords> }) {
  return (
    <ul style={{ margin: 0, paddingInlineStart: 18 }}>
      {diff.map((d) => {
        const w = words(d);
        return (
          <li key={d.path}>
            {w.what}：{w.before} → {w.after}
          </li>
        );
      })}
    </ul>
  );
}

/**
 * The change's two steps: a preview (what would move; nothing changes) and, after a confirmation, the change
 * applied as a new version — of the previewed change (its digest), for the batches chosen.
 */
function usePlanChange(form: FormInstance<FormValues>, campaignId: string, plan: Plan) {
  const { t } = useI18n();
  const confirm = useConfirm();
  const [preview, setPreview] = useState<Preview>();
  const previewing = usePreviewChange(form, campaignId, plan, setPreview);
  const applying = useApplyChange(form, campaignId, plan, preview, () => setPreview(undefined));
  const askToApply = async () => {
    if (!preview) return;
    try {
      await form.validateFields(['reason']);
    } catch {
      return;
    }
    const ok = await confirm({
      title: t(`按此调整生成第 ${preview.version} 版日程？`, `Apply this change as version ${preview.version} of the plan?`),
      okText: t('确认调整', 'Apply the change'),
      danger: true,
      content: applySummary(preview, t),
    });
    if (ok) await applying.run(form.getFieldsValue(true) as FormValues);
  };
  return { preview, setPreview, previewing, applying, askToApply };
}

/** What the form asks for: the change (what differs from the latest plan) and the batches that take it. */
const changeRequest = (v: FormValues, plan: Plan) => ({ change: toChange(v, plan), batches: v.batches });

/** Previews the form's change (nothing changes); a form that changes nothing says so on its first field. */
function usePreviewChange(form: FormInstance<FormValues>, campaignId: string, plan: Plan, onPreview: (p: Preview) => void) {
  const { t } = useI18n();
  return useAction({
    form,
    fields: ['change', 'batches'],
    reset: false,
    fn: async (v: FormValues) => {
      const r = changeRequest(v, plan);
      if (!Object.keys(r.change).length) {
        form.setFields([{ name: 'holidaysAdd', errors: [t('没有任何改动', 'Nothing is changed')] }]);
        return Promise.reject(new Error('nothing'));
      }
      return (await call(
        api.POST('/api/campaigns/{id}/plan-changes/preview', { params: { path: { id: campaignId } }, body: r }),
      )) as unknown as Preview;
    },
    onDone: onPreview,
  });
}

/** Applies the previewed change as a new version, with its reason; the preview is then done with. */
function useApplyChange(
  form: FormInstance<FormValues>,
  campaignId: string,
  plan: Plan,
  preview: Preview | undefined,
  onApplied: () => void,
) {
  const { t } = useI18n();
  return useAction({
    form,
    fields: ['reason'],
    invalidate: [
      ['plan-versions', campaignId],
      ['campaign', campaignId],
    ],
    success: (r) => t(`已生成第 ${r.version} 版日程，正在下达到各单位`, `Version ${r.version} of the plan is applied and being rolled out`),
    fn: (v: FormValues) =>
      call(
        api.POST('/api/campaigns/{id}/plan-changes', {
          params: { path: { id: campaignId } },
          body: { ...changeRequest(v, plan), reason: v.reason ?? '', previewDigest: present(preview, 'the preview of this change').digest },
        }),
      ),
    onDone: onApplied,
  });
}

/**
 * What applying the previewed change does, asked before it is: the batches that take it, what moves and what falls
 * due at once, and that it stays. (Worded here, not in a component: the confirmation is drawn outside the page.)
 */
function applySummary(preview: Preview, t: (zh: string, en: string) => string): ReactNode {
  const now = preview.moves.filter((m) => m.firesAtOnce).length;
  return (
    <ul style={{ paddingInlineStart: 20 }}>
      <li>
        {t(
          `采用的批次：${preview.batches.map((b) => `第${b}批`).join('、')}；其他批次仍按现行版本。`,
          `Taken by ${preview.batches.map((b) => `batch ${b}`).join(' and ')}; any other batch stays on its version.`,
        )}
      </li>
      <li>
        {t(
          `将移动 ${preview.total} 个时限与预警，其中 ${now} 个的新时间已过、将立即发出。`,
          `${preview.total} deadlines and rungs move; ${now} of them fall due at once (their new moment has passed).`,
        )}
      </li>
      <li>
        {t(
          '已发出的预警不会撤回；调整不能撤销，只能再作新的调整。',
          'Rungs already fired stay; a change cannot be undone, only followed by another.',
        )}
      </li>
    </ul>
  );
}

function ChangeForm({ campaignId, plan, current }: { campaignId: string; plan: Plan; current: Partial<Record<string, number>> }) {
  const { t } = useI18n();
  const [form] = Form.useForm<FormValues>();
  const initial = useMemo(() => toForm(plan), [plan]);
  const { preview, setPreview, previewing, applying, askToApply } = usePlanChange(form, campaignId, plan);
  const chosen = Form.useWatch<number[] | undefined>('batches', form) ?? initial.batches ?? [];
  const reset = () => {
    form.resetFields();
    setPreview(undefined);
  };

  return (
    <Card
      title={<h2 style={{ fontSize: 18, margin: 0 }}>{t('调整日程', 'Change the plan')}</h2>}
      size="small"
      data-testid="plan-change-form"
    >
      <Typography.Paragraph>
        {t(
          '先预览：列出每个进行中的时限与预警会如何移动，不改变任何数据。确认后生成新的日程版本，由所选批次采用；已发出的预警保持不变。',
          'Preview first: every live deadline and rung that would move is listed, and nothing changes. Confirming makes a new plan version that the chosen batches take; rungs already fired stay as they are.',
        )}
      </Typography.Paragraph>
      <Form
        form={form}
        layout="vertical"
        initialValues={initial}
        onValuesChange={(changed: Partial<FormValues>) => {
          if (Object.keys(changed).some((k) => k !== 'reason')) setPreview(undefined);
        }}
        onFinish={previewing.submit}
      >
        <ChangeFields plan={plan} current={current} chosen={chosen} />
        <ErrorNote error={previewing.error} />
        <Space style={{ marginTop: 16 }}>
          <Button htmlType="submit" type={preview ? 'default' : 'primary'} loading={previewing.busy} data-testid="preview-plan-change">
            {t('预览影响', 'Preview what it moves')}
          </Button>
          <Button onClick={reset}>{t('重置', 'Reset')}</Button>
        </Space>
        {preview ? <PreviewPanel preview={preview} error={applying.error} busy={applying.busy} onApply={() => void askToApply()} /> : null}
      </Form>
    </Card>
  );
}

/** What the change edits: the batches that take it, the calendar, the disclosure period, both ladders, the windows. */
function ChangeFields({ plan, current, chosen }: { plan: Plan; current: Partial<Record<string, number>>; chosen: number[] }) {
  const { t } = useI18n();
  return (
    <>
      <BatchChoice plan={plan} current={current} />
      <CalendarEdits plan={plan} />
      <Form.Item name="disclosureDays" label={t('公示期（天）', 'Disclosure period (days)')}>
        <InputNumber min={1} max={60} />
      </Form.Item>
      <Row gutter={16} style={{ marginBottom: 16 }}>
        <LadderFields plan={plan} name="ladder" title={t('整改事项预警', 'Item ladder')} />
        <LadderFields plan={plan} name="windowLadder" title={t('环节时限预警', 'Phase-window ladder')} />
      </Row>
      <WindowEnds plan={plan} chosen={chosen} />
    </>
  );
}

const useBatchLabel = () => {
  const { t } = useI18n();
  return (b: number) => t(`第${b}批`, `Batch ${b}`);
};

/** The batches that take the change, each with the version it runs on now. */
function BatchChoice({ plan, current }: { plan: Plan; current: Partial<Record<string, number>> }) {
  const { t } = useI18n();
  const batchLabel = useBatchLabel();
  return (
    <Form.Item
      name="batches"
      label={t('采用调整的批次', 'Batches that take the change')}
      // (a validator, not `required`: a checkbox group may not carry aria-required)
      rules={[
        {
          validator: (_, v: number[] | undefined) =>
            v?.length ? Promise.resolve() : Promise.reject(new Error(t('请至少选择一个批次', 'Choose at least one batch'))),
        },
      ]}
    >
      <Checkbox.Group
        options={plan.batches.map((b) => ({
          value: b.batch,
          label: `${batchLabel(b.batch)}${t(`（现行第 ${current[b.batch] ?? 1} 版）`, ` (on version ${current[b.batch] ?? 1})`)}`,
        }))}
        data-testid="plan-change-batches"
      />
    </Form.Item>
  );
}

/** Holidays and swapped workdays added (typed dates) or removed (chosen from the plan's). */
function CalendarEdits({ plan }: { plan: Plan }) {
  const { t } = useI18n();
  return (
    <Row gutter={16}>
      <Col xs={24} md={12}>
        <Form.Item name="holidaysAdd" label={t('新增节假日（日期，逗号分隔）', 'Holidays to add (dates, comma separated)')}>
          <Input placeholder="2014-04-07, 2014-04-08" data-testid="holidays-add" />
        </Form.Item>
        <Form.Item name="holidaysRemove" label={t('取消的节假日', 'Holidays to remove')}>
          <Select mode="multiple" allowClear options={plan.calendar.holidays.map((d) => ({ value: d, label: d }))} />
        </Form.Item>
      </Col>
      <Col xs={24} md={12}>
        <Form.Item name="workdaysAdd" label={t('新增调休上班日（周末日期）', 'Swapped workdays to add (weekend dates, 调休)')}>
          <Input placeholder="2014-04-13" />
        </Form.Item>
        <Form.Item name="workdaysRemove" label={t('取消的调休上班日', 'Swapped workdays to remove')}>
          <Select mode="multiple" allowClear options={plan.calendar.workdays.map((d) => ({ value: d, label: d }))} />
        </Form.Item>
      </Col>
    </Row>
  );
}

/** A ladder's rungs: whole-day offsets are edited (before, at or after, and days); any other keeps its text. */
function LadderFields({ plan, name, title }: { plan: Plan; name: 'ladder' | 'windowLadder'; title: string }) {
  const { t, label } = useI18n();
  const offset = useOffsetWords();
  return (
    <Col xs={24} md={12}>
      <Typography.Text strong>{title}</Typography.Text>
      {plan[name].map((r, i) => (
        <Space key={r.rung} align="baseline" style={{ display: 'flex' }}>
          <span style={{ width: 64, display: 'inline-block' }}>{label.rung(r.rung)}</span>
          {toOffset(r.offset).exact ? (
            <>
              <Form.Item name={[name, i, 'direction']} noStyle>
                <Select
                  style={{ width: 120 }}
                  aria-label={`${title} ${label.rung(r.rung)}`}
                  options={[
                    { value: 'before', label: t('截止前', 'before') },
                    { value: 'at', label: t('到期时', 'at the deadline') },
                    { value: 'after', label: t('逾期', 'after') },
                  ]}
                />
              </Form.Item>
              <Form.Item name={[name, i, 'days']} noStyle>
                <InputNumber min={0} max={365} style={{ width: 80 }} aria-label={`${title} ${label.rung(r.rung)} ${t('天数', 'days')}`} />
              </Form.Item>
              <span>{t('天', 'days')}</span>
            </>
          ) : (
            <Typography.Text type="secondary">{offset(r.offset)}</Typography.Text>
          )}
        </Space>
      ))}
    </Col>
  );
}

/** The end of each phase window of the chosen batches (the next phase starts then). */
function WindowEnds({ plan, chosen }: { plan: Plan; chosen: number[] }) {
  const { t, label } = useI18n();
  const batchLabel = useBatchLabel();
  return (
    <>
      <Typography.Text strong>
        {t('环节时限（结束时间；下一环节随之开始）', 'Phase windows (their end; the next phase starts then)')}
      </Typography.Text>
      {plan.batches
        .filter((b) => chosen.includes(b.batch))
        .map((b) => (
          <Space key={b.batch} wrap align="end" style={{ display: 'flex', marginTop: 8 }}>
            <span style={{ width: 56, display: 'inline-block' }}>{batchLabel(b.batch)}</span>
            {ACTIVE_PHASES.map((ph) => (
              <Form.Item
                key={ph}
                name={['windows', String(b.batch), ph]}
                label={`${label.phase(ph)} ${t('结束', 'ends')}`}
                style={{ marginBottom: 0 }}
              >
                <DateTimeInput aria-label={`${batchLabel(b.batch)} ${label.phase(ph)}`} />
              </Form.Item>
            ))}
          </Space>
        ))}
    </>
  );
}

/** What the change would do — its differences, counts per batch, the days chart, every move — and its confirmation. */
function PreviewPanel({ preview, error, busy, onApply }: { preview: Preview; error: unknown; busy: boolean; onApply: () => void }) {
  const { t, time } = useI18n();
  const diffWords = useDiffWords();
  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%', marginTop: 16 }} data-testid="plan-change-preview">
      <Typography.Title level={3} style={{ fontSize: 16, margin: 0 }}>
        {t(
          `预览：第 ${preview.version} 版日程（按 ${time(preview.now)} 的情况）`,
          `Preview: version ${preview.version} of the plan (as things stand at ${time(preview.now)})`,
        )}
      </Typography.Title>
      <DiffList diff={preview.diff} words={diffWords} />
      <PreviewCounts preview={preview} />
      {preview.days.length ? (
        <Suspense fallback={<div style={{ height: 280 }} />}>
          <PlanChangeChart days={preview.days} />
        </Suspense>
      ) : null}
      <MovesTable moves={preview.moves} />
      {preview.total > preview.moves.length ? (
        <Typography.Text type="secondary">
          {t(
            `共 ${preview.total} 项，按新时间列出前 ${preview.moves.length} 项`,
            `${preview.total} in all; the first ${preview.moves.length} by their new moment are listed`,
          )}
        </Typography.Text>
      ) : null}
      <Form.Item
        name="reason"
        label={t('调整原因（记入日程版本）', 'Why the plan changes (kept with the version)')}
        rules={[{ required: true, whitespace: true, message: t('请填写调整原因', 'Say why the plan changes') }]}
      >
        <Input.TextArea rows={2} maxLength={FIELD_LIMITS.comment} data-testid="plan-change-reason" />
      </Form.Item>
      <ErrorNote error={error} />
      <Space>
        <Button type="primary" danger onClick={onApply} loading={busy} data-testid="apply-plan-change">
          {t('确认调整…', 'Apply the change…')}
        </Button>
      </Space>
    </Space>
  );
}

/** What moves in each batch that takes the change: deadlines, rungs, units and items, and what falls due at once. */
function PreviewCounts({ preview }: { preview: Preview }) {
  const { t } = useI18n();
  const batchLabel = useBatchLabel();
  return (
    <Descriptions size="small" bordered column={1} data-testid="plan-change-counts">
      {preview.batches.map((b) => {
        const c = preview.counts[String(b)];
        return (
          <Descriptions.Item key={b} label={batchLabel(b)}>
            {c
              ? t(
                  `移动 ${c.deadlines} 个时限、${c.rungs} 个预警（涉及 ${c.units} 个单位、${c.items} 项整改事项），其中 ${c.firesAtOnce} 个将立即发出`,
                  `${c.deadlines} deadlines and ${c.rungs} rungs move (${c.units} units, ${c.items} items); ${c.firesAtOnce} fall due at once`,
                )
              : t('没有进行中的时限或预警移动', 'No live deadline or rung moves')}
          </Descriptions.Item>
        );
      })}
    </Descriptions>
  );
}

/** Every deadline and rung that moves: whose, which, before and after, and whether it falls due at once. */
function MovesTable({ moves }: { moves: PlanMove[] }) {
  const { t, label, time } = useI18n();
  const batchLabel = useBatchLabel();
  return (
    <Table<PlanMove>
      size="small"
      rowKey={(m) => `${m.unitId}-${m.itemId ?? ''}-${m.subject}-${m.phase ?? ''}-${m.rung ?? 'deadline'}`}
      dataSource={moves}
      pagination={{ pageSize: 20, hideOnSinglePage: true, showSizeChanger: false }}
      locale={{ emptyText: t('没有进行中的时限或预警会移动', 'No live deadline or rung moves') }}
      data-testid="plan-change-moves"
      columns={[
        { title: t('批次', 'Batch'), render: (_, m) => batchLabel(m.batch) },
        { title: t('单位', 'Unit'), render: (_, m) => `${m.unit.code} ${m.unit.name}` },
        {
          title: t('事项', 'What'),
          render: (_, m) =>
            m.subject === 'item'
              ? t(`整改事项 ${m.item?.n ?? ''}`, `Item ${m.item?.n ?? ''}`)
              : m.subject === 'disclosure'
                ? t('公示期', 'Disclosure')
                : t(`${label.phase(m.phase ?? '')} 环节时限`, `${label.phase(m.phase ?? '')} window`),
        },
        { title: t('预警', 'Rung'), render: (_, m) => (m.rung ? label.rung(m.rung) : t('时限本身', 'The deadline itself')) },
        { title: t('调整前', 'Before'), render: (_, m) => (m.before === 'never' ? t('（无）', '(none)') : time(m.before)) },
        {
          title: t('调整后', 'After'),
          render: (_, m) => (m.after === 'never' ? t('（不再发出）', '(no longer fires)') : time(m.after)),
        },
        { title: '', render: (_, m) => (m.firesAtOnce ? <Tag color="red">{t('立即发出', 'At once')}</Tag> : null) },
      ]}
    />
  );
}
