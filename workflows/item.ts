// 整改事项 — one rectification item of a task book: its deadline and escalation ladder, progress, completion,
// verification (销号), extensions and carry-over. Started by its unit when the task book takes effect.
import {
  allHandlersFinished,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  log,
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
} from '../libs/domain/src';
import {
  carryOverUpdate,
  decideExtensionUpdate,
  itemReportSignal,
  itemStateQuery,
  reportProgressUpdate,
  requestExtensionUpdate,
  submitCompletionUpdate,
  verifyItemUpdate,
  versioned,
  type ItemWorkflowInput,
} from './definitions';
import { DEFAULT_HISTORY_LIMIT, historyIsLong } from './history-limit';
import { clockIndependentCommands } from './clock';
import { dbActivities } from './activities';
import { handler, validator } from './failures';
import { escalate, runLadder } from './ladder';
import { project, projectsInTask } from './projection';
import { batchKey, campaignIdKey, cardKey, holdsAttributes, kindKey, unitCodeKey } from './search-attributes';

export async function rectificationItemWorkflow(input: ItemWorkflowInput): Promise<ItemView> {
  const workflowId = workflowInfo().workflowId;
  const inTask = projectsInTask();
  // A run that projects in its tasks follows the clock rule too: its one patch marker says both.
  const clockIndependent = inTask || clockIndependentCommands();
  const s: ItemState = input.carried?.state ?? newItemState(input, Date.now());
  const reported = input.carried?.reported ?? { status: null, card: null };
  let projectedVersion = input.carried?.projectedVersion ?? 0;
  const attributes = (v: ItemView): SearchAttributePair[] => [
    { key: campaignIdKey, value: input.campaignId },
    ...(input.unitCode ? [{ key: unitCodeKey, value: input.unitCode }] : []),
    ...(input.batch ? [{ key: batchKey, value: input.batch }] : []),
    { key: cardKey, value: v.card },
    { key: kindKey, value: 'item' },
  ];
  // What the attributes were last written for. Runs that project in their task write them only when the card
  // changes, and not in the first task when the run already holds them (its unit started it with them); runs
  // recorded before wrote them on every change of card or status, in the first task too.
  const attributesFor = (v: ItemView) => (inTask ? v.card : `${v.card}|${v.status}`);
  let searchAttributes = inTask && holdsAttributes(workflowInfo().typedSearchAttributes, attributes(s.view)) ? attributesFor(s.view) : '';
  const ctx = (): ItemCtx => ({ now: Date.now(), ...(input.latestDeadline ? { latestDeadline: input.latestDeadline } : {}) });
  let escalating = 0;
  const historyLimit = input.historyLimit ?? DEFAULT_HISTORY_LIMIT;
  const canContinue = () => historyIsLong(historyLimit) && escalating === 0 && allHandlersFinished();

  setHandler(itemStateQuery, () => s.view);
  const on = <A, R extends object>(def: unknown, check: (s: ItemState, a: A, c: ItemCtx) => void, apply: (s: ItemState, a: A, c: ItemCtx) => R) =>
    setHandler(
      def as never,
      handler((a: A) => versioned(apply(s, a, ctx()), s.view.version)) as never,
      { validator: validator((a: A) => check(s, a, ctx())) } as never,
    );
  on(reportProgressUpdate, checkReportProgress, applyReportProgress);
  on(submitCompletionUpdate, checkSubmitCompletion, applySubmitCompletion);
  on(verifyItemUpdate, checkVerifyItem, applyVerifyItem);
  on(requestExtensionUpdate, checkRequestExtension, applyRequestExtension);
  on(decideExtensionUpdate, checkDecideExtension, applyDecideExtension);
  on(carryOverUpdate, checkCarryOver, applyCarryOver);

  // The ladder runs per deadline; an approved extension changes the deadline and the ladder starts over for it.
  // Closing or carrying the item stops it at once; rungs that fell due before that moment still fire (late).
  const ladder = async () => {
    while (!isFinalItem(s.view.status)) {
      const deadline = s.view.deadline;
      await runLadder({
        deadline,
        ladder: input.plan.ladder,
        calendar: input.plan.calendar,
        keyPrefix: `${workflowId}:${deadline}`,
        isFired: (key) => s.view.rungs.some((r) => r.key === key),
        stoppedAt: () => itemLadderStoppedAt(s, deadline),
        clockIndependent,
        fire: async (step) => {
          const { firedAt } = step;
          const to = rungRecipients(step.rung, { unitId: input.unitId, groupId: input.groupId, owner: input.owner });
          const rung: FiredRung = { rung: step.rung, firedAt, deadline, to, dueAt: step.dueAt, key: step.key, ...(step.late ? { late: true } : {}) };
          applyItemRung(s, rung, ctx());
          escalating++;
          try {
            await escalate({
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
              // The activity puts the measure's text in: the workflow holds only its digest.
              measure: input.measure,
              summary: `Rectification item ${input.itemId} (responsible: ${input.owner}) — ${step.rung}, deadline ${deadline}`,
            });
            if (step.rung === 'referral') {
              // The accountable head is flagged for organisational measures; the office confirms.
              await dbActivities.proposeMeasure({
                key: step.key,
                campaignId: input.campaignId,
                unitId: input.unitId,
                itemId: input.itemId,
                subject: `head of unit ${input.unitCode ?? input.unitId}`,
                reason: `rectification item ${input.itemId} 30 days overdue on deadline ${deadline}`,
              });
            }
          } finally {
            escalating--;
          }
        },
      });
      await condition(() => isFinalItem(s.view.status) || s.view.deadline !== deadline);
    }
  };
  const ladderDone = ladder();
  ladderDone.catch(() => undefined);

  /**
   * Search attributes, the unit's view of the item, then the read model; until all three are current.
   * `final`: the workflow is ending, so everything is projected before it returns.
   */
  const publish = async (final = false) => {
    for (;;) {
      const v = s.view;
      const attrs = attributesFor(v);
      if (attrs !== searchAttributes) {
        upsertSearchAttributes(attributes(v));
        searchAttributes = attrs;
      }
      if (reported.status !== v.status || reported.card !== v.card) {
        reported.status = v.status;
        reported.card = v.card;
        try {
          await getExternalWorkflowHandle(input.parentWorkflowId).signal(itemReportSignal, { itemId: input.itemId, status: v.status, card: v.card });
        } catch (e) {
          // Only a unit that has ended refuses the signal; its card no longer changes.
          log.warn('unit not reachable; item report not delivered', { unit: input.parentWorkflowId, error: String(e) });
        }
        continue;
      }
      if (!s.changes.length && projectedVersion === v.version) return;
      // Updates arriving without pause would keep this loop going: the main loop continues as new first.
      if (!final && canContinue()) return;
      // Retried until the database takes it: a projection is never dropped.
      const version = v.version;
      const changes = takeChanges(s, PROJECTION_CHUNK);
      const last = s.changes.length === 0;
      await project(inTask, 'projectItem', { campaignId: input.campaignId, itemId: input.itemId, ...(last ? { view: s.view } : {}), changes });
      if (last) projectedVersion = version;
    }
  };

  for (;;) {
    if (canContinue()) {
      await continueAsNew<typeof rectificationItemWorkflow>({ ...input, carried: { state: s, reported, projectedVersion } });
    }
    await publish();
    const seen = s.view.version;
    // A change that landed while publishing (e.g. a verification during the report's signal) is published
    // before the loop may end: the unit must hear the item's last status.
    if (projectedVersion !== seen || s.changes.length || reported.status !== s.view.status || reported.card !== s.view.card) continue;
    if (isFinalItem(s.view.status)) break;
    await condition(() => s.view.version !== seen || canContinue());
  }
  await ladderDone;
  await condition(() => escalating === 0 && allHandlersFinished());
  await publish(true);
  return s.view;
}

/** Entries per projection activity. */
const PROJECTION_CHUNK = 200;
