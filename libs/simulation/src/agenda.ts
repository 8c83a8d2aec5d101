// The agenda of a simulated campaign: what every unit, its supervisors and the public do, on which day, drawn
// from the behaviour profile with the seed. It is built before anything runs and executed as it is: by the
// simulator against the workflows on the time-skipping test server, and by the rehearsal script over HTTP
// against a live campaign (test/simulation) — the same agenda, so the same rungs, cards and referrals.
//
// Time: days of the profile's length, counted from the campaign's first day (local midnight in the campaign's
// zone on the real calendar; batch 1's start for a compressed plan). Everyone acts at midday; a special
// democratic life meeting runs 09:00–11:30; task-book deadlines fall at 18:00. Window ends (midnight) and
// deadlines are thus half a day or a quarter of a day from any action: no action races a rung.
import {
  addToInstant,
  batchPlan,
  calendarOffsetMs,
  latestDeadline,
  parseInstant,
  type ActivePhase,
  type Batch,
  type Plan,
  type RecordKind,
  type UnitKind,
  type UnitLevel,
} from '../../domain/src';
import { profileDayMs, type BehaviourProfile, type DayBucket, type GatePhase } from './profile';
import { random, type Random } from './random';

export interface SimUnit {
  code: string;
  name: string;
  kind: UnitKind;
  level: UnitLevel;
  batch: Batch;
  /** The name of its supervisory group. */
  group: string;
}

export interface SimulationInput {
  /** The campaign's name in the report. */
  name: string;
  plan: Plan;
  /** Supervisory groups by name; every unit names one. */
  groups: string[];
  units: SimUnit[];
  profile: BehaviourProfile;
  seed: string;
}

/** One thing a person does; a step's actions run in order. Sequence numbers are the workflows' own ids. */
export type SimAction =
  | { kind: 'record'; recordKind: RecordKind; title: string }
  | { kind: 'opinion' }
  | { kind: 'problem'; seq: number }
  /** The unit requests the transition (transition-`seq`) and a supervisor of its group approves it. */
  | { kind: 'pass'; to: 'P2' | 'P3' | 'DONE'; seq: number }
  | { kind: 'schedule-meeting'; seq: number; startedAt: number }
  /** The meeting is recorded held; the group's supervisor attests presence first unless `attendance` is none. */
  | { kind: 'hold-meeting'; seq: number; startedAt: number; endedAt: number; attendance: 'throughout' | 'partly' | 'none' }
  /** The task book is set and published (its items' deadlines; every item linked to every problem). */
  | { kind: 'task-book'; deadlines: number[]; problems: number }
  | { kind: 'objection'; seq: number }
  | { kind: 'answer-objection'; seq: number }
  | { kind: 'extension'; item: number; newDeadline: number }
  | { kind: 'extension-decision'; item: number; approve: boolean }
  /** Completion submitted and verified (销号). */
  | { kind: 'close'; item: number };

export interface SimStep {
  at: number;
  unit: string;
  actions: SimAction[];
}

/** A special democratic life meeting as planned: who, when, and whether its group could attend it. */
export interface PlannedMeeting {
  unit: string;
  group: string;
  day: number;
  startedAt: number;
  endedAt: number;
  attendance: 'throughout' | 'partly' | 'none';
  /** Other meetings of the same group on the same day (全程参与: the group can sit in one only). */
  clashWith: string[];
}

export interface Agenda {
  /** The first day's start; day d runs from anchor + d × dayMs. */
  anchor: number;
  dayMs: number;
  /** The campaign's zone, for dates in the report. */
  offsetMs: number;
  steps: SimStep[];
  meetings: PlannedMeeting[];
  /** How many actions, in all. */
  actions: number;
}

/** Fractions of a day. */
const MIDDAY = 0.5;
const MEETING_START = 0.375; // 09:00
const MEETING_END = 0.479; // 11:30
const DEADLINE = 0.75; // 18:00

