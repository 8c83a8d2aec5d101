// The unit lifecycle as pure rules: each command has a check (throws a DomainError naming the rule and the
// actor; the workflow's update validator calls it) and an apply (changes the state; the update handler calls
// it). Deterministic: time comes in as `now` (the workflow clock).
import { invalidInput, notFound } from './errors';
import {
  assertAssignedSupervisor,
  assertPublicChannel,
  assertUnitActor,
  isActivePhase,
  meetingValidity,
  NEXT_PHASE,
  oneOf,
  RUNG_CARD,
  stamp,
  text,
  unmetGates,
  unmetGatesFor,
  violation,
  worstCard,
} from './lifecycle';
import { itemId } from './ids';
import { addToInstant, phaseWindow } from './plan';
import type { Plan } from './plan-types';
import { parseInstant, tryParseInstant } from './time';
import {
  type Actor,
  type Batch,
  type Card,
  type ItemStatus,
  type Phase,
  PROBLEM_CATEGORIES,
  PROBLEM_SOURCES,
  type ProblemCategory,
  type ProblemSource,
  RECORD_KINDS,
  type RecordKind,
} from './types';
import type { FiredRung, MeetingView, TaskBookItemView, TransitionView, UnitView } from './views';

export interface UnitIdentity {
  campaignId: string;
  unitId: string;
  code: string;
  name: string;
  batch: Batch;
  groupId: string;
}

export interface UnitState {
  view: UnitView;
  /** Card earned by the current phase window's overrun; a new phase starts clean. */
  windowCard: Card;
  seq: { record: number; opinion: number; problem: number; meeting: number; transition: number; objection: number };
  /** Keys of referral rungs already counted (items and windows), so a repeated report never counts twice. */
  referralKeys: string[];
}

export interface Ctx {
  now: number;
  plan: Plan;
}

export interface Acting {
  actor: Actor;
  comment?: string;
}

export function newUnitState(id: UnitIdentity, plan: Plan, now: number): UnitState {
  const state: UnitState = {
    view: {
      id: id.unitId,
      campaignId: id.campaignId,
      code: id.code,
      name: id.name,
      batch: id.batch,
      groupId: id.groupId,
      phase: 'P1',
      status: 'active',
      card: 'none',
      window: null,
      unmetGates: [],
      transitions: [],
      records: [],
      opinions: [],
      problems: [],
      windowRungs: [],
      version: 0,
      updatedAt: new Date(now).toISOString(),
    },
    windowCard: 'none',
    seq: { record: 0, opinion: 0, problem: 0, meeting: 0, transition: 0, objection: 0 },
    referralKeys: [],
  };
  refreshUnit(state, { now, plan });
  return state;
}

/** Recomputes what follows from the facts (card, gates, window) and bumps the version. */
export function refreshUnit(state: UnitState, ctx: Ctx): UnitView {
  const v = state.view;
  const openItems = (v.taskBook?.items ?? []).filter((i) => i.status !== 'closed' && i.status !== 'carried');
  // The unit shows the worst of its phase-window card and the cards of its unclosed items.
  v.card = v.phase === 'DONE' ? 'none' : worstCard(state.windowCard, ...openItems.map((i) => i.card));
  v.unmetGates = unmetGates(v.phase, v);
  v.window = isActivePhase(v.phase) ? { ...phaseWindow(ctx.plan, v.batch, v.phase) } : null;
  v.status = v.phase === 'DONE' ? 'done' : 'active';
  const pending = v.transitions.find((t) => t.status === 'pending');
  if (pending) v.pendingTransition = pending;
  else delete v.pendingTransition;
  v.version += 1;
  v.updatedAt = new Date(ctx.now).toISOString();
  return v;
}

/** Items that count as overdue: not closed or carried, and carded by their ladder. */
export const overdueItemCount = (v: UnitView): number =>
  (v.taskBook?.items ?? []).filter((i) => i.status !== 'closed' && i.status !== 'carried' && i.card !== 'none').length;

