// The unit lifecycle as pure rules: each command has a check (throws a DomainError naming the rule and the
// actor; the workflow's update validator calls it) and an apply (changes the state; the update handler calls
// it). Deterministic: time comes in as `now` (the workflow clock).
//
// The state stays bounded: texts arrive as stored-text references (DocRef), and what only accumulates
// (records, opinions, problems, earlier meetings, decided transitions, objections) is counted here and handed
// out as entries (`changes`) for the read model, never kept.
import { docRef, TEXT_LIMITS } from './documents';
import { invalidInput, notFound } from './errors';
import { LIMITS } from './limits';
import {
  checkedBefore,
  comment,
  isActivePhase,
  meetingValidity,
  NEXT_PHASE,
  oneOf,
  payloadId,
  requireActor,
  rungCard,
  stamp,
  text,
  unmetGates,
  unmetGatesFor,
  violation,
  worstCard,
} from './lifecycle';
import { itemId } from './ids';
import { addToInstant, latestDeadline, phaseWindow } from './plan';
import type { Plan } from './plan-types';
import { parseInstant, tryParseInstant } from './time';
import {
  type ActivePhase,
  type Actor,
  type Batch,
  type Card,
  isFinalItem,
  type Comment,
  type Decision,
  type ItemStatus,
  type Phase,
  PROBLEM_CATEGORIES,
  PROBLEM_SOURCES,
  type ProblemCategory,
  type ProblemSource,
  RECORD_KINDS,
  type RecordKind,
  RUNG_VOCABULARY,
  type RungRecipient,
  type TransitionTarget,
  ACTIVE_PHASES,
} from './types';
import type { DocRef } from './documents';
import type {
  EntryChange,
  FiredRung,
  MeetingView,
  ObjectionEntry,
  OpinionEntry,
  ProblemEntry,
  RecordEntry,
  TaskBookItemView,
  TransitionView,
  UnitEntryKind,
  UnitView,
} from './views';

export interface UnitIdentity {
  campaignId: string;
  unitId: string;
  code: string;
  name: string;
  batch: Batch;
  groupId: string;
  /** The plan version the unit starts on (absent: 1). */
  planVersion?: number;
}

export interface UnitState {
  view: UnitView;
  /** Card earned by the current phase window's overrun; a new phase starts clean. */
  windowCard: Card;
  seq: { record: number; opinion: number; problem: number; meeting: number; transition: number; objection: number };
  /** Objections (by their n) still waiting for an answer. */
  unanswered: number[];
  /** Entries that appeared or changed and are not projected yet (the workflow drains them). */
  changes: EntryChange[];
  /**
   * When the unit left each phase it has left: a phase window's ladder still catching up stops at that moment,
   * not at a later move (at most one per active phase). Absent in states carried over before it existed.
   */
  phasesLeft?: Partial<Record<ActivePhase, string>>;
  /**
   * The end of the disclosure (公示) whose timer has fired: from then the task book may take effect and no
   * objection is accepted, whatever a clock says. Set only by runs that wait for the disclosure on a timer.
   */
  disclosureElapsed?: string;
  /** When the unit took its current plan version (a ladder running on the version before stops there). */
  planChangedAt?: string;
}

export interface Ctx {
  now: number;
  plan: Plan;
}

export interface Acting {
  actor: Actor;
  comment?: Comment;
}

const zeroRecords = (): Record<RecordKind, number> => Object.fromEntries(RECORD_KINDS.map((k) => [k, 0])) as Record<RecordKind, number>;

export function newUnitState(id: UnitIdentity, plan: Plan, now: number): UnitState {
  const at = new Date(now).toISOString();
  const state: UnitState = {
    view: {
      id: id.unitId,
      campaignId: id.campaignId,
      code: id.code,
      name: id.name,
      batch: id.batch,
      groupId: id.groupId,
      phase: 'P1',
      phaseSince: at,
      status: 'active',
      card: 'none',
      window: null,
      unmetGates: [],
      counts: { records: zeroRecords(), opinions: 0, problems: 0, meetings: 0, transitions: 0 },
      validMeeting: false,
      windowRungs: [],
      ...(id.planVersion && id.planVersion > 1 ? { planVersion: id.planVersion } : {}),
      version: 0,
      updatedAt: at,
    },
    windowCard: 'none',
    seq: { record: 0, opinion: 0, problem: 0, meeting: 0, transition: 0, objection: 0 },
    unanswered: [],
    changes: [],
  };
  refreshUnit(state, { now, plan });
  return state;
}

