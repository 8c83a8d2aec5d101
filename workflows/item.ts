// 整改事项 — one rectification item of a task book: its deadline and escalation ladder, progress, completion,
// verification (销号), extensions and carry-over. Started by its unit when the task book takes effect.
import {
  allHandlersFinished,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  log,
  patched,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { SearchAttributePair } from '@temporalio/common';
import {
  applyCarryOver,
  applyDecideExtension,
  applyItemRung,
  applyReportProgress,
  applyRequestExtension,
  applySubmitCompletion,
  applyVerifyItem,
  applyItemPlanVersion,
  checkItemPlanVersion,
  planVersionOf,
  checkCarryOver,
  checkDecideExtension,
  checkReportProgress,
  checkRequestExtension,
  checkSubmitCompletion,
  checkVerifyItem,
  isFinalItem,
  itemLadderStoppedAt,
  newItemState,
  rungRecipients,
  takeChanges,
  type FiredRung,
  type ItemCtx,
  type ItemState,
  type ItemView,
  itemCurrentDetails,
} from '../libs/domain/src';
import {
  applyItemPlanVersionUpdate,
  carryOverUpdate,
  decideExtensionUpdate,
  itemReportSignal,
  itemStateQuery,
  reportProgressUpdate,
  requestExtensionUpdate,
  submitCompletionUpdate,
  verifyItemUpdate,
  type ItemWorkflowInput,
} from '../libs/contracts/src';
import { DEFAULT_HISTORY_LIMIT, historyIsLong } from './history-limit';
import { clockIndependentCommands } from './clock';
import { planChangeStop } from './plan-versions';
import { decisionsOn } from './decisions';
import { fireRung, runLadder, type LadderStep } from './ladder';
import { project, projectionRules } from './projection';
import {
  batchKey,
  campaignIdKey,
  cardKey,
  holdsAttributes,
  kindKey,
  PLAN_VERSIONS,
  unitCodeKey,
  WALKS_EVERY_DEADLINE,
} from '../libs/contracts/src';

export async function rectificationItemWorkflow(input: ItemWorkflowInput): Promise<ItemView> {
  const run = startRun(input);
  registerHandlers(run);
  const ladderDone = run.walksEveryDeadline ? walkEveryDeadline(run) : walkCurrentDeadline(run);
  ladderDone.catch(() => undefined);

  const { s, reported } = run;
  for (;;) {
    if (canContinue(run)) {
      await continueAsNew<typeof rectificationItemWorkflow>({
        ...input,
        carried: { state: s, reported, projectedVersion: run.projectedVersion },
      });
    }
    await publish(run);
    const seen = s.view.version;
    // A change that landed while publishing (e.g. a verification during the report's signal) is published
    // before the loop may end: the unit must hear the item's last status.
    if (run.projectedVersion !== seen || s.changes.length || reported.status !== s.view.status || reported.card !== s.view.card) continue;
    if (isFinalItem(s.view.status)) break;
    await condition(() => s.view.version !== seen || canContinue(run));
  }
  await ladderDone;
  await condition(() => run.escalating === 0 && allHandlersFinished());
  await publish(run, true);
  return s.view;
}

/** What the item's concerns share within one run of the workflow. */
interface ItemRun {
  readonly input: ItemWorkflowInput;
  readonly workflowId: string;
  /** The run projects in its deciding tasks (local activities, runs recorded so): workflows/projection.ts. */
  readonly inTask: boolean;
  /** The run follows the rules its projection patch brought (workflows/projection.ts). */
  readonly current: boolean;
  readonly clockIndependent: boolean;
  readonly walksEveryDeadline: boolean;
  readonly s: ItemState;
  /** The status and card the unit last heard of. */
  readonly reported: ItemReported;
  projectedVersion: number;
  searchAttributes: string;
  readonly ctx: () => ItemCtx;
  /** Rungs whose effects (escalation record, measure proposal) are still running. */
  escalating: number;
  readonly historyLimit: number;
}

type ItemReported = NonNullable<ItemWorkflowInput['carried']>['reported'];

/** The run's state: carried over a continue-as-new, or new. */
function startRun(input: ItemWorkflowInput): ItemRun {
  const workflowId = workflowInfo().workflowId;
  const { inTask, current } = projectionRules();
  // A run of the current projection rules follows the clock rule and walks every deadline too: its one marker says all three.
  const clockIndependent = current || clockIndependentCommands();
  const walksEveryDeadline = current || patched(WALKS_EVERY_DEADLINE);
  const s = input.carried?.state ?? newItemState(input, Date.now());
  return {
    input,
    workflowId,
    inTask,
    current,
    clockIndependent,
    walksEveryDeadline,
    s,
    reported: input.carried?.reported ?? { status: null, card: null },
    projectedVersion: input.carried?.projectedVersion ?? 0,
    // Not in the first task when the run already holds them (its unit started it with them).
    searchAttributes: current && holdsAttributes(workflowInfo().typedSearchAttributes, itemAttributes(input, s.view)) ? card(s.view) : '',
    ctx: (): ItemCtx => ({ now: Date.now(), ...(input.latestDeadline ? { latestDeadline: input.latestDeadline } : {}) }),
    escalating: 0,
    historyLimit: input.historyLimit ?? DEFAULT_HISTORY_LIMIT,
  };
}

/** Continue-as-new is due and safe now (no rung half-recorded, no handler running). */
const canContinue = (run: ItemRun) => historyIsLong(run.historyLimit) && run.escalating === 0 && allHandlersFinished();

function registerHandlers(run: ItemRun): void {
  const { s, ctx, input } = run;
  setHandler(itemStateQuery, () => s.view);
  const on = decisionsOn(s, ctx);
  on(reportProgressUpdate, checkReportProgress, applyReportProgress);
  on(submitCompletionUpdate, checkSubmitCompletion, applySubmitCompletion);
  on(verifyItemUpdate, checkVerifyItem, applyVerifyItem);
  on(requestExtensionUpdate, checkRequestExtension, applyRequestExtension);
  on(decideExtensionUpdate, checkDecideExtension, applyDecideExtension);
  on(carryOverUpdate, checkCarryOver, applyCarryOver);
  // A plan version (the office changed the plan): the ladder below restarts on its ladder and calendar.
  on(
    applyItemPlanVersionUpdate,
    checkItemPlanVersion,
    (st, a: Parameters<typeof applyItemPlanVersion>[1], c) => (
      patched(PLAN_VERSIONS),
      applyItemPlanVersion(st, a, { ...c, plan: input.plan })
    ),
  );
}

// The ladder runs per deadline; an approved extension changes the deadline and the ladder starts over for it.
// Closing or carrying the item stops it at once; rungs that fell due before that moment still fire (late).
// A plan version taken (the office changed the plan) stops the ladder at that moment; it starts again on the new
// plan, and each rung records the version whose ladder computed it.
function walk(run: ItemRun, deadline: string, planVersion: number) {
  const { s, input } = run;
  return runLadder({
    deadline,
    ladder: input.plan.ladder,
    calendar: input.plan.calendar,
    keyPrefix: `${run.workflowId}:${deadline}`,
    isFired: (key) => s.view.rungs.some((r) => r.key === key),
    stoppedAt: () => itemLadderStoppedAt(s, deadline) ?? planChangeStop(s, planVersion),
    clockIndependent: run.clockIndependent,
    endsAtKnownStop: run.walksEveryDeadline,
    fire: (step) => fireItemRung(run, deadline, planVersion, step),
  });
}

/** One rung of the item's ladder: recorded in the state, then its effects (record, measure proposal). */
async function fireItemRung(run: ItemRun, deadline: string, planVersion: number, step: LadderStep): Promise<void> {
  const { s, input } = run;
  const { firedAt } = step;
  const to = rungRecipients(step.rung, { unitId: input.unitId, groupId: input.groupId, owner: input.owner });
  const rung: FiredRung = {
    rung: step.rung,
    firedAt,
    deadline,
    to,
    dueAt: step.dueAt,
    key: step.key,
    ...(step.late ? { late: true } : {}),
    planVersion,
  };
  applyItemRung(s, rung, run.ctx());
  await fireRung(
    {
      key: step.key,
      campaignId: input.campaignId,
      unitId: input.unitId,
      itemId: input.itemId,
      groupId: input.groupId,
      subject: 'item',
      rung: step.rung,
      deadline,
      firedAt,
      to,
      planVersion,
      // The activity puts the measure's text in: the workflow holds only its digest.
      measure: input.measure,
      summary: `Rectification item ${input.itemId} (responsible: ${input.owner}) — ${step.rung}, deadline ${deadline}`,
    },
    // The accountable head is flagged for organisational measures; the office confirms.
    () => ({
      campaignId: input.campaignId,
      unitId: input.unitId,
      itemId: input.itemId,
      subject: `head of unit ${input.unitCode ?? input.unitId}`,
      reason: `rectification item ${input.itemId} overdue since its deadline ${deadline} (${step.rung} due ${step.dueAt})`,
    }),
    (d) => (run.escalating += d),
  );
}

// Every deadline that stood is walked, in order: a ladder held up (its rung's record retried after a worker was
// lost) while the deadline was replaced twice still fires the middle deadline's rungs that came due while it
// stood, late — nothing is skipped silently. Runs recorded before the rule walk only the deadline current when
// the previous ladder ended (`walkCurrentDeadline`). Either way a plan version taken walks the current deadline
// again, on the new plan.
async function walkEveryDeadline(run: ItemRun): Promise<void> {
  const { s } = run;
  const replacedCount = () => s.replaced?.length ?? 0;
  for (let i = 0; ; i++) {
    const planVersion = planVersionOf(s.view);
    await walk(run, s.replaced?.[i]?.deadline ?? s.view.deadline, planVersion);
    if (i < replacedCount()) continue;
    // The current deadline's ladder ended (all fired, or stopped by closing, carrying or a plan version): wait
    // for the next deadline or plan version.
    await condition(() => isFinalItem(s.view.status) || replacedCount() > i || planVersionOf(s.view) !== planVersion);
    if (replacedCount() > i) continue;
    if (isFinalItem(s.view.status)) return;
    i--; // the same deadline again, on the version taken
  }
}

async function walkCurrentDeadline(run: ItemRun): Promise<void> {
  const { s } = run;
  while (!isFinalItem(s.view.status)) {
    const deadline = s.view.deadline;
    const planVersion = planVersionOf(s.view);
    await walk(run, deadline, planVersion);
    await condition(() => isFinalItem(s.view.status) || s.view.deadline !== deadline || planVersionOf(s.view) !== planVersion);
  }
}

/**
 * Search attributes, the unit's view of the item, then the read model; until all three are current.
 * `final`: the workflow is ending, so everything is projected before it returns.
 */
async function publish(run: ItemRun, final = false): Promise<void> {
  const { s, input } = run;
  for (;;) {
    const v = s.view;
    // The Temporal Web UI's line for this run: its status, card and deadline now (no command, not in the history).
    setCurrentDetails(itemCurrentDetails(v));
    upsertSearchAttributesOnChange(run, v);
    if (run.reported.status !== v.status || run.reported.card !== v.card) {
      // Awaited here, not in a helper: an extra await would move this run's later commands among others'.
      try {
        await reportToUnit(run, v);
      } catch (e) {
        // Only a unit that has ended refuses the signal; its card no longer changes.
        log.warn('unit not reachable; item report not delivered', { unit: input.parentWorkflowId, error: String(e) });
      }
      continue;
    }
    if (!s.changes.length && run.projectedVersion === v.version) return;
    // Updates arriving without pause would keep this loop going: the main loop continues as new first.
    if (!final && canContinue(run)) return;
    // Retried until the database takes it: a projection is never dropped.
    const version = v.version;
    const changes = takeChanges(s, PROJECTION_CHUNK);
    const last = s.changes.length === 0;
    await project(run.inTask, 'projectItem', {
      campaignId: input.campaignId,
      itemId: input.itemId,
      ...(last ? { view: s.view } : {}),
      changes,
    });
    if (last) run.projectedVersion = version;
  }
}

/**
 * Writes the item's search attributes when they change. Runs of the current projection rules write them only when
 * the card changes (the status is not one of them); runs recorded before wrote them on every change of card or status.
 */
function upsertSearchAttributesOnChange(run: ItemRun, v: ItemView): void {
  const attrs = run.current ? card(v) : `${v.card}|${v.status}`;
  if (attrs === run.searchAttributes) return;
  upsertSearchAttributes(itemAttributes(run.input, v));
  run.searchAttributes = attrs;
}

const card = (v: ItemView): string => v.card;

/** The item's search attributes for its view now. */
function itemAttributes(input: ItemWorkflowInput, v: ItemView): SearchAttributePair[] {
  return [
    { key: campaignIdKey, value: input.campaignId },
    ...(input.unitCode ? [{ key: unitCodeKey, value: input.unitCode }] : []),
    ...(input.batch ? [{ key: batchKey, value: input.batch }] : []),
    { key: cardKey, value: v.card },
    { key: kindKey, value: 'item' },
  ];
}

/** Tells the unit the item's status and card (a signal to its workflow); the signal's own promise is returned. */
function reportToUnit(run: ItemRun, v: ItemView): Promise<void> {
  const { input, reported } = run;
  reported.status = v.status;
  reported.card = v.card;
  return getExternalWorkflowHandle(input.parentWorkflowId).signal(itemReportSignal, {
    itemId: input.itemId,
    status: v.status,
    card: v.card,
  });
}

/** Entries per projection activity. */
const PROJECTION_CHUNK = 200;
