// The report of a simulated campaign, built from what the real workflows and activities recorded in the scratch
// database (the facts), never from the agenda: it shows what the engine did with the behaviour, not what the
// behaviour meant to do. Deterministic: days and weeks in the campaign's zone, everything sorted, no wall time
// and no database ids (units by code, items by unit code and number), so the same input gives the same bytes.
import { byRung, RUNGS, type Batch, type Phase, type Plan, type Rung } from '../../domain/src';
import type { BehaviourProfile } from './profile';

export const REPORT_FORMAT = 'massline-simulation-report/1';

/** What the scratch database holds at the end of a simulation (libs/persistence SimulationRepository reads it). */
export interface SimulationFacts {
  units: Array<{ code: string; name: string; batch: Batch; group: string; phase: Phase; card: string }>;
  rungs: Array<{
    unit: string;
    subject: 'item' | 'phase-window';
    phase: Phase | null;
    rung: Rung;
    firedAt: number;
    deadline: number;
    item: number | null;
  }>;
  /** Approved transitions: the moment a unit left `from`. */
  transitions: Array<{ unit: string; from: Phase; to: Phase; at: number }>;
  /** Special democratic life meetings recorded held. */
  meetings: Array<{ unit: string; startedAt: number; endedAt: number; valid: boolean }>;
  /** Measures proposed by referral rungs. */
  measures: Array<{ unit: string; item: number | null }>;
  items: Array<{ unit: string; item: number; status: string; extensions: number }>;
}

export type RungCounts = Record<Rung, number>;
const zeroRungs = (): RungCounts => byRung(() => 0);

export interface SimulationReport {
  format: typeof REPORT_FORMAT;
  campaign: {
    name: string;
    /** The calendar's UTC offset: every date of the report is a day in this zone. */
    utcOffset: string;
    units: number;
    groups: number;
    batches: Array<{ batch: Batch; startsAt: string; endsAt: string; units: number }>;
    /** First and last day the report covers. */
    from: string;
    to: string;
  };
  input: { seed: string; profile: BehaviourProfile; plan: Plan };
  totals: {
    rungs: RungCounts;
    itemRungs: RungCounts;
    windowRungs: RungCounts;
    cards: { yellow: number; red: number };
    referrals: number;
    measuresProposed: number;
    items: number;
    itemsExtended: number;
    meetings: number;
    meetingsInvalid: number;
    clashDays: number;
  };
  /** Per week (from its Monday): the rungs fired by kind and the cards (yellow and red rungs) by batch. */
  weeks: Array<{ week: string; rungs: RungCounts; cards: Record<'1' | '2', { yellow: number; red: number }> }>;
  /** Per batch and phase: the units still in the phase when its window ended. */
  phaseOverruns: Array<{ batch: Batch; phase: 'P1' | 'P2' | 'P3'; windowEndsAt: string; stillIn: number; units: string[] }>;
  /** Per supervisory group: the meetings it must attend (全程参与), per day, and the days with more than one. */
  groups: Array<{ group: string; units: number; meetings: number; busiest: number; days: Array<{ date: string; meetings: number }> }>;
  /** The days one group must be in two meetings at once, named. */
  clashes: Array<{ group: string; date: string; units: string[] }>;
  referrals: Array<{ batch: Batch; item: number; window: number; units: number }>;
  /** The days the most lands on the office: red cards (to the office) and referral proposals it confirms. */
  officeBusiestDays: Array<{ date: string; red: number; referrals: number; total: number }>;
  /** Every unit's outcome: what the honest-by-construction comparison checks. */
  perUnit: Array<{
    unit: string;
    batch: Batch;
    group: string;
    phase: Phase;
    itemRungs: RungCounts;
    windowRungs: RungCounts;
    cards: { yellow: number; red: number };
    referrals: number;
  }>;
}

