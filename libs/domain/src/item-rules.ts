// A rectification item (整改事项) as pure rules: progress, completion, verification (销号), extensions,
// carry-over into a long-term rule, and its ladder's card. Checks throw DomainErrors naming rule and actor.
import { invalidInput, notFound } from './errors';
import { assertAssignedSupervisor, assertOffice, assertUnitActor, RUNG_CARD, stamp, text, violation, worstCard } from './lifecycle';
import { parseInstant } from './time';
import type { ItemStatus } from './types';
import type { FiredRung, ItemView } from './views';
import type { Acting } from './unit-rules';

export interface ItemIdentity {
  campaignId: string;
  unitId: string;
  itemId: string;
  groupId: string;
  measure: string;
  owner: string;
  problemIds: string[];
  deadline: string;
}

export interface ItemState {
  view: ItemView;
  seq: { progress: number; extension: number };
}

export interface ItemCtx {
  now: number;
}

export const FINAL_ITEM_STATUSES: readonly ItemStatus[] = ['closed', 'carried'];
export const isFinalItem = (s: ItemStatus) => FINAL_ITEM_STATUSES.includes(s);

export function newItemState(id: ItemIdentity, now: number): ItemState {
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
      // The item's workflow starts when the task book takes effect: the item is open from then on.
      status: 'open',
      card: 'none',
      rungs: [],
      progress: [],
      extensions: [],
      verifications: [],
      version: 1,
      updatedAt: new Date(now).toISOString(),
    },
    seq: { progress: 0, extension: 0 },
  };
}

const touch = (s: ItemState, ctx: ItemCtx) => {
  s.view.version += 1;
  s.view.updatedAt = new Date(ctx.now).toISOString();
};

function notFinal(s: ItemState, rule: string, action: string, actor: Acting['actor']) {
  if (isFinalItem(s.view.status)) throw violation(rule, `${action}: item ${s.view.id} is ${s.view.status}`, actor);
}

export interface ProgressArgs extends Acting { note: string; evidenceUri?: string }
export function checkReportProgress(s: ItemState, a: ProgressArgs) {
  const actor = assertUnitActor(a.actor, s.view.unitId, 'reporting progress');
  text(a.note, 'note', 20_000);
  text(a.evidenceUri, 'evidenceUri', 2_000, false);
  notFinal(s, 'item.progress-open', 'progress', actor);
}
export function applyReportProgress(s: ItemState, a: ProgressArgs, ctx: ItemCtx): { id: string } {
  const id = `progress-${++s.seq.progress}`;
  s.view.progress.push({ id, note: a.note, ...(a.evidenceUri ? { evidenceUri: a.evidenceUri } : {}), ...stamp(a.actor, ctx.now, a.comment) });
  touch(s, ctx);
  return { id };
}

export interface CompletionArgs extends Acting { evidence: string }
export function checkSubmitCompletion(s: ItemState, a: CompletionArgs) {
  const actor = assertUnitActor(a.actor, s.view.unitId, 'submitting completion');
  text(a.evidence, 'evidence', 20_000);
  if (s.view.status !== 'open') throw violation('item.completion-open', `completion can be submitted for an open item; item ${s.view.id} is ${s.view.status}`, actor);
}
export function applySubmitCompletion(s: ItemState, a: CompletionArgs, ctx: ItemCtx): ItemView {
  s.view.status = 'submitted';
  s.view.completion = { evidence: a.evidence, ...stamp(a.actor, ctx.now, a.comment) };
  touch(s, ctx);
  return s.view;
}

export interface VerifyArgs extends Acting { accept: boolean; comment: string }
export function checkVerifyItem(s: ItemState, a: VerifyArgs) {
  const actor = assertAssignedSupervisor(a.actor, s.view.groupId, 'item verification', 'item.verification-by-group');
  if (typeof a.accept !== 'boolean') throw invalidInput('accept', 'expected true or false');
  text(a.comment, 'comment', 5_000, !a.accept);
  if (s.view.status !== 'submitted') throw violation('item.verification-submitted', `only a submitted item is verified; item ${s.view.id} is ${s.view.status}`, actor);
}
export function applyVerifyItem(s: ItemState, a: VerifyArgs, ctx: ItemCtx): ItemView {
  s.view.verifications.push({ accept: a.accept, ...stamp(a.actor, ctx.now, a.comment) });
  if (a.accept) {
    // 销号: closed, the ladder stops, the item no longer carries a card.
    s.view.status = 'closed';
    s.view.card = 'none';
  } else {
    s.view.status = 'open';
  }
  touch(s, ctx);
  return s.view;
}

