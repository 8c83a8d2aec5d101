// Pure rules of the campaign shared by the workflows, the API and the tests:
// batches, cards, gates, the meeting rule, who may act (by the access table), and how refusals are worded.
import { DomainError, type DomainErrorDetails, type ErrorCode, invalidInput, type RefusalParams } from './errors';
import { requireAccess, type AccessTarget, type Action } from './access';
import { parseInstant } from './time';
import { docRef, INLINE_TEXT_MAX, isDocRef, TEXT_LIMITS } from './documents';
import {
  isFinalItem,
  RUNG_VOCABULARY,
  type Actor,
  type ActivePhase,
  type Batch,
  type Card,
  type Comment,
  type Phase,
  type Rung,
  type Stamp,
  type TransitionTarget,
  type UnitKind,
  type UnitLevel,
} from './types';
import type { MeetingView, UnitView } from './views';

// ---------- calendar: which batch ----------

/**
 * Batch 1: municipal organs, enterprises, universities and their directly affiliated units.
 * Batch 2: district and county(-city) organs, their affiliated units, and grassroots organisations.
 * An explicit batch set by the office wins.
 */
export function batchOf(kind: UnitKind, level: UnitLevel, explicit?: Batch): Batch {
  if (explicit !== undefined) return explicit;
  if (kind === 'grassroots') return 2;
  return level === 'municipal' ? 1 : 2;
}

// ---------- phases ----------

export const NEXT_PHASE: Record<Phase, Phase | null> = { P1: 'P2', P2: 'P3', P3: 'DONE', DONE: null };
export const isActivePhase = (p: Phase): p is ActivePhase => p !== 'DONE';

// ---------- cards ----------

const CARD_RANK: Record<Card, number> = { none: 0, yellow: 1, red: 2 };
/** Cards order none < yellow < red; a unit shows the worst that applies. */
export const compareCards = (a: Card, b: Card): number => CARD_RANK[a] - CARD_RANK[b];
export const worstCard = (...cards: Card[]): Card => cards.reduce<Card>((w, c) => (CARD_RANK[c] > CARD_RANK[w] ? c : w), 'none');
/** The card a rung shows (RUNG_VOCABULARY): a reminder shows none, a referral keeps red. */
export const rungCard = (rung: Rung): Card => RUNG_VOCABULARY[rung].card;

// ---------- gates ----------

/** Gates to enter each phase, by rule name. */
export const GATES = {
  P2: ['gate.P2.study-record', 'gate.P2.opinion', 'gate.P2.solicitation-report'],
  P3: ['gate.P3.problem', 'gate.P3.comparison-check', 'gate.P3.valid-meeting'],
  DONE: ['gate.DONE.task-book-effective', 'gate.DONE.items-closed', 'gate.DONE.rule-recorded'],
} as const;
export type GateName = (typeof GATES)[keyof typeof GATES][number];

export type GateFacts = Pick<UnitView, 'counts' | 'validMeeting' | 'taskBook'>;

const gateMet: Record<GateName, (u: GateFacts) => boolean> = {
  'gate.P2.study-record': (u) => u.counts.records.study > 0,
  'gate.P2.opinion': (u) => u.counts.opinions > 0,
  'gate.P2.solicitation-report': (u) => u.counts.records['solicitation-report'] > 0,
  'gate.P3.problem': (u) => u.counts.problems > 0,
  'gate.P3.comparison-check': (u) => u.counts.records['comparison-check'] > 0,
  'gate.P3.valid-meeting': (u) => u.validMeeting,
  // Effective = disclosure elapsed and every objection answered.
  'gate.DONE.task-book-effective': (u) => u.taskBook?.status === 'effective',
  'gate.DONE.items-closed': (u) => !!u.taskBook && u.taskBook.items.length > 0 && u.taskBook.items.every((i) => isFinalItem(i.status)),
  'gate.DONE.rule-recorded': (u) => u.counts.records.rule > 0,
};

/** Gates to enter `to` that the unit does not meet yet. */
export function unmetGatesFor(to: TransitionTarget, facts: GateFacts): GateName[] {
  return GATES[to].filter((g) => !gateMet[g](facts));
}

/** Gates of the unit's next transition that are not met (none once DONE). */
export function unmetGates(phase: Phase, facts: GateFacts): GateName[] {
  const next = NEXT_PHASE[phase];
  return next ? unmetGatesFor(next as TransitionTarget, facts) : [];
}

// ---------- the special democratic life meeting (专题民主生活会) ----------

/**
 * 全程参与: a meeting counts only if a member of the unit's assigned supervisory group attests presence covering it
 * from start to end (arrived ≤ start, left ≥ end).
 */
