// The simulation report as one HTML file: self-contained (Apache ECharts inlined, no network), in Chinese or
// English, every date a day in the campaign's zone. The tables carry every number the charts draw, so the page
// reads without scripts and prints.
import type { SimulationReport } from './report';

export const REPORT_LANGS = ['zh', 'en'] as const;
export type ReportLang = (typeof REPORT_LANGS)[number];

const L = {
  title: ['活动预演报告', 'Campaign rehearsal report'],
  units: ['参加单位', 'Units'],
  groups: ['督导组', 'Supervisory groups'],
  seed: ['随机种子', 'Seed'],
  zone: ['时区', 'Zone'],
  span: ['时间范围', 'Span'],
  batch: ['批次', 'Batch'],
  totals: ['总计', 'Totals'],
  rungs: ['预警', 'Rungs fired'],
  itemRungs: ['整改事项预警', 'Item rungs'],
  windowRungs: ['环节时限预警', 'Phase-window rungs'],
  reminder: ['提醒', 'Reminder'],
  yellow: ['黄牌', 'Yellow card'],
  red: ['红牌', 'Red card'],
  referral: ['移交纪检监察', 'Referral'],
  items: ['整改事项', 'Items'],
  itemsExtended: ['延期的事项', 'Items extended'],
  meetings: ['专题民主生活会', 'Meetings held'],
  meetingsInvalid: ['其中无效(需重开)', 'of which invalid (reconvened)'],
  clashDays: ['督导组同时须参加两场会的天数', 'Days a group must be in two meetings at once'],
  measures: ['组织措施建议', 'Measures proposed'],
  weekly: ['每周预警(按类别)', 'Rungs fired per week, by kind'],
  weeklyCards: ['每周黄牌、红牌(按批次)', 'Cards per week, by batch'],
  week: ['周(自周一)', 'Week (from Monday)'],
  overruns: ['环节时限结束时仍在该环节的单位', 'Units still in a phase when its window ended'],
  phase: ['环节', 'Phase'],
  windowEnds: ['时限', 'Window ends'],
  stillIn: ['仍在该环节', 'Still in it'],
  listed: ['单位(列出前 50 个)', 'Units (first 50 listed)'],
  groupMeetings: ['督导组每日须全程参加的会议', 'Meetings each group must attend throughout, per day'],
  group: ['督导组', 'Group'],
  busiest: ['单日最多', 'Most in one day'],
  clashes: ['须同时在两处的日子(全程参与无法做到)', 'Days one group must be in two meetings at once (全程参与 cannot be met)'],
  date: ['日期', 'Date'],
  clashUnits: ['同日开会的单位', 'Units meeting that day'],
  referrals: ['各批次移交纪检监察', 'Referrals per batch'],
  itemReferrals: ['整改事项', 'Items'],
  windowReferrals: ['环节时限', 'Phase windows'],
  referredUnits: ['涉及单位', 'Units concerned'],
  office: ['活动办公室最忙的日子(红牌与移交建议)', "The office's busiest days (red cards and referral proposals)"],
  total: ['合计', 'Total'],
  none: ['无', 'None'],
  more: ['另有', 'and'],
  moreTail: ['个', 'more'],
} as const;