function inPhase(state: UnitState, phases: Phase[], rule: string, action: string, actor: Actor) {
  if (!phases.includes(state.view.phase)) {
    throw violation(rule, `${action} is allowed in ${phases.join(' or ')}; unit ${state.view.id} is in ${state.view.phase}`, actor);
  }
}

// ---------- records, opinions, problems ----------

/** Phases in which each record kind is accepted: study goes on all campaign long; the rest belong to their gate's phase. */
export const RECORD_PHASES: Record<RecordKind, Phase[]> = {
  study: ['P1', 'P2', 'P3'],
  investigation: ['P1', 'P2', 'P3'],
  'solicitation-report': ['P1'],
  'comparison-check': ['P2'],
  rule: ['P3'],
};

export interface AddRecordArgs extends Acting { kind: RecordKind; title: string; body?: string; attachmentUri?: string }
export function checkAddRecord(s: UnitState, a: AddRecordArgs) {
  const actor = assertUnitActor(a.actor, s.view.id, 'adding a record');
  const kind = oneOf(a.kind, RECORD_KINDS, 'kind');
  text(a.title, 'title', 500);
  text(a.body, 'body', 50_000, false);
  text(a.attachmentUri, 'attachmentUri', 2_000, false);
  inPhase(s, RECORD_PHASES[kind], `record.${kind}.phase`, `a ${kind} record`, actor);
}
export function applyAddRecord(s: UnitState, a: AddRecordArgs, ctx: Ctx): { id: string } {
  const id = `record-${++s.seq.record}`;
  s.view.records.push({
    id,
    kind: a.kind,
    title: a.title,
    ...(a.body !== undefined ? { body: a.body } : {}),
    ...(a.attachmentUri !== undefined ? { attachmentUri: a.attachmentUri } : {}),
    ...stamp(a.actor, ctx.now, a.comment),
  });
  refreshUnit(s, ctx);
  return { id };
}

export interface AddOpinionArgs extends Acting { text: string; contact?: string }
export function checkAddOpinion(s: UnitState, a: AddOpinionArgs) {
  const actor = assertPublicChannel(a.actor, 'an opinion');
  text(a.text, 'text', 5_000);
  text(a.contact, 'contact', 200, false);
  inPhase(s, ['P1', 'P2', 'P3'], 'opinion.unit-active', 'an opinion', actor);
}
export function applyAddOpinion(s: UnitState, a: AddOpinionArgs, ctx: Ctx): { id: string } {
  const id = `opinion-${++s.seq.opinion}`;
  s.view.opinions.push({ id, text: a.text, ...(a.contact ? { contact: a.contact } : {}), ...stamp(a.actor, ctx.now, a.comment) });
  refreshUnit(s, ctx);
  return { id };
}

export interface AddProblemArgs extends Acting { title: string; description?: string; source: ProblemSource; category: ProblemCategory }
export function checkAddProblem(s: UnitState, a: AddProblemArgs) {
  const actor = assertUnitActor(a.actor, s.view.id, 'adding a problem');
  text(a.title, 'title', 500);
  text(a.description, 'description', 20_000, false);
  oneOf(a.source, PROBLEM_SOURCES, 'source');
  oneOf(a.category, PROBLEM_CATEGORIES, 'category');
  inPhase(s, ['P2', 'P3'], 'problem.phase', 'the problem inventory', actor);
}
export function applyAddProblem(s: UnitState, a: AddProblemArgs, ctx: Ctx): { id: string } {
  const id = `problem-${++s.seq.problem}`;
  s.view.problems.push({
    id,
    title: a.title,
    ...(a.description !== undefined ? { description: a.description } : {}),
    source: a.source,
    category: a.category,
    ...stamp(a.actor, ctx.now, a.comment),
  });
  refreshUnit(s, ctx);
  return { id };
}

// ---------- the special democratic life meeting ----------

