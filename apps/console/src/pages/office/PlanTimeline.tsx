// The plan on a timeline: each batch's phase windows as bars, month by month, with the holidays (days off)
// and the swapped workdays (调休, weekend days worked) of the calendar marked underneath.
import type { components } from '../../api/generated/schema';
import { offsetMs, useI18n } from '../../i18n';
import { ACTIVE_PHASES } from '../../../../../libs/domain/src';

const PHASE_COLORS = { P1: '#1d39c4', P2: '#531dab', P3: '#a8071a' } as const;
const DAY = 86_400_000;
/** A date (YYYY-MM-DD) at noon in China, so that it falls inside that day whatever the viewer's zone. */
const dayAt = (d: string, zone: string) => Date.parse(`${d}T12:00:00${zone}`);

/** A plan as the API describes it (every part optional); a resolved plan of the domain is one too. */
type PlanShown = components['schemas']['PlanDto'];

type TimelineBatch = {
  batch: number;
  startsAt: string;
  endsAt: string;
  phases: NonNullable<NonNullable<PlanShown['batches']>[number]['phases']>;
};

/** The months in the campaign's zone: the first is the month the plan starts in (labelled at the left edge even
 * when the plan starts mid-month), then every first of a month up to its end. */
function monthsOf(from: number, to: number, zone: string): Array<{ at: number; label: string }> {
  const shift = offsetMs(zone);
  const months: Array<{ at: number; label: string }> = [];
  const start = new Date(from + shift);
  let y = start.getUTCFullYear();
  let mo = start.getUTCMonth();
  months.push({ at: from, label: `${y}-${String(mo + 1).padStart(2, '0')}` });
  for (;;) {
    mo += 1;
    if (mo === 12) {
      mo = 0;
      y += 1;
    }
    const at = Date.UTC(y, mo, 1) - shift;
    if (at >= to) break;
    months.push({ at, label: `${y}-${String(mo + 1).padStart(2, '0')}` });
  }
  return months;
}

const W = 1000;
const LEFT = 70;
const ROW_H = 34;

export function PlanTimeline({ plan }: { plan: PlanShown }) {
  const { t, time, zone } = useI18n();
  // Batches without both ends have no place on the timeline.
  const batches: TimelineBatch[] = (plan.batches ?? []).flatMap(({ batch, startsAt, endsAt, phases }) =>
    startsAt && endsAt ? [{ batch, startsAt, endsAt, phases: phases ?? {} }] : [],
  );
  const starts = batches.map((b) => Date.parse(b.startsAt)).filter(Number.isFinite);
  const ends = batches.map((b) => Date.parse(b.endsAt)).filter(Number.isFinite);
  if (!starts.length || !ends.length) return null;
  const from = Math.min(...starts);
  const to = Math.max(...ends);
  if (!(to > from)) return null;
  const x = (ms: number) => LEFT + ((ms - from) / (to - from)) * (W - LEFT - 10);
  const calendarY = 24 + batches.length * ROW_H + 8;
  const H = calendarY + 52;
  const months = monthsOf(from, to, zone);
  const inRange = (d: string) => dayAt(d, zone) >= from && dayAt(d, zone) < to;
  const holidays = (plan.calendar?.holidays ?? []).filter(inRange);
  const workdays = (plan.calendar?.workdays ?? []).filter(inRange);
  const summary = batches
    .map(
      (b) =>
        `${t('第', 'Batch ')}${b.batch}${t('批', '')}: ${time(b.startsAt, false)} — ${time(new Date(Date.parse(b.endsAt) - DAY).toISOString(), false)}`,
    )
    .join('; ');
  return (
    <figure style={{ margin: 0 }}>
      <svg
        viewBox={`0 0 ${W} ${H}`}
        width="100%"
        role="img"
        aria-label={`${t('活动日程', 'Campaign calendar')}: ${summary}`}
        data-testid="plan-timeline"
      >
        <MonthLines months={months} bottom={calendarY + 30} x={x} />
        {batches.map((b, i) => (
          <BatchRow key={b.batch} b={b} y={24 + i * ROW_H} x={x} />
        ))}
        <CalendarDays y={calendarY} holidays={holidays} workdays={workdays} x={x} />
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

/** Each month's first day as a line down to `bottom`, labelled at the top. */
function MonthLines({ months, bottom, x }: { months: Array<{ at: number; label: string }>; bottom: number; x: (ms: number) => number }) {
  return (
    <>
      {months.map((m) => (
        <g key={m.at} data-month={m.label}>
          <line x1={x(m.at)} x2={x(m.at)} y1={16} y2={bottom} stroke="#e8e8e8" />
          <text x={x(m.at) + 2} y={12} fontSize={11} fill="#434343">
            {m.label}
          </text>
        </g>
      ))}
    </>
  );
}

/** A batch's row: its phase windows as bars. */
function BatchRow({ b, y, x }: { b: TimelineBatch; y: number; x: (ms: number) => number }) {
  const { t, label, time } = useI18n();
  return (
    <g>
      <text x={0} y={y + 18} fontSize={12} fill="#262626">
        {t(`第${b.batch}批`, `Batch ${b.batch}`)}
      </text>
      {ACTIVE_PHASES.map((ph) => {
        const w = b.phases[ph];
        if (!w) return null;
        const s = Date.parse(w.startsAt);
        const e = Date.parse(w.endsAt);
        if (!Number.isFinite(s) || !Number.isFinite(e) || e <= s) return null;
        return (
          <g key={ph}>
            <rect x={x(s)} y={y} width={Math.max(1, x(e) - x(s) - 1)} height={ROW_H - 8} fill={PHASE_COLORS[ph]} rx={3}>
              <title>{`${label.phase(ph)}: ${time(w.startsAt, false)} — ${time(new Date(Date.parse(w.endsAt) - DAY).toISOString(), false)}`}</title>
            </rect>
            <text x={x(s) + 4} y={y + 17} fontSize={12} fill="#fff">
              {ph}
            </text>
          </g>
        );
      })}
    </g>
  );
}

/** The holidays (red) and the weekend days worked (blue) under the batches. */
function CalendarDays({ y, holidays, workdays, x }: { y: number; holidays: string[]; workdays: string[]; x: (ms: number) => number }) {
  const { t, zone } = useI18n();
  return (
    <>
      <text x={0} y={y + 12} fontSize={11} fill="#262626">
        {t('节假日', 'Days off')}
      </text>
      {holidays.map((d) => (
        <rect key={`h${d}`} x={x(dayAt(d, zone)) - 1} y={y} width={3} height={14} fill="#cf1322">
          <title>{`${t('节假日', 'Holiday')} ${d}`}</title>
        </rect>
      ))}
      <text x={0} y={y + 36} fontSize={11} fill="#262626">
        {t('调休上班', 'Workdays')}
      </text>
      {workdays.map((d) => (
        <rect key={`w${d}`} x={x(dayAt(d, zone)) - 1} y={y + 24} width={3} height={14} fill="#096dd9">
          <title>{`${t('调休上班', 'Swapped workday')} ${d}`}</title>
        </rect>
      ))}
    </>
  );
}