/** Recomputes what follows from the facts (card, gates, window) and bumps the version. */
export function refreshUnit(state: UnitState, ctx: Ctx): UnitView {
  const v = state.view;
  const openItems = (v.taskBook?.items ?? []).filter((i) => !isFinalItem(i.status));
  // The unit shows the worst of its phase-window card and the cards of its unclosed items.
  v.card = v.phase === 'DONE' ? 'none' : worstCard(state.windowCard, ...openItems.map((i) => i.card));
  v.unmetGates = unmetGates(v.phase, v);
  v.window = isActivePhase(v.phase) ? { ...phaseWindow(ctx.plan, v.batch, v.phase) } : null;
  v.status = v.phase === 'DONE' ? 'done' : 'active';
  v.version += 1;
  v.updatedAt = new Date(ctx.now).toISOString();
  return v;
}

/** Refreshes the view, then queues the entries that changed with it (at the new version). */
function changed(s: UnitState, ctx: Ctx, ...entries: Array<{ kind: UnitEntryKind; id: string; seq: number; data: unknown }>) {
  refreshUnit(s, ctx);
  const at = new Date(ctx.now).toISOString();
  // A snapshot: the entry's object may change again before it is projected.
  for (const e of entries)
    s.changes.push({ ...e, data: e.data === null ? null : JSON.parse(JSON.stringify(e.data)), rev: s.view.version, at });
}

/** Takes up to `max` queued entries (oldest first) for a projection. */
export function takeChanges(s: { changes: EntryChange[] }, max: number): EntryChange[] {
  return s.changes.splice(0, max);
}

/** The unit as the access table's target: its id and assigned group. */
const unitOf = (s: UnitState) => ({ unitId: s.view.id, groupId: s.view.groupId });

const seqOf = (id: string, prefix: string): number | undefined => {
  const m = new RegExp(`^${prefix}-([1-9][0-9]{0,8})$`).exec(id);
  return m ? Number(m[1]) : undefined;
};

function inPhase(state: UnitState, phases: Phase[], rule: string, action: string, actor: Actor) {
  if (!phases.includes(state.view.phase)) {
    throw violation(
      rule,
      `${action} is allowed in ${phases.join(' or ')}; unit ${state.view.id} is in ${state.view.phase}`,
      actor,
      {},
      {
        phase: state.view.phase,
        allowed: [...phases],
      },
    );
  }
}

// ---------- records, opinions, problems ----------

/** Phases in which each record kind is accepted: study goes on all campaign long; the rest belong to their gate's phase. */
export const RECORD_PHASES: Record<RecordKind, Phase[]> = {
  study: ACTIVE_PHASES,
  investigation: ACTIVE_PHASES,
  'solicitation-report': ['P1'],
  'comparison-check': ['P2'],
  rule: ['P3'],
};

export interface AddRecordArgs extends Acting {
  kind: RecordKind;
  title: string;
  body?: DocRef;
  attachmentUri?: string;
}
export function checkAddRecord(s: UnitState, a: AddRecordArgs) {
  const actor = requireActor(a.actor, 'unit.records.add', unitOf(s));
  const kind = oneOf(a.kind, RECORD_KINDS, 'kind');
  text(a.title, 'title', LIMITS.titleChars);
  docRef(a.body, 'body', TEXT_LIMITS.recordBody, false);
  text(a.attachmentUri, 'attachmentUri', LIMITS.uriChars, false);
  comment(a.comment);
  inPhase(s, RECORD_PHASES[kind], `record.${kind}.phase`, `a ${kind} record`, actor);
}
export function applyAddRecord(s: UnitState, a: AddRecordArgs, ctx: Ctx): { id: string } {
  const n = ++s.seq.record;
  const id = `record-${n}`;
  const entry: RecordEntry = {
    id,
    kind: a.kind,
    title: a.title,
    ...(a.body !== undefined ? { body: docRef(a.body, 'body', TEXT_LIMITS.recordBody) } : {}),
    ...(a.attachmentUri !== undefined ? { attachmentUri: a.attachmentUri } : {}),
    ...stamp(a.actor, ctx.now, a.comment),
  };
  s.view.counts.records[a.kind] += 1;
  changed(s, ctx, { kind: 'record', id, seq: n, data: entry });
  return { id };
}