const HTML_ESCAPES = new Map([
  ['&', '&amp;'],
  ['<', '&lt;'],
  ['>', '&gt;'],
  ['"', '&quot;'],
  ["'", '&#39;'],
]);
const esc = (s: unknown) => String(s).replace(/[&<>"']/g, (c) => HTML_ESCAPES.get(c) ?? c);

/** The page's style: plain, printable, the charts kept whole on paper. */
const STYLE = `body { font-family: system-ui, "Noto Sans CJK SC", "PingFang SC", sans-serif; margin: 24px auto; max-width: 1200px; color: #1f1f1f; padding: 0 16px; }
h1 { font-size: 24px; } h2 { font-size: 18px; margin-top: 32px; border-bottom: 2px solid #8c1c13; padding-bottom: 4px; }
table { border-collapse: collapse; margin: 8px 0; font-size: 13px; } th, td { border: 1px solid #d9d9d9; padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: #fafafa; } .chart { width: 100%; height: 320px; } .meta td:first-child { color: #595959; }
@media print { .chart { break-inside: avoid; } }
`;

/** Draws the charts from the page's JSON data when ECharts is inlined; the tables stand without it. */
const CHARTS_SCRIPT = `(function () {
  if (typeof echarts === 'undefined') return;
  var d = JSON.parse(document.getElementById('report-data').textContent);
  var L = d.labels;
  function chart(id, option) {
    var el = document.getElementById(id);
    if (!el) return;
    var c = echarts.init(el, null, { renderer: 'svg' });
    option.aria = { enabled: true };
    option.animation = false;
    option.tooltip = option.tooltip || { trigger: 'axis' };
    c.setOption(option);
    window.addEventListener('resize', function () { c.resize(); });
  }
  var weeks = d.weeks.map(function (w) { return w.week; });
  var rungs = ['reminder', 'yellow', 'red', 'referral'];
  var colours = { reminder: '#597ef7', yellow: '#d4b106', red: '#cf1322', referral: '#531dab' };
  chart('weekly', {
    legend: {}, grid: { left: 48, right: 16, bottom: 64 }, xAxis: { type: 'category', data: weeks, name: L.week, nameLocation: 'middle', nameGap: 40 }, yAxis: { type: 'value' },
    dataZoom: [{ type: 'slider', height: 16, bottom: 8 }],
    series: rungs.map(function (r) { return { name: L[r], type: 'bar', stack: 'rungs', itemStyle: { color: colours[r] }, data: d.weeks.map(function (w) { return w.rungs[r]; }) }; })
  });
  chart('cards', {
    legend: {}, grid: { left: 48, right: 16, bottom: 64 }, xAxis: { type: 'category', data: weeks }, yAxis: { type: 'value' },
    dataZoom: [{ type: 'slider', height: 16, bottom: 8 }],
    series: ['1', '2'].flatMap(function (b) { return ['yellow', 'red'].map(function (k) {
      return { name: L.batch + ' ' + b + ' ' + L[k], type: 'bar', stack: 'batch' + b, itemStyle: { color: k === 'yellow' ? (b === '1' ? '#d4b106' : '#fadb14') : (b === '1' ? '#a8071a' : '#ff4d4f') }, data: d.weeks.map(function (w) { return w.cards[b][k]; }) };
    }); })
  });
  chart('overruns', {
    grid: { left: 48, right: 16, bottom: 48 }, xAxis: { type: 'category', data: d.overruns.map(function (o) { return o.name; }) }, yAxis: { type: 'value' },
    series: [{ type: 'bar', itemStyle: { color: '#d4b106' }, data: d.overruns.map(function (o) { return o.value; }) }]
  });
  var dates = Array.from(new Set(d.groups.flatMap(function (g) { return g.days.map(function (x) { return x.date; }); }))).sort();
  var cells = [];
  d.groups.forEach(function (g, gi) { g.days.forEach(function (x) { cells.push([dates.indexOf(x.date), gi, x.meetings]); }); });
  chart('groups', {
    tooltip: { position: 'top' }, grid: { left: 120, right: 16, bottom: 64 },
    xAxis: { type: 'category', data: dates, splitArea: { show: true } }, yAxis: { type: 'category', data: d.groups.map(function (g) { return g.group; }) },
    visualMap: { min: 1, max: Math.max(2, cells.reduce(function (m, c) { return Math.max(m, c[2]); }, 1)), calculable: true, orient: 'horizontal', left: 'center', bottom: 0, inRange: { color: ['#ffe58f', '#fa8c16', '#a8071a'] } },
    dataZoom: [{ type: 'slider', height: 12, bottom: 32 }],
    series: [{ name: L.meetings, type: 'heatmap', data: cells }]
  });
  chart('referrals', {
    legend: {}, grid: { left: 48, right: 16, bottom: 32 }, xAxis: { type: 'category', data: d.referrals.map(function (r) { return L.batch + ' ' + r.batch; }) }, yAxis: { type: 'value' },
    series: [{ name: L.itemReferrals, type: 'bar', stack: 'r', itemStyle: { color: '#531dab' }, data: d.referrals.map(function (r) { return r.item; }) },
             { name: L.windowReferrals, type: 'bar', stack: 'r', itemStyle: { color: '#9254de' }, data: d.referrals.map(function (r) { return r.window; }) }]
  });
  chart('office', {
    legend: {}, grid: { left: 48, right: 16, bottom: 32 }, xAxis: { type: 'category', data: d.office.map(function (o) { return o.date; }) }, yAxis: { type: 'value' },
    series: [{ name: L.red, type: 'bar', stack: 'o', itemStyle: { color: '#cf1322' }, data: d.office.map(function (o) { return o.red; }) },
             { name: L.referral, type: 'bar', stack: 'o', itemStyle: { color: '#531dab' }, data: d.office.map(function (o) { return o.referrals; }) }]
  });
})();
`;

/** What every section renders with: the labels in the report's language, a table and a list of units. */
interface Render {
  report: SimulationReport;
  lang: ReportLang;
  t: (k: keyof typeof L) => string;
  rung: (r: 'reminder' | 'yellow' | 'red' | 'referral') => string;
  table: (head: string[], rows: Array<Array<string | number>>) => string;
  list: (units: string[], count: number) => string;
  /** The groups the heat map shows: the busiest 40. */
  groupsShown: SimulationReport['groups'];
}

export function renderReportHtml(report: SimulationReport, o: { lang?: ReportLang; echarts?: string } = {}): string {
  const r = renderer(report, o.lang ?? 'zh');
  return (
    documentHead(r) +
    metaSection(r) +
    totalsSection(r) +
    weeklySection(r) +
    overrunsSection(r) +
    groupsSection(r) +
    referralsSection(r) +
    officeSection(r) +
    scripts(r, o.echarts)
  );
}

function renderer(report: SimulationReport, lang: ReportLang): Render {
  const t = (k: keyof typeof L) => L[k][lang === 'zh' ? 0 : 1];
  const table = (head: string[], rows: Array<Array<string | number>>) =>
    `<table><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${
      rows.length
        ? rows.map((r) => `<tr>${r.map((x) => `<td>${esc(x)}</td>`).join('')}</tr>`).join('')
        : `<tr><td colspan="${head.length}">${esc(t('none'))}</td></tr>`
    }</tbody></table>`;
  const list = (units: string[], count: number) =>
    units.join(', ') + (count > units.length ? ` … ${t('more')} ${count - units.length} ${t('moreTail')}` : '');
  const groupsShown = [...report.groups]
    .sort((a, b) => b.busiest - a.busiest || b.meetings - a.meetings || (a.group < b.group ? -1 : 1))
    .slice(0, 40);
  return { report, lang, t, rung: (k) => t(k), table, list, groupsShown };
}

/** What the charts draw, with their labels, as the page's JSON data. */
function chartData({ report, t, groupsShown }: Render) {
  return {
    labels: {
      reminder: t('reminder'),
      yellow: t('yellow'),
      red: t('red'),
      referral: t('referral'),
      batch: t('batch'),
      week: t('week'),
      date: t('date'),
      group: t('group'),
      meetings: t('meetings'),
      total: t('total'),
      itemReferrals: t('itemReferrals'),
      windowReferrals: t('windowReferrals'),
    },
    weeks: report.weeks,
    referrals: report.referrals,
    office: report.officeBusiestDays,
    overruns: report.phaseOverruns.map((p) => ({ name: `${t('batch')} ${p.batch} · ${p.phase}`, value: p.stillIn })),
    groups: groupsShown.map((g) => ({ group: g.group, days: g.days })),
  };
}

function documentHead({ report, lang, t }: Render): string {
  const c = report.campaign;
  return `<!doctype html>
<html lang="${lang === 'zh' ? 'zh-CN' : 'en'}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(t('title'))} · ${esc(c.name)}</title>
<style>
${STYLE}</style>
</head>
<body>
`;
}

function metaSection({ report, t }: Render): string {
  const c = report.campaign;
  return `<h1>${esc(t('title'))} · ${esc(c.name)}</h1>
<table class="meta">
<tr><td>${esc(t('units'))}</td><td>${c.units}</td></tr>
<tr><td>${esc(t('groups'))}</td><td>${c.groups}</td></tr>
${c.batches.map((b) => `<tr><td>${esc(t('batch'))} ${b.batch}</td><td>${esc(b.startsAt.slice(0, 10))} – ${esc(b.endsAt.slice(0, 10))} · ${b.units} ${esc(t('units'))}</td></tr>`).join('\n')}
<tr><td>${esc(t('span'))}</td><td>${esc(c.from)} – ${esc(c.to)}</td></tr>
<tr><td>${esc(t('zone'))}</td><td>UTC${esc(c.utcOffset)}</td></tr>
<tr><td>${esc(t('seed'))}</td><td>${esc(report.input.seed)}</td></tr>
</table>`;
}

function totalsSection({ report, t, rung, table }: Render): string {
  const tot = report.totals;
  return `

<h2>${esc(t('totals'))}</h2>
${table(
  ['', rung('reminder'), rung('yellow'), rung('red'), rung('referral')],
  [
    [t('itemRungs'), tot.itemRungs.reminder, tot.itemRungs.yellow, tot.itemRungs.red, tot.itemRungs.referral],
    [t('windowRungs'), tot.windowRungs.reminder, tot.windowRungs.yellow, tot.windowRungs.red, tot.windowRungs.referral],
    [t('total'), tot.rungs.reminder, tot.rungs.yellow, tot.rungs.red, tot.rungs.referral],
  ],
)}
${table(
  [t('items'), t('itemsExtended'), t('meetings'), t('meetingsInvalid'), t('clashDays'), t('measures')],
  [[tot.items, tot.itemsExtended, tot.meetings, tot.meetingsInvalid, tot.clashDays, tot.measuresProposed]],
)}`;
}

function weeklySection({ report, t, rung, table }: Render): string {
  return `

<h2>${esc(t('weekly'))}</h2>
<div class="chart" id="weekly" role="img" aria-label="${esc(t('weekly'))}"></div>
<h2>${esc(t('weeklyCards'))}</h2>
<div class="chart" id="cards" role="img" aria-label="${esc(t('weeklyCards'))}"></div>
${table(
  [
    t('week'),
    rung('reminder'),
    rung('yellow'),
    rung('red'),
    rung('referral'),
    `${t('batch')} 1 ${t('yellow')}`,
    `${t('batch')} 1 ${t('red')}`,
    `${t('batch')} 2 ${t('yellow')}`,
    `${t('batch')} 2 ${t('red')}`,
  ],
  report.weeks.map((w) => [
    w.week,
    w.rungs.reminder,
    w.rungs.yellow,
    w.rungs.red,
    w.rungs.referral,
    w.cards['1'].yellow,
    w.cards['1'].red,
    w.cards['2'].yellow,
    w.cards['2'].red,
  ]),
)}`;
}

function overrunsSection({ report, t, table, list }: Render): string {
  return `

<h2>${esc(t('overruns'))}</h2>
<div class="chart" id="overruns" role="img" aria-label="${esc(t('overruns'))}"></div>
${table(
  [t('batch'), t('phase'), t('windowEnds'), t('stillIn'), t('listed')],
  report.phaseOverruns.map((p) => [p.batch, p.phase, p.windowEndsAt.slice(0, 10), p.stillIn, list(p.units, p.stillIn)]),
)}`;
}

function groupsSection({ report, t, table, groupsShown }: Render): string {
  const tot = report.totals;
  return `

<h2>${esc(t('groupMeetings'))}</h2>
<div class="chart" id="groups" style="height:${Math.max(240, 24 * groupsShown.length + 80)}px" role="img" aria-label="${esc(t('groupMeetings'))}"></div>
${table(
  [t('group'), t('units'), t('meetings'), t('busiest')],
  report.groups.map((g) => [g.group, g.units, g.meetings, g.busiest]),
)}
<h2>${esc(t('clashes'))}</h2>
${table(
  [t('group'), t('date'), t('clashUnits')],
  report.clashes.map((x) => [x.group, x.date, x.units.join(', ')]),
)}
${tot.clashDays > report.clashes.length ? `<p>… ${esc(t('more'))} ${tot.clashDays - report.clashes.length} ${esc(t('moreTail'))}</p>` : ''}`;
}

function referralsSection({ report, t, table }: Render): string {
  return `

<h2>${esc(t('referrals'))}</h2>
<div class="chart" id="referrals" role="img" aria-label="${esc(t('referrals'))}"></div>
${table(
  [t('batch'), t('itemReferrals'), t('windowReferrals'), t('referredUnits')],
  report.referrals.map((r) => [r.batch, r.item, r.window, r.units]),
)}`;
}

function officeSection({ report, t, rung, table }: Render): string {
  return `

<h2>${esc(t('office'))}</h2>
<div class="chart" id="office" role="img" aria-label="${esc(t('office'))}"></div>
${table(
  [t('date'), rung('red'), rung('referral'), t('total')],
  report.officeBusiestDays.map((d) => [d.date, d.red, d.referrals, d.total]),
)}`;
}

function scripts(r: Render, echarts: string | undefined): string {
  return `

<script type="application/json" id="report-data">${JSON.stringify(chartData(r)).replace(/</g, '\\u003c')}</script>
${echarts ? `<script>${echarts.replace(/<\/script/gi, '<\\/script')}</script>` : ''}
<script>
${CHARTS_SCRIPT}</script>
</body>
</html>
`;
}
