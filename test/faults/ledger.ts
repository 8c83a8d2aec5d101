// The fault suite's ledger, pure: which rungs were DUE — from the plan's ladders and the moments the workflows
// recorded (each deadline an item had and when it was replaced, when the item was closed or carried, when a
// unit left each phase) — against which rungs FIRED (the escalations table, the workflow views), and how late
// each one fired: after its moment, and after the process that had to fire it (the worker, Temporal) was back.
import { ladderSchedule, type CalendarPlan, type LadderRung } from '../../libs/domain/src';

export type DueKind = 'item open to the end' | 'item closed' | 'item carried' | 'item extended (replaced deadline)' | 'phase window';
export const DUE_KINDS: readonly DueKind[] = [
  'item open to the end',
  'item closed',
  'item carried',
  'item extended (replaced deadline)',
  'phase window',
];

export interface ItemRecord {
  itemId: string;
  /** Every deadline the item had, in order, with the moment it was set (the first: the item's start, its task book in effect). */
  deadlines: Array<{ deadline: string; since: number }>;
  status: 'open' | 'submitted' | 'closed' | 'carried' | 'pending';
  /** When it was closed (销号) or carried. */
  finalAt?: number;
}

export interface UnitRecord {
  unitId: string;
  /** The phases the unit entered, with the end of that phase's window and when it entered and left the phase. */
  phases: Array<{ phase: string; windowEndsAt: string; enteredAt: number; leftAt?: number }>;
}

export interface DueRung {
  /** `item|<itemId>|<deadline ms>|<rung>` or `window|<unitId>|<phase>|<rung>`. */
  key: string;
  kind: DueKind;
  subject: string;
  rung: string;
  dueMs: number;
  /**
   * When its ladder began: the deadline set (the item's start, an extension's approval) or the phase entered. A
   * rung whose moment came before that fires at once (late), so its lateness counts from here.
   */
  opensAt: number;
}

/** The moment from which a rung's lateness counts: its own, or its ladder's start if that came later. */
export const firesFrom = (d: DueRung): number => Math.max(d.dueMs, d.opensAt);

export interface FiredRung {
  key: string;
  firedAt: number;
}

export const itemRungKey = (itemId: string, deadline: string | number, rung: string) =>
  `item|${itemId}|${typeof deadline === 'number' ? deadline : Date.parse(deadline)}|${rung}`;
export const windowRungKey = (unitId: string, phase: string, rung: string) => `window|${unitId}|${phase}|${rung}`;

/**
 * The rungs that came due: of each deadline, those whose moment came before the deadline was replaced or the item
 * was closed or carried (a moment equal to that stop is not due); of each phase window, those whose moment came
 * before the unit left the phase. Moments before the subject began count: a ladder that starts late fires them.
 */
export function dueRungs(
  items: ItemRecord[],
  units: UnitRecord[],
  plan: { ladder: readonly LadderRung[]; windowLadder: readonly LadderRung[]; calendar: CalendarPlan },
): DueRung[] {
  const due: DueRung[] = [];
  for (const item of items) {
    if (item.status === 'pending') continue; // never took effect: nothing runs (the suite asserts there is none)
    item.deadlines.forEach((d, i) => {
      const replaced = i < item.deadlines.length - 1;
      const stop = replaced ? item.deadlines[i + 1].since : (item.finalAt ?? Infinity);
      const kind: DueKind = replaced
        ? 'item extended (replaced deadline)'
        : item.status === 'closed'
          ? 'item closed'
          : item.status === 'carried'
            ? 'item carried'
            : 'item open to the end';
      for (const step of ladderSchedule(d.deadline, plan.ladder, plan.calendar)) {
        if (step.dueMs < stop)
          due.push({
            key: itemRungKey(item.itemId, d.deadline, step.rung),
            kind,
            subject: item.itemId,
            rung: step.rung,
            dueMs: step.dueMs,
            opensAt: d.since,
          });
      }
    });
  }
  for (const unit of units) {
    for (const p of unit.phases) {
      const stop = p.leftAt ?? Infinity;
      for (const step of ladderSchedule(p.windowEndsAt, plan.windowLadder, plan.calendar)) {
        if (step.dueMs < stop) {
          due.push({
            key: windowRungKey(unit.unitId, p.phase, step.rung),
            kind: 'phase window',
            subject: unit.unitId,
            rung: step.rung,
            dueMs: step.dueMs,
            opensAt: p.enteredAt,
          });
        }
      }
    }
  }
  return due;
}