export interface AddOpinionArgs extends Acting {
  text: DocRef;
  contactRef?: string;
}
export function checkAddOpinion(s: UnitState, a: AddOpinionArgs) {
  const actor = requireActor(a.actor, 'unit.opinions.add', unitOf(s));
  docRef(a.text, 'text', TEXT_LIMITS.opinion);
  text(a.contactRef, 'contactRef', 100, false);
  inPhase(s, ACTIVE_PHASES, 'opinion.unit-active', 'an opinion', actor);
}
export function applyAddOpinion(s: UnitState, a: AddOpinionArgs, ctx: Ctx): { id: string } {
  const n = ++s.seq.opinion;
  const id = `opinion-${n}`;
  const entry: OpinionEntry = {
    id,
    text: docRef(a.text, 'text', TEXT_LIMITS.opinion),
    ...(a.contactRef ? { contactRef: a.contactRef } : {}),
    ...stamp(a.actor, ctx.now, a.comment),
  };
  s.view.counts.opinions += 1;
  changed(s, ctx, { kind: 'opinion', id, seq: n, data: entry });
  return { id };
}

export interface AddProblemArgs extends Acting {
  title: string;
  description?: DocRef;
  source: ProblemSource;
  category: ProblemCategory;
}
export function checkAddProblem(s: UnitState, a: AddProblemArgs) {
  const actor = requireActor(a.actor, 'unit.problems.add', unitOf(s));
  text(a.title, 'title', LIMITS.titleChars);
  docRef(a.description, 'description', TEXT_LIMITS.problemDescription, false);
  oneOf(a.source, PROBLEM_SOURCES, 'source');
  oneOf(a.category, PROBLEM_CATEGORIES, 'category');
  comment(a.comment);
  inPhase(s, ['P2', 'P3'], 'problem.phase', 'the problem inventory', actor);
}
export function applyAddProblem(s: UnitState, a: AddProblemArgs, ctx: Ctx): { id: string } {
  const n = ++s.seq.problem;
  const id = `problem-${n}`;
  const entry: ProblemEntry = {
    id,
    title: a.title,
    ...(a.description !== undefined ? { description: docRef(a.description, 'description', TEXT_LIMITS.problemDescription) } : {}),
    source: a.source,
    category: a.category,
    ...stamp(a.actor, ctx.now, a.comment),
  };
  s.view.counts.problems += 1;
  changed(s, ctx, { kind: 'problem', id, seq: n, data: entry });
  return { id };
}

// ---------- the special democratic life meeting ----------

const meetingEntry = (m: MeetingView) => ({ kind: 'meeting' as const, id: m.id, seq: seqOf(m.id, 'meeting') ?? 0, data: m });

export interface ScheduleMeetingArgs extends Acting {
  scheduledAt: string;
  location: string;
}
export function checkScheduleMeeting(s: UnitState, a: ScheduleMeetingArgs) {
  const actor = requireActor(a.actor, 'unit.meeting.schedule', unitOf(s));
  parseInstant(a.scheduledAt, 'scheduledAt');
  text(a.location, 'location', LIMITS.titleChars);
  comment(a.comment);
  inPhase(s, ['P2'], 'meeting.phase', 'the special democratic life meeting', actor);
  if (s.view.validMeeting) throw violation('meeting.already-valid', `unit ${s.view.id} already held a valid meeting`, actor);
}
export function applyScheduleMeeting(s: UnitState, a: ScheduleMeetingArgs, ctx: Ctx): MeetingView {
  const before = s.view.meeting;
  const entries = [];
  // An earlier meeting stays on record (an entry): invalid as held, or dropped when rescheduled before it was held.
  if (before?.status === 'scheduled') {
    entries.push(meetingEntry({ ...before, valid: false, reason: 'meeting.rescheduled: rescheduled before it was held' }));
  }
  const n = ++s.seq.meeting;
  s.view.meeting = {
    id: `meeting-${n}`,
    scheduledAt: a.scheduledAt,
    location: a.location,
    status: 'scheduled',
    attendance: [],
    scheduledBy: stamp(a.actor, ctx.now, a.comment),
  };
  s.view.counts.meetings = n;
  entries.push(meetingEntry(s.view.meeting));
  changed(s, ctx, ...entries);
  return s.view.meeting;
}

