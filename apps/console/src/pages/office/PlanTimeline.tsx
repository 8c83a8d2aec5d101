// The plan on a timeline: each batch's phase windows as bars, month by month, with the holidays (days off)
// and the swapped workdays (调休, weekend days worked) of the calendar marked underneath.
import type { Plan } from '../../../../../libs/domain/src';
import { useI18n } from '../../i18n';

const PHASE_COLORS = { P1: '#1d39c4', P2: '#531dab', P3: '#a8071a' } as const;
const DAY = 86_400_000;
/** A date (YYYY-MM-DD) at noon in China, so that it falls inside that day whatever the viewer's zone. */
const dayAt = (d: string) => Date.parse(`${d}T12:00:00+08:00`);

export function PlanTimeline({ plan }: { plan: Plan }) {
  const { t, label } = useI18n();
  const starts = plan.batches.map((b) => Date.parse(b.startsAt)).filter(Number.isFinite);
  const ends = plan.batches.map((b) => Date.parse(b.endsAt)).filter(Number.isFinite);
  if (!starts.length || !ends.length) return null;
  const from = Math.min(...starts);
  const to = Math.max(...ends);
  if (!(to > from)) return null;
  const W = 1000;
  const left = 70;
  const x = (ms: number) => left + ((ms - from) / (to - from)) * (W - left - 10);
  const rowH = 34;
  const rows = plan.batches.length;
  const calendarY = 24 + rows * rowH + 8;
  const H = calendarY + 52;
  const months: number[] = [];
  const m = new Date(from);
  m.setUTCDate(1);
  m.setUTCHours(0, 0, 0, 0);
  for (let d = m.getTime(); d <= to; ) {
    if (d >= from) months.push(d);
    const next = new Date(d);
    next.setUTCMonth(next.getUTCMonth() + 1);
    d = next.getTime();
  }
  const inRange = (d: string) => dayAt(d) >= from && dayAt(d) < to;
  const holidays = plan.calendar.holidays.filter(inRange);
  const workdays = plan.calendar.workdays.filter(inRange);
  const summary = plan.batches
    .map((b) => `${t('第', 'Batch ')}${b.batch}${t('批', '')}: ${b.startsAt.slice(0, 10)} — ${new Date(Date.parse(b.endsAt) - DAY).toISOString().slice(0, 10)}`)
    .join('; ');
  return (
    <figure style={{ margin: 0 }}>
      <svg viewBox={`0 0 ${W} ${H}`} width="100%" role="img" aria-label={`${t('活动日程', 'Campaign calendar')}: ${summary}`} data-testid="plan-timeline">
        {months.map((ms) => (
          <g key={ms}>
            <line x1={x(ms)} x2={x(ms)} y1={16} y2={calendarY + 30} stroke="#e8e8e8" />
            <text x={x(ms) + 2} y={12} fontSize={11} fill="#434343">
              {new Date(ms).toISOString().slice(0, 7)}
            </text>
          </g>
        ))}
        {plan.batches.map((b, i) => {
          const y = 24 + i * rowH;
          return (
            <g key={b.batch}>
              <text x={0} y={y + 18} fontSize={12} fill="#262626">
                {t(`第${b.batch}批`, `Batch ${b.batch}`)}
              </text>
              {(['P1', 'P2', 'P3'] as const).map((ph) => {
                const w = b.phases[ph];
                const s = Date.parse(w.startsAt);
                const e = Date.parse(w.endsAt);
                if (!Number.isFinite(s) || !Number.isFinite(e) || e <= s) return null;
                return (
                  <g key={ph}>
                    <rect x={x(s)} y={y} width={Math.max(1, x(e) - x(s) - 1)} height={rowH - 8} fill={PHASE_COLORS[ph]} rx={3}>
                      <title>{`${ph} ${label.phase(ph)}: ${w.startsAt} — ${w.endsAt}`}</title>
                    </rect>
                    <text x={x(s) + 4} y={y + 17} fontSize={12} fill="#fff">
                      {ph}
                    </text>
                  </g>
                );
              })}
            </g>
          );
        })}
        <text x={0} y={calendarY + 12} fontSize={11} fill="#262626">
          {t('节假日', 'Days off')}
        </text>
        {holidays.map((d) => (
          <rect key={`h${d}`} x={x(dayAt(d)) - 1} y={calendarY} width={3} height={14} fill="#cf1322">
            <title>{`${t('节假日', 'Holiday')} ${d}`}</title>
          </rect>
        ))}
        <text x={0} y={calendarY + 36} fontSize={11} fill="#262626">
          {t('调休上班', 'Workdays')}
        </text>
        {workdays.map((d) => (
          <rect key={`w${d}`} x={x(dayAt(d)) - 1} y={calendarY + 24} width={3} height={14} fill="#096dd9">
            <title>{`${t('调休上班', 'Swapped workday')} ${d}`}</title>
          </rect>
        ))}
      </svg>
      <figcaption style={{ fontSize: 12, color: '#434343' }}>
        {t(
          `红色：节假日（${holidays.length} 天）；蓝色：调休上班的周末（${workdays.length} 天）。`,
          `Red: days off (${holidays.length}); blue: weekend days worked (${workdays.length}).`,
        )}
      </figcaption>
    </figure>
  );
}
