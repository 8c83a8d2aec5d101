// A change of a running campaign's plan, and what it would move: every live deadline and rung whose moment changes
// (a window moved, holidays or swapped workdays added or removed, a ladder offset changed, the disclosure period
// changed). Pure: the API reads the live facts from the read model and asks this what moves, changing nothing.
import { invalidInput } from './errors';
import { addToInstant, ladderSchedule, phaseWindow, type ScheduledRung, validatePlan } from './plan';
import type { CalendarPlan, LadderRung, Plan, Window } from './plan-types';
import { parseInstant } from './time';
import { ACTIVE_PHASES, type ActivePhase, type Batch, type Phase, type Rung } from './types';

/** What an office may change in a running campaign's plan. A batch's opening is fixed once the campaign runs. */
export interface PlanChange {
  /** Phase windows moved (a batch's end with them, when a window needs it). */
  batches?: Array<{ batch: Batch; endsAt?: string; phases?: Partial<Record<ActivePhase, Partial<Window>>> }>;
  disclosure?: string;
  ladder?: LadderRung[];
  windowLadder?: LadderRung[];
  calendar?: {
    count?: CalendarPlan['count'];
    holidays?: { add?: string[]; remove?: string[] };
    workdays?: { add?: string[]; remove?: string[] };
  };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
function onlyKeys(v: Record<string, unknown>, keys: readonly string[], field: string, why?: (k: string) => string | undefined) {
  for (const k of Object.keys(v)) {
    if (keys.includes(k)) continue;
    throw invalidInput(
      `${field}.${k}`,
      why?.(k) ?? `unknown field; expected ${keys.join(', ')}`,
      why?.(k) ? 'plan-change.fixed' : 'input.unknown-field',
    );
  }
}
function object(v: unknown, field: string): Record<string, unknown> {
  if (!isObject(v)) throw invalidInput(field, 'expected an object');
  return v;
}
function dates(v: unknown, field: string): string[] {
  if (v === undefined) return [];
  if (!Array.isArray(v) || v.length > 5_000) throw invalidInput(field, 'expected a list of dates YYYY-MM-DD (at most 5,000)');
  v.forEach((d, i) => {
    if (typeof d !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(d))
      throw invalidInput(`${field}[${i}]`, `expected a date YYYY-MM-DD, got ${JSON.stringify(d)}`);
  });
  return v as string[];
}

/**
 * The plan after the change (validated as a whole: a window that no longer fits its batch is named). Throws
 * INVALID_INPUT naming the field of the change (`change.batches[0].phases.P2.endsAt`) or of the plan.
 */
export function applyPlanChange(plan: Plan, change: unknown): Plan {
  const c = object(change, 'change');
  onlyKeys(c, ['batches', 'disclosure', 'ladder', 'windowLadder', 'calendar'], 'change');
  if (!Object.keys(c).length) throw invalidInput('change', 'changes nothing: give batches, disclosure, ladder, windowLadder or calendar');
  const next: Plan = structuredClone(plan);
  if (c.batches !== undefined) {
    if (!Array.isArray(c.batches) || c.batches.length === 0 || c.batches.length > 2)
      throw invalidInput('change.batches', 'expected 1 or 2 batches');
    c.batches.forEach((raw, i) => {
      const f = `change.batches[${i}]`;
      const b = object(raw, f);
      onlyKeys(b, ['batch', 'endsAt', 'phases'], f, (k) =>
        k === 'startsAt' ? "a batch's opening cannot move once the campaign runs (its units start then)" : undefined,
      );
      const target = next.batches.find((x) => x.batch === b.batch);
      if (!target) throw invalidInput(`${f}.batch`, `the plan has no batch ${JSON.stringify(b.batch)}`);
      if (b.endsAt !== undefined) target.endsAt = b.endsAt as string;
      if (b.phases !== undefined) {
        const phases = object(b.phases, `${f}.phases`);
        onlyKeys(phases, ACTIVE_PHASES, `${f}.phases`);
        for (const ph of ACTIVE_PHASES) {
          if (phases[ph] === undefined) continue;
          const w = object(phases[ph], `${f}.phases.${ph}`);
          onlyKeys(w, ['startsAt', 'endsAt'], `${f}.phases.${ph}`);
          target.phases[ph] = { ...target.phases[ph], ...(w as Partial<Window>) };
        }
      }
    });
  }
  if (c.disclosure !== undefined) next.disclosure = c.disclosure as string;
  if (c.ladder !== undefined) next.ladder = c.ladder as LadderRung[];
  if (c.windowLadder !== undefined) next.windowLadder = c.windowLadder as LadderRung[];
  if (c.calendar !== undefined) {
    const cal = object(c.calendar, 'change.calendar');
    onlyKeys(cal, ['count', 'holidays', 'workdays'], 'change.calendar', (k) =>
      k === 'utcOffset' ? "the campaign's zone cannot change once it runs" : undefined,
    );
    if (cal.count !== undefined) next.calendar.count = cal.count as CalendarPlan['count'];
    for (const list of ['holidays', 'workdays'] as const) {
      if (cal[list] === undefined) continue;
      const edit = object(cal[list], `change.calendar.${list}`);
      onlyKeys(edit, ['add', 'remove'], `change.calendar.${list}`);
      const add = dates(edit.add, `change.calendar.${list}.add`);
      const remove = new Set(dates(edit.remove, `change.calendar.${list}.remove`));
      next.calendar[list] = [...new Set([...next.calendar[list].filter((d) => !remove.has(d)), ...add])].sort();
    }
  }
  validatePlan(next);
  return next;
}

/** One difference between two plans: a path, what it was, what it becomes. */
export interface PlanDiffEntry {
  path: string;
  before: unknown;
  after: unknown;
}

/** What differs between two plans, path by path (holidays and workdays as the dates added and removed). */
export function planDiff(a: Plan, b: Plan): PlanDiffEntry[] {
  const out: PlanDiffEntry[] = [];
  const same = (x: unknown, y: unknown) => JSON.stringify(x) === JSON.stringify(y);
  for (const bb of b.batches) {
    const ab = a.batches.find((x) => x.batch === bb.batch);
    for (const k of ['startsAt', 'endsAt'] as const)
      if (!ab || ab[k] !== bb[k]) out.push({ path: `batches.${bb.batch}.${k}`, before: ab?.[k] ?? null, after: bb[k] });
    for (const ph of ACTIVE_PHASES)
      for (const k of ['startsAt', 'endsAt'] as const)
        if (!ab || ab.phases[ph][k] !== bb.phases[ph][k])
          out.push({ path: `batches.${bb.batch}.phases.${ph}.${k}`, before: ab?.phases[ph][k] ?? null, after: bb.phases[ph][k] });
  }
  if (a.disclosure !== b.disclosure) out.push({ path: 'disclosure', before: a.disclosure, after: b.disclosure });
  for (const k of ['ladder', 'windowLadder'] as const) {
    for (const r of b[k]) {
      const was = a[k].find((x) => x.rung === r.rung);
      if (!was || was.offset !== r.offset) out.push({ path: `${k}.${r.rung}`, before: was?.offset ?? null, after: r.offset });
    }
    for (const r of a[k]) if (!b[k].some((x) => x.rung === r.rung)) out.push({ path: `${k}.${r.rung}`, before: r.offset, after: null });
  }
  if (a.calendar.count !== b.calendar.count) out.push({ path: 'calendar.count', before: a.calendar.count, after: b.calendar.count });
  for (const list of ['holidays', 'workdays'] as const) {
    const added = b.calendar[list].filter((d) => !a.calendar[list].includes(d));
    const removed = a.calendar[list].filter((d) => !b.calendar[list].includes(d));
    if (added.length) out.push({ path: `calendar.${list}.added`, before: null, after: added });
    if (removed.length) out.push({ path: `calendar.${list}.removed`, before: removed, after: null });
  }
  if (!same(a.calendar.utcOffset, b.calendar.utcOffset))
    out.push({ path: 'calendar.utcOffset', before: a.calendar.utcOffset ?? null, after: b.calendar.utcOffset ?? null });
  return out;
}

// ---------- what a change would move ----------

/** A unit as the read model has it, with what its live deadlines need. */
export interface LiveUnit {
  id: string;
  code: string;
  name: string;
  batch: Batch;
  phase: Phase;
  /** Keys of the window rungs fired (`${workflowId}:${phase}:${rung}`). */
  firedWindowRungs: string[];
  /** The task book under disclosure, if any. */
  disclosure?: { publishedAt: string; endsAt: string };
}

/** An item whose ladder runs (open or submitted). */
export interface LiveItem {
  id: string;
  unitId: string;
  deadline: string;
  /** Keys of the rungs fired (`${workflowId}:${deadline}:${rung}`). */
  firedRungs: string[];
}

export const MOVE_SUBJECTS = ['phase-window', 'item', 'disclosure'] as const;
export type MoveSubject = (typeof MOVE_SUBJECTS)[number];

/** One live deadline or rung whose moment moves. `rung` is null for the deadline itself. */
export interface PlanMove {
  batch: Batch;
  unitId: string;
  itemId?: string;
  subject: MoveSubject;
  phase?: ActivePhase;
  rung: Rung | null;
  before: string;
  after: string;
  /** Its new moment has passed: it would fire (or take effect) at once. */
  firesAtOnce: boolean;
}

export interface BatchMoveCounts {
  deadlines: number;
  rungs: number;
  firesAtOnce: number;
  units: number;
  items: number;
}

const unitKey = (unitId: string) => `massline-unit-${unitId}`;
const itemKey = (itemId: string) => `massline-item-${itemId}`;

const iso = (ms: number) => new Date(ms).toISOString();

/** Where a move is: its batch, unit (and item), subject (and phase). */
type MoveAt = Pick<PlanMove, 'batch' | 'unitId' | 'itemId' | 'subject' | 'phase'>;

/**
 * The rungs of one ladder not fired yet whose moment moves from the old schedule to the new one (or that the new
 * ladder drops), then those the new ladder adds.
 */
function ladderMoves(old: ScheduledRung[], neu: ScheduledRung[], fired: (rung: Rung) => boolean, now: number, at: MoveAt): PlanMove[] {
  const moves: PlanMove[] = [];
  const byRung = new Map(neu.map((r) => [r.rung, r]));
  for (const r of old) {
    if (fired(r.rung)) continue;
    const n = byRung.get(r.rung);
    if (n && n.dueMs === r.dueMs) continue;
    moves.push({
      ...at,
      rung: r.rung,
      before: iso(r.dueMs),
      after: n ? iso(n.dueMs) : 'never',
      firesAtOnce: !!n && n.dueMs <= now && r.dueMs > now,
    });
  }
  // A rung the new ladder adds.
  for (const n of byRung.values()) {
    if (old.some((r) => r.rung === n.rung) || fired(n.rung)) continue;
    moves.push({ ...at, rung: n.rung, before: 'never', after: iso(n.dueMs), firesAtOnce: n.dueMs <= now });
  }
  return moves;
}

/** A unit's current phase window: its end, and its window ladder's rungs not fired yet. */
function phaseWindowMoves(u: LiveUnit, phase: ActivePhase, before: Plan, after: Plan, now: number): PlanMove[] {
  const moves: PlanMove[] = [];
  const at: MoveAt = { batch: u.batch, unitId: u.id, subject: 'phase-window', phase };
  const was = phaseWindow(before, u.batch, phase).endsAt;
  const will = phaseWindow(after, u.batch, phase).endsAt;
  if (parseInstant(was, 'endsAt') !== parseInstant(will, 'endsAt')) {
    moves.push({
      ...at,
      rung: null,
      before: was,
      after: will,
      firesAtOnce: parseInstant(will, 'endsAt') <= now && parseInstant(was, 'endsAt') > now,
    });
  }
  const fired = (rung: Rung) => u.firedWindowRungs.includes(`${unitKey(u.id)}:${phase}:${rung}`);
  const old = ladderSchedule(was, before.windowLadder, before.calendar);
  const neu = ladderSchedule(will, after.windowLadder, after.calendar);
  return [...moves, ...ladderMoves(old, neu, fired, now, at)];
}

/** The end of a disclosure under way, if the new disclosure period moves it. */
function disclosureMove(u: LiveUnit, after: Plan, now: number): PlanMove[] {
  if (!u.disclosure) return [];
  const was = parseInstant(u.disclosure.endsAt, 'disclosureEndsAt');
  const will = parseInstant(addToInstant(u.disclosure.publishedAt, after.disclosure, after.calendar), 'disclosureEndsAt');
  if (was === will || was <= now) return [];
  return [
    { batch: u.batch, unitId: u.id, subject: 'disclosure', rung: null, before: iso(was), after: iso(will), firesAtOnce: will <= now },
  ];
}

/** A running item's rungs not fired yet. */
function itemMoves(it: LiveItem, batch: Batch, before: Plan, after: Plan, now: number): PlanMove[] {
  const fired = (rung: Rung) => it.firedRungs.includes(`${itemKey(it.id)}:${it.deadline}:${rung}`);
  const old = ladderSchedule(it.deadline, before.ladder, before.calendar);
  const neu = ladderSchedule(it.deadline, after.ladder, after.calendar);
  return ladderMoves(old, neu, fired, now, { batch, unitId: it.unitId, itemId: it.id, subject: 'item' });
}

/** Moves by their new moment (those that never come last), then unit, item and rung. */
function byNewMoment(a: PlanMove, b: PlanMove): number {
  const order = (m: PlanMove) => (m.after === 'never' ? Infinity : Date.parse(m.after));
  return (
    order(a) - order(b) ||
    (a.unitId < b.unitId ? -1 : a.unitId > b.unitId ? 1 : 0) ||
    (a.itemId ?? '').localeCompare(b.itemId ?? '') ||
    String(a.rung).localeCompare(String(b.rung))
  );
}

/**
 * Every live deadline and rung of the batches that would take the change, with its moment before and after:
 * the window of each unit's current phase and the window ladder's rungs not yet fired, every running item's rungs
 * not yet fired, every disclosure under way. `before[batch]` is the plan each batch runs on now.
 */
export function planMoves(o: {
  before: Record<Batch, Plan | undefined>;
  after: Plan;
  batches: Batch[];
  now: number;
  units: LiveUnit[];
  items: LiveItem[];
}): PlanMove[] {
  const moves: PlanMove[] = [];
  const unitBatch = new Map(o.units.map((u) => [u.id, u.batch]));
  const takes = new Set(o.batches);
  for (const u of o.units) {
    const before = o.before[u.batch];
    if (!takes.has(u.batch) || !before) continue;
    if (u.phase !== 'DONE') moves.push(...phaseWindowMoves(u, u.phase, before, o.after, o.now));
    moves.push(...disclosureMove(u, o.after, o.now));
  }
  for (const it of o.items) {
    const batch = unitBatch.get(it.unitId);
    const before = batch ? o.before[batch] : undefined;
    if (!batch || !before || !takes.has(batch)) continue;
    moves.push(...itemMoves(it, batch, before, o.after, o.now));
  }
  return moves.sort(byNewMoment);
}

/** Counts by batch of what moves. */
export function moveCounts(moves: PlanMove[]): Partial<Record<'1' | '2', BatchMoveCounts>> {
  const out: Partial<Record<'1' | '2', BatchMoveCounts & { unitSet: Set<string>; itemSet: Set<string> }>> = {};
  for (const m of moves) {
    const c = (out[String(m.batch) as '1' | '2'] ??= {
      deadlines: 0,
      rungs: 0,
      firesAtOnce: 0,
      units: 0,
      items: 0,
      unitSet: new Set(),
      itemSet: new Set(),
    });
    if (m.rung === null) c.deadlines++;
    else c.rungs++;
    if (m.firesAtOnce) c.firesAtOnce++;
    c.unitSet.add(m.unitId);
    if (m.itemId) c.itemSet.add(m.itemId);
  }
  const result: Partial<Record<'1' | '2', BatchMoveCounts>> = {};
  for (const [k, v] of Object.entries(out) as Array<['1' | '2', BatchMoveCounts & { unitSet: Set<string>; itemSet: Set<string> }]>) {
    result[k] = { deadlines: v.deadlines, rungs: v.rungs, firesAtOnce: v.firesAtOnce, units: v.unitSet.size, items: v.itemSet.size };
  }
  return result;
}