export interface AttendanceArgs extends Acting {
  arrivedAt: string;
  leftAt: string;
}
export function checkMeetingAttendance(s: UnitState, a: AttendanceArgs, ctx: Ctx) {
  const actor = requireActor(a.actor, 'unit.meeting.attend', unitOf(s));
  const arrived = parseInstant(a.arrivedAt, 'arrivedAt');
  const left = parseInstant(a.leftAt, 'leftAt');
  if (left <= arrived) throw invalidInput('leftAt', 'must be after arrivedAt', 'input.after', { other: 'arrivedAt' });
  comment(a.comment);
  inPhase(s, ['P2'], 'meeting.phase', 'meeting attendance', actor);
  const m = s.view.meeting;
  if (m?.status !== 'scheduled') throw violation('meeting.not-scheduled', `unit ${s.view.id} has no scheduled meeting to attest`, actor);
  if (left > ctx.now) {
    throw violation(
      'meeting.attendance-in-future',
      `presence can be attested only once it is over (leftAt ${a.leftAt} is in the future)`,
      actor,
      {},
      { leftAt: a.leftAt },
    );
  }
  if (!m.attendance.some((x) => x.supervisorId === actor.id) && m.attendance.length >= LIMITS.attendancePerMeeting) {
    throw violation(
      'meeting.attendance-limit',
      `meeting ${m.id} already has ${LIMITS.attendancePerMeeting} attestations`,
      actor,
      {},
      { max: LIMITS.attendancePerMeeting },
    );
  }
}
export function applyMeetingAttendance(s: UnitState, a: AttendanceArgs, ctx: Ctx): MeetingView {
  const m = checkedBefore(s.view.meeting, 'the scheduled meeting');
  m.attendance = m.attendance.filter((x) => x.supervisorId !== a.actor.id);
  const why = comment(a.comment);
  m.attendance.push({
    supervisorId: a.actor.id,
    // The access table admitted only a supervisor of the unit's own group.
    groupId: checkedBefore(a.actor.groupId, "the supervisor's group"),
    arrivedAt: a.arrivedAt,
    leftAt: a.leftAt,
    attestedAt: new Date(ctx.now).toISOString(),
    ...(why !== undefined ? { comment: why } : {}),
  });
  changed(s, ctx, meetingEntry(m));
  return m;
}

export interface MeetingHeldArgs extends Acting {
  startedAt: string;
  endedAt: string;
  minutes: DocRef;
}
export function checkMeetingHeld(s: UnitState, a: MeetingHeldArgs, ctx: Ctx) {
  const actor = requireActor(a.actor, 'unit.meeting.held', unitOf(s));
  const start = parseInstant(a.startedAt, 'startedAt');
  const end = parseInstant(a.endedAt, 'endedAt');
  if (end <= start) throw invalidInput('endedAt', 'must be after startedAt', 'input.after', { other: 'startedAt' });
  docRef(a.minutes, 'minutes', TEXT_LIMITS.minutes);
  comment(a.comment);
  inPhase(s, ['P2'], 'meeting.phase', 'the special democratic life meeting', actor);
  if (s.view.meeting?.status !== 'scheduled') throw violation('meeting.not-scheduled', `unit ${s.view.id} has no scheduled meeting`, actor);
  if (end > ctx.now)
    throw violation(
      'meeting.held-in-future',
      `a meeting can be recorded only once it has ended (endedAt ${a.endedAt})`,
      actor,
      {},
      { endedAt: a.endedAt },
    );
}
export function applyMeetingHeld(s: UnitState, a: MeetingHeldArgs, ctx: Ctx): { valid: boolean; reason?: string } {
  const m = checkedBefore(s.view.meeting, 'the scheduled meeting');
  const verdict = meetingValidity(m, a, s.view.groupId);
  Object.assign(m, {
    status: 'held',
    startedAt: a.startedAt,
    endedAt: a.endedAt,
    minutes: docRef(a.minutes, 'minutes', TEXT_LIMITS.minutes),
    valid: verdict.valid,
    heldBy: stamp(a.actor, ctx.now, a.comment),
  });
  if (verdict.reason) m.reason = verdict.reason;
  else delete m.reason;
  if (verdict.valid) s.view.validMeeting = true;
  changed(s, ctx, meetingEntry(m));
  return verdict;
}

// ---------- transitions ----------

const transitionEntry = (t: TransitionView) => ({ kind: 'transition' as const, id: t.id, seq: seqOf(t.id, 'transition') ?? 0, data: t });

