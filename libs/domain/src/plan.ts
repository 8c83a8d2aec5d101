// The campaign plan: defaults of DOMAIN.md, resolution of a client's partial plan, validation, ladder moments.
//
// Windows are half-open [startsAt, endsAt): the seed's "P1 07-08→08-31" is 2013-07-08T00:00+08:00 up to
// 2013-09-01T00:00+08:00, so one phase ends exactly when the next begins and a window's end is its deadline.
import { invalidInput } from './errors';
import { CN_CALENDAR_2013_2014 } from './cn-calendar-2013-2014';
import { addPlanDuration, DEFAULT_UTC_OFFSET, isWeekend } from './calendar';
import { parseDuration } from './duration';
import type { BatchPlan, CalendarPlan, LadderRung, Plan, PlanInput, Window } from './plan-types';
import { DAY_MS, formatInstant, INSTANT_YEARS, parseBoundedInstant, parseInstant, tryParseDate, tryParseOffset } from './time';
import { ACTIVE_PHASES, type ActivePhase, type Batch, RUNGS, type Rung } from './types';

/** The seed calendar (DOMAIN.md "Calendar"), in China Standard Time. */
export const SEED_CALENDAR = {
  utcOffset: DEFAULT_UTC_OFFSET,
  batches: [
    {
      batch: 1 as Batch,
      startsAt: '2013-07-08T00:00:00+08:00',
      endsAt: '2014-02-01T00:00:00+08:00',
      phases: {
        P1: { startsAt: '2013-07-08T00:00:00+08:00', endsAt: '2013-09-01T00:00:00+08:00' },
        P2: { startsAt: '2013-09-01T00:00:00+08:00', endsAt: '2013-11-01T00:00:00+08:00' },
        P3: { startsAt: '2013-11-01T00:00:00+08:00', endsAt: '2014-02-01T00:00:00+08:00' },
      },
    },
    {
      batch: 2 as Batch,
      startsAt: '2014-02-01T00:00:00+08:00',
      endsAt: '2014-08-01T00:00:00+08:00',
      phases: {
        P1: { startsAt: '2014-02-01T00:00:00+08:00', endsAt: '2014-04-01T00:00:00+08:00' },
        P2: { startsAt: '2014-04-01T00:00:00+08:00', endsAt: '2014-06-01T00:00:00+08:00' },
        P3: { startsAt: '2014-06-01T00:00:00+08:00', endsAt: '2014-08-01T00:00:00+08:00' },
      },
    },
  ] as BatchPlan[],
} as const;

export const DEFAULT_DISCLOSURE = 'P7D';
export const DEFAULT_LADDER: readonly LadderRung[] = [
  { rung: 'reminder', offset: '-P7D' },
  { rung: 'yellow', offset: 'PT0S' },
  { rung: 'red', offset: 'P14D' },
  { rung: 'referral', offset: 'P30D' },
];
export const DEFAULT_WINDOW_LADDER: readonly LadderRung[] = [
  { rung: 'yellow', offset: 'PT0S' },
  { rung: 'red', offset: 'P14D' },
];

export const defaultCalendar = (): CalendarPlan => ({
  count: 'calendar-days',
  holidays: [...CN_CALENDAR_2013_2014.holidays],
  workdays: [...CN_CALENDAR_2013_2014.workdays],
  utcOffset: DEFAULT_UTC_OFFSET,
});

/**
 * The default plan: the seed calendar moved in time so that batch 1 starts at `startsAt`
 * (the seed's own dates when `startsAt` is 2013-07-08T00:00:00+08:00).
 */
export function defaultPlan(startsAt: string): Plan {
  const anchor = parseInstant(startsAt, 'startsAt');
  const offset = tryParseOffset(DEFAULT_UTC_OFFSET)!;
  const shift = anchor - parseInstant(SEED_CALENDAR.batches[0].startsAt, 'seed');
  const move = (t: string) => formatInstant(parseInstant(t, 'seed') + shift, offset);
  const moveWindow = (w: Window): Window => ({ startsAt: move(w.startsAt), endsAt: move(w.endsAt) });
  return {
    batches: SEED_CALENDAR.batches.map((b) => ({
      batch: b.batch,
      ...moveWindow(b),
      phases: { P1: moveWindow(b.phases.P1), P2: moveWindow(b.phases.P2), P3: moveWindow(b.phases.P3) },
    })),
    disclosure: DEFAULT_DISCLOSURE,
    ladder: DEFAULT_LADDER.map((r) => ({ ...r })),
    windowLadder: DEFAULT_WINDOW_LADDER.map((r) => ({ ...r })),
    calendar: defaultCalendar(),
  };
}

