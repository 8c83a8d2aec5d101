// A rectification item (整改事项) as pure rules: progress, completion, verification (销号), extensions,
// carry-over into a long-term rule, and its ladder's card. Checks throw DomainErrors naming rule and actor.
// Progress notes, decided extensions and verifications leave the state as entries (`changes`).
import { docRef, TEXT_LIMITS } from './documents';
import { invalidInput, notFound } from './errors';
import { LIMITS } from './limits';
import { checkedBefore, comment, payloadId, requireActor, rungCard, stamp, text, violation, worstCard } from './lifecycle';
import { parseInstant } from './time';
import { isFinalItem, type Decision } from './types';
import type { DocRef } from './documents';
import type { EntryChange, ExtensionView, FiredRung, ItemEntryKind, ItemView } from './views';
import type { Acting } from './unit-rules';

export interface ItemIdentity {
  campaignId: string;
  unitId: string;
  itemId: string;
  groupId: string;
  measure: DocRef;
  owner: string;
  problemIds: string[];
  deadline: string;
  /** The plan version the item starts on (its unit's; absent: 1). */
  planVersion?: number;
}

export interface ItemState {
  view: ItemView;
  seq: { progress: number; extension: number; verification: number };
  /** Entries not projected yet (the workflow drains them). */
  changes: EntryChange[];
  /**
   * When each earlier deadline was replaced by an approved extension, oldest first: a ladder still catching up on
   * one stops at its own replacement, not a later one (bounded by LIMITS.extensionsPerItem). Absent in states
   * carried over before it existed.
   */
  replaced?: Array<{ deadline: string; at: string }>;
  /** When the item took its current plan version (its ladder on the version before stops there). */
  planChangedAt?: string;
}

export interface ItemCtx {
  now: number;
  /** The latest deadline the campaign's plan admits (latestDeadline), when the item knows it. */
  latestDeadline?: string;
}

export function newItemState(id: ItemIdentity, now: number): ItemState {
  const at = new Date(now).toISOString();
  return {
    view: {
      id: id.itemId,
      unitId: id.unitId,
      campaignId: id.campaignId,
      groupId: id.groupId,
      measure: id.measure,
      owner: id.owner,
      problemIds: [...id.problemIds],
      deadline: id.deadline,
      deadlineSince: at,
      // The item's workflow starts when the task book takes effect: the item is open from then on.
      status: 'open',
      card: 'none',
      rungs: [],
      counts: { progress: 0, extensions: 0, verifications: 0 },
      ...(id.planVersion && id.planVersion > 1 ? { planVersion: id.planVersion } : {}),
      version: 1,
      updatedAt: at,
    },
    seq: { progress: 0, extension: 0, verification: 0 },
    changes: [],
  };
}

/** The item's unit as the access table's target: its id and assigned group. */
const unitOfItem = (s: ItemState) => ({ unitId: s.view.unitId, groupId: s.view.groupId });

function changed(s: ItemState, ctx: ItemCtx, ...entries: Array<{ kind: ItemEntryKind; id: string; seq: number; data: unknown }>) {
  s.view.version += 1;
  s.view.updatedAt = new Date(ctx.now).toISOString();
  // A snapshot: the entry's object may change again before it is projected.
  for (const e of entries) s.changes.push({ ...e, data: JSON.parse(JSON.stringify(e.data)), rev: s.view.version, at: s.view.updatedAt });
}

function notFinal(s: ItemState, rule: string, action: string, actor: Acting['actor']) {
  if (isFinalItem(s.view.status))
    throw violation(rule, `${action}: item ${s.view.id} is ${s.view.status}`, actor, {}, { status: s.view.status });
}

/**
 * When the ladder of `deadline` stopped: the moment that deadline was replaced (an approved extension) or the
 * item was closed or carried; undefined while it still runs. Rungs due before that moment still fire.
 */
export function itemLadderStoppedAt(s: ItemState, deadline: string): number | undefined {
  const v = s.view;
  if (v.deadline !== deadline) return Date.parse(s.replaced?.find((r) => r.deadline === deadline)?.at ?? v.deadlineSince);
  if (isFinalItem(v.status)) return Date.parse(v.finalAt ?? v.updatedAt);
  return undefined;
}