export interface RequestTransitionArgs extends Acting {
  to: Phase;
}
export function checkRequestTransition(s: UnitState, a: RequestTransitionArgs) {
  const actor = requireActor(a.actor, 'unit.transition.request', unitOf(s));
  const to = oneOf(a.to, ['P2', 'P3', 'DONE'] as const, 'to');
  comment(a.comment);
  const next = NEXT_PHASE[s.view.phase];
  if (to !== next) {
    throw violation(
      'transition.next-phase',
      `unit ${s.view.id} is in ${s.view.phase}; it can only request ${next ?? 'nothing (done)'}, not ${to}`,
      actor,
      {},
      {
        phase: s.view.phase,
        next,
        to,
      },
    );
  }
  if (s.view.pendingTransition) {
    throw violation('transition.one-pending', `unit ${s.view.id} already has a transition awaiting the supervisor's decision`, actor);
  }
  const unmet = unmetGatesFor(to, s.view);
  if (unmet.length) {
    throw violation(
      unmet[0],
      `unit ${s.view.id} cannot enter ${to}: unmet gates ${unmet.join(', ')}`,
      actor,
      { unmetGates: unmet },
      { to, unmetGates: unmet },
    );
  }
}
export function applyRequestTransition(s: UnitState, a: RequestTransitionArgs, ctx: Ctx): { id: string; status: 'pending' } {
  const n = ++s.seq.transition;
  const t: TransitionView = {
    id: `transition-${n}`,
    from: s.view.phase,
    to: a.to,
    status: 'pending',
    requested: stamp(a.actor, ctx.now, a.comment),
  };
  s.view.pendingTransition = t;
  s.view.counts.transitions = n;
  changed(s, ctx, transitionEntry(t));
  return { id: t.id, status: 'pending' };
}

export interface DecideTransitionArgs extends Acting {
  transitionId: string;
  approve: boolean;
}
export function checkDecideTransition(s: UnitState, a: DecideTransitionArgs) {
  const actor = requireActor(a.actor, 'unit.transition.decide', unitOf(s));
  if (typeof a.approve !== 'boolean') throw invalidInput('approve', 'expected true or false');
  comment(a.comment, 'comment', !a.approve);
  const t = s.view.pendingTransition;
  if (!t || t.id !== a.transitionId) {
    const n = seqOf(payloadId(a.transitionId), 'transition');
    if (n !== undefined && n <= s.seq.transition)
      throw violation('transition.already-decided', `transition ${a.transitionId} was already decided`, actor);
    throw notFound('transition', payloadId(a.transitionId));
  }
  if (a.approve) {
    const unmet = unmetGatesFor(t.to as TransitionTarget, s.view);
    if (unmet.length) {
      throw violation(
        unmet[0],
        `cannot approve ${t.to} for unit ${s.view.id}: unmet gates ${unmet.join(', ')}`,
        actor,
        { unmetGates: unmet },
        { to: t.to, unmetGates: unmet },
      );
    }
  }
}
export function applyDecideTransition(s: UnitState, a: DecideTransitionArgs, ctx: Ctx): { status: Decision } {
  const t = checkedBefore(s.view.pendingTransition, 'the pending transition');
  t.status = a.approve ? 'approved' : 'rejected';
  t.decided = stamp(a.actor, ctx.now, a.comment);
  delete s.view.pendingTransition;
  if (a.approve) {
    // Approval moves the unit at once, even before the next phase's window opens.
    const at = new Date(ctx.now).toISOString();
    const left = s.view.phase;
    if (isActivePhase(left)) (s.phasesLeft ??= {})[left] = at;
    s.view.phase = t.to;
    s.view.phaseSince = at;
    s.windowCard = 'none';
  }
  changed(s, ctx, transitionEntry(t));
  return { status: t.status };
}

// ---------- task book (整改任务书) ----------

const itemEntry = (i: TaskBookItemView) => ({
  kind: 'task-book-item' as const,
  id: i.id,
  seq: Number(i.id.slice(i.id.lastIndexOf('-') + 1)),
  data: i,
});