/**
 * When the rung a key names was due: its deadline (an item's) or its window's end (a unit's phase), moved by
 * the rung's offset in the plan's ladder. Undefined for a key of another kind or a rung the ladder lacks.
 */
export function dueMomentOf(
  key: string,
  plan: { ladder: readonly LadderRung[]; windowLadder: readonly LadderRung[]; calendar: CalendarPlan },
  windowEnds: Record<string, string>,
): number | undefined {
  const [kind, , moment, rung] = key.split('|');
  if (kind === 'item')
    return ladderSchedule(new Date(Number(moment)).toISOString(), plan.ladder, plan.calendar).find((s) => s.rung === rung)?.dueMs;
  if (kind === 'window' && windowEnds[moment])
    return ladderSchedule(windowEnds[moment], plan.windowLadder, plan.calendar).find((s) => s.rung === rung)?.dueMs;
  return undefined;
}

export interface RecordedFiring extends FiredRung {
  /** The moment the record itself says the rung was due (a workflow view's `dueAt`), if it says one. */
  dueAt?: number;
}

/**
 * The rungs whose record says they fired before they were due: before the moment the plan gives them, or before
 * the `dueAt` the record carries. Nothing a workflow records may say so (workflows/clock.ts).
 */
export function firedBeforeDue(
  fired: RecordedFiring[],
  plan: { ladder: readonly LadderRung[]; windowLadder: readonly LadderRung[]; calendar: CalendarPlan },
  windowEnds: Record<string, string>,
): Array<RecordedFiring & { dueMs: number }> {
  const early: Array<RecordedFiring & { dueMs: number }> = [];
  for (const f of fired) {
    const dueMs = Math.max(dueMomentOf(f.key, plan, windowEnds) ?? -Infinity, f.dueAt ?? -Infinity);
    if (Number.isFinite(dueMs) && f.firedAt < dueMs) early.push({ ...f, dueMs });
  }
  return early;
}

export interface Comparison {
  /** Each due rung with the moment it fired (if it fired exactly once, that moment). */
  matched: Array<DueRung & { firedAt: number }>;
  /** Due, never fired. */
  lost: DueRung[];
  /** Fired, never due. */
  extra: FiredRung[];
  /** Keys fired more than once, with how often. */
  doubled: Array<{ key: string; times: number }>;
}

export function compare(due: DueRung[], fired: FiredRung[]): Comparison {
  const firedByKey = new Map<string, FiredRung[]>();
  for (const f of fired) firedByKey.set(f.key, [...(firedByKey.get(f.key) ?? []), f]);
  const dueKeys = new Set(due.map((d) => d.key));
  const result: Comparison = { matched: [], lost: [], extra: [], doubled: [] };
  for (const d of due) {
    const f = firedByKey.get(d.key);
    if (!f) result.lost.push(d);
    else result.matched.push({ ...d, firedAt: Math.min(...f.map((x) => x.firedAt)) });
  }
  for (const [key, f] of firedByKey) {
    if (f.length > 1) result.doubled.push({ key, times: f.length });
    if (!dueKeys.has(key)) result.extra.push(...f);
  }
  return result;
}

export interface Outage {
  /** What was down: the process that fires rungs (worker, temporal) or another one. */
  what: 'worker' | 'temporal' | 'postgres' | 'api' | 'webhook';
  how: string;
  from: number;
  /** Back: the worker polling again, Temporal serving with a worker polling it, … */
  to: number;
}

/**
 * When what a rung due at `dueMs` needed to fire (the worker, Temporal, and PostgreSQL for the record its ladder
 * waits on) was last back: the latest end of an outage of theirs that overlapped the rung's wait, from its
 * moment to `firedAt` (a process killed again while catching up restarts the clock); `dueMs` if none did.
 */
export function backAt(dueMs: number, firedAt: number, outages: Outage[]): number {
  let back = dueMs;
  for (const o of outages) {
    if (o.what !== 'worker' && o.what !== 'temporal' && o.what !== 'postgres') continue;
    if (o.from < firedAt && o.to > dueMs) back = Math.max(back, o.to);
  }
  return back;
}

export interface Spread {
  n: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

/** Nearest-rank percentiles. */
export function spread(values: number[]): Spread {
  const v = [...values].sort((a, b) => a - b);
  const at = (p: number) => (v.length ? v[Math.max(0, Math.ceil(p * v.length) - 1)] : NaN);
  return { n: v.length, p50: at(0.5), p90: at(0.9), p99: at(0.99), max: v.length ? v[v.length - 1] : NaN };
}