export interface ScheduleMeetingArgs extends Acting { scheduledAt: string; location: string }
export function checkScheduleMeeting(s: UnitState, a: ScheduleMeetingArgs) {
  const actor = assertUnitActor(a.actor, s.view.id, 'scheduling the meeting');
  parseInstant(a.scheduledAt, 'scheduledAt');
  text(a.location, 'location', 500);
  inPhase(s, ['P2'], 'meeting.phase', 'the special democratic life meeting', actor);
  if (s.view.meeting?.valid) throw violation('meeting.already-valid', `unit ${s.view.id} already held a valid meeting`, actor);
}
export function applyScheduleMeeting(s: UnitState, a: ScheduleMeetingArgs, ctx: Ctx): MeetingView {
  const before = s.view.meeting;
  const previous = before ? [...before.previous] : [];
  if (before) {
    const { previous: _p, ...old } = before;
    // An earlier meeting stays on record: invalid as held, or dropped when rescheduled before it was held.
    previous.push(old.status === 'scheduled' ? { ...old, valid: false, reason: 'meeting.rescheduled: rescheduled before it was held' } : old);
  }
  s.view.meeting = {
    id: `meeting-${++s.seq.meeting}`,
    scheduledAt: a.scheduledAt,
    location: a.location,
    status: 'scheduled',
    attendance: [],
    previous,
    scheduledBy: stamp(a.actor, ctx.now, a.comment),
  };
  refreshUnit(s, ctx);
  return s.view.meeting;
}

export interface AttendanceArgs extends Acting { arrivedAt: string; leftAt: string }
export function checkMeetingAttendance(s: UnitState, a: AttendanceArgs, ctx: Ctx) {
  const actor = assertAssignedSupervisor(a.actor, s.view.groupId, 'meeting attendance', 'meeting.attendance-by-group');
  const arrived = parseInstant(a.arrivedAt, 'arrivedAt');
  const left = parseInstant(a.leftAt, 'leftAt');
  if (left <= arrived) throw invalidInput('leftAt', 'must be after arrivedAt');
  inPhase(s, ['P2'], 'meeting.phase', 'meeting attendance', actor);
  if (s.view.meeting?.status !== 'scheduled') throw violation('meeting.not-scheduled', `unit ${s.view.id} has no scheduled meeting to attest`, actor);
  if (left > ctx.now) throw violation('meeting.attendance-in-future', `presence can be attested only once it is over (leftAt ${a.leftAt} is in the future)`, actor);
}
export function applyMeetingAttendance(s: UnitState, a: AttendanceArgs, ctx: Ctx): MeetingView {
  const m = s.view.meeting!;
  m.attendance = m.attendance.filter((x) => x.supervisorId !== a.actor.id);
  m.attendance.push({
    supervisorId: a.actor.id,
    groupId: a.actor.groupId!,
    arrivedAt: a.arrivedAt,
    leftAt: a.leftAt,
    attestedAt: new Date(ctx.now).toISOString(),
    ...(a.comment ? { comment: a.comment } : {}),
  });
  refreshUnit(s, ctx);
  return m;
}

export interface MeetingHeldArgs extends Acting { startedAt: string; endedAt: string; minutes: string }
export function checkMeetingHeld(s: UnitState, a: MeetingHeldArgs, ctx: Ctx) {
  const actor = assertUnitActor(a.actor, s.view.id, 'recording the meeting');
  const start = parseInstant(a.startedAt, 'startedAt');
  const end = parseInstant(a.endedAt, 'endedAt');
  if (end <= start) throw invalidInput('endedAt', 'must be after startedAt');
  text(a.minutes, 'minutes', 100_000);
  inPhase(s, ['P2'], 'meeting.phase', 'the special democratic life meeting', actor);
  if (s.view.meeting?.status !== 'scheduled') throw violation('meeting.not-scheduled', `unit ${s.view.id} has no scheduled meeting`, actor);
  if (end > ctx.now) throw violation('meeting.held-in-future', `a meeting can be recorded only once it has ended (endedAt ${a.endedAt})`, actor);
}
export function applyMeetingHeld(s: UnitState, a: MeetingHeldArgs, ctx: Ctx): { valid: boolean; reason?: string } {
  const m = s.view.meeting!;
  const verdict = meetingValidity(m, a, s.view.groupId);
  Object.assign(m, { status: 'held', startedAt: a.startedAt, endedAt: a.endedAt, minutes: a.minutes, valid: verdict.valid, heldBy: stamp(a.actor, ctx.now, a.comment) });
  if (verdict.reason) m.reason = verdict.reason;
  else delete m.reason;
  refreshUnit(s, ctx);
  return verdict;
}