export interface TaskBookItemInput {
  problemIds: string[];
  measure: DocRef;
  owner: string;
  deadline: string;
}
export interface SetTaskBookArgs extends Acting {
  signedBy: string;
  items: TaskBookItemInput[];
}
export function checkSetTaskBook(s: UnitState, a: SetTaskBookArgs, ctx: Ctx) {
  const actor = requireActor(a.actor, 'unit.task-book.set', unitOf(s));
  // 一把手负责制: the unit head signs.
  text(a.signedBy, 'signedBy', LIMITS.ownerChars);
  comment(a.comment);
  if (!Array.isArray(a.items) || a.items.length === 0) throw invalidInput('items', 'a task book needs at least one item', 'input.required');
  if (a.items.length > LIMITS.taskBookItems)
    throw invalidInput('items', `at most ${LIMITS.taskBookItems} items`, 'input.too-many', { max: LIMITS.taskBookItems });
  // Rectification outlasts the campaign, not without bound: a ladder timer of a century helps no one.
  const latest = latestDeadline(ctx.plan);
  // An update's payload may hold anything where an item should be.
  a.items.forEach((it: TaskBookItemInput | null, i) => {
    if (!it || typeof it !== 'object') throw invalidInput(`items[${i}]`, 'expected an object');
    if (!Array.isArray(it.problemIds) || it.problemIds.length === 0) {
      throw invalidInput(`items[${i}].problemIds`, 'each item is linked to at least one problem', 'taskbook.item-problem');
    }
    if (it.problemIds.length > LIMITS.problemsPerItem)
      throw invalidInput(`items[${i}].problemIds`, `at most ${LIMITS.problemsPerItem} problems`);
    it.problemIds.forEach((p, j) => {
      const n = typeof p === 'string' ? seqOf(p, 'problem') : undefined;
      if (n === undefined || n > s.seq.problem)
        throw invalidInput(`items[${i}].problemIds[${j}]`, `unknown problem ${JSON.stringify(p)} of unit ${s.view.id}`);
    });
    docRef(it.measure, `items[${i}].measure`, TEXT_LIMITS.measure);
    text(it.owner, `items[${i}].owner`, LIMITS.ownerChars);
    const deadline = tryParseInstant(it.deadline);
    if (deadline === undefined) parseInstant(it.deadline, `items[${i}].deadline`);
    else if (deadline <= ctx.now) throw invalidInput(`items[${i}].deadline`, `must be in the future (${it.deadline})`, 'input.future');
    else if (deadline > latest.ms) {
      throw invalidInput(
        `items[${i}].deadline`,
        `must be by ${latest.at}, a year and a day after the campaign's last batch ends`,
        'input.latest-deadline',
        { latest: latest.at },
      );
    }
  });
  inPhase(s, ['P3'], 'taskbook.phase', 'the task book', actor);
  if (s.view.taskBook && s.view.taskBook.status !== 'draft') {
    throw violation('taskbook.published', `the task book of unit ${s.view.id} is already published; it can no longer change`, actor);
  }
}
export function applySetTaskBook(s: UnitState, a: SetTaskBookArgs, ctx: Ctx) {
  const items: TaskBookItemView[] = a.items.map((it, i) => ({
    id: itemId(s.view.id, i + 1),
    problemIds: [...new Set(it.problemIds)],
    measure: docRef(it.measure, 'measure', TEXT_LIMITS.measure),
    owner: it.owner,
    deadline: it.deadline,
    status: 'pending',
    card: 'none',
  }));
  const before = s.view.taskBook?.items ?? [];
  s.view.taskBook = {
    signedBy: a.signedBy,
    items,
    status: 'draft',
    objectionCounts: { filed: 0, unanswered: 0 },
    setBy: stamp(a.actor, ctx.now, a.comment),
  };
  // A shorter draft drops the items it no longer has from the read model (data null).
  const dropped = before.slice(items.length).map((i) => ({ ...itemEntry(i), data: null }));
  changed(s, ctx, ...items.map(itemEntry), ...dropped);
  // The items as set (their cards are the workflow's own).
  return {
    items: items.map((i) => ({
      id: i.id,
      problemIds: i.problemIds,
      measure: i.measure,
      owner: i.owner,
      deadline: i.deadline,
      status: i.status,
    })),
  };
}

export function checkPublishTaskBook(s: UnitState, a: Acting) {
  const actor = requireActor(a.actor, 'unit.task-book.publish', unitOf(s));
  comment(a.comment);
  inPhase(s, ['P3'], 'taskbook.phase', 'the task book', actor);
  if (!s.view.taskBook) throw violation('taskbook.missing', `unit ${s.view.id} has no task book to publish`, actor);
  if (s.view.taskBook.status !== 'draft')
    throw violation('taskbook.published', `the task book of unit ${s.view.id} is already published`, actor);
}
export function applyPublishTaskBook(s: UnitState, a: Acting, ctx: Ctx): { disclosureEndsAt: string } {
  const tb = checkedBefore(s.view.taskBook, 'the task book');
  tb.status = 'disclosed';
  tb.publishedAt = new Date(ctx.now).toISOString();
  // 公示: the disclosure window counts per the plan's calendar.
  tb.disclosureEndsAt = addToInstant(ctx.now, ctx.plan.disclosure, ctx.plan.calendar);
  tb.publishedBy = stamp(a.actor, ctx.now, a.comment);
  changed(s, ctx);
  return { disclosureEndsAt: tb.disclosureEndsAt };
}