/** Within a day, a unit's actions in this order (a meeting is recorded before the next is scheduled, …). */
const ORDER: Record<SimAction['kind'], number> = {
  record: 10,
  opinion: 11,
  problem: 20,
  'hold-meeting': 25,
  'schedule-meeting': 30,
  'task-book': 40,
  objection: 50,
  'answer-objection': 55,
  extension: 60,
  'extension-decision': 65,
  close: 70,
  pass: 90,
};

interface Clock {
  anchor: number;
  dayMs: number;
  at(day: number, fraction: number): number;
  /** The first day whose midday is at least a tenth of a day after `ms`. */
  firstDayAfter(ms: number): number;
  /** The last day whose midday is at least a tenth of a day before `ms`. */
  lastDayBefore(ms: number): number;
}

function clockOf(plan: Plan, profile: BehaviourProfile): Clock & { offsetMs: number } {
  const dayMs = profileDayMs(profile);
  const offsetMs = calendarOffsetMs(plan.calendar);
  const first = Math.min(...plan.batches.map((b) => parseInstant(b.startsAt, 'startsAt')));
  // On the real calendar days start at local midnight; a compressed day starts with the campaign.
  const anchor = dayMs === 86_400_000 ? Math.floor((first + offsetMs) / dayMs) * dayMs - offsetMs : first;
  const at = (day: number, fraction: number) => anchor + day * dayMs + Math.round(fraction * dayMs);
  return {
    anchor,
    dayMs,
    offsetMs,
    at,
    firstDayAfter: (ms) => Math.ceil((ms + 0.1 * dayMs - anchor) / dayMs - MIDDAY),
    lastDayBefore: (ms) => Math.floor((ms - 0.1 * dayMs - anchor) / dayMs - MIDDAY),
  };
}

const draw = (r: Random, buckets: readonly DayBucket[]) => {
  const b = r.pick(buckets);
  return r.int(b.days[0], b.days[1]);
};

/** What one unit does up to its meetings (the meetings are then fitted to its group's other meetings). */
interface UnitDraft {
  unit: SimUnit;
  actions: Array<{ day: number; action: SimAction }>;
  pass1: number;
  problemsDay: number;
  firstMeeting: { day: number; intended: 'throughout' | 'partly' };
  /** Where the unit means to pass into P3, before its meetings are known. */
  target2: number;
}

export function buildAgenda(input: SimulationInput): Agenda {
  const ctx = agendaContext(input);
  const { clock } = ctx;
  // Stage 1: P1, and P2 up to the first meeting.
  const drafts = input.units.map((unit) => draftUnit(ctx, unit));
  // Stage 2: meetings, day by day; a group sits in one meeting a day (全程参与).
  const { meetings, validDay } = fitMeetings(ctx, drafts);
  // Stage 3: P3, the task book and its items, DONE; then one step per unit and day.
  const steps: SimStep[] = [];
  let actionCount = 0;
  for (const d of drafts) {
    const valid = validDay.get(d.unit.code);
    if (valid === undefined) throw new Error(`unit ${d.unit.code} has no valid meeting in the agenda`);
    finishUnit(ctx, d, valid);
    for (const step of stepsOf(d, clock)) {
      steps.push(step);
      actionCount += step.actions.length;
    }
  }
  steps.sort((a, b) => a.at - b.at || (a.unit < b.unit ? -1 : a.unit > b.unit ? 1 : 0));
  meetings.sort((a, b) => a.day - b.day || (a.group < b.group ? -1 : a.group > b.group ? 1 : 0) || (a.unit < b.unit ? -1 : 1));
  return { anchor: clock.anchor, dayMs: clock.dayMs, offsetMs: clock.offsetMs, steps, meetings, actions: actionCount };
}

/** What every stage of the agenda draws on: the plan, the behaviour, the seed and the day clock. */
interface AgendaContext {
  plan: Plan;
  profile: BehaviourProfile;
  seed: string;
  clock: Clock & { offsetMs: number };
  /** The day a unit passes `gate`, drawn from the profile, counted from the end of its window of `phase`. */
  gateDay: (unit: SimUnit, phase: ActivePhase, gate: GatePhase, r: Random) => number;
  /** The last moment an item's deadline may fall on. */
  latest: number;
}