// ---------- transitions ----------

export interface RequestTransitionArgs extends Acting { to: Phase }
export function checkRequestTransition(s: UnitState, a: RequestTransitionArgs) {
  const actor = assertUnitActor(a.actor, s.view.id, 'requesting a transition');
  const to = oneOf(a.to, ['P2', 'P3', 'DONE'] as const, 'to');
  text(a.comment, 'comment', 5_000, false);
  const next = NEXT_PHASE[s.view.phase];
  if (to !== next) {
    throw violation('transition.next-phase', `unit ${s.view.id} is in ${s.view.phase}; it can only request ${next ?? 'nothing (done)'}, not ${to}`, actor);
  }
  if (s.view.transitions.some((t) => t.status === 'pending')) {
    throw violation('transition.one-pending', `unit ${s.view.id} already has a transition awaiting the supervisor's decision`, actor);
  }
  const unmet = unmetGatesFor(to, s.view);
  if (unmet.length) {
    throw violation(unmet[0], `unit ${s.view.id} cannot enter ${to}: unmet gates ${unmet.join(', ')}`, actor, { unmetGates: unmet });
  }
}
export function applyRequestTransition(s: UnitState, a: RequestTransitionArgs, ctx: Ctx): { id: string; status: 'pending' } {
  const t: TransitionView = {
    id: `transition-${++s.seq.transition}`,
    from: s.view.phase,
    to: a.to,
    status: 'pending',
    requested: stamp(a.actor, ctx.now, a.comment),
  };
  s.view.transitions.push(t);
  refreshUnit(s, ctx);
  return { id: t.id, status: 'pending' };
}

export interface DecideTransitionArgs extends Acting { transitionId: string; approve: boolean; comment: string }
export function checkDecideTransition(s: UnitState, a: DecideTransitionArgs) {
  const actor = assertAssignedSupervisor(a.actor, s.view.groupId, 'transition', 'transition.no-self-approval');
  if (typeof a.approve !== 'boolean') throw invalidInput('approve', 'expected true or false');
  text(a.comment, 'comment', 5_000, !a.approve);
  const t = s.view.transitions.find((x) => x.id === a.transitionId);
  if (!t) throw notFound('transition', String(a.transitionId));
  if (t.status !== 'pending') throw violation('transition.already-decided', `transition ${t.id} was already ${t.status}`, actor);
  if (a.approve) {
    const unmet = unmetGatesFor(t.to as Exclude<Phase, 'P1'>, s.view);
    if (unmet.length) throw violation(unmet[0], `cannot approve ${t.to} for unit ${s.view.id}: unmet gates ${unmet.join(', ')}`, actor, { unmetGates: unmet });
  }
}
export function applyDecideTransition(s: UnitState, a: DecideTransitionArgs, ctx: Ctx): { status: 'approved' | 'rejected' } {
  const t = s.view.transitions.find((x) => x.id === a.transitionId)!;
  t.status = a.approve ? 'approved' : 'rejected';
  t.decided = stamp(a.actor, ctx.now, a.comment);
  if (a.approve) {
    // Approval moves the unit at once, even before the next phase's window opens.
    s.view.phase = t.to;
    s.windowCard = 'none';
  }
  refreshUnit(s, ctx);
  return { status: t.status };
}

// ---------- task book (整改任务书) ----------