export interface FileObjectionArgs extends Acting {
  text: DocRef;
  itemId?: string;
}
export function checkFileObjection(s: UnitState, a: FileObjectionArgs, ctx: Ctx) {
  const actor = requireActor(a.actor, 'unit.objections.file', unitOf(s));
  docRef(a.text, 'text', TEXT_LIMITS.objection);
  const tb = s.view.taskBook;
  if (!tb || tb.status !== 'disclosed' || disclosureOver(s, ctx.now)) {
    const when = tb?.disclosureEndsAt ? ` (disclosure ${tb.publishedAt} – ${tb.disclosureEndsAt})` : ' (not published)';
    throw violation(
      'objection.disclosure-window',
      `objections are accepted only while the task book of unit ${s.view.id} is publicly disclosed${when}`,
      actor,
      {},
      {
        publishedAt: tb?.publishedAt ?? null,
        disclosureEndsAt: tb?.disclosureEndsAt ?? null,
      },
    );
  }
  if (a.itemId !== undefined && !tb.items.some((i) => i.id === a.itemId))
    throw invalidInput('itemId', `unknown item ${JSON.stringify(a.itemId)}`);
  if (tb.objectionCounts.filed >= LIMITS.objectionsPerTaskBook) {
    throw violation(
      'objection.limit',
      `the task book of unit ${s.view.id} already has ${LIMITS.objectionsPerTaskBook} objections`,
      actor,
      {},
      { max: LIMITS.objectionsPerTaskBook },
    );
  }
}
export function applyFileObjection(s: UnitState, a: FileObjectionArgs, ctx: Ctx): { id: string } {
  const n = ++s.seq.objection;
  const id = `objection-${n}`;
  const tb = checkedBefore(s.view.taskBook, 'the task book');
  const entry: ObjectionEntry = {
    id,
    text: docRef(a.text, 'text', TEXT_LIMITS.objection),
    ...(a.itemId ? { itemId: a.itemId } : {}),
    ...stamp(a.actor, ctx.now, a.comment),
  };
  s.unanswered.push(n);
  tb.objectionCounts = { filed: tb.objectionCounts.filed + 1, unanswered: s.unanswered.length };
  changed(s, ctx, { kind: 'objection', id, seq: n, data: entry });
  return { id };
}

export interface AnswerObjectionArgs extends Acting {
  objectionId: string;
  text: DocRef;
}
export function checkAnswerObjection(s: UnitState, a: AnswerObjectionArgs) {
  const actor = requireActor(a.actor, 'unit.objections.answer', unitOf(s));
  docRef(a.text, 'text', TEXT_LIMITS.answer);
  comment(a.comment);
  const n = seqOf(payloadId(a.objectionId), 'objection');
  if (n === undefined || n > s.seq.objection) throw notFound('objection', payloadId(a.objectionId));
  if (!s.unanswered.includes(n)) throw violation('objection.answered-once', `objection ${a.objectionId} was already answered`, actor);
}
export function applyAnswerObjection(s: UnitState, a: AnswerObjectionArgs, ctx: Ctx): { id: string } {
  const n = checkedBefore(seqOf(a.objectionId, 'objection'), 'the objection number');
  s.unanswered = s.unanswered.filter((x) => x !== n);
  const tb = checkedBefore(s.view.taskBook, 'the task book');
  tb.objectionCounts = { ...tb.objectionCounts, unanswered: s.unanswered.length };
  // The projection merges the answer into the objection's entry.
  changed(s, ctx, {
    kind: 'objection',
    id: a.objectionId,
    seq: n,
    data: { answer: { text: docRef(a.text, 'text', TEXT_LIMITS.answer), ...stamp(a.actor, ctx.now, a.comment) } },
  });
  return { id: a.objectionId };
}

