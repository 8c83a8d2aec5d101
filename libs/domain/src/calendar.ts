// Working-day arithmetic (工作日): weekends and public holidays are off, swapped weekend workdays (调休) are worked.
// Days are reckoned at the calendar's fixed UTC offset (China: +08:00, no daylight saving).
import type { CalendarPlan } from './plan-types';
import { Duration, durationMs } from './duration';
import { DAY_MS, formatDate, parseDate, tryParseOffset } from './time';

export const DEFAULT_UTC_OFFSET = '+08:00';

/** A calendar prepared for fast look-ups. */
export interface WorkingCalendar {
  holidays: ReadonlySet<string>;
  workdays: ReadonlySet<string>;
}

const prepared = new WeakMap<object, WorkingCalendar>();

export function workingCalendar(plan: Pick<CalendarPlan, 'holidays' | 'workdays'>): WorkingCalendar {
  let cal = prepared.get(plan);
  if (!cal) {
    cal = { holidays: new Set(plan.holidays), workdays: new Set(plan.workdays) };
    prepared.set(plan, cal);
  }
  return cal;
}

/** Saturday or Sunday. */
export const isWeekend = (date: string): boolean => {
  const dow = new Date(parseDate(date, 'date')).getUTCDay();
  return dow === 0 || dow === 6;
};

export function isWorkingDay(date: string, calendar: Pick<CalendarPlan, 'holidays' | 'workdays'>): boolean {
  const cal = workingCalendar(calendar);
  if (cal.holidays.has(date)) return false;
  if (cal.workdays.has(date)) return true;
  return !isWeekend(date);
}

/**
 * The Nth working day strictly after `from` (N > 0), or strictly before it (N < 0); `from` itself for N = 0.
 * Dates are `YYYY-MM-DD`.
 */
export function addWorkingDays(from: string, n: number, calendar: Pick<CalendarPlan, 'holidays' | 'workdays'>): string {
  if (!Number.isInteger(n)) throw new RangeError(`addWorkingDays: n must be an integer, got ${n}`);
  let day = parseDate(from, 'from');
  const step = n < 0 ? -DAY_MS : DAY_MS;
  let left = Math.abs(n);
  // A year has ~250 working days; a calendar that declares every day off must not loop for ever.
  let guard = left * 7 + 3700;
  while (left > 0) {
    day += step;
    if (isWorkingDay(formatDate(day), calendar)) left--;
    if (--guard < 0) throw new RangeError(`addWorkingDays: no ${n} working days from ${from} in this calendar`);
  }
  return formatDate(day);
}

export const calendarOffsetMs = (calendar: Pick<CalendarPlan, 'utcOffset'>): number =>
  tryParseOffset(calendar.utcOffset ?? DEFAULT_UTC_OFFSET) ?? 8 * 3_600_000;

/**
 * An instant moved by a duration under the plan's counting rule.
 * - `calendar-days`: plain addition (a day is 24 hours at the calendar's fixed offset).
 * - `working-days`: the whole-day part counts working days from the instant's local date (time of day kept);
 *   the sub-day part (hours, minutes, seconds) is then added as calendar time.
 */
export function addPlanDuration(instantMs: number, d: Duration, calendar: CalendarPlan): number {
  if (calendar.count !== 'working-days' || d.days === 0) return instantMs + durationMs(d);
  const offset = calendarOffsetMs(calendar);
  const local = instantMs + offset;
  const dayStart = Math.floor(local / DAY_MS) * DAY_MS;
  const timeOfDay = local - dayStart;
  const sign = d.negative ? -1 : 1;
  const date = addWorkingDays(formatDate(dayStart), sign * d.days, calendar);
  return parseDate(date, 'date') + timeOfDay - offset + sign * d.timeMs;
}
