// How every service sends a decision that stores texts (documents, comments, evidence) along with it.
import type { UpdateDefinition } from '@temporalio/common';
import { DomainError, type Actor } from '../../../../libs/domain/src';
import type { TextSession, TextStore } from '../common/texts';
import type { UpdateContext, WorkflowGateway } from './workflow-gateway';

export interface Decision<Ret, A extends object> {
  def: UpdateDefinition<Ret, [A & { actor: Actor }]>;
  workflowId: string;
  /** The request as the caller sent it: what a refusal's audit row shows. */
  request: object;
  /** Who asks, the route, and who may ask (`ctx.authorize`: role and scope). */
  ctx: UpdateContext;
  /** Stores the texts and builds the Update's argument (references to them, not the texts). */
  build: (texts: TextSession) => Promise<A> | A;
}

/**
 * Who may ask is settled (and a refusal audited) before any text is stored; then the texts, then the Update, whose
 * validator checks the lifecycle rules. Refused, what this request alone stored goes again; a 503 may have been
 * applied, so its texts stay.
 */
export async function sendDecision<Ret, A extends object>(workflows: WorkflowGateway, store: TextStore, d: Decision<Ret, A>): Promise<Ret> {
  await workflows.authorize(d.def.name, d.workflowId, d.request, d.ctx);
  const texts = store.session();
  const args = await d.build(texts);
  try {
    return await workflows.update(
      d.def,
      d.workflowId,
      { ...args, actor: d.ctx.actor },
      {
        ...d.ctx,
        authorize: undefined,
      },
    );
  } catch (err) {
    if (err instanceof DomainError) await texts.abandon();
    throw err;
  }
}