/** The task book takes effect once its disclosure has elapsed and every objection is answered. */
/** The disclosure is over: its timer has fired, or (no timer fired yet) the clock has passed its end. */
function disclosureOver(s: UnitState, now: number): boolean {
  const tb = s.view.taskBook;
  if (!tb?.disclosureEndsAt) return false;
  return s.disclosureElapsed === tb.disclosureEndsAt || now >= parseInstant(tb.disclosureEndsAt, 'disclosureEndsAt');
}

/** Runs recorded before the disclosure waited on a timer: the clock decides. */
export function taskBookReady(s: UnitState, now: number): boolean {
  const tb = s.view.taskBook;
  return !!tb && tb.status === 'disclosed' && now >= parseInstant(tb.disclosureEndsAt, 'disclosureEndsAt') && s.unanswered.length === 0;
}

/** The task book takes effect once its disclosure's timer has fired and every objection is answered. */
export function taskBookMayTakeEffect(s: UnitState): boolean {
  const tb = s.view.taskBook;
  return !!tb && tb.status === 'disclosed' && s.disclosureElapsed === tb.disclosureEndsAt && s.unanswered.length === 0;
}

/** The disclosure still waiting for its timer, if any: its end. */
export function disclosureAwaitingTimer(s: UnitState): string | undefined {
  const tb = s.view.taskBook;
  return tb?.status === 'disclosed' && tb.disclosureEndsAt && s.disclosureElapsed !== tb.disclosureEndsAt ? tb.disclosureEndsAt : undefined;
}

export function applyTaskBookEffective(s: UnitState, ctx: Ctx) {
  const tb = checkedBefore(s.view.taskBook, 'the task book');
  tb.status = 'effective';
  // Never recorded as effective before its disclosure ended.
  tb.effectiveAt = new Date(
    Math.max(ctx.now, tb.disclosureEndsAt ? parseInstant(tb.disclosureEndsAt, 'disclosureEndsAt') : ctx.now),
  ).toISOString();
  for (const item of tb.items) if (item.status === 'pending') item.status = 'open';
  changed(s, ctx, ...tb.items.map(itemEntry));
}

// ---------- what the engine itself records ----------

/** An item reported its status or card (signal from its workflow). Unknown items are ignored. */
/** An item's report of its status and card; a malformed signal (no report) is refused like one from an unknown item. */
export function applyItemReport(s: UnitState, r: { itemId: string; status: ItemStatus; card: Card } | undefined, ctx: Ctx): boolean {
  const item = s.view.taskBook?.items.find((i) => i.id === r?.itemId);
  if (!item || !r) return false;
  if (item.status === r.status && item.card === r.card) return true;
  item.status = r.status;
  item.card = r.card;
  changed(s, ctx, itemEntry(item));
  return true;
}

/** When the unit left `phase` (its window's ladder stops then); undefined while it is in it. */
export function windowLadderStoppedAt(s: UnitState, phase: ActivePhase): number | undefined {
  if (s.view.phase === phase) return undefined;
  return Date.parse(s.phasesLeft?.[phase] ?? s.view.phaseSince);
}

/** A rung of the current phase window's ladder fired. */
/**
 * A rung of a phase window fired, listed under the phase whose window it is. It cards the unit only while the unit
 * is still in that phase: a rung that came due before the unit moved on, and fired as its ladder caught up, is
 * recorded, but the new phase starts clean. `cardsLeftPhase`: the rule before, for histories recorded under it.
 */
export function applyWindowRung(s: UnitState, rung: FiredRung & { phase: ActivePhase }, ctx: Ctx, o: { cardsLeftPhase?: boolean } = {}) {
  s.view.windowRungs.push({ ...rung });
  if (rung.phase === s.view.phase || o.cardsLeftPhase) s.windowCard = worstCard(s.windowCard, rungCard(rung.rung));
  changed(s, ctx);
}

/** Recipients of a rung (DOMAIN.md "Deadlines and escalation"). */
export function rungRecipients(rung: FiredRung['rung'], who: { unitId: string; groupId: string; owner?: string }): string[] {
  const address: Record<RungRecipient, string | undefined> = {
    'responsible-person': who.owner ? `responsible-person:${who.owner}` : undefined,
    'unit-head': `unit-head:${who.unitId}`,
    // A programme's goal has no supervisory group.
    group: who.groupId ? `group:${who.groupId}` : undefined,
    office: 'office',
    'discipline-inspection': 'discipline-inspection',
  };
  return RUNG_VOCABULARY[rung].notifies.flatMap((r) => address[r] ?? []);
}
