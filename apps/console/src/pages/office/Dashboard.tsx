// The dashboard: a light for every unit (green, yellow, red; grey before its batch opens) by batch and phase,
// virtualised so that 10,000 units scroll smoothly; charts by batch, phase and card; the escalations feed.
import { useQuery } from '@tanstack/react-query';
import { useVirtualizer } from '@tanstack/react-virtual';
import { Card, Col, Empty, Row, Segmented, Space, Statistic, Table, Tag, Typography } from 'antd';
import { lazy, Suspense, useEffect, useMemo, useRef, useState, type RefObject } from 'react';
import { PHASES, rungCard, RUNGS, type Card as CardKind, type Phase, BATCHES } from '../../../../../libs/domain/src';
import { api, call } from '../../api/client';
import { useI18n } from '../../i18n';
import { Link } from '../../router';
import { CARD_COLOR, isCard } from '../../ui/domain';
import { ErrorNote } from '../../ui/errors';
import { useAllUnits, type UnitLight } from './useAllUnits';
import { useEscalationWords } from '../../ui/escalation';

/** A rung's tag is coloured by the card it shows. */
const RUNG_TAG_COLOR: Record<CardKind, string> = { none: 'default', yellow: 'gold', red: 'red' };

// ECharts is the largest part of this page: loaded beside the lights, not before them.
const Chart = lazy(() => import('../../ui/charts').then((m) => ({ default: m.Chart })));

const CELL = 18;
const ROW_H = 22;

type Row = { kind: 'header'; batch: number; phase: string; count: number } | { kind: 'cells'; units: UnitLight[] };

export function Dashboard({ campaignId }: { campaignId: string }) {
  const { t } = useI18n();
  const dashboard = useQuery({
    queryKey: ['dashboard', campaignId],
    queryFn: () => call(api.GET('/api/campaigns/{id}/dashboard', { params: { path: { id: campaignId } } })),
    refetchInterval: 15_000,
  });
  // Every 10 s for a small campaign, every minute for a large one (10,000 units are 20 pages).
  const units = useAllUnits(campaignId, { refetchInterval: (n) => (n > 2_000 ? 60_000 : 10_000) });
  const d = dashboard.data;
  const total = units.data?.length ?? 0;
  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      <ErrorNote error={dashboard.error ?? units.error} />
      <Row gutter={16}>
        <Col xs={12} md={6}>
          <Card size="small">
            <Statistic title={t('参加单位', 'Units')} value={total} />
          </Card>
        </Col>
        <Col xs={12} md={6}>
          <Card size="small">
            <Statistic title={t('黄牌 / 红牌', 'Yellow / red cards')} value={d ? `${d.cards.yellow} / ${d.cards.red}` : '—'} />
          </Card>
        </Col>
        <Col xs={12} md={6}>
          <Card size="small">
            <Statistic title={t('逾期整改事项', 'Overdue items')} value={d?.overdueItems ?? '—'} />
          </Card>
        </Col>
        <Col xs={12} md={6}>
          <Card size="small">
            <Statistic title={t('移交纪检监察', 'Referrals')} value={d?.referrals ?? '—'} />
          </Card>
        </Col>
      </Row>
      {d ? (
        <Suspense fallback={<div style={{ height: 300 }} />}>
          <Charts byBatch={d.byBatch} cards={d.cards} total={total} units={units.data} />
        </Suspense>
      ) : null}
      <Card title={<h2 style={{ fontSize: 18, margin: 0 }}>{t('各单位亮灯情况', 'A light for every unit')}</h2>}>
        {units.data ? <Lights units={units.data} /> : <Typography.Text>{t('加载中…', 'Loading…')}</Typography.Text>}
      </Card>
      <Escalations campaignId={campaignId} />
    </Space>
  );
}

/** Counts by batch and phase; a batch or phase with no unit may be left out. */
type ByBatch = Partial<Record<string, Partial<Record<Phase, number>>>>;