function agendaContext(input: SimulationInput): AgendaContext {
  const { plan, profile, seed } = input;
  const clock = clockOf(plan, profile);
  const windowEnd = (batch: Batch, phase: ActivePhase) => parseInstant(batchPlan(plan, batch).phases[phase].endsAt, 'endsAt');
  const gateDay = (unit: SimUnit, phase: ActivePhase, gate: GatePhase, r: Random) =>
    clock.firstDayAfter(windowEnd(unit.batch, phase)) + draw(r, profile.gates[gate]);
  return { plan, profile, seed, clock, gateDay, latest: latestDeadline(plan).ms };
}

/** One unit's P1, and its P2 up to the first meeting. */
function draftUnit({ plan, profile, seed, clock, gateDay }: AgendaContext, unit: SimUnit): UnitDraft {
  const r = random(seed, 'unit', unit.code, 'p1-p2');
  const actions: UnitDraft['actions'] = [];
  const opens = clock.firstDayAfter(parseInstant(batchPlan(plan, unit.batch).startsAt, 'startsAt'));
  const pass1 = Math.max(gateDay(unit, 'P1', 'P2', r), opens + 1);
  const deliverables = Math.max(opens, pass1 - r.int(1, 5));
  actions.push(
    { day: deliverables, action: { kind: 'record', recordKind: 'study', title: 'Study of the eight rules' } },
    { day: deliverables, action: { kind: 'opinion' } },
    { day: deliverables, action: { kind: 'record', recordKind: 'solicitation-report', title: 'Report on the opinions solicited' } },
    { day: pass1, action: { kind: 'pass', to: 'P2', seq: 1 } },
  );
  const target2 = gateDay(unit, 'P2', 'P3', r);
  const problemsDay = pass1 + 1;
  const problems = r.int(1, 3);
  for (let p = 1; p <= problems; p++) actions.push({ day: problemsDay, action: { kind: 'problem', seq: p } });
  actions.push({
    day: problemsDay,
    action: { kind: 'record', recordKind: 'comparison-check', title: 'Comparison-check materials of the leadership team' },
  });
  const meetingDay = Math.max(problemsDay + 1, target2 - r.int(3, 10));
  const intended = r.chance(profile.meetings.invalidShare) ? 'partly' : 'throughout';
  return { unit, actions, pass1, problemsDay, firstMeeting: { day: meetingDay, intended }, target2 };
}

/** A meeting a unit means to hold on a day, scheduled on `scheduledOn`. */
interface ProposedMeeting {
  draft: UnitDraft;
  intended: 'throughout' | 'partly';
  seq: number;
  scheduledOn: number;
}

/**
 * The meetings, day by day: of the units of one group meeting on the same day, the first (by code) has the group
 * throughout, the others hold theirs without it and reconvene later. Returns them, and each unit's valid day.
 */
function fitMeetings(ctx: AgendaContext, drafts: UnitDraft[]): { meetings: PlannedMeeting[]; validDay: Map<string, number> } {
  const meetings: PlannedMeeting[] = [];
  const validDay = new Map<string, number>();
  const pending = new Map<number, ProposedMeeting[]>();
  const propose = (day: number, entry: ProposedMeeting) => {
    const list = pending.get(day) ?? [];
    list.push(entry);
    pending.set(day, list);
  };
  for (const d of drafts) propose(d.firstMeeting.day, { draft: d, intended: d.firstMeeting.intended, seq: 1, scheduledOn: d.problemsDay });
  while (pending.size) {
    const day = Math.min(...pending.keys());
    const today = pending.get(day) ?? [];
    pending.delete(day);
    const byGroup = new Map<string, ProposedMeeting[]>();
    for (const m of today) {
      const list = byGroup.get(m.draft.unit.group) ?? [];
      list.push(m);
      byGroup.set(m.draft.unit.group, list);
    }
    for (const [group, list] of [...byGroup].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      list.sort((a, b) => (a.draft.unit.code < b.draft.unit.code ? -1 : a.draft.unit.code > b.draft.unit.code ? 1 : 0));
      list.forEach((m, i) => {
        const meeting = holdMeeting(ctx, { day, group, list, m, first: i === 0 });
        meetings.push(meeting);
        if (meeting.attendance === 'throughout') validDay.set(m.draft.unit.code, day);
        // Reconvened: held again some days later, scheduled right after this one is recorded.
        else {
          const r = random(ctx.seed, 'unit', m.draft.unit.code, 'meeting', m.seq);
          const { reconveneDays } = ctx.profile.meetings;
          propose(day + r.int(reconveneDays[0], reconveneDays[1]), {
            draft: m.draft,
            intended: 'throughout',
            seq: m.seq + 1,
            scheduledOn: day,
          });
        }
      });
    }
  }
  return { meetings, validDay };
}