export function meetingValidity(
  meeting: Pick<MeetingView, 'attendance'>,
  held: { startedAt: string; endedAt: string },
  groupId: string,
): { valid: boolean; reason?: string } {
  const start = parseInstant(held.startedAt, 'startedAt');
  const end = parseInstant(held.endedAt, 'endedAt');
  const covering = meeting.attendance.find(
    (a) => a.groupId === groupId && parseInstant(a.arrivedAt, 'arrivedAt') <= start && parseInstant(a.leftAt, 'leftAt') >= end,
  );
  if (covering) return { valid: true };
  const who = meeting.attendance.filter((a) => a.groupId === groupId).map((a) => `${a.supervisorId} ${a.arrivedAt}–${a.leftAt}`);
  return {
    valid: false,
    reason:
      `meeting.full-attendance: no member of supervisory group ${groupId} attested presence from start (${held.startedAt}) ` +
      `to end (${held.endedAt})${who.length ? `; attested: ${who.join(', ')}` : '; no attestation'}. The meeting is invalid and must be reconvened.`,
  };
}

// ---------- refusals ----------

/**
 * A refusal that names the rule and the actor: `[rule] message (actor id, role)`, with the rule's values as
 * data (`params`, for the wording in either language; the actor's role is always among them).
 */
export function refuse(
  code: ErrorCode,
  rule: string,
  message: string,
  actor?: Pick<Actor, 'id' | 'role'>,
  details: DomainErrorDetails = {},
  params: RefusalParams = {},
) {
  const who = actor ? ` (actor ${actor.id}, ${actor.role})` : '';
  return new DomainError(code, `[${rule}] ${message}${who}`, {
    ...details,
    rule,
    params: { ...(details.params ?? {}), ...params, ...(actor ? { role: actor.role } : {}) },
    ...(actor ? { actorId: actor.id } : {}),
  });
}

export const violation = (rule: string, message: string, actor?: Actor, details: DomainErrorDetails = {}, params: RefusalParams = {}) =>
  refuse('RULE_VIOLATION', rule, message, actor, details, params);

// ---------- who may act ----------

function expectActor(actor: unknown): Actor {
  const a = actor as Actor | undefined;
  if (!a || typeof a !== 'object' || typeof a.id !== 'string' || !a.id || typeof a.role !== 'string') {
    throw invalidInput('actor', 'every change needs an actor with id and role', 'input.actor');
  }
  return a;
}

/**
 * The actor an update carries, if the access table admits it to the action on this unit, item or programme:
 * the same table, and so the same rules, as the API's (libs/domain access.ts).
 */
export const requireActor = (actor: unknown, action: Action, target: AccessTarget): Actor =>
  requireAccess(expectActor(actor), action, target);

export const stamp = (actor: Actor, nowMs: number, comment?: Comment): Stamp => ({
  actorId: actor.id,
  role: actor.role,
  at: new Date(nowMs).toISOString(),
  ...(comment !== undefined && comment !== ''
    ? { comment: isDocRef(comment) ? { digest: comment.digest, chars: comment.chars } : comment }
    : {}),
});

// ---------- input checks ----------

export function text(value: unknown, field: string, max = 5_000, required = true): string | undefined {
  if (value === undefined || value === null) {
    if (required) throw invalidInput(field, 'required', 'input.required');
    return undefined;
  }
  if (typeof value !== 'string') throw invalidInput(field, `expected a string, got ${typeof value}`, 'input.type', { expected: 'string' });
  if (required && value.trim() === '') throw invalidInput(field, 'must not be empty', 'input.blank');
  if (value.length > max) throw invalidInput(field, `at most ${max} characters`, 'input.too-long', { max });
  return value;
}

/** Why: a line inline (≤ INLINE_TEXT_MAX characters), or a stored text for anything longer. */
export function comment(value: unknown, field = 'comment', required = false): Comment | undefined {
  if (value === undefined || value === null || value === '') {
    if (required) throw invalidInput(field, 'required', 'input.required');
    return undefined;
  }
  if (typeof value === 'string') {
    if (required && value.trim() === '') throw invalidInput(field, 'must not be empty', 'input.blank');
    if (value.length > INLINE_TEXT_MAX) {
      throw invalidInput(field, `a comment longer than ${INLINE_TEXT_MAX} characters is sent as a stored text`, 'input.too-long', {
        max: INLINE_TEXT_MAX,
      });
    }
    return value;
  }
  return docRef(value, field, TEXT_LIMITS.comment, required);
}

/** An id from an update's payload, as text: the payload came from outside and may hold any JSON value. */
export const payloadId = (value: unknown): string => String(value);

/**
 * What an update's check made sure of, read again by its apply (which runs only after the check passed); missing,
 * it is a defect of the rules, never a refusal.
 */
export function checkedBefore<T>(value: T | null | undefined, what: string): T {
  if (value === undefined || value === null) throw new Error(`${what} is missing although the update's check passed`);
  return value;
}

export function oneOf<T extends string>(value: unknown, allowed: readonly T[], field: string): T {
  if (!allowed.includes(value as T)) {
    throw invalidInput(field, `expected one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`, 'input.one-of', {
      allowed: [...allowed],
    });
  }
  return value as T;
}
