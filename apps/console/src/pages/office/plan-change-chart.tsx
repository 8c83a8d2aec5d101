// A plan change's before/after chart (ECharts, loaded with the preview): per day of the campaign's zone, how many of
// the deadlines and rungs that move fall on it now and would after the change. The table beside it lists each.
import { DataZoomComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { Chart } from '../../ui/charts';
import { useI18n } from '../../i18n';

echarts.use([DataZoomComponent]);

export default function PlanChangeChart({ days }: { days: Array<{ date: string; before: number; after: number }> }) {
  const { t } = useI18n();
  const before = t('调整前', 'Before');
  const after = t('调整后', 'After');
  return (
    <Chart
      label={t(
        `移动的时限与预警每日数量，调整前与调整后：${days.map((d) => `${d.date} ${d.before}→${d.after}`).join('；')}`,
        `Deadlines and rungs that move, per day, before and after the change: ${days.map((d) => `${d.date} ${d.before}→${d.after}`).join('; ')}`,
      )}
      height={280}
      option={{
        tooltip: { trigger: 'axis' },
        legend: { data: [before, after], top: 0 },
        grid: { left: 48, right: 16, top: 36, bottom: days.length > 20 ? 64 : 32 },
        xAxis: { type: 'category', data: days.map((d) => d.date) },
        yAxis: { type: 'value', minInterval: 1 },
        ...(days.length > 20 ? { dataZoom: [{ type: 'slider', height: 16, bottom: 8 }] } : {}),
        series: [
          { name: before, type: 'bar', itemStyle: { color: '#8c8c8c' }, data: days.map((d) => d.before) },
          { name: after, type: 'bar', itemStyle: { color: '#1d39c4' }, data: days.map((d) => d.after) },
        ],
      }}
    />
  );
}
