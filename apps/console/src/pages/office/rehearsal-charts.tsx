// The charts of a rehearsal's report (ECharts, loaded with the report): rungs and cards per week, the units still in
// a phase when its window ended, each group's meetings per day (a heat map), referrals by batch, the office's
// busiest days. Every chart has a table beside it on the page; dates are days in the campaign's zone.
import { HeatmapChart } from 'echarts/charts';
import { DataZoomComponent, VisualMapComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import type { SimulationReport } from '../../../../../libs/simulation/src/report';
import { Chart } from '../../ui/charts';
import { useI18n } from '../../i18n';

echarts.use([HeatmapChart, VisualMapComponent, DataZoomComponent]);

const RUNG_COLOURS = { reminder: '#597ef7', yellow: '#d4b106', red: '#cf1322', referral: '#531dab' } as const;

export function WeeklyRungs({ report }: { report: SimulationReport }) {
  const { t, label } = useI18n();
  const weeks = report.weeks.map((w) => w.week);
  return (
    <Chart
      label={t('每周预警（按类别）', 'Rungs fired per week, by kind')}
      height={300}
      option={{
        tooltip: { trigger: 'axis' },
        legend: {},
        grid: { left: 48, right: 16, bottom: 64 },
        xAxis: { type: 'category', data: weeks },
        yAxis: { type: 'value', minInterval: 1 },
        dataZoom: [{ type: 'slider', height: 16, bottom: 8 }],
        series: (['reminder', 'yellow', 'red', 'referral'] as const).map((r) => ({
          name: label.rung(r),
          type: 'bar',
          stack: 'rungs',
          itemStyle: { color: RUNG_COLOURS[r] },
          data: report.weeks.map((w) => w.rungs[r]),
        })),
      }}
    />
  );
}

export function WeeklyCards({ report }: { report: SimulationReport }) {
  const { t, label } = useI18n();
  const series = (['1', '2'] as const).flatMap((b) =>
    (['yellow', 'red'] as const).map((k) => ({
      name: `${t(`第${b}批`, `Batch ${b}`)} ${label.card(k)}`,
      type: 'bar',
      stack: `batch-${b}`,
      itemStyle: { color: k === 'yellow' ? (b === '1' ? '#d4b106' : '#fadb14') : b === '1' ? '#a8071a' : '#ff4d4f' },
      data: report.weeks.map((w) => w.cards[b][k]),
    })),
  );
  return (
    <Chart
      label={t('每周黄牌、红牌（按批次）', 'Cards per week, by batch')}
      height={300}
      option={{
        tooltip: { trigger: 'axis' },
        legend: {},
        grid: { left: 48, right: 16, bottom: 64 },
        xAxis: { type: 'category', data: report.weeks.map((w) => w.week) },
        yAxis: { type: 'value', minInterval: 1 },
        dataZoom: [{ type: 'slider', height: 16, bottom: 8 }],
        series,
      }}
    />
  );
}

export function Overruns({ report }: { report: SimulationReport }) {
  const { t } = useI18n();
  return (
    <Chart
      label={t('环节时限结束时仍在该环节的单位', 'Units still in a phase when its window ended')}
      option={{
        tooltip: { trigger: 'axis' },
        grid: { left: 48, right: 16, bottom: 32 },
        xAxis: { type: 'category', data: report.phaseOverruns.map((p) => `${t(`第${p.batch}批`, `Batch ${p.batch}`)} · ${p.phase}`) },
        yAxis: { type: 'value', minInterval: 1 },
        series: [{ type: 'bar', itemStyle: { color: '#d4b106' }, data: report.phaseOverruns.map((p) => p.stillIn) }],
      }}
    />
  );
}

/** The groups with the most crowded days first (at most 30 drawn; the table lists them all). */
export function GroupMeetings({ report }: { report: SimulationReport }) {
  const { t } = useI18n();
  const groups = [...report.groups]
    .sort((a, b) => b.busiest - a.busiest || b.meetings - a.meetings || (a.group < b.group ? -1 : 1))
    .slice(0, 30);
  const dates = [...new Set(groups.flatMap((g) => g.days.map((d) => d.date)))].sort();
  const index = new Map(dates.map((d, i) => [d, i]));
  // Every day of a group is one of `dates`, built from the same days just above.
  const cells = groups.flatMap((g, gi) =>
    g.days.flatMap((d) => {
      const x = index.get(d.date);
      return x === undefined ? [] : [[x, gi, d.meetings]];
    }),
  );
  const most = Math.max(2, ...cells.map((c) => c[2]));
  return (
    <Chart
      label={t('督导组每日须全程参加的会议', 'Meetings each group must attend throughout, per day')}
      height={Math.max(220, 26 * groups.length + 100)}
      option={{
        tooltip: { position: 'top' },
        grid: { left: 120, right: 16, bottom: 72 },
        xAxis: { type: 'category', data: dates },
        yAxis: { type: 'category', data: groups.map((g) => g.group) },
        visualMap: {
          min: 1,
          max: most,
          calculable: true,
          orient: 'horizontal',
          left: 'center',
          bottom: 0,
          inRange: { color: ['#ffe58f', '#fa8c16', '#a8071a'] },
        },
        dataZoom: [{ type: 'slider', height: 12, bottom: 36 }],
        series: [{ name: t('会议', 'Meetings'), type: 'heatmap', data: cells }],
      }}
    />
  );
}

export function Referrals({ report }: { report: SimulationReport }) {
  const { t } = useI18n();
  return (
    <Chart
      label={t('各批次移交纪检监察', 'Referrals per batch')}
      height={220}
      option={{
        tooltip: { trigger: 'axis' },
        legend: {},
        grid: { left: 48, right: 16, bottom: 32 },
        xAxis: { type: 'category', data: report.referrals.map((r) => t(`第${r.batch}批`, `Batch ${r.batch}`)) },
        yAxis: { type: 'value', minInterval: 1 },
        series: [
          {
            name: t('整改事项', 'Items'),
            type: 'bar',
            stack: 'r',
            itemStyle: { color: '#531dab' },
            data: report.referrals.map((r) => r.item),
          },
          {
            name: t('环节时限', 'Phase windows'),
            type: 'bar',
            stack: 'r',
            itemStyle: { color: '#9254de' },
            data: report.referrals.map((r) => r.window),
          },
        ],
      }}
    />
  );
}

export function OfficeDays({ report }: { report: SimulationReport }) {
  const { t, label } = useI18n();
  return (
    <Chart
      label={t('活动办公室最忙的日子', "The office's busiest days")}
      height={220}
      option={{
        tooltip: { trigger: 'axis' },
        legend: {},
        grid: { left: 48, right: 16, bottom: 32 },
        xAxis: { type: 'category', data: report.officeBusiestDays.map((d) => d.date) },
        yAxis: { type: 'value', minInterval: 1 },
        series: [
          {
            name: label.rung('red'),
            type: 'bar',
            stack: 'o',
            itemStyle: { color: '#cf1322' },
            data: report.officeBusiestDays.map((d) => d.red),
          },
          {
            name: label.rung('referral'),
            type: 'bar',
            stack: 'o',
            itemStyle: { color: '#531dab' },
            data: report.officeBusiestDays.map((d) => d.referrals),
          },
        ],
      }}
    />
  );
}

const CHARTS = {
  weekly: WeeklyRungs,
  cards: WeeklyCards,
  overruns: Overruns,
  groups: GroupMeetings,
  referrals: Referrals,
  office: OfficeDays,
} as const;
export type RehearsalChartKind = keyof typeof CHARTS;

/** One chart of the report (the page loads this module, and ECharts with it, only when it shows a report). */
export default function RehearsalChart({ kind, report }: { kind: RehearsalChartKind; report: SimulationReport }) {
  const Draw = CHARTS[kind];
  return <Draw report={report} />;
}