function Charts({
  byBatch,
  cards,
  total,
  units,
}: {
  byBatch: ByBatch;
  cards: { yellow: number; red: number };
  total: number;
  units?: UnitLight[];
}) {
  const { t } = useI18n();
  // Units whose batch has not opened yet are in no phase: shown apart, in grey.
  const waiting = useMemo(() => {
    const m = new Map<string, number>();
    for (const u of units ?? []) if (u.status === 'waiting') m.set(String(u.batch), (m.get(String(u.batch)) ?? 0) + 1);
    return m;
  }, [units]);
  const started = total - [...waiting.values()].reduce((a, b) => a + b, 0);
  return (
    <Row gutter={16}>
      <Col xs={24} md={14}>
        <Card size="small" title={<h2 style={{ fontSize: 16, margin: 0 }}>{t('各批次环节进度', 'Units by batch and phase')}</h2>}>
          {total > 0 ? (
            <PhaseChart byBatch={byBatch} units={units} waiting={waiting} />
          ) : (
            <NoData text={t('尚无参加单位', 'No unit enrolled yet')} />
          )}
        </Card>
      </Col>
      <Col xs={24} md={10}>
        <Card size="small" title={<h2 style={{ fontSize: 16, margin: 0 }}>{t('亮牌情况', 'Cards')}</h2>}>
          {started > 0 ? (
            <CardChart cards={cards} none={Math.max(0, started - cards.yellow - cards.red)} />
          ) : (
            <div data-testid="cards-no-data">
              <NoData text={t('尚无单位开始，暂无亮牌数据', 'No unit has started: no card to show yet')} />
            </div>
          )}
        </Card>
      </Col>
    </Row>
  );
}

/** Nothing to draw is said so: an empty pie would show equal slices of nothing. */
function NoData({ text }: { text: string }) {
  return (
    <div style={{ height: 260, display: 'flex', alignItems: 'center', justifyContent: 'center' }}>
      <Empty description={text} />
    </div>
  );
}

/** The units of each batch by phase, those not started in grey, stacked. */
function PhaseChart({ byBatch, units, waiting }: { byBatch: ByBatch; units?: UnitLight[]; waiting: Map<string, number> }) {
  const { t, label } = useI18n();
  const batches = [...new Set([...Object.keys(byBatch), ...(units ?? []).map((u) => String(u.batch))])].sort();
  const option = useMemo(
    () => ({
      tooltip: { trigger: 'axis' },
      legend: { top: 0 },
      grid: { left: 40, right: 10, top: 36, bottom: 24 },
      xAxis: { type: 'category', data: batches.map((b) => t(`第${b}批`, `Batch ${b}`)) },
      yAxis: { type: 'value' },
      series: PHASES.map((p, i) => ({
        name: p === 'DONE' ? label.phase(p) : `${p} ${label.phase(p)}`,
        type: 'bar',
        stack: 'phase',
        color: ['#1d39c4', '#531dab', '#a8071a', '#389e0d'][i],
        data: batches.map((b) => byBatch[b]?.[p] ?? 0),
      })).concat([
        { name: t('未开始', 'Not started'), type: 'bar', stack: 'phase', color: '#8c8c8c', data: batches.map((b) => waiting.get(b) ?? 0) },
      ]),
    }),
    [byBatch, batches, t, label, waiting],
  );
  const text = batches
    .map(
      (b) =>
        `${t(`第${b}批`, `Batch ${b}`)}: ${PHASES.map((p) => `${label.phase(p)} ${byBatch[b]?.[p] ?? 0}`).join(', ')}, ${t('未开始', 'not started')} ${waiting.get(b) ?? 0}`,
    )
    .join('; ');
  return <Chart option={option} label={text} />;
}

/** The started units by card: none, yellow, red. */
function CardChart({ cards, none }: { cards: { yellow: number; red: number }; none: number }) {
  const { label } = useI18n();
  const option = useMemo(
    () => ({
      tooltip: { trigger: 'item' },
      legend: { top: 0 },
      series: [
        {
          type: 'pie',
          radius: ['35%', '65%'],
          top: 24,
          label: { formatter: '{b}: {c}' },
          data: [
            { name: label.card('none'), value: none, itemStyle: { color: CARD_COLOR.none } },
            { name: label.card('yellow'), value: cards.yellow, itemStyle: { color: CARD_COLOR.yellow } },
            { name: label.card('red'), value: cards.red, itemStyle: { color: CARD_COLOR.red } },
          ],
        },
      ],
    }),
    [cards, none, label],
  );
  return (
    <Chart
      option={option}
      label={`${label.card('none')} ${none}, ${label.card('yellow')} ${cards.yellow}, ${label.card('red')} ${cards.red}`}
    />
  );
}