/** One unit's meeting of the day: scheduled and held in its actions; the group attends only the first's. */
function holdMeeting(
  { clock }: AgendaContext,
  o: { day: number; group: string; list: ProposedMeeting[]; m: ProposedMeeting; first: boolean },
): PlannedMeeting {
  const { day, m, list } = o;
  const attendance = o.first ? m.intended : 'none';
  const startedAt = clock.at(day, MEETING_START);
  const endedAt = clock.at(day, MEETING_END);
  m.draft.actions.push(
    { day: m.scheduledOn, action: { kind: 'schedule-meeting', seq: m.seq, startedAt } },
    { day, action: { kind: 'hold-meeting', seq: m.seq, startedAt, endedAt, attendance } },
  );
  return {
    unit: m.draft.unit.code,
    group: o.group,
    day,
    startedAt,
    endedAt,
    attendance,
    clashWith: list.length > 1 ? list.filter((x) => x !== m).map((x) => x.draft.unit.code) : [],
  };
}

/** P3 after the valid meeting: the task book, its disclosure and objections, its items; then DONE. */
function finishUnit(ctx: AgendaContext, d: UnitDraft, validDay: number): void {
  const { seed, clock, gateDay } = ctx;
  const { unit } = d;
  const r = random(seed, 'unit', unit.code, 'p3');
  const pass2 = Math.max(d.target2, validDay + 1);
  d.actions.push({ day: pass2, action: { kind: 'pass', to: 'P3', seq: 2 } });
  const target3 = gateDay(unit, 'P3', 'DONE', r);

  const bookDay = pass2 + r.int(1, 3);
  const { disclosureEnds, lastAnswer } = disclose(ctx, d, r, bookDay);
  // Items start when the disclosure is over and every objection is answered.
  const effectiveDay = clock.firstDayAfter(Math.max(disclosureEnds, lastAnswer));
  const itemCount = r.int(...bucketRange(r, ctx.profile.taskBook.items));
  const deadlineDays: number[] = [];
  let lastClose = effectiveDay;
  for (let i = 1; i <= itemCount; i++) {
    const item = rectify(ctx, d, i, effectiveDay);
    deadlineDays.push(item.deadlineDay);
    lastClose = Math.max(lastClose, item.closeDay);
  }
  d.actions.push({
    day: bookDay,
    action: {
      kind: 'task-book',
      deadlines: deadlineDays.map((day) => clock.at(day, DEADLINE)),
      problems: d.actions.filter((a) => a.action.kind === 'problem').length,
    },
  });
  d.actions.push({
    day: lastClose,
    action: { kind: 'record', recordKind: 'rule', title: 'Rules adopted on meetings, documents and receptions' },
  });
  const passDone = Math.max(target3, lastClose + 1);
  d.actions.push({ day: passDone, action: { kind: 'pass', to: 'DONE', seq: 3 } });
}