/** The most unit codes listed in one cell of the report (the count says how many there are). */
export const REPORT_LIST_MAX = 50;
/** The most clashes listed (the total is in `totals.clashDays`). */
export const REPORT_CLASHES_MAX = 1_000;

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export function offsetText(offsetMs: number): string {
  const sign = offsetMs < 0 ? '-' : '+';
  const m = Math.abs(offsetMs) / 60_000;
  return `${sign}${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
}

export function buildReport(o: {
  name: string;
  plan: Plan;
  profile: BehaviourProfile;
  seed: string;
  groups: string[];
  offsetMs: number;
  facts: SimulationFacts;
}): SimulationReport {
  const { facts, plan, offsetMs } = o;
  const zone = zoneDays(offsetMs);
  const { perUnit, totals, weeks, office, referrals } = countRungs(facts, zone);
  const phaseOverruns = phaseOverrunsOf(facts, plan);
  const { groups, clashes } = groupsOf(o.groups, facts, zone);
  totals.clashDays = clashes.days;

  const times = facts.rungs
    .map((r) => r.firedAt)
    .concat(
      facts.meetings.map((m) => m.startedAt),
      facts.transitions.map((t) => t.at),
    );
  const first = Math.min(...plan.batches.map((b) => Date.parse(b.startsAt)));
  const last = Math.max(...plan.batches.map((b) => Date.parse(b.endsAt)), ...times);
  return {
    format: REPORT_FORMAT,
    campaign: campaignOf(o.name, plan, facts, { zone, offsetMs, first, last, groups: groups.length }),
    input: { seed: o.seed, profile: o.profile, plan },
    totals,
    weeks: everyWeek(weeks, zone.monday(first), zone.monday(last - 1)),
    phaseOverruns,
    groups,
    clashes: clashes.listed,
    referrals: [...referrals.values()]
      .sort((a, b) => a.batch - b.batch)
      .map((r) => ({ batch: r.batch, item: r.item, window: r.window, units: r.units.size })),
    officeBusiestDays: [...office.values()].sort((a, b) => b.total - a.total || cmp(a.date, b.date)).slice(0, 10),
    perUnit: [...perUnit.values()].sort((a, b) => cmp(a.unit, b.unit)),
  };
}

/** The campaign as the report names it: its size, its batches and the days the report covers. */
function campaignOf(
  name: string,
  plan: Plan,
  facts: SimulationFacts,
  o: { zone: ZoneDays; offsetMs: number; first: number; last: number; groups: number },
): SimulationReport['campaign'] {
  return {
    name,
    utcOffset: offsetText(o.offsetMs),
    units: facts.units.length,
    groups: o.groups,
    batches: [...plan.batches]
      .sort((a, b) => a.batch - b.batch)
      .map((b) => ({
        batch: b.batch,
        startsAt: b.startsAt,
        endsAt: b.endsAt,
        units: facts.units.filter((u) => u.batch === b.batch).length,
      })),
    from: o.zone.date(o.first),
    to: o.zone.date(o.last - 1),
  };
}

/** Days and weeks (from their Monday) in the campaign's zone. */
interface ZoneDays {
  date(ms: number): string;
  monday(ms: number): string;
}

function zoneDays(offsetMs: number): ZoneDays {
  return {
    date: (ms) => new Date(ms + offsetMs).toISOString().slice(0, 10),
    monday: (ms) => {
      const local = new Date(ms + offsetMs);
      const back = (local.getUTCDay() + 6) % 7;
      return new Date(Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate() - back)).toISOString().slice(0, 10);
    },
  };
}

type UnitOutcome = SimulationReport['perUnit'][number];
type OfficeDay = SimulationReport['officeBusiestDays'][number];
type BatchReferrals = { batch: Batch; item: number; window: number; units: Set<string> };

/** The rungs fired, counted in total, per unit, per week, per office day and per batch (referrals). */
function countRungs(facts: SimulationFacts, zone: ZoneDays) {
  const { perUnit, totals } = zeroCounts(facts);
  const weeks = new Map<string, SimulationReport['weeks'][number]>();
  const office = new Map<string, OfficeDay>();
  const referrals = new Map<Batch, BatchReferrals>();
  for (const r of facts.rungs) {
    const u = perUnit.get(r.unit);
    if (!u) throw new Error(`a rung of unit ${r.unit}, which is not among the simulated units`);
    totals.rungs[r.rung]++;
    (r.subject === 'item' ? totals.itemRungs : totals.windowRungs)[r.rung]++;
    (r.subject === 'item' ? u.itemRungs : u.windowRungs)[r.rung]++;
    const w = zone.monday(r.firedAt);
    let week = weeks.get(w);
    if (!week) weeks.set(w, (week = { week: w, rungs: zeroRungs(), cards: { '1': { yellow: 0, red: 0 }, '2': { yellow: 0, red: 0 } } }));
    week.rungs[r.rung]++;
    if (r.rung === 'yellow' || r.rung === 'red') {
      totals.cards[r.rung]++;
      u.cards[r.rung]++;
      week.cards[String(u.batch) as '1' | '2'][r.rung]++;
    }
    if (r.rung === 'red' || r.rung === 'referral') countOfficeDay(office, zone.date(r.firedAt), r.rung);
    if (r.rung === 'referral') {
      totals.referrals++;
      u.referrals++;
      const b = referrals.get(u.batch) ?? { batch: u.batch, item: 0, window: 0, units: new Set<string>() };
      if (r.subject === 'item') b.item++;
      else b.window++;
      b.units.add(r.unit);
      referrals.set(u.batch, b);
    }
  }
  return { perUnit, totals, weeks, office, referrals };
}

/** Every unit's outcome and the totals, before a rung is counted (the facts' own counts filled in). */
function zeroCounts(facts: SimulationFacts): { perUnit: Map<string, UnitOutcome>; totals: SimulationReport['totals'] } {
  const perUnit = new Map<string, UnitOutcome>(
    facts.units.map((u) => [
      u.code,
      {
        unit: u.code,
        batch: u.batch,
        group: u.group,
        phase: u.phase,
        itemRungs: zeroRungs(),
        windowRungs: zeroRungs(),
        cards: { yellow: 0, red: 0 },
        referrals: 0,
      },
    ]),
  );
  const totals: SimulationReport['totals'] = {
    rungs: zeroRungs(),
    itemRungs: zeroRungs(),
    windowRungs: zeroRungs(),
    cards: { yellow: 0, red: 0 },
    referrals: 0,
    measuresProposed: facts.measures.length,
    items: facts.items.length,
    itemsExtended: facts.items.filter((i) => i.extensions > 0).length,
    meetings: facts.meetings.length,
    meetingsInvalid: facts.meetings.filter((m) => !m.valid).length,
    clashDays: 0,
  };
  return { perUnit, totals };
}

/** A red card or a referral proposal lands on the office that day. */
function countOfficeDay(office: Map<string, OfficeDay>, d: string, rung: 'red' | 'referral'): void {
  const day = office.get(d) ?? { date: d, red: 0, referrals: 0, total: 0 };
  if (rung === 'red') day.red++;
  else day.referrals++;
  day.total++;
  office.set(d, day);
}

/** Per batch and phase, the units still in the phase when its window ended. */
function phaseOverrunsOf(facts: SimulationFacts, plan: Plan): SimulationReport['phaseOverruns'] {
  const left = new Map<string, number>();
  for (const t of facts.transitions) left.set(`${t.unit}|${t.from}`, t.at);
  const enteredBefore = (code: string, phase: 'P1' | 'P2' | 'P3', end: number): boolean => {
    if (phase === 'P1') return true;
    const prev = phase === 'P2' ? 'P1' : 'P2';
    const at = left.get(`${code}|${prev}`);
    return at !== undefined && at <= end;
  };
  const phaseOverruns: SimulationReport['phaseOverruns'] = [];
  for (const b of [...plan.batches].sort((x, y) => x.batch - y.batch)) {
    for (const phase of ['P1', 'P2', 'P3'] as const) {
      const end = Date.parse(b.phases[phase].endsAt);
      const still = facts.units
        .filter((u) => u.batch === b.batch)
        .filter((u) => {
          const at = left.get(`${u.code}|${phase}`);
          // Never left it, or left it after the window ended; a unit that left an earlier phase late enough
          // to miss this window entirely is still in an earlier phase, not this one.
          if (at !== undefined) return at > end && enteredBefore(u.code, phase, end);
          return enteredBefore(u.code, phase, end);
        })
        .map((u) => u.code)
        .sort(cmp);
      phaseOverruns.push({
        batch: b.batch,
        phase,
        windowEndsAt: b.phases[phase].endsAt,
        stillIn: still.length,
        units: still.slice(0, REPORT_LIST_MAX),
      });
    }
  }
  return phaseOverruns;
}

/** Supervisory groups: the meetings they must attend per day, and the days of two at once (counted, the first listed). */
function groupsOf(
  groupNames: string[],
  facts: SimulationFacts,
  zone: ZoneDays,
): { groups: SimulationReport['groups']; clashes: { days: number; listed: SimulationReport['clashes'] } } {
  const unitBy = new Map(facts.units.map((u) => [u.code, u]));
  const groupDays = new Map<string, Map<string, string[]>>();
  const groupUnits = new Map<string, number>();
  for (const u of facts.units) groupUnits.set(u.group, (groupUnits.get(u.group) ?? 0) + 1);
  for (const m of facts.meetings) {
    const unit = unitBy.get(m.unit);
    if (!unit) throw new Error(`a meeting of unit ${m.unit}, which is not among the simulated units`);
    const days = groupDays.get(unit.group) ?? new Map<string, string[]>();
    const d = zone.date(m.startedAt);
    days.set(d, [...(days.get(d) ?? []), m.unit]);
    groupDays.set(unit.group, days);
  }
  const clashes = { days: 0, listed: [] as SimulationReport['clashes'] };
  const groups = [...new Set([...groupNames, ...facts.units.map((u) => u.group)])].sort(cmp).map((group) => {
    const days = [...(groupDays.get(group) ?? new Map<string, string[]>())].sort(([a], [b]) => cmp(a, b));
    for (const [d, units] of days) {
      if (units.length > 1) {
        clashes.days++;
        if (clashes.listed.length < REPORT_CLASHES_MAX) clashes.listed.push({ group, date: d, units: [...units].sort(cmp) });
      }
    }
    return {
      group,
      units: groupUnits.get(group) ?? 0,
      meetings: days.reduce((s, [, u]) => s + u.length, 0),
      busiest: days.reduce((m, [, u]) => Math.max(m, u.length), 0),
      days: days.map(([d, u]) => ({ date: d, meetings: u.length })),
    };
  });
  return { groups, clashes };
}

/** Every week from `from` to `to` (Mondays), those without a rung at zero: a chart's axis keeps its scale. */
function everyWeek(weeks: Map<string, SimulationReport['weeks'][number]>, from: string, to: string): SimulationReport['weeks'] {
  const out: SimulationReport['weeks'] = [];
  const last = [...weeks.keys()].reduce((m, w) => (w > m ? w : m), to);
  for (let t = Date.parse(`${from}T00:00:00Z`); ; t += 7 * 86_400_000) {
    const week = new Date(t).toISOString().slice(0, 10);
    if (week > last) break;
    out.push(weeks.get(week) ?? { week, rungs: zeroRungs(), cards: { '1': { yellow: 0, red: 0 }, '2': { yellow: 0, red: 0 } } });
  }
  return out;
}

/** The rung names in the ladder's order, for tables and charts. */
export const RUNG_ORDER: readonly Rung[] = RUNGS;