export interface ProgressArgs extends Acting {
  note: DocRef;
  evidenceUri?: string;
}
export function checkReportProgress(s: ItemState, a: ProgressArgs) {
  const actor = requireActor(a.actor, 'item.progress.report', unitOfItem(s));
  docRef(a.note, 'note', TEXT_LIMITS.progressNote);
  text(a.evidenceUri, 'evidenceUri', LIMITS.uriChars, false);
  comment(a.comment);
  notFinal(s, 'item.progress-open', 'progress', actor);
}
export function applyReportProgress(s: ItemState, a: ProgressArgs, ctx: ItemCtx): { id: string } {
  const n = ++s.seq.progress;
  const id = `progress-${n}`;
  s.view.counts.progress = n;
  const data = {
    id,
    note: docRef(a.note, 'note', TEXT_LIMITS.progressNote),
    ...(a.evidenceUri ? { evidenceUri: a.evidenceUri } : {}),
    ...stamp(a.actor, ctx.now, a.comment),
  };
  changed(s, ctx, { kind: 'progress', id, seq: n, data });
  return { id };
}

export interface CompletionArgs extends Acting {
  evidence: DocRef;
}
export function checkSubmitCompletion(s: ItemState, a: CompletionArgs) {
  const actor = requireActor(a.actor, 'item.completion.submit', unitOfItem(s));
  docRef(a.evidence, 'evidence', TEXT_LIMITS.evidence);
  comment(a.comment);
  if (s.view.status !== 'open') {
    throw violation(
      'item.completion-open',
      `completion can be submitted for an open item; item ${s.view.id} is ${s.view.status}`,
      actor,
      {},
      { status: s.view.status },
    );
  }
}
export function applySubmitCompletion(s: ItemState, a: CompletionArgs, ctx: ItemCtx): ItemView {
  s.view.status = 'submitted';
  s.view.completion = { evidence: docRef(a.evidence, 'evidence', TEXT_LIMITS.evidence), ...stamp(a.actor, ctx.now, a.comment) };
  changed(s, ctx);
  return s.view;
}

export interface VerifyArgs extends Acting {
  accept: boolean;
}
export function checkVerifyItem(s: ItemState, a: VerifyArgs) {
  const actor = requireActor(a.actor, 'item.verify', unitOfItem(s));
  if (typeof a.accept !== 'boolean') throw invalidInput('accept', 'expected true or false');
  comment(a.comment, 'comment', !a.accept);
  if (s.view.status !== 'submitted') {
    throw violation(
      'item.verification-submitted',
      `only a submitted item is verified; item ${s.view.id} is ${s.view.status}`,
      actor,
      {},
      { status: s.view.status },
    );
  }
}
export function applyVerifyItem(s: ItemState, a: VerifyArgs, ctx: ItemCtx): ItemView {
  const n = ++s.seq.verification;
  const v = { id: `verification-${n}`, accept: a.accept, ...stamp(a.actor, ctx.now, a.comment) };
  s.view.lastVerification = v;
  s.view.counts.verifications = n;
  if (a.accept) {
    // 销号: closed, the ladder stops, the item no longer carries a card.
    s.view.status = 'closed';
    s.view.card = 'none';
    s.view.finalAt = new Date(ctx.now).toISOString();
  } else {
    s.view.status = 'open';
  }
  changed(s, ctx, { kind: 'verification', id: v.id, seq: n, data: v });
  return s.view;
}

export interface ExtensionRequestArgs extends Acting {
  newDeadline: string;
  reason: DocRef;
}
export function checkRequestExtension(s: ItemState, a: ExtensionRequestArgs, ctx: ItemCtx) {
  const actor = requireActor(a.actor, 'item.extension.request', unitOfItem(s));
  const next = parseInstant(a.newDeadline, 'newDeadline');
  docRef(a.reason, 'reason', TEXT_LIMITS.reason);
  comment(a.comment);
  notFinal(s, 'item.extension-open', 'an extension', actor);
  if (s.view.pendingExtension)
    throw violation('item.extension-one-pending', `item ${s.view.id} already has an extension awaiting decision`, actor);
  if (s.seq.extension >= LIMITS.extensionsPerItem) {
    throw violation(
      'item.extension-limit',
      `item ${s.view.id} has had ${LIMITS.extensionsPerItem} extensions requested; no more are accepted`,
      actor,
      {},
      { max: LIMITS.extensionsPerItem },
    );
  }
  if (next <= parseInstant(s.view.deadline, 'deadline')) {
    throw violation(
      'item.extension-later',
      `the new deadline ${a.newDeadline} must be after the current one (${s.view.deadline})`,
      actor,
      {},
      { deadline: s.view.deadline },
    );
  }
  if (next <= ctx.now)
    throw violation('item.extension-later', `the new deadline ${a.newDeadline} is already past`, actor, {}, { deadline: s.view.deadline });
  if (ctx.latestDeadline && next > parseInstant(ctx.latestDeadline, 'latestDeadline')) {
    throw violation(
      'item.extension-within-plan',
      `the new deadline ${a.newDeadline} is past ${ctx.latestDeadline}, a year and a day after the campaign's last batch ends`,
      actor,
      {},
      {
        latest: ctx.latestDeadline,
      },
    );
  }
}
export function applyRequestExtension(s: ItemState, a: ExtensionRequestArgs, ctx: ItemCtx): { id: string; status: 'pending' } {
  const n = ++s.seq.extension;
  const e: ExtensionView = {
    id: `extension-${n}`,
    newDeadline: a.newDeadline,
    reason: docRef(a.reason, 'reason', TEXT_LIMITS.reason),
    status: 'pending',
    requested: stamp(a.actor, ctx.now, a.comment),
  };
  s.view.pendingExtension = e;
  s.view.counts.extensions = n;
  changed(s, ctx, { kind: 'extension', id: e.id, seq: n, data: e });
  return { id: e.id, status: 'pending' };
}