type LightsFilter = 'all' | 'yellow' | 'red';

/** The units by batch, then phase (those waiting last), each group a header and rows of `perRow` lights. */
function lightRows(units: UnitLight[], filter: LightsFilter, perRow: number): Row[] {
  const shown = filter === 'all' ? units : units.filter((u) => u.card === filter || (filter === 'yellow' && u.card === 'red'));
  const groups = new Map<string, UnitLight[]>();
  for (const u of shown) {
    const key = `${u.batch}:${u.phase ?? 'waiting'}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = []));
    g.push(u);
  }
  const out: Row[] = [];
  for (const batch of BATCHES) {
    for (const phase of [...PHASES, 'waiting']) {
      const g = groups.get(`${batch}:${phase}`);
      if (!g?.length) continue;
      out.push({ kind: 'header', batch, phase, count: g.length });
      for (let i = 0; i < g.length; i += perRow) out.push({ kind: 'cells', units: g.slice(i, i + perRow) });
    }
  }
  return out;
}

/** An element's width, followed as it changes (900 until it is measured). */
function useWidth(ref: RefObject<HTMLDivElement | null>) {
  const [width, setWidth] = useState(900);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const ro = new ResizeObserver(() => setWidth(el.clientWidth));
    ro.observe(el);
    setWidth(el.clientWidth);
    return () => ro.disconnect();
  }, []);
  return width;
}

function Lights({ units }: { units: UnitLight[] }) {
  const { t } = useI18n();
  const [filter, setFilter] = useState<LightsFilter>('all');
  const scroller = useRef<HTMLDivElement>(null);
  const width = useWidth(scroller);
  const perRow = Math.max(10, Math.floor((width - 16) / CELL));
  const rows = useMemo<Row[]>(() => lightRows(units, filter, perRow), [units, filter, perRow]);
  const virtual = useVirtualizer({ count: rows.length, getScrollElement: () => scroller.current, estimateSize: () => ROW_H, overscan: 8 });
  return (
    <>
      <Space style={{ marginBottom: 8 }} wrap>
        <LightsFilterPicker value={filter} onChange={setFilter} />
        <LightsLegend />
      </Space>
      <div
        ref={scroller}
        data-testid="lights"
        data-count={units.length}
        style={{ height: 420, overflow: 'auto', position: 'relative', border: '1px solid #f0f0f0' }}
        role="region"
        aria-label={t(`${units.length} 个单位的亮灯情况`, `Lights of ${units.length} units`)}
        tabIndex={0}
      >
        <div style={{ height: virtual.getTotalSize(), position: 'relative' }}>
          {virtual.getVirtualItems().map((v) => (
            <div
              key={v.key}
              style={{
                position: 'absolute',
                top: 0,
                left: 0,
                right: 0,
                height: ROW_H,
                transform: `translateY(${v.start}px)`,
                paddingInline: 8,
              }}
            >
              <LightRow row={rows[v.index]} />
            </div>
          ))}
        </div>
      </div>
    </>
  );
}

/** Which lights are shown: all, yellow or red, or red only. */
function LightsFilterPicker({ value, onChange }: { value: LightsFilter; onChange: (filter: LightsFilter) => void }) {
  const { t } = useI18n();
  return (
    <Segmented
      aria-label={t('筛选', 'Filter')}
      data-testid="lights-filter"
      value={value}
      onChange={(v) => onChange(v as LightsFilter)}
      options={[
        { value: 'all', label: t('全部', 'All') },
        { value: 'yellow', label: t('黄牌及以上', 'Yellow or red') },
        { value: 'red', label: t('红牌', 'Red') },
      ]}
    />
  );
}

/** What each colour means. */
function LightsLegend() {
  const { t, label } = useI18n();
  return (
    <span>
      {(
        [
          [CARD_COLOR.none, label.card('none')],
          [CARD_COLOR.yellow, label.card('yellow')],
          [CARD_COLOR.red, label.card('red')],
          ['#8c8c8c', t('未开始', 'Not started')],
        ] as const
      ).map(([color, text]) => (
        <span key={text} style={{ marginInlineEnd: 12, whiteSpace: 'nowrap' }}>
          <span
            aria-hidden
            style={{
              display: 'inline-block',
              width: 12,
              height: 12,
              borderRadius: 2,
              background: color,
              marginInlineEnd: 4,
              verticalAlign: -1,
            }}
          />
          {text}
        </span>
      ))}
    </span>
  );
}

/** A row of the lights: a batch and phase's header, or its units' lights, each a link to the unit. */
function LightRow({ row }: { row: Row }) {
  const { t, label } = useI18n();
  const status = (u: UnitLight) => (u.status === 'waiting' ? t('未开始', 'not started') : label.card(u.card));
  if (row.kind === 'header')
    return (
      <strong style={{ lineHeight: `${ROW_H}px` }}>
        {t(`第${row.batch}批`, `Batch ${row.batch}`)} ·{' '}
        {row.phase === 'waiting'
          ? t('批次未开始', 'batch not open yet')
          : row.phase === 'DONE'
            ? label.phase(row.phase)
            : `${row.phase} ${label.phase(row.phase)}`}{' '}
        · {row.count}
      </strong>
    );
  return (
    <div style={{ display: 'flex', gap: 2 }}>
      {row.units.map((u) => (
        <Link
          key={u.id}
          to={`/units/${u.id}`}
          aria-label={`${u.code} ${u.name}: ${u.phase ?? '—'}, ${status(u)}`}
          title={`${u.code} ${u.name} · ${u.phase ?? '—'} · ${status(u)}`}
          style={{
            width: CELL - 2,
            height: CELL - 2,
            borderRadius: 3,
            display: 'inline-block',
            background: u.status === 'waiting' ? '#8c8c8c' : isCard(u.card) ? CARD_COLOR[u.card] : '#8c8c8c',
          }}
        />
      ))}
    </div>
  );
}

function Escalations({ campaignId }: { campaignId: string }) {
  const { t, label, time } = useI18n();
  const describe = useEscalationWords();
  const [page, setPage] = useState<number>();
  const pageSize = 10;
  const feed = useQuery({
    queryKey: ['escalations', campaignId, page ?? 'last'],
    refetchInterval: 15_000,
    queryFn: async () => {
      // The newest first: the API lists oldest first, so the last page is read (and reversed).
      const head = await call(api.GET('/api/escalations', { params: { query: { campaignId, page: page ?? 1, pageSize } } }));
      if (page !== undefined || head.total <= pageSize) return head;
      return call(api.GET('/api/escalations', { params: { query: { campaignId, page: Math.ceil(head.total / pageSize), pageSize } } }));
    },
  });
  const last = feed.data ? Math.max(1, Math.ceil(feed.data.total / pageSize)) : 1;
  return (
    <Card title={<h2 style={{ fontSize: 18, margin: 0 }}>{t('预警动态', 'Escalations')}</h2>}>
      <Table
        rowKey="id"
        size="small"
        loading={feed.isLoading}
        dataSource={[...(feed.data?.items ?? [])].reverse()}
        locale={{ emptyText: t('暂无预警', 'No escalation') }}
        pagination={{
          current: last - (page ?? last) + 1,
          pageSize,
          total: feed.data?.total ?? 0,
          onChange: (p) => setPage(last - p + 1),
          hideOnSinglePage: true,
        }}
        columns={[
          { title: t('时间', 'Fired'), render: (_, e) => time(e.firedAt), sorter: (a, b) => a.firedAt.localeCompare(b.firedAt) },
          {
            title: t('层级', 'Rung'),
            sorter: (a, b) => RUNGS.indexOf(a.rung) - RUNGS.indexOf(b.rung),
            // Coloured by the card the rung shows (libs/domain's rung vocabulary).
            render: (_, e) => <Tag color={RUNG_TAG_COLOR[rungCard(e.rung)]}>{label.rung(e.rung)}</Tag>,
          },
          { title: t('摘要', 'Summary'), render: (_, e) => describe(e) },
          {
            title: t('单位', 'Unit'),
            render: (_, e) => (
              <Link to={`/units/${e.unitId}`}>{[e.unitCode, e.unitName].filter(Boolean).join(' ') || t('查看', 'Open')}</Link>
            ),
            sorter: (a, b) => (a.unitCode ?? '').localeCompare(b.unitCode ?? ''),
          },
        ]}
      />
    </Card>
  );
}