/** The task book published on `bookDay`: its disclosure's end, and the objections filed and answered meanwhile. */
function disclose(
  { plan, profile, clock }: AgendaContext,
  d: UnitDraft,
  r: Random,
  bookDay: number,
): { disclosureEnds: number; lastAnswer: number } {
  const published = clock.at(bookDay, MIDDAY);
  const disclosureEnds = parseInstant(addToInstant(published, plan.disclosure, plan.calendar), 'disclosureEndsAt');
  // Objections are filed and answered while the disclosure lasts (on the day of publishing when it is short).
  const lastDisclosureDay = Math.max(bookDay, clock.lastDayBefore(disclosureEnds));
  const objections = r.int(...bucketRange(r, profile.taskBook.objections));
  let lastAnswer = published;
  // Numbered as the workflow numbers them: in the order they are filed.
  const filedDays = Array.from({ length: objections }, () => r.int(bookDay, lastDisclosureDay)).sort((a, b) => a - b);
  for (let o = 1; o <= objections; o++) {
    const filed = filedDays[o - 1];
    const answered = Math.min(lastDisclosureDay, filed + r.int(0, 2));
    d.actions.push({ day: filed, action: { kind: 'objection', seq: o } }, { day: answered, action: { kind: 'answer-objection', seq: o } });
    lastAnswer = Math.max(lastAnswer, clock.at(answered, MIDDAY));
  }
  return { disclosureEnds, lastAnswer };
}

/** Item `i` of the task book: its deadline, perhaps an extension asked (and granted or not), and the day it is closed. */
function rectify(
  { profile, seed, clock, latest }: AgendaContext,
  d: UnitDraft,
  i: number,
  effectiveDay: number,
): { deadlineDay: number; closeDay: number } {
  const ri = random(seed, 'unit', d.unit.code, 'item', i);
  let deadlineDay = effectiveDay + ri.int(profile.taskBook.deadlineDays[0], profile.taskBook.deadlineDays[1]);
  while (clock.at(deadlineDay, DEADLINE) > latest) deadlineDay--;
  let current = deadlineDay;
  const wantsExtension = ri.chance(profile.extensions.requestShare);
  const extensionDays = ri.int(profile.extensions.days[0], profile.extensions.days[1]);
  const granted = ri.chance(profile.extensions.grantShare);
  const requestDay = Math.max(effectiveDay, deadlineDay - ri.int(1, 5));
  const closeAfter = draw(ri, profile.items.closed);
  let newDeadline = deadlineDay + extensionDays;
  while (clock.at(newDeadline, DEADLINE) > latest) newDeadline--;
  const extension = wantsExtension && newDeadline > deadlineDay;
  if (extension && granted) current = newDeadline;
  // Days after the deadline: 0 is the day after it (the deadline falls at 18:00, the action at midday).
  let closeDay = current + closeAfter + (closeAfter >= 0 ? 1 : 0);
  closeDay = Math.max(closeDay, effectiveDay);
  if (extension && closeDay > requestDay) {
    d.actions.push(
      { day: requestDay, action: { kind: 'extension', item: i, newDeadline: clock.at(newDeadline, DEADLINE) } },
      { day: requestDay + 1, action: { kind: 'extension-decision', item: i, approve: granted } },
    );
    closeDay = Math.max(closeDay, requestDay + 1);
  }
  d.actions.push({ day: closeDay, action: { kind: 'close', item: i } });
  return { deadlineDay, closeDay };
}

/** A unit's actions as steps, one per day, in the order of the day (ORDER). */
function stepsOf(d: UnitDraft, clock: Clock): SimStep[] {
  const byDay = new Map<number, SimAction[]>();
  for (const { day, action } of [...d.actions].sort((a, b) => a.day - b.day || ORDER[a.action.kind] - ORDER[b.action.kind])) {
    const list = byDay.get(day) ?? [];
    list.push(action);
    byDay.set(day, list);
  }
  return [...byDay].map(([day, actions]) => ({ at: clock.at(day, MIDDAY), unit: d.unit.code, actions }));
}

/** The count range of one bucket, chosen by share. */
function bucketRange(r: Random, buckets: ReadonlyArray<{ share: number; count: [number, number] }>): [number, number] {
  return r.pick(buckets).count;
}