// ---------- shape checks that name the field ----------

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function expectObject(v: unknown, field: string): Record<string, unknown> {
  if (!isObject(v)) throw invalidInput(field, `expected an object, got ${v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v}`);
  return v;
}
function expectArray(v: unknown, field: string, max = 10_000): unknown[] {
  if (!Array.isArray(v)) throw invalidInput(field, `expected an array, got ${typeof v}`);
  if (v.length > max) throw invalidInput(field, `at most ${max} entries`);
  return v;
}
function onlyKeys(v: Record<string, unknown>, keys: readonly string[], field: string) {
  for (const k of Object.keys(v)) if (!keys.includes(k)) throw invalidInput(`${field}.${k}`, 'unknown field');
}
/** A plan's instants are bounded like every instant the API accepts (years 2000–2099). */
function expectInstant(v: unknown, field: string): number {
  return parseBoundedInstant(v, field);
}

/**
 * The longest offset of a ladder rung or disclosure window: a year and a day. DOMAIN.md's are days or weeks;
 * a longer one would put a rung beyond any campaign (and, added to a deadline, beyond the years accepted).
 */
export const PLAN_OFFSET_MAX_DAYS = 366;

function boundedDuration(value: unknown, field: string) {
  const d = parseDuration(value, field);
  if (d.days * DAY_MS + d.timeMs > PLAN_OFFSET_MAX_DAYS * DAY_MS) {
    throw invalidInput(field, `at most ${PLAN_OFFSET_MAX_DAYS} days, got ${JSON.stringify(value)}`);
  }
  return d;
}

// ---------- resolution ----------

/** What the client gave, or the default when it left the part out; a null is given (and then refused as such). */
const given_ = <T>(value: unknown, fallback: T): T => (value === undefined ? fallback : (value as T));

/**
 * A client's partial plan completed with the defaults (anchored at `startsAt`), then validated.
 * Throws INVALID_INPUT naming the offending field (e.g. `plan.batches[0].phases.P2.startsAt`).
 */
export function resolvePlan(input: PlanInput | undefined, startsAt: string): Plan {
  parseBoundedInstant(startsAt, 'startsAt');
  const base = defaultPlan(startsAt);
  if (input === undefined || input === null) {
    // The seed calendar moved to startsAt must itself stay inside the years accepted.
    try {
      validatePlan(base);
    } catch {
      const last = base.batches[base.batches.length - 1].endsAt;
      throw invalidInput('startsAt', `the seed calendar from ${startsAt} would end at ${last}, after ${INSTANT_YEARS.last}`);
    }
    return base;
  }
  const given = expectObject(input, 'plan');
  onlyKeys(given, ['batches', 'disclosure', 'ladder', 'windowLadder', 'calendar'], 'plan');

  // Batches the client gave keep their index (so errors name the index the client sent); the others follow.
  let batches: BatchPlan[] = base.batches;
  if (given.batches !== undefined) {
    const seen = new Set<number>();
    const merged: BatchPlan[] = expectArray(given.batches, 'plan.batches', 2).map((raw, i) => {
      const field = `plan.batches[${i}]`;
      const b = expectObject(raw, field);
      onlyKeys(b, ['batch', 'startsAt', 'endsAt', 'phases'], field);
      if (b.batch !== 1 && b.batch !== 2) throw invalidInput(`${field}.batch`, `expected 1 or 2, got ${JSON.stringify(b.batch)}`);
      if (seen.has(b.batch)) throw invalidInput(`${field}.batch`, `batch ${b.batch} given twice`);
      seen.add(b.batch);
      const def = base.batches.find((d) => d.batch === b.batch)!;
      const phases = { ...def.phases };
      if (b.phases !== undefined) {
        const p = expectObject(b.phases, `${field}.phases`);
        onlyKeys(p, ACTIVE_PHASES, `${field}.phases`);
        for (const ph of ACTIVE_PHASES) {
          if (p[ph] === undefined) continue;
          const w = expectObject(p[ph], `${field}.phases.${ph}`);
          onlyKeys(w, ['startsAt', 'endsAt'], `${field}.phases.${ph}`);
          phases[ph] = { ...def.phases[ph], ...(w as Partial<Window>) };
        }
      }
      return {
        batch: b.batch,
        startsAt: given_(b.startsAt, def.startsAt),
        endsAt: given_(b.endsAt, def.endsAt),
        phases,
      };
    });
    batches = [...merged, ...base.batches.filter((d) => !seen.has(d.batch))];
  }

  let calendar = base.calendar;
  if (given.calendar !== undefined) {
    const c = expectObject(given.calendar, 'plan.calendar');
    onlyKeys(c, ['count', 'holidays', 'workdays', 'utcOffset'], 'plan.calendar');
    calendar = { ...base.calendar, ...(c as Partial<CalendarPlan>) };
  }

  const plan: Plan = {
    batches,
    disclosure: given_(given.disclosure, base.disclosure),
    ladder: given_(given.ladder, base.ladder),
    windowLadder: given_(given.windowLadder, base.windowLadder),
    calendar,
  };
  validatePlan(plan);
  return { ...plan, batches: [...plan.batches].sort((a, b) => a.batch - b.batch) };
}