export interface TaskBookItemInput { problemIds: string[]; measure: string; owner: string; deadline: string }
export interface SetTaskBookArgs extends Acting { signedBy: string; items: TaskBookItemInput[] }
export function checkSetTaskBook(s: UnitState, a: SetTaskBookArgs, ctx: Ctx) {
  const actor = assertUnitActor(a.actor, s.view.id, 'setting the task book');
  // 一把手负责制: the unit head signs.
  text(a.signedBy, 'signedBy', 200);
  if (!Array.isArray(a.items) || a.items.length === 0) throw invalidInput('items', 'a task book needs at least one item');
  if (a.items.length > 500) throw invalidInput('items', 'at most 500 items');
  const problems = new Set(s.view.problems.map((p) => p.id));
  a.items.forEach((it, i) => {
    if (!it || typeof it !== 'object') throw invalidInput(`items[${i}]`, 'expected an object');
    if (!Array.isArray(it.problemIds) || it.problemIds.length === 0) throw invalidInput(`items[${i}].problemIds`, 'each item is linked to at least one problem');
    it.problemIds.forEach((p, j) => {
      if (!problems.has(p)) throw invalidInput(`items[${i}].problemIds[${j}]`, `unknown problem ${JSON.stringify(p)} of unit ${s.view.id}`);
    });
    text(it.measure, `items[${i}].measure`, 5_000);
    text(it.owner, `items[${i}].owner`, 200);
    const deadline = tryParseInstant(it.deadline);
    if (deadline === undefined) parseInstant(it.deadline, `items[${i}].deadline`);
    else if (deadline <= ctx.now) throw invalidInput(`items[${i}].deadline`, `must be in the future (${it.deadline})`);
  });
  inPhase(s, ['P3'], 'taskbook.phase', 'the task book', actor);
  if (s.view.taskBook && s.view.taskBook.status !== 'draft') {
    throw violation('taskbook.published', `the task book of unit ${s.view.id} is already published; it can no longer change`, actor);
  }
}
export function applySetTaskBook(s: UnitState, a: SetTaskBookArgs, ctx: Ctx) {
  const items: TaskBookItemView[] = a.items.map((it, i) => ({
    id: itemId(s.view.id, i + 1),
    problemIds: [...it.problemIds],
    measure: it.measure,
    owner: it.owner,
    deadline: it.deadline,
    status: 'pending',
    card: 'none',
  }));
  s.view.taskBook = { signedBy: a.signedBy, items, status: 'draft', objections: [], setBy: stamp(a.actor, ctx.now, a.comment) };
  refreshUnit(s, ctx);
  return { items: items.map(({ card: _card, ...rest }) => rest) };
}

export function checkPublishTaskBook(s: UnitState, a: Acting) {
  const actor = assertUnitActor(a.actor, s.view.id, 'publishing the task book');
  inPhase(s, ['P3'], 'taskbook.phase', 'the task book', actor);
  if (!s.view.taskBook) throw violation('taskbook.missing', `unit ${s.view.id} has no task book to publish`, actor);
  if (s.view.taskBook.status !== 'draft') throw violation('taskbook.published', `the task book of unit ${s.view.id} is already published`, actor);
}
export function applyPublishTaskBook(s: UnitState, a: Acting, ctx: Ctx): { disclosureEndsAt: string } {
  const tb = s.view.taskBook!;
  tb.status = 'disclosed';
  tb.publishedAt = new Date(ctx.now).toISOString();
  // 公示: the disclosure window counts per the plan's calendar.
  tb.disclosureEndsAt = addToInstant(ctx.now, ctx.plan.disclosure, ctx.plan.calendar);
  tb.publishedBy = stamp(a.actor, ctx.now, a.comment);
  refreshUnit(s, ctx);
  return { disclosureEndsAt: tb.disclosureEndsAt };
}

export interface FileObjectionArgs extends Acting { text: string; itemId?: string }
export function checkFileObjection(s: UnitState, a: FileObjectionArgs, ctx: Ctx) {
  const actor = assertPublicChannel(a.actor, 'an objection');
  text(a.text, 'text', 5_000);
  const tb = s.view.taskBook;
  if (!tb || tb.status !== 'disclosed' || ctx.now >= parseInstant(tb.disclosureEndsAt, 'disclosureEndsAt')) {
    const when = tb?.disclosureEndsAt ? ` (disclosure ${tb.publishedAt} – ${tb.disclosureEndsAt})` : ' (not published)';
    throw violation('objection.disclosure-window', `objections are accepted only while the task book of unit ${s.view.id} is publicly disclosed${when}`, actor);
  }
  if (a.itemId !== undefined && !tb.items.some((i) => i.id === a.itemId)) throw invalidInput('itemId', `unknown item ${JSON.stringify(a.itemId)}`);
}
export function applyFileObjection(s: UnitState, a: FileObjectionArgs, ctx: Ctx): { id: string } {
  const id = `objection-${++s.seq.objection}`;
  s.view.taskBook!.objections.push({ id, text: a.text, ...(a.itemId ? { itemId: a.itemId } : {}), ...stamp(a.actor, ctx.now, a.comment) });
  refreshUnit(s, ctx);
  return { id };
}

