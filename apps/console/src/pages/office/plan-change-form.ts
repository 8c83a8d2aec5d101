// The plan-change form and the change it stands for: the latest plan → the form's first values, and the form's
// values → the change the API takes (only what differs from the latest plan).
import { ACTIVE_PHASES, type Batch, type LadderRung, type Plan, type Rung } from '../../../../../libs/domain/src';
import type { components } from '../../api/generated/schema';

export type PlanChangeBody = components['schemas']['PlanChangeDto'];
type BatchChange = components['schemas']['BatchChangeDto'];
type WindowsChange = NonNullable<BatchChange['phases']>;

type Direction = 'before' | 'at' | 'after';
interface RungValues {
  rung: Rung;
  direction: Direction;
  /** null when the person cleared it. */
  days: number | null;
}
/**
 * The form's store. The lists and the windows start filled from the latest plan; a select or a list left empty,
 * a number cleared (null) or a date-time cleared (undefined) is what the form then holds.
 */
export interface FormValues {
  batches?: Batch[];
  holidaysAdd?: string;
  holidaysRemove?: string[];
  workdaysAdd?: string;
  workdaysRemove?: string[];
  disclosureDays?: number | null;
  ladder?: RungValues[];
  windowLadder?: RungValues[];
  /** A phase window's end by batch and phase. */
  windows?: Partial<Record<string, Partial<Record<string, string>>>>;
  reason?: string;
}

const dates = (s: string | undefined) => (s ?? '').split(/[\s,，;；、]+/).filter(Boolean);

/** `-P7D` → 7 days before; `PT0S` → at; `P14D` → 14 days after (whole days; other offsets keep their text). */
export function toOffset(offset: string): { direction: Direction; days: number; exact: boolean } {
  // (an optional group that did not take part is undefined)
  const m: Array<string | undefined> | null = /^(-)?P(?:(\d+)W)?(?:(\d+)D)?$/.exec(offset);
  const days = m ? Number(m[2] ?? 0) * 7 + Number(m[3] ?? 0) : 0;
  return {
    direction: offset === 'PT0S' || (m && days === 0) ? 'at' : m?.[1] ? 'before' : 'after',
    days,
    exact: Boolean(m) || offset === 'PT0S',
  };
}
const toRung = (r: LadderRung): RungValues => {
  const { direction, days } = toOffset(r.offset);
  return { rung: r.rung, direction, days };
};
const fromRung = (r: RungValues) =>
  r.direction === 'at' || !r.days ? 'PT0S' : `${r.direction === 'before' ? '-' : ''}P${Math.round(r.days)}D`;

/** A batch's change from the form: each window end moved, the next window's start with it, and P3's end as the batch's. */
function batchChange(v: FormValues, b: Plan['batches'][number]): BatchChange | undefined {
  const moved: Partial<Record<(typeof ACTIVE_PHASES)[number], { startsAt?: string; endsAt?: string }>> = {};
  ACTIVE_PHASES.forEach((ph, i) => {
    const end = v.windows?.[b.batch]?.[ph];
    if (!end || Date.parse(end) === Date.parse(b.phases[ph].endsAt)) return;
    moved[ph] = { ...moved[ph], endsAt: end };
    // Windows follow each other: the next one starts where this one now ends.
    const next = ACTIVE_PHASES.at(i + 1);
    if (next) moved[next] = { ...moved[next], startsAt: end };
  });
  if (!Object.keys(moved).length) return undefined;
  // A moved window is sent whole: the end that does not move as it is (the same plan as sending one end alone).
  const windows: WindowsChange = {};
  for (const ph of ACTIVE_PHASES) {
    const w = moved[ph];
    if (w) windows[ph] = { startsAt: w.startsAt ?? b.phases[ph].startsAt, endsAt: w.endsAt ?? b.phases[ph].endsAt };
  }
  const p3End = moved.P3?.endsAt;
  return { batch: b.batch, ...(p3End ? { endsAt: p3End } : {}), phases: windows };
}

/** The change the form describes, against the latest plan: only what differs is sent. */
export function toChange(v: FormValues, plan: Plan): PlanChangeBody {
  const change: PlanChangeBody = {};
  const calendar: NonNullable<PlanChangeBody['calendar']> = {};
  for (const list of ['holidays', 'workdays'] as const) {
    const add = dates(v[`${list}Add`]).filter((d) => !plan.calendar[list].includes(d));
    const remove = v[`${list}Remove`] ?? [];
    if (add.length || remove.length) calendar[list] = { ...(add.length ? { add } : {}), ...(remove.length ? { remove } : {}) };
  }
  if (Object.keys(calendar).length) change.calendar = calendar;
  if (v.disclosureDays != null && `P${v.disclosureDays}D` !== plan.disclosure) change.disclosure = `P${Math.round(v.disclosureDays)}D`;
  for (const k of ['ladder', 'windowLadder'] as const) {
    const edited = plan[k].map((r, i) => {
      const f = v[k]?.at(i);
      return f && toOffset(r.offset).exact ? { rung: r.rung, offset: fromRung(f) } : r;
    });
    if (edited.some((r, i) => r.offset !== plan[k][i].offset)) change[k] = edited;
  }
  const batches = plan.batches.flatMap((b) => batchChange(v, b) ?? []);
  if (batches.length) change.batches = batches;
  return change;
}

export function toForm(plan: Plan): FormValues {
  const disclosure = toOffset(plan.disclosure);
  return {
    batches: plan.batches.map((b) => b.batch),
    holidaysAdd: '',
    holidaysRemove: [],
    workdaysAdd: '',
    workdaysRemove: [],
    disclosureDays: disclosure.exact ? disclosure.days : null,
    ladder: plan.ladder.map(toRung),
    windowLadder: plan.windowLadder.map(toRung),
    windows: Object.fromEntries(
      plan.batches.map((b) => [b.batch, Object.fromEntries(ACTIVE_PHASES.map((ph) => [ph, b.phases[ph].endsAt]))]),
    ),
    reason: '',
  };
}