export interface ExtensionRequestArgs extends Acting { newDeadline: string; reason: string }
export function checkRequestExtension(s: ItemState, a: ExtensionRequestArgs, ctx: ItemCtx) {
  const actor = assertUnitActor(a.actor, s.view.unitId, 'requesting an extension');
  const next = parseInstant(a.newDeadline, 'newDeadline');
  text(a.reason, 'reason', 5_000);
  notFinal(s, 'item.extension-open', 'an extension', actor);
  if (s.view.extensions.some((e) => e.status === 'pending')) throw violation('item.extension-one-pending', `item ${s.view.id} already has an extension awaiting decision`, actor);
  if (next <= parseInstant(s.view.deadline, 'deadline')) throw violation('item.extension-later', `the new deadline ${a.newDeadline} must be after the current one (${s.view.deadline})`, actor);
  if (next <= ctx.now) throw violation('item.extension-later', `the new deadline ${a.newDeadline} is already past`, actor);
}
export function applyRequestExtension(s: ItemState, a: ExtensionRequestArgs, ctx: ItemCtx): { id: string; status: 'pending' } {
  const id = `extension-${++s.seq.extension}`;
  s.view.extensions.push({ id, newDeadline: a.newDeadline, reason: a.reason, status: 'pending', requested: stamp(a.actor, ctx.now, a.comment) });
  touch(s, ctx);
  return { id, status: 'pending' };
}

export interface ExtensionDecisionArgs extends Acting { extensionId: string; approve: boolean; comment: string }
export function checkDecideExtension(s: ItemState, a: ExtensionDecisionArgs) {
  const actor = assertAssignedSupervisor(a.actor, s.view.groupId, 'extension', 'extension.no-self-approval');
  if (typeof a.approve !== 'boolean') throw invalidInput('approve', 'expected true or false');
  text(a.comment, 'comment', 5_000, !a.approve);
  const e = s.view.extensions.find((x) => x.id === a.extensionId);
  if (!e) throw notFound('extension', String(a.extensionId));
  if (e.status !== 'pending') throw violation('extension.already-decided', `extension ${e.id} was already ${e.status}`, actor);
  notFinal(s, 'item.extension-open', 'an extension decision', actor);
}
export function applyDecideExtension(s: ItemState, a: ExtensionDecisionArgs, ctx: ItemCtx): { status: 'approved' | 'rejected'; deadline: string } {
  const e = s.view.extensions.find((x) => x.id === a.extensionId)!;
  e.status = a.approve ? 'approved' : 'rejected';
  e.decided = stamp(a.actor, ctx.now, a.comment);
  if (a.approve) {
    // A new deadline restarts the ladder; rungs already fired stay in `rungs`. The item is no longer overdue.
    s.view.deadline = e.newDeadline;
    s.view.card = 'none';
  }
  touch(s, ctx);
  return { status: e.status, deadline: s.view.deadline };
}

export interface CarryOverArgs extends Acting { rule: string; comment: string }
export function checkCarryOver(s: ItemState, a: CarryOverArgs) {
  const actor = assertOffice(a.actor, 'carrying an item into a long-term rule');
  text(a.rule, 'rule', 5_000);
  text(a.comment, 'comment', 5_000, false);
  notFinal(s, 'item.carry-over-open', 'carry-over', actor);
}
export function applyCarryOver(s: ItemState, a: CarryOverArgs, ctx: ItemCtx): ItemView {
  s.view.status = 'carried';
  s.view.card = 'none';
  s.view.carriedInto = { rule: a.rule, ...stamp(a.actor, ctx.now, a.comment) };
  touch(s, ctx);
  return s.view;
}

/** A ladder rung fired for the current deadline. */
export function applyItemRung(s: ItemState, rung: FiredRung, ctx: ItemCtx) {
  s.view.rungs.push(rung);
  s.view.card = worstCard(s.view.card, RUNG_CARD[rung.rung]);
  touch(s, ctx);
}
