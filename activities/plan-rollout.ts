// Rolling a plan version out: every running unit of the batches that take it, then each of its items, receive it by
// Update. Update ids are deterministic (`plan-v<n>`), and a unit or item that runs on the version already refuses it
// (plan-version.not-newer): a retried attempt, or one resumed from its heartbeat after a worker died, repeats nothing.
import { Context } from '@temporalio/activity';
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { asRefusal, itemId, itemWorkflowId, notFound, unitWorkflowId, type Batch, type Plan } from '../libs/domain/src';
import type { EnrolledUnit, EnrolmentRepository, PlanRolloutRepository } from '../libs/persistence/src';
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

export async function rolloutPlanVersion(deps: RolloutDeps, input: PlanRolloutInput): Promise<{ units: number; items: number }> {
  const store = deps.planRollout;
  if (!store) throw new Error('this worker cannot roll plan versions out (no plan-rollout repository)');
  const plan = await store.plan(input.campaignId, input.version);
  if (!plan) throw notFound(`plan version ${input.version} of campaign`, input.campaignId);
  const ctx = activityContext();
  const resumed = ctx?.info.heartbeatDetails as RolloutProgress | undefined;
  const batches = [...input.batches].sort();
  const rollout: Rollout = {
    deps,
    store,
    input,
    plan,
    ctx,
    acting: {
      actor: input.actor,
      comment: input.reason.length <= 200 ? input.reason : `${input.reason.slice(0, 197)}…`,
      version: input.version,
    },
    progress: resumed ?? { batch: batches[0], lastCode: null, units: 0, items: 0 },
  };
  for (const batch of batches.filter((b) => b >= rollout.progress.batch)) {
    if (batch !== rollout.progress.batch) rollout.progress = { ...rollout.progress, batch, lastCode: null };
    await rollOutToBatch(rollout, batch);
  }
  await store.done(input.campaignId, input.version, { units: rollout.progress.units, items: rollout.progress.items });
  return { units: rollout.progress.units, items: rollout.progress.items };
}

type RolloutDeps = { client: Client; enrolment: EnrolmentRepository; planRollout?: PlanRolloutRepository };

/** What the steps of one rollout share: the version's plan, who gives it and why, and how far it has gone. */
interface Rollout {
  readonly deps: RolloutDeps;
  readonly store: PlanRolloutRepository;
  readonly input: PlanRolloutInput;
  readonly plan: Plan;
  /** The activity's context; undefined when called outside an activity. */
  readonly ctx: Context | undefined;
  readonly acting: { actor: PlanRolloutInput['actor']; comment: string; version: number };
  progress: RolloutProgress;
}

/** Units of a batch read (and given the version) at once; the progress is saved after each page. */
const PAGE = 200;

function activityContext(): Context | undefined {
  try {
    return Context.current();
  } catch {
    return undefined;
  }
}

/** Every running unit of one batch, page by page from where the progress left off. */
async function rollOutToBatch(rollout: Rollout, batch: Batch): Promise<void> {
  const { deps, store, input, ctx } = rollout;
  for (;;) {
    if (ctx?.cancellationSignal.aborted) throw ctx.cancellationSignal.reason;
    const page = await deps.enrolment.unitsOfBatch(input.campaignId, batch, rollout.progress.lastCode, PAGE);
    if (!page.length) break;
    await rollOutToPage(rollout, page);
    rollout.progress.lastCode = page[page.length - 1].code;
    ctx?.heartbeat({ ...rollout.progress });
    await store.progress(input.campaignId, input.version, rollout.progress);
    if (page.length < PAGE) break;
  }
}

/** The units of one page, UNITS_AT_ONCE side by side. */
async function rollOutToPage(rollout: Rollout, page: EnrolledUnit[]): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(UNITS_AT_ONCE, page.length) }, async () => {
    while (next < page.length) await rollOutToUnit(rollout, page[next++]);
  });
  await Promise.all(lanes);
}

/** One unit, then each of its items. */
async function rollOutToUnit(rollout: Rollout, unit: EnrolledUnit): Promise<void> {
  const { deps, store, input, acting, plan } = rollout;
  const handle = deps.client.workflow.getHandle(unitWorkflowId(unit.id));
  const took = (await giveVersion(input, handle.workflowId, () =>
    handle.executeUpdate(applyUnitPlanVersionUpdate, { args: [{ ...acting, plan }], updateId: `plan-v${input.version}` }),
  )) as { items?: number } | undefined;
  if (took) rollout.progress.units++;
  // Its items: those the unit says it has, and any the read model shows running.
  const numbers = new Set<number>(await store.runningItems(unit.id));
  for (let n = 1; n <= (took?.items ?? 0); n++) numbers.add(n);
  for (const n of [...numbers].sort((a, b) => a - b)) await rollOutToItem(rollout, itemId(unit.id, n));
}

async function rollOutToItem(rollout: Rollout, id: string): Promise<void> {
  const { deps, input, acting, plan } = rollout;
  const item = deps.client.workflow.getHandle(itemWorkflowId(id));
  const ok = await giveVersion(input, item.workflowId, () =>
    item.executeUpdate(applyItemPlanVersionUpdate, {
      args: [{ ...acting, plan: { ladder: plan.ladder, calendar: plan.calendar } }],
      updateId: `plan-v${input.version}`,
    }),
  );
  if (ok) rollout.progress.items++;
}

/** One workflow's Update with the version: its answer, or undefined when it took it already or cannot take it. */
async function giveVersion(input: PlanRolloutInput, workflowId: string, fn: () => Promise<unknown>): Promise<unknown> {
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
}
