// The behaviour profile of a simulation: how the units of a campaign behave, as shares and ranges of days.
// Everything a simulated unit does is drawn from it (seeded), so the same profile, plan, units and seed give the
// same campaign, and the same report, every time. README "Rehearsing a campaign" documents the default.
import { invalidInput, parseDuration, durationMs, DAY_MS } from '../../domain/src';

/** A share of the units (or items) and the range of days, both ends included, one of them falls in. */
export interface DayBucket {
  share: number;
  days: [number, number];
}

/** A share of the task books and the range of a count, both ends included. */
export interface CountBucket {
  share: number;
  count: [number, number];
}

export const GATE_PHASES = ['P2', 'P3', 'DONE'] as const;
export type GatePhase = (typeof GATE_PHASES)[number];

export interface BehaviourProfile {
  /**
   * How long one day of this profile is, as an ISO-8601 duration: `P1D` for a campaign on the real calendar;
   * a rehearsal plan compressed into minutes sets its own day (e.g. `PT10S`), so the same profile applies.
   */
  day: string;
  /**
   * When units pass each gate (the supervisor approves the unit into P2, P3, DONE), in days after the end of
   * the window of the phase they leave: negative is before it ends (on time), 0 or more is late.
   */
  gates: Record<GatePhase, DayBucket[]>;
  meetings: {
    /** Share of special democratic life meetings first recorded invalid (not attended throughout), then reconvened. */
    invalidShare: number;
    /** Days until an invalid meeting is held again. */
    reconveneDays: [number, number];
  };
  taskBook: {
    /** Items per task book. */
    items: CountBucket[];
    /** Objections filed during a task book's disclosure (each answered before it ends). */
    objections: CountBucket[];
    /** An item's deadline, in days after its task book takes effect. */
    deadlineDays: [number, number];
  };
  items: {
    /** When items are closed (completion submitted and verified), in days after their deadline: negative is on time. */
    closed: DayBucket[];
  };
  extensions: {
    /** Share of items whose unit requests an extension (a few days before the deadline). */
    requestShare: number;
    /** Share of requested extensions the supervisor grants. */
    grantShare: number;
    /** Days an extension adds to the deadline. */
    days: [number, number];
  };
}

export const DEFAULT_PROFILE: BehaviourProfile = {
  day: 'P1D',
  gates: {
    P2: [
      { share: 0.6, days: [-20, -1] },
      { share: 0.3, days: [0, 10] },
      { share: 0.1, days: [14, 30] },
    ],
    P3: [
      { share: 0.55, days: [-20, -1] },
      { share: 0.35, days: [0, 12] },
      { share: 0.1, days: [14, 30] },
    ],
    DONE: [
      { share: 0.6, days: [-25, -1] },
      { share: 0.3, days: [0, 12] },
      { share: 0.1, days: [14, 40] },
    ],
  },
  meetings: { invalidShare: 0.15, reconveneDays: [3, 10] },
  taskBook: {
    items: [
      { share: 0.3, count: [1, 2] },
      { share: 0.5, count: [3, 5] },
      { share: 0.2, count: [6, 10] },
    ],
    objections: [
      { share: 0.6, count: [0, 0] },
      { share: 0.3, count: [1, 2] },
      { share: 0.1, count: [3, 6] },
    ],
    deadlineDays: [20, 75],
  },
  items: {
    closed: [
      { share: 0.7, days: [-14, -1] },
      { share: 0.2, days: [0, 13] },
      { share: 0.07, days: [14, 29] },
      { share: 0.03, days: [30, 45] },
    ],
  },
  extensions: { requestShare: 0.1, grantShare: 0.6, days: [14, 45] },
};

