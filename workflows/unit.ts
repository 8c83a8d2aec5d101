// 参加单位 — one participating unit's lifecycle: P1 → P2 → P3 → DONE, with its phase windows escalating on
// their own, the supervised meeting, the task book and its disclosure, and one child workflow per item.
import {
  allHandlersFinished,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  log,
  ParentClosePolicy,
  setHandler,
  startChild,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import {
  applyAddOpinion,
  applyAddProblem,
  applyAddRecord,
  applyAnswerObjection,
  applyDecideTransition,
  applyFileObjection,
  applyItemReport,
  applyMeetingAttendance,
  applyMeetingHeld,
  applyPublishTaskBook,
  applyRequestTransition,
  applyScheduleMeeting,
  applySetTaskBook,
  applyTaskBookEffective,
  applyWindowRung,
  campaignWorkflowId,
  checkAddOpinion,
  checkAddProblem,
  checkAddRecord,
  checkAnswerObjection,
  checkDecideTransition,
  checkFileObjection,
  checkMeetingAttendance,
  checkMeetingHeld,
  checkPublishTaskBook,
  checkRequestTransition,
  checkScheduleMeeting,
  checkSetTaskBook,
  isActivePhase,
  itemWorkflowId,
  newUnitState,
  overdueItemCount,
  parseInstant,
  phaseWindow,
  rungRecipients,
  taskBookReady,
  type Ctx,
  type UnitState,
  type UnitView,
} from '../libs/domain/src';
import {
  addOpinionUpdate,
  addProblemUpdate,
  addRecordUpdate,
  answerObjectionUpdate,
  approveTransitionUpdate,
  fileObjectionUpdate,
  itemReportSignal,
  meetingAttendanceUpdate,
  meetingHeldUpdate,
  publishTaskBookUpdate,
  requestTransitionUpdate,
  scheduleMeetingUpdate,
  setTaskBookUpdate,
  unitProgressSignal,
  unitStateQuery,
  type ItemWorkflowInput,
  type UnitEffects,
  type UnitProgressReport,
  type UnitWorkflowInput,
} from './definitions';
import { DEFAULT_HISTORY_LIMIT, historyIsLong } from './history-limit';
import { dbActivities } from './activities';
import { handler, validator } from './failures';
import { escalate, runLadder } from './ladder';
import { rectificationItemWorkflow } from './item';
import { batchKey, campaignIdKey, cardKey, kindKey, phaseKey, unitCodeKey } from './search-attributes';

export async function unitLifecycleWorkflow(input: UnitWorkflowInput): Promise<UnitView> {
  const { plan } = input;
  const workflowId = workflowInfo().workflowId;
  const state: UnitState = input.carried?.state ?? newUnitState(input, plan, Date.now());
  // Search attributes are upserted again after a continue-as-new: cheap, and nothing depends on inheritance.
  const fx: UnitEffects = input.carried ? { ...input.carried.effects, searchAttributes: '' } : {
    reportedPhase: null,
    reportedCard: 'none',
    reportedReferrals: 0,
    reportedOverdue: 0,
    projectedVersion: 0,
    itemsStarted: false,
    searchAttributes: '',
  };
  const ctx = (): Ctx => ({ now: Date.now(), plan });
  /** Window rungs whose effects (escalation, notifications) are still running. */
  let escalating = 0;

  // ---------- queries, updates, signals ----------
  setHandler(unitStateQuery, () => state.view);

  const on = <A, R>(
    def: Parameters<typeof setHandler>[0],
    check: (s: UnitState, a: A, c: Ctx) => void,
    apply: (s: UnitState, a: A, c: Ctx) => R,
  ) =>
    setHandler(
      def as never,
      handler((a: A) => apply(state, a, ctx())) as never,
      { validator: validator((a: A) => check(state, a, ctx())) } as never,
    );

  on(addRecordUpdate, checkAddRecord, applyAddRecord);
  on(addOpinionUpdate, checkAddOpinion, applyAddOpinion);
  on(addProblemUpdate, checkAddProblem, applyAddProblem);
  on(scheduleMeetingUpdate, checkScheduleMeeting, applyScheduleMeeting);
  on(meetingAttendanceUpdate, checkMeetingAttendance, applyMeetingAttendance);
  on(meetingHeldUpdate, checkMeetingHeld, applyMeetingHeld);
  on(requestTransitionUpdate, checkRequestTransition, applyRequestTransition);
  on(approveTransitionUpdate, checkDecideTransition, applyDecideTransition);
  on(setTaskBookUpdate, checkSetTaskBook, applySetTaskBook);
  on(publishTaskBookUpdate, checkPublishTaskBook, applyPublishTaskBook);
  on(fileObjectionUpdate, checkFileObjection, applyFileObjection);
  on(answerObjectionUpdate, checkAnswerObjection, applyAnswerObjection);

  setHandler(itemReportSignal, (report) => {
    if (!applyItemReport(state, report, ctx())) log.warn('report from an unknown item ignored', { itemId: report?.itemId });
  });

  // ---------- phase-window escalation: yellow to the group at the window's end, red to the office later ----------
  const windowEscalation = async () => {
    while (isActivePhase(state.view.phase)) {
      const phase = state.view.phase;
      const window = phaseWindow(plan, input.batch, phase);
      await runLadder({
        deadline: window.endsAt,
        ladder: plan.windowLadder,
        calendar: plan.calendar,
        keyPrefix: `${workflowId}:${phase}`,
        isFired: (key) => state.view.windowRungs.some((r) => r.key === key),
        shouldStop: () => state.view.phase !== phase,
        fire: async (step) => {
          const firedAt = new Date().toISOString();
          const to = rungRecipients(step.rung, { unitId: input.unitId, groupId: input.groupId });
          applyWindowRung(state, { rung: step.rung, firedAt, deadline: window.endsAt, to, dueAt: step.dueAt, key: step.key }, ctx());
          escalating++;
          try {
            await escalate({
              key: step.key,
              campaignId: input.campaignId,
              unitId: input.unitId,
              groupId: input.groupId,
              subject: 'phase-window',
              phase,
              rung: step.rung,
              deadline: window.endsAt,
              firedAt,
              to,
              summary: `Unit ${input.code} (${input.name}) is still in ${phase} after its window ended ${window.endsAt}: ${step.rung}`,
            });
            if (step.rung === 'referral') {
              await dbActivities.proposeMeasure({
                key: step.key,
                campaignId: input.campaignId,
                unitId: input.unitId,
                subject: `leadership of unit ${input.code}`,
                reason: `${phase} window overrun since ${window.endsAt}`,
              });
            }
          } catch (e) {
            log.error('phase-window escalation could not be recorded', { key: step.key, error: String(e) });
          } finally {
            escalating--;
          }
        },
      });
      await condition(() => state.view.phase !== phase);
    }
  };
  const windows = windowEscalation();
  // Awaited at the end; a rejection meanwhile (e.g. cancellation) must not count as unhandled.
  windows.catch(() => undefined);

  // ---------- effects: items, search attributes, campaign counters, read model ----------
  const startItems = async () => {
    const tb = state.view.taskBook!;
    await Promise.all(
      tb.items.map(async (item) => {
        const args: ItemWorkflowInput = {
          campaignId: input.campaignId,
          unitId: input.unitId,
          itemId: item.id,
          groupId: input.groupId,
          measure: item.measure,
          owner: item.owner,
          problemIds: item.problemIds,
          deadline: item.deadline,
          plan: { ladder: plan.ladder, calendar: plan.calendar },
          parentWorkflowId: workflowId,
          unitCode: input.code,
          batch: input.batch,
          ...(input.historyLimit ? { historyLimit: input.historyLimit } : {}),
        };
        try {
          // ABANDON: items outlive a continue-as-new of their unit and report back by workflow id.
          await startChild(rectificationItemWorkflow, {
            workflowId: itemWorkflowId(item.id),
            args: [args],
            parentClosePolicy: ParentClosePolicy.ABANDON,
            typedSearchAttributes: [
              { key: campaignIdKey, value: input.campaignId },
              { key: unitCodeKey, value: input.code },
              { key: batchKey, value: input.batch },
              { key: cardKey, value: 'none' },
              { key: kindKey, value: 'item' },
            ],
          });
        } catch (e) {
          if (!(e instanceof WorkflowExecutionAlreadyStartedError)) throw e;
        }
      }),
    );
  };

  const publish = async () => {
    const v = state.view;
    const attrs = `${v.phase}|${v.card}`;
    if (attrs !== fx.searchAttributes) {
      upsertSearchAttributes([
        { key: campaignIdKey, value: input.campaignId },
        { key: unitCodeKey, value: input.code },
        { key: batchKey, value: input.batch },
        { key: phaseKey, value: v.phase },
        { key: cardKey, value: v.card },
        { key: kindKey, value: 'unit' },
      ]);
      fx.searchAttributes = attrs;
    }

    const overdue = overdueItemCount(v);
    const referrals = state.referralKeys.length;
    if (fx.reportedPhase !== v.phase || fx.reportedCard !== v.card || fx.reportedReferrals !== referrals || fx.reportedOverdue !== overdue) {
      const report: UnitProgressReport = {
        unitId: input.unitId,
        batch: input.batch,
        ...(fx.reportedPhase !== v.phase ? { phase: { from: fx.reportedPhase, to: v.phase } } : {}),
        ...(fx.reportedCard !== v.card ? { card: { from: fx.reportedCard, to: v.card } } : {}),
        ...(referrals !== fx.reportedReferrals ? { referrals: referrals - fx.reportedReferrals } : {}),
        ...(overdue !== fx.reportedOverdue ? { overdueItems: overdue - fx.reportedOverdue } : {}),
      };
      Object.assign(fx, { reportedPhase: v.phase, reportedCard: v.card, reportedReferrals: referrals, reportedOverdue: overdue });
      try {
        await getExternalWorkflowHandle(campaignWorkflowId(input.campaignId)).signal(unitProgressSignal, report);
      } catch (e) {
        log.warn('campaign not reachable; progress not counted', { campaignId: input.campaignId, error: String(e) });
      }
    }

    if (v.version !== fx.projectedVersion) {
      fx.projectedVersion = v.version;
      try {
        await dbActivities.projectUnit(v);
      } catch (e) {
        log.error('unit projection failed', { version: v.version, error: String(e) });
      }
    }
  };

  // ---------- the main loop ----------
  const historyLimit = input.historyLimit ?? DEFAULT_HISTORY_LIMIT;
  for (;;) {
    if (taskBookReady(state, Date.now())) applyTaskBookEffective(state, ctx());
    if (state.view.taskBook?.status === 'effective' && !fx.itemsStarted) {
      await startItems();
      fx.itemsStarted = true;
    }
    await publish();
    const seen = state.view.version;
    // Changed while publishing: publish again, so neither the read model nor the campaign's counters miss the
    // last change (the loop may end right below).
    const v = state.view;
    if (
      fx.projectedVersion !== seen ||
      fx.reportedPhase !== v.phase ||
      fx.reportedCard !== v.card ||
      fx.reportedReferrals !== state.referralKeys.length ||
      fx.reportedOverdue !== overdueItemCount(v)
    )
      continue;

    if (state.view.phase === 'DONE') break;

    if (historyIsLong(historyLimit) && escalating === 0 && allHandlersFinished()) {
      await continueAsNew<typeof unitLifecycleWorkflow>({ ...input, carried: { state, effects: fx } });
    }

    const tb = state.view.taskBook;
    const disclosureLeft = tb?.status === 'disclosed' ? parseInstant(tb.disclosureEndsAt, 'disclosureEndsAt') - Date.now() : 0;
    if (disclosureLeft > 0) await condition(() => state.view.version !== seen, disclosureLeft);
    else await condition(() => state.view.version !== seen);
  }

  await windows;
  await condition(() => escalating === 0 && allHandlersFinished());
  return state.view;
}
