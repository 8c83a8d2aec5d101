// The new-campaign form and the plan it stands for: a plan ↔ the form's values (whole days of the campaign's
// calendar, ladders as "截止前 N 天 / 逾期 N 天"), a plan field's name → the form's path, and the years a plan spans.
import {
  BATCHES,
  DEFAULT_UTC_OFFSET,
  type ActivePhase,
  type Batch,
  type LadderRung,
  type Plan,
  type Rung,
} from '../../../../../libs/domain/src';
import { wallTime } from '../../i18n';
import { namePath } from '../../ui/errors';

const DAY = 86_400_000;
export const OFFSET = DEFAULT_UTC_OFFSET;
/** A day of the campaign's calendar: windows start at its midnight; an inclusive last day ends at the next midnight. */
export const dayStart = (d: string) => `${d}T00:00:00${OFFSET}`;
const dayOf = (iso: string, minusDay = false) =>
  wallTime(new Date(Date.parse(iso) - (minusDay ? DAY : 0)).toISOString(), OFFSET).slice(0, 10);
const nextDayStart = (d: string) => `${new Date(Date.parse(`${d}T00:00:00Z`) + DAY).toISOString().slice(0, 10)}T00:00:00${OFFSET}`;
/** Today in the campaign's calendar (YYYY-MM-DD). */
export const todayInCampaign = () => wallTime(new Date().toISOString(), OFFSET).slice(0, 10);

export type Direction = 'before' | 'at' | 'after';
interface Offset {
  direction: Direction;
  days: number;
}
export interface RungValues extends Offset {
  rung: Rung;
}
/** A window as whole days; a date the person cleared is absent. */
interface WindowValues {
  startsAt?: string;
  endsAt?: string;
}
interface BatchValues extends WindowValues {
  batch?: Batch;
  phases?: Partial<Record<ActivePhase, WindowValues>>;
}
/**
 * The form's store. Every field starts filled (from a plan), but a date the person cleared is undefined and a
 * number cleared is null, and the watched store is empty before the first render: so every part is optional.
 */
export interface FormValues {
  name?: string;
  anchor?: string;
  batches?: BatchValues[];
  disclosureDays?: number | null;
  ladder?: RungValues[];
  windowLadder?: RungValues[];
  calendar?: { count?: 'calendar-days' | 'working-days'; holidays?: string; workdays?: string };
}

/** `-P7D` → 截止前 7 天; `PT0S` → 到期当时; `P14D` → 逾期 14 天 (the editor works in whole days). */
function toOffset(offset: string): Offset {
  // (an optional group that did not take part is undefined)
  const m: Array<string | undefined> | null = /^(-)?P(?:(\d+)W)?(?:(\d+)D)?(?:T.*)?$/.exec(offset);
  const days = m ? Number(m[2] ?? 0) * 7 + Number(m[3] ?? 0) : 0;
  return { direction: days === 0 ? 'at' : m?.[1] ? 'before' : 'after', days };
}
const toRung = (r: LadderRung): RungValues => ({ rung: r.rung, ...toOffset(r.offset) });
const fromRung = (r: RungValues): LadderRung => ({
  rung: r.rung,
  offset: r.direction === 'at' || !r.days ? 'PT0S' : `${r.direction === 'before' ? '-' : ''}P${Math.round(r.days)}D`,
});

const toWindow = (w: { startsAt: string; endsAt: string }): Required<WindowValues> => ({
  startsAt: dayOf(w.startsAt),
  endsAt: dayOf(w.endsAt, true),
});
const fromWindow = (w: WindowValues | undefined) => ({
  startsAt: w?.startsAt ? dayStart(w.startsAt) : '',
  endsAt: w?.endsAt ? nextDayStart(w.endsAt) : '',
});
/** Dates as typed: separated by spaces, commas or the Chinese enumeration marks. */
export const dates = (s: string | undefined) => (s ?? '').split(/[\s,，;；、]+/).filter(Boolean);

export function toForm(plan: Plan, name = '', anchor = dayOf(plan.batches[0].startsAt)) {
  return {
    name,
    anchor,
    batches: plan.batches.map((b) => ({
      batch: b.batch,
      ...toWindow(b),
      phases: { P1: toWindow(b.phases.P1), P2: toWindow(b.phases.P2), P3: toWindow(b.phases.P3) },
    })),
    disclosureDays: toOffset(plan.disclosure).days,
    ladder: plan.ladder.map(toRung),
    windowLadder: plan.windowLadder.map(toRung),
    calendar: { count: plan.calendar.count, holidays: plan.calendar.holidays.join(', '), workdays: plan.calendar.workdays.join(', ') },
  } satisfies FormValues;
}

export function toPlan(v: FormValues): Plan {
  return {
    // (the batch number is not a field of the form: batches are listed in order, 1 then 2)
    batches: (v.batches ?? []).map((b, i) => ({
      batch: b.batch ?? BATCHES[i],
      ...fromWindow(b),
      phases: { P1: fromWindow(b.phases?.P1), P2: fromWindow(b.phases?.P2), P3: fromWindow(b.phases?.P3) },
    })),
    disclosure: `P${Math.max(0, Math.round(v.disclosureDays ?? 0))}D`,
    ladder: (v.ladder ?? []).map(fromRung),
    windowLadder: (v.windowLadder ?? []).map(fromRung),
    calendar: {
      count: v.calendar?.count ?? 'calendar-days',
      holidays: dates(v.calendar?.holidays),
      workdays: dates(v.calendar?.workdays),
      utcOffset: OFFSET,
    },
  };
}

/** A plan field as libs/domain and the API name it (`plan.batches[0].phases.P1.endsAt`) → this form's path. */
export const formPath = (field: string): Array<string | number> => {
  const path = namePath(field.replace(/^plan\./, ''));
  if (path[0] === 'calendar' && (path[1] === 'holidays' || path[1] === 'workdays')) return path.slice(0, 2);
  if (path[0] === 'disclosure') return ['disclosureDays'];
  if ((path[0] === 'ladder' || path[0] === 'windowLadder') && path[2] === 'offset') return [path[0], path[1], 'days'];
  return path;
};

/** The fields the form shows, by the last part of their path: an error on another goes beside the button. */
export const SHOWN_FIELDS = ['name', 'startsAt', 'endsAt', 'days', 'disclosureDays', 'count', 'holidays', 'workdays'];

/** The years a plan spans, in its zone. */
export const yearsOf = (plan: Plan | undefined): number[] => {
  if (!plan?.batches.length) return [];
  const first = Number(dayOf(plan.batches[0].startsAt).slice(0, 4));
  const last = Number(dayOf(plan.batches[plan.batches.length - 1].endsAt, true).slice(0, 4));
  if (!first || !last || last < first || last - first > 5) return first ? [first] : [];
  return Array.from({ length: last - first + 1 }, (_, i) => first + i);
};