// ---------- validation ----------

function validateWindow(w: unknown, field: string): [number, number] {
  const o = expectObject(w, field);
  const start = expectInstant(o.startsAt, `${field}.startsAt`);
  const end = expectInstant(o.endsAt, `${field}.endsAt`);
  if (end <= start)
    throw invalidInput(
      `${field}.endsAt`,
      `must be after startsAt (${o.startsAt}); the window is reversed or empty`,
      'plan.window-reversed',
    );
  return [start, end];
}

function validateLadder(ladder: unknown, field: string) {
  const rungs = new Set<string>();
  expectArray(ladder, field, RUNGS.length).forEach((raw, i) => {
    const f = `${field}[${i}]`;
    const r = expectObject(raw, f);
    onlyKeys(r, ['rung', 'offset'], f);
    if (!RUNGS.includes(r.rung as Rung)) {
      throw invalidInput(`${f}.rung`, `unknown rung ${JSON.stringify(r.rung)}; expected one of ${RUNGS.join(', ')}`);
    }
    if (rungs.has(r.rung as string)) throw invalidInput(`${f}.rung`, `rung ${r.rung} given twice`);
    rungs.add(r.rung as string);
    boundedDuration(r.offset, `${f}.offset`);
  });
}

function validateDates(list: unknown, field: string): string[] {
  return expectArray(list, field, 5_000).map((d, i) => {
    if (tryParseDate(d) === undefined) throw invalidInput(`${field}[${i}]`, `expected a date YYYY-MM-DD, got ${JSON.stringify(d)}`);
    return d as string;
  });
}

/** Throws INVALID_INPUT naming the first offending field of a fully resolved plan. */
export function validatePlan(plan: Plan): void {
  const p = expectObject(plan, 'plan');
  const batches = expectArray(p.batches, 'plan.batches', 2);
  if (batches.length === 0) throw invalidInput('plan.batches', 'at least one batch');
  const spans: Array<{ batch: number; start: number; end: number; i: number }> = [];
  batches.forEach((raw, i) => {
    const field = `plan.batches[${i}]`;
    const b = expectObject(raw, field);
    if (b.batch !== 1 && b.batch !== 2) throw invalidInput(`${field}.batch`, `expected 1 or 2, got ${JSON.stringify(b.batch)}`);
    if (spans.some((s) => s.batch === b.batch)) throw invalidInput(`${field}.batch`, `batch ${b.batch} given twice`);
    const [start, end] = validateWindow(b, field);
    const phases = expectObject(b.phases, `${field}.phases`);
    let previousEnd = -Infinity;
    for (const ph of ACTIVE_PHASES) {
      const f = `${field}.phases.${ph}`;
      if (phases[ph] === undefined) throw invalidInput(f, 'missing phase window');
      const [ps, pe] = validateWindow(phases[ph], f);
      if (ps < start)
        throw invalidInput(`${f}.startsAt`, `starts before its batch (${b.startsAt})`, 'plan.phase-before-batch', {
          batchStartsAt: String(b.startsAt),
        });
      if (pe > end)
        throw invalidInput(`${f}.endsAt`, `ends after its batch (${b.endsAt})`, 'plan.phase-after-batch', {
          batchEndsAt: String(b.endsAt),
        });
      if (ps < previousEnd)
        throw invalidInput(`${f}.startsAt`, 'overlaps the previous phase window (phases run in order P1, P2, P3)', 'plan.phases-overlap');
      previousEnd = pe;
    }
    spans.push({ batch: b.batch, start, end, i });
  });
  // Batches run top-down: batch 1 before batch 2, never overlapping.
  const [one, two] = [spans.find((s) => s.batch === 1), spans.find((s) => s.batch === 2)];
  if (one && two && two.start < one.end) {
    throw invalidInput(
      `plan.batches[${two.i}].startsAt`,
      'batch 2 must start when or after batch 1 ends (batches overlap)',
      'plan.batches-overlap',
    );
  }

  const disclosure = boundedDuration(p.disclosure, 'plan.disclosure');
  if (disclosure.negative) throw invalidInput('plan.disclosure', 'the disclosure window cannot be negative', 'input.range');
  validateLadder(p.ladder, 'plan.ladder');
  validateLadder(p.windowLadder, 'plan.windowLadder');

  const c = expectObject(p.calendar, 'plan.calendar');
  if (c.count !== 'calendar-days' && c.count !== 'working-days') {
    throw invalidInput('plan.calendar.count', `expected calendar-days or working-days, got ${JSON.stringify(c.count)}`);
  }
  const holidays = validateDates(c.holidays, 'plan.calendar.holidays');
  const workdays = validateDates(c.workdays, 'plan.calendar.workdays');
  const off = new Set(holidays);
  workdays.forEach((d, i) => {
    if (!isWeekend(d))
      throw invalidInput(
        `plan.calendar.workdays[${i}]`,
        `${d} is not a weekend day; only weekend days can be swapped workdays`,
        'holidays.workday-weekend',
        { date: d },
      );
    if (off.has(d)) throw invalidInput(`plan.calendar.workdays[${i}]`, `${d} is also listed as a holiday`, 'holidays.both', { date: d });
  });
  if (c.utcOffset !== undefined && tryParseOffset(c.utcOffset) === undefined) {
    throw invalidInput('plan.calendar.utcOffset', `expected a UTC offset like +08:00, got ${JSON.stringify(c.utcOffset)}`);
  }
}

