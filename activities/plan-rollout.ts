// Rolling a plan version out: every running unit of the batches that take it, then each of its items, receive it by
// Update. Update ids are deterministic (`plan-v<n>`), and a unit or item that runs on the version already refuses it
// (plan-version.not-newer): a retried attempt, or one resumed from its heartbeat after a worker died, repeats nothing.
import { Context } from '@temporalio/activity';
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { asRefusal, itemId, itemWorkflowId, notFound, unitWorkflowId, type Batch } from '../libs/domain/src';
import type { EnrolmentRepository, PlanRolloutRepository } from '../libs/persistence/src';
import { applyItemPlanVersionUpdate, applyUnitPlanVersionUpdate, type PlanRolloutInput } from '../libs/contracts/src';

export interface RolloutProgress {
  batch: Batch;
  lastCode: string | null;
  units: number;
  items: number;
}

const UNITS_AT_ONCE = 16;

/** What a refused or impossible update means for the rollout: taken already, or nothing to take it. */
function skippable(e: unknown): boolean {
  if (e instanceof WorkflowNotFoundError) return true;
  const message = e instanceof Error ? e.message : String(e);
  // A unit that is DONE (its workflow completed) or an item closed: nothing runs that could take the version.
  if (/already completed|workflow execution already completed|not found/i.test(message)) return true;
  if (e instanceof WorkflowUpdateFailedError) {
    const cause = e.cause;
    if (cause instanceof ApplicationFailure) {
      const refusal = asRefusal(cause.details?.[0]);
      return refusal?.rule === 'plan-version.not-newer';
    }
  }
  return false;
}

export async function rolloutPlanVersion(
  deps: { client: Client; enrolment: EnrolmentRepository; planRollout?: PlanRolloutRepository },
  input: PlanRolloutInput,
): Promise<{ units: number; items: number }> {
  const store = deps.planRollout;
  if (!store) throw new Error('this worker cannot roll plan versions out (no plan-rollout repository)');
  const plan = await store.plan(input.campaignId, input.version);
  if (!plan) throw notFound(`plan version ${input.version} of campaign`, input.campaignId);
  let ctx: Context | undefined;
  try {
    ctx = Context.current();
  } catch {
    ctx = undefined;
  }
  const resumed = ctx?.info.heartbeatDetails as RolloutProgress | undefined;
  const batches = [...input.batches].sort();
  let progress: RolloutProgress = resumed ?? { batch: batches[0], lastCode: null, units: 0, items: 0 };
  const acting = {
    actor: input.actor,
    comment: input.reason.length <= 200 ? input.reason : `${input.reason.slice(0, 197)}…`,
    version: input.version,
  };
  const update = async (workflowId: string, fn: () => Promise<unknown>): Promise<unknown> => {
    try {
      return await fn();
    } catch (e) {
      if (skippable(e)) return undefined;
      // Say which workflow refused and why (the retries' last failure is what an operator reads).
      const cause = e instanceof WorkflowUpdateFailedError ? e.cause : undefined;
      throw new Error(
        `${workflowId} did not take plan version ${input.version}: ${cause?.message ?? (e instanceof Error ? e.message : String(e))}`,
        {
          cause: e,
        },
      );
    }
  };
  for (const batch of batches.filter((b) => b >= progress.batch)) {
    if (batch !== progress.batch) progress = { ...progress, batch, lastCode: null };
    for (;;) {
      if (ctx?.cancellationSignal.aborted) throw ctx.cancellationSignal.reason;
      const page = await deps.enrolment.unitsOfBatch(input.campaignId, batch, progress.lastCode, 200);
      if (!page.length) break;
      let next = 0;
      const lanes = Array.from({ length: Math.min(UNITS_AT_ONCE, page.length) }, async () => {
        while (next < page.length) {
          const unit = page[next++];
          const handle = deps.client.workflow.getHandle(unitWorkflowId(unit.id));
          const took = (await update(handle.workflowId, () =>
            handle.executeUpdate(applyUnitPlanVersionUpdate, { args: [{ ...acting, plan }], updateId: `plan-v${input.version}` }),
          )) as { items?: number } | undefined;
          if (took) progress.units++;
          // Its items: those the unit says it has, and any the read model shows running.
          const numbers = new Set<number>(await store.runningItems(unit.id));
          for (let n = 1; n <= (took?.items ?? 0); n++) numbers.add(n);
          for (const n of [...numbers].sort((a, b) => a - b)) {
            const item = deps.client.workflow.getHandle(itemWorkflowId(itemId(unit.id, n)));
            const ok = await update(item.workflowId, () =>
              item.executeUpdate(applyItemPlanVersionUpdate, {
                args: [{ ...acting, plan: { ladder: plan.ladder, calendar: plan.calendar } }],
                updateId: `plan-v${input.version}`,
              }),
            );
            if (ok) progress.items++;
          }
        }
      });
      await Promise.all(lanes);
      progress.lastCode = page[page.length - 1].code;
      ctx?.heartbeat({ ...progress });
      await store.progress(input.campaignId, input.version, progress);
      if (page.length < 200) break;
    }
  }
  await store.done(input.campaignId, input.version, { units: progress.units, items: progress.items });
  return { units: progress.units, items: progress.items };
}