/** The most days a range may span either way, and the most items or objections a bucket may draw. */
export const PROFILE_LIMITS = { days: 400, items: 50, objections: 50, buckets: 20 } as const;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function object(v: unknown, field: string): Record<string, unknown> {
  if (!isObject(v)) throw invalidInput(field, `expected an object, got ${v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v}`);
  return v;
}
function onlyKeys(v: Record<string, unknown>, keys: readonly string[], field: string) {
  for (const k of Object.keys(v)) if (!keys.includes(k)) throw invalidInput(`${field}.${k}`, `unknown field; expected ${keys.join(', ')}`);
}
function share(v: unknown, field: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 1)
    throw invalidInput(field, `expected a share from 0 to 1, got ${JSON.stringify(v)}`);
  return v;
}
function range(v: unknown, field: string, min: number, max: number): [number, number] {
  if (!Array.isArray(v) || v.length !== 2 || !v.every((x) => Number.isInteger(x))) {
    throw invalidInput(field, `expected [from, to], two whole numbers, got ${JSON.stringify(v)}`);
  }
  const [a, b] = v as [number, number];
  if (a > b) throw invalidInput(field, `from (${a}) is after to (${b})`);
  if (a < min || b > max) throw invalidInput(field, `expected numbers from ${min} to ${max}, got [${a}, ${b}]`);
  return [a, b];
}
function buckets<T extends { share: number }>(v: unknown, field: string, key: 'days' | 'count', min: number, max: number): T[] {
  if (!Array.isArray(v) || v.length === 0) throw invalidInput(field, 'expected a non-empty array of {share, ' + key + '}');
  if (v.length > PROFILE_LIMITS.buckets) throw invalidInput(field, `at most ${PROFILE_LIMITS.buckets} buckets`);
  const out = v.map((raw, i) => {
    const f = `${field}[${i}]`;
    const b = object(raw, f);
    onlyKeys(b, ['share', key], f);
    return { share: share(b.share, `${f}.share`), [key]: range(b[key], `${f}.${key}`, min, max) } as unknown as T;
  });
  const total = out.reduce((s, b) => s + b.share, 0);
  if (Math.abs(total - 1) > 1e-9) throw invalidInput(field, `the shares add up to ${Number(total.toFixed(9))}, not 1`);
  return out;
}

/** A day of the profile in milliseconds (refused when it is not a positive span of at most one day). */
export function profileDayMs(profile: Pick<BehaviourProfile, 'day'>): number {
  const ms = durationMs(parseDuration(profile.day, 'profile.day'));
  if (ms <= 0 || ms > DAY_MS)
    throw invalidInput('profile.day', `expected a positive duration of at most P1D, got ${JSON.stringify(profile.day)}`);
  if (ms < 1000) throw invalidInput('profile.day', `at least one second (PT1S), got ${JSON.stringify(profile.day)}`);
  return ms;
}

/**
 * A client's partial profile over the default: objects merge, arrays and numbers replace. Throws INVALID_INPUT
 * naming the field (e.g. `profile.gates.P2[1].days`).
 */
export function resolveProfile(input: unknown): BehaviourProfile {
  if (input === undefined) return structuredClone(DEFAULT_PROFILE);
  const given = object(input, 'profile');
  onlyKeys(given, ['day', 'gates', 'meetings', 'taskBook', 'items', 'extensions'], 'profile');
  const d = DEFAULT_PROFILE;
  const part = (key: string, keys: readonly string[]) => {
    if (given[key] === undefined) return {};
    const o = object(given[key], `profile.${key}`);
    onlyKeys(o, keys, `profile.${key}`);
    return o;
  };
  const gates = part('gates', GATE_PHASES);
  const meetings = part('meetings', ['invalidShare', 'reconveneDays']);
  const taskBook = part('taskBook', ['items', 'objections', 'deadlineDays']);
  const items = part('items', ['closed']);
  const extensions = part('extensions', ['requestShare', 'grantShare', 'days']);
  const D = PROFILE_LIMITS.days;
  const profile: BehaviourProfile = {
    day: given.day === undefined ? d.day : (given.day as string),
    gates: {
      P2: buckets<DayBucket>(gates.P2 ?? d.gates.P2, 'profile.gates.P2', 'days', -D, D),
      P3: buckets<DayBucket>(gates.P3 ?? d.gates.P3, 'profile.gates.P3', 'days', -D, D),
      DONE: buckets<DayBucket>(gates.DONE ?? d.gates.DONE, 'profile.gates.DONE', 'days', -D, D),
    },
    meetings: {
      invalidShare: share(meetings.invalidShare ?? d.meetings.invalidShare, 'profile.meetings.invalidShare'),
      reconveneDays: range(meetings.reconveneDays ?? d.meetings.reconveneDays, 'profile.meetings.reconveneDays', 1, D),
    },
    taskBook: {
      items: buckets<CountBucket>(taskBook.items ?? d.taskBook.items, 'profile.taskBook.items', 'count', 1, PROFILE_LIMITS.items),
      objections: buckets<CountBucket>(
        taskBook.objections ?? d.taskBook.objections,
        'profile.taskBook.objections',
        'count',
        0,
        PROFILE_LIMITS.objections,
      ),
      deadlineDays: range(taskBook.deadlineDays ?? d.taskBook.deadlineDays, 'profile.taskBook.deadlineDays', 1, D),
    },
    items: { closed: buckets<DayBucket>(items.closed ?? d.items.closed, 'profile.items.closed', 'days', -D, D) },
    extensions: {
      requestShare: share(extensions.requestShare ?? d.extensions.requestShare, 'profile.extensions.requestShare'),
      grantShare: share(extensions.grantShare ?? d.extensions.grantShare, 'profile.extensions.grantShare'),
      days: range(extensions.days ?? d.extensions.days, 'profile.extensions.days', 1, D),
    },
  };
  profileDayMs(profile);
  return structuredClone(profile);
}