export interface AnswerObjectionArgs extends Acting { objectionId: string; text: string }
export function checkAnswerObjection(s: UnitState, a: AnswerObjectionArgs) {
  const actor = assertUnitActor(a.actor, s.view.id, 'answering an objection');
  text(a.text, 'text', 20_000);
  const o = s.view.taskBook?.objections.find((x) => x.id === a.objectionId);
  if (!o) throw notFound('objection', String(a.objectionId));
  if (o.answer) throw violation('objection.answered-once', `objection ${o.id} was already answered`, actor);
}
export function applyAnswerObjection(s: UnitState, a: AnswerObjectionArgs, ctx: Ctx): { id: string } {
  const o = s.view.taskBook!.objections.find((x) => x.id === a.objectionId)!;
  o.answer = { text: a.text, ...stamp(a.actor, ctx.now, a.comment) };
  refreshUnit(s, ctx);
  return { id: o.id };
}

/** The task book takes effect once its disclosure has elapsed and every objection is answered. */
export function taskBookReady(s: UnitState, now: number): boolean {
  const tb = s.view.taskBook;
  return !!tb && tb.status === 'disclosed' && now >= parseInstant(tb.disclosureEndsAt, 'disclosureEndsAt') && tb.objections.every((o) => !!o.answer);
}
export function applyTaskBookEffective(s: UnitState, ctx: Ctx) {
  const tb = s.view.taskBook!;
  tb.status = 'effective';
  tb.effectiveAt = new Date(ctx.now).toISOString();
  for (const item of tb.items) if (item.status === 'pending') item.status = 'open';
  refreshUnit(s, ctx);
}

// ---------- what the engine itself records ----------

/** An item reported its status or card (signal from its workflow). Unknown items are ignored. */
export function applyItemReport(s: UnitState, r: { itemId: string; status: ItemStatus; card: Card; rung?: FiredRung }, ctx: Ctx): boolean {
  const item = s.view.taskBook?.items.find((i) => i.id === r.itemId);
  if (!item) return false;
  item.status = r.status;
  item.card = r.card;
  if (r.rung?.rung === 'referral') {
    const key = r.rung.key ?? `${r.itemId}:${r.rung.deadline}:referral`;
    if (!s.referralKeys.includes(key)) s.referralKeys.push(key);
  }
  refreshUnit(s, ctx);
  return true;
}

/** A rung of the current phase window's ladder fired. */
export function applyWindowRung(s: UnitState, rung: FiredRung, ctx: Ctx) {
  s.view.windowRungs.push({ ...rung, phase: s.view.phase });
  s.windowCard = worstCard(s.windowCard, RUNG_CARD[rung.rung]);
  if (rung.rung === 'referral' && rung.key && !s.referralKeys.includes(rung.key)) s.referralKeys.push(rung.key);
  refreshUnit(s, ctx);
}

/** Recipients of a rung (DOMAIN.md "Deadlines and escalation"). */
export function rungRecipients(rung: FiredRung['rung'], who: { unitId: string; groupId: string; owner?: string }): string[] {
  switch (rung) {
    case 'reminder':
      return [...(who.owner ? [`responsible-person:${who.owner}`] : []), `unit-head:${who.unitId}`];
    case 'yellow':
      return [`unit-head:${who.unitId}`, `group:${who.groupId}`];
    case 'red':
      return ['office'];
    case 'referral':
      return ['discipline-inspection'];
  }
}