export interface ExtensionDecisionArgs extends Acting {
  extensionId: string;
  approve: boolean;
}
export function checkDecideExtension(s: ItemState, a: ExtensionDecisionArgs) {
  const actor = requireActor(a.actor, 'item.extension.decide', unitOfItem(s));
  if (typeof a.approve !== 'boolean') throw invalidInput('approve', 'expected true or false');
  comment(a.comment, 'comment', !a.approve);
  const e = s.view.pendingExtension;
  if (!e || e.id !== a.extensionId) {
    const m = /^extension-([1-9][0-9]{0,8})$/.exec(payloadId(a.extensionId));
    if (m && Number(m[1]) <= s.seq.extension)
      throw violation('extension.already-decided', `extension ${a.extensionId} was already decided`, actor);
    throw notFound('extension', payloadId(a.extensionId));
  }
  notFinal(s, 'item.extension-open', 'an extension decision', actor);
}
export function applyDecideExtension(s: ItemState, a: ExtensionDecisionArgs, ctx: ItemCtx): { status: Decision; deadline: string } {
  const e = checkedBefore(s.view.pendingExtension, 'the pending extension');
  e.status = a.approve ? 'approved' : 'rejected';
  e.decided = stamp(a.actor, ctx.now, a.comment);
  delete s.view.pendingExtension;
  if (a.approve) {
    // A new deadline restarts the ladder; rungs already fired stay in `rungs`. The item is no longer overdue.
    const at = new Date(ctx.now).toISOString();
    (s.replaced ??= []).push({ deadline: s.view.deadline, at });
    s.view.deadline = e.newDeadline;
    s.view.deadlineSince = at;
    s.view.card = 'none';
  }
  changed(s, ctx, { kind: 'extension', id: e.id, seq: Number(e.id.slice('extension-'.length)), data: e });
  return { status: e.status, deadline: s.view.deadline };
}

export interface CarryOverArgs extends Acting {
  rule: DocRef;
}
export function checkCarryOver(s: ItemState, a: CarryOverArgs) {
  const actor = requireActor(a.actor, 'item.carry-over', unitOfItem(s));
  docRef(a.rule, 'rule', TEXT_LIMITS.rule);
  comment(a.comment);
  notFinal(s, 'item.carry-over-open', 'carry-over', actor);
}
export function applyCarryOver(s: ItemState, a: CarryOverArgs, ctx: ItemCtx): ItemView {
  s.view.status = 'carried';
  s.view.card = 'none';
  s.view.finalAt = new Date(ctx.now).toISOString();
  s.view.carriedInto = { rule: docRef(a.rule, 'rule', TEXT_LIMITS.rule), ...stamp(a.actor, ctx.now, a.comment) };
  changed(s, ctx);
  return s.view;
}

/** A ladder rung fired (possibly late, for a deadline that has since been replaced). */
export function applyItemRung(s: ItemState, rung: FiredRung, ctx: ItemCtx) {
  s.view.rungs.push(rung);
  // Only a rung of the current, unclosed deadline cards the item.
  if (rung.deadline === s.view.deadline && !isFinalItem(s.view.status)) s.view.card = worstCard(s.view.card, rungCard(rung.rung));
  changed(s, ctx);
}