// ---------- reading a plan ----------

export function batchPlan(plan: Plan, batch: Batch): BatchPlan {
  const b = plan.batches.find((x) => x.batch === batch);
  if (!b) throw invalidInput('batch', `the plan has no batch ${batch}`);
  return b;
}

export const phaseWindow = (plan: Plan, batch: Batch, phase: ActivePhase): Window => batchPlan(plan, batch).phases[phase];

/**
 * The latest deadline the plan admits (task-book items, extensions): PLAN_OFFSET_MAX_DAYS after its last batch
 * ends. Rectification outlasts the campaign (整改 goes on), but not without bound: a deadline in year 9999 would
 * hold a ladder timer for ever.
 */
export function latestDeadline(plan: Pick<Plan, 'batches'>): { ms: number; at: string } {
  const end = Math.max(...plan.batches.map((b) => parseInstant(b.endsAt, 'plan.batches.endsAt')));
  const ms = end + PLAN_OFFSET_MAX_DAYS * DAY_MS;
  return { ms, at: formatInstant(ms, tryParseOffset(DEFAULT_UTC_OFFSET) ?? 0) };
}

/** One rung of a ladder with the moment it is due. */
export interface ScheduledRung {
  rung: Rung;
  offset: string;
  dueAt: string;
  dueMs: number;
}

/**
 * The moments of a ladder's rungs for one deadline, in firing order (time, then ladder order).
 * Offsets count per `calendar.count`: working days skip weekends and holidays and count swapped workdays.
 */
export function ladderSchedule(deadline: string, ladder: readonly LadderRung[], calendar: CalendarPlan): ScheduledRung[] {
  const base = parseInstant(deadline, 'deadline');
  const offset = tryParseOffset(calendar.utcOffset ?? DEFAULT_UTC_OFFSET) ?? 0;
  return ladder
    .map((r, i) => {
      const dueMs = addPlanDuration(base, parseDuration(r.offset, `ladder[${i}].offset`), calendar);
      return { rung: r.rung, offset: r.offset, dueMs, dueAt: formatInstant(dueMs, offset), order: RUNGS.indexOf(r.rung) };
    })
    .sort((a, b) => a.dueMs - b.dueMs || a.order - b.order)
    .map(({ order: _order, ...r }) => r);
}

/** An instant plus a plan duration (e.g. the disclosure window), formatted at the calendar's offset. */
export function addToInstant(instant: string | number, duration: string, calendar: CalendarPlan): string {
  const base = typeof instant === 'number' ? instant : parseInstant(instant, 'instant');
  const ms = addPlanDuration(base, parseDuration(duration, 'duration'), calendar);
  return formatInstant(ms, tryParseOffset(calendar.utcOffset ?? DEFAULT_UTC_OFFSET) ?? 0);
}
