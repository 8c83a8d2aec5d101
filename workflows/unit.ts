// 参加单位 — one participating unit's lifecycle: P1 → P2 → P3 → DONE, with its phase windows escalating on
// their own, the supervised meeting, the task book and its disclosure, and one child workflow per item.
import {
  allHandlersFinished,
  condition,
  continueAsNew,
  log,
  ParentClosePolicy,
  patched,
  setCurrentDetails,
  setHandler,
  sleep,
  startChild,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError, WorkflowIdReusePolicy, type SearchAttributePair } from '@temporalio/common';
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
  applyUnitPlanVersion,
  checkUnitPlanVersion,
  planVersionOf,
  windowLadderStoppedAt,
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
  latestDeadline,
  newUnitState,
  parseInstant,
  phaseWindow,
  rungRecipients,
  takeChanges,
  taskBookReady,
  taskBookMayTakeEffect,
  disclosureAwaitingTimer,
  unitHeader,
  type ActivePhase,
  type Ctx,
  type TaskBookItemView,
  type UnitState,
  type UnitView,
  type Window,
  itemMetadata,
  unitCurrentDetails,
} from '../libs/domain/src';
import {
  addOpinionUpdate,
  addProblemUpdate,
  addRecordUpdate,
  answerObjectionUpdate,
  applyUnitPlanVersionUpdate,
  approveTransitionUpdate,
  fileObjectionUpdate,
  itemReportSignal,
  type ItemReport,
  meetingAttendanceUpdate,
  meetingHeldUpdate,
  publishTaskBookUpdate,
  requestTransitionUpdate,
  scheduleMeetingUpdate,
  setTaskBookUpdate,
  unitStateQuery,
  type ItemWorkflowInput,
  type UnitEffects,
  type UnitWorkflowInput,
} from '../libs/contracts/src';
import { DEFAULT_HISTORY_LIMIT, historyIsLong } from './history-limit';
import { clockIndependentCommands, timerUntil } from './clock';
import { planChangeStop } from './plan-versions';
import { decisionsOn } from './decisions';
import { fireRung, runLadder, type LadderStep } from './ladder';
import { rectificationItemWorkflow } from './item';
import { project, projectionRules } from './projection';
import {
  batchKey,
  campaignIdKey,
  cardKey,
  holdsAttributes,
  kindKey,
  phaseKey,
  PLAN_VERSIONS,
  unitCodeKey,
  WINDOW_RUNG_OF_A_LEFT_PHASE_CARDS_NOTHING,
} from '../libs/contracts/src';

export async function unitLifecycleWorkflow(input: UnitWorkflowInput): Promise<UnitView> {
  const run = startRun(input);
  registerHandlers(run);
  const windows = escalateWindows(run);
  // Awaited at the end; a rejection meanwhile (e.g. cancellation) must not count as unhandled.
  windows.catch(() => undefined);
  const awaitDisclosureEnd = disclosureTimers(run.state);
  const taskBookTakesEffect = () => (run.clockIndependent ? taskBookMayTakeEffect(run.state) : taskBookReady(run.state, Date.now()));

  // ---------- the main loop ----------
  const { state, fx } = run;
  for (;;) {
    // First, so that it happens even while updates keep arriving without pause; unprojected entries are carried.
    if (canContinue(run)) await continueAsNew<typeof unitLifecycleWorkflow>({ ...input, carried: { state, effects: fx } });
    if (taskBookTakesEffect()) applyTaskBookEffective(state, run.ctx());
    if (state.view.taskBook?.status === 'effective' && !fx.itemsStarted) {
      await startItems(run);
      fx.itemsStarted = true;
    }
    await publish(run);
    // Changed while publishing (or the disclosure ended meanwhile): round again before waiting, so that neither
    // the read model misses the last change nor a task book stays disclosed past its window.
    if (state.changes.length || fx.projectedVersion !== state.view.version || taskBookTakesEffect()) continue;
    if (state.view.phase === 'DONE') break;
    await awaitChange(run, awaitDisclosureEnd);
  }

  await windows;
  await condition(() => run.escalating === 0 && allHandlersFinished());
  await publish(run, true);
  return state.view;
}

/** What the unit's concerns share within one run of the workflow. */
interface UnitRun {
  readonly input: UnitWorkflowInput;
  readonly workflowId: string;
  /** The run projects in its deciding tasks (local activities, runs recorded so): workflows/projection.ts. */
  readonly inTask: boolean;
  readonly clockIndependent: boolean;
  readonly state: UnitState;
  readonly fx: UnitEffects;
  readonly ctx: () => Ctx;
  /** Window rungs whose effects (escalation record, measure proposal) are still running. */
  escalating: number;
  readonly historyLimit: number;
}

/** The run's state: carried over a continue-as-new, or new. */
function startRun(input: UnitWorkflowInput): UnitRun {
  const { plan } = input;
  const workflowId = workflowInfo().workflowId;
  const { inTask, current } = projectionRules();
  // A run of the current projection rules follows the clock rule too: its one patch marker says both.
  const clockIndependent = current || clockIndependentCommands();
  const state = input.carried?.state ?? newUnitState(input, plan, Date.now());
  const fx: UnitEffects = input.carried
    ? { ...input.carried.effects, searchAttributes: '' }
    : { projectedVersion: 0, itemsStarted: false, searchAttributes: '' };
  // Search attributes are written in the first task unless the run already holds them (started with them, or
  // carried over by a continue-as-new); runs recorded before that rule write them again whatever they hold.
  if (current && holdsAttributes(workflowInfo().typedSearchAttributes, unitAttributes(input, state.view)))
    fx.searchAttributes = `${state.view.phase}|${state.view.card}`;
  return {
    input,
    workflowId,
    inTask,
    clockIndependent,
    state,
    fx,
    ctx: (): Ctx => ({ now: Date.now(), plan }),
    escalating: 0,
    historyLimit: input.historyLimit ?? DEFAULT_HISTORY_LIMIT,
  };
}

/** Continue-as-new is due and safe now (no rung half-recorded, no handler running). */
const canContinue = (run: UnitRun) => historyIsLong(run.historyLimit) && run.escalating === 0 && allHandlersFinished();

// ---------- queries, updates, signals ----------
function registerHandlers(run: UnitRun): void {
  const { state, ctx } = run;
  setHandler(unitStateQuery, () => state.view);

  const on = decisionsOn(state, ctx);

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
  // A plan version (the office changed the plan): the ladders below restart on it.
  on(
    applyUnitPlanVersionUpdate,
    checkUnitPlanVersion,
    (s, a: Parameters<typeof applyUnitPlanVersion>[1], c) => (patched(PLAN_VERSIONS), applyUnitPlanVersion(s, a, c)),
  );

  // A malformed signal (no report) is logged like a report from an unknown item.
  setHandler(itemReportSignal, (report: ItemReport | undefined) => {
    if (!applyItemReport(state, report, ctx())) log.warn('report from an unknown item ignored', { itemId: report?.itemId });
  });
}

// ---------- phase-window escalation: yellow to the group at the window's end, red to the office later ----------
async function escalateWindows(run: UnitRun): Promise<void> {
  const { state, input } = run;
  while (isActivePhase(state.view.phase)) {
    const phase = state.view.phase;
    const window = phaseWindow(input.plan, input.batch, phase);
    const planVersion = planVersionOf(state.view);
    await runLadder({
      deadline: window.endsAt,
      ladder: input.plan.windowLadder,
      calendar: input.plan.calendar,
      keyPrefix: `${run.workflowId}:${phase}`,
      isFired: (key) => state.view.windowRungs.some((r) => r.key === key),
      // The window's ladder stops when the unit leaves the phase, or takes another plan version (the ladder
      // starts again on it); rungs due before that still fire.
      stoppedAt: () => windowLadderStoppedAt(state, phase) ?? planChangeStop(state, planVersion),
      clockIndependent: run.clockIndependent,
      fire: (step) => fireWindowRung(run, { phase, window, planVersion }, step),
    });
    await condition(() => state.view.phase !== phase || planVersionOf(state.view) !== planVersion);
  }
}

/** The ladder of one phase window, on one plan version. */
interface WindowLadder {
  phase: ActivePhase;
  window: Window;
  planVersion: number;
}

/** One rung of a phase window's ladder: recorded in the state, then its effects (record, measure proposal). */
async function fireWindowRung(run: UnitRun, { phase, window, planVersion }: WindowLadder, step: LadderStep): Promise<void> {
  const { state, input } = run;
  const { firedAt } = step;
  const to = rungRecipients(step.rung, { unitId: input.unitId, groupId: input.groupId });
  // A rung of a phase the unit has left (due before it moved on, fired as the ladder caught up) no longer
  // cards it; histories recorded before that rule replay as they ran.
  const cardsLeftPhase = state.view.phase !== phase && !patched(WINDOW_RUNG_OF_A_LEFT_PHASE_CARDS_NOTHING);
  applyWindowRung(
    state,
    {
      rung: step.rung,
      firedAt,
      deadline: window.endsAt,
      to,
      dueAt: step.dueAt,
      key: step.key,
      phase,
      ...(step.late ? { late: true } : {}),
      planVersion,
    },
    run.ctx(),
    { cardsLeftPhase },
  );
  await fireRung(
    {
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
      planVersion,
      summary: `Unit ${input.code} (${input.name}) is still in ${phase} after its window ended ${window.endsAt}: ${step.rung}`,
    },
    () => ({
      campaignId: input.campaignId,
      unitId: input.unitId,
      subject: `leadership of unit ${input.code}`,
      reason: `${phase} window overrun since ${window.endsAt}`,
    }),
    (d) => (run.escalating += d),
  );
}

// ---------- effects: items, search attributes, read model ----------
async function startItems(run: UnitRun): Promise<void> {
  const { state, input } = run;
  const tb = state.view.taskBook;
  if (!tb) throw new Error('items started before a task book took effect'); // as an invariant: a task failure, retried
  await Promise.all(
    tb.items.map(async (item) => {
      try {
        // ABANDON: items outlive a continue-as-new of their unit and report back by workflow id.
        // REJECT_DUPLICATE: an item runs once, ever. A unit reset by recovery to before its items started
        // starts them again; one that has completed meanwhile must not begin a second life.
        await startChild(rectificationItemWorkflow, {
          workflowId: itemWorkflowId(item.id),
          args: [itemInput(run, item)],
          // The Temporal Web UI lists the item by its unit, number and owner.
          ...itemMetadata({ itemId: item.id, unitCode: input.code, owner: item.owner, deadline: item.deadline }),
          parentClosePolicy: ParentClosePolicy.ABANDON,
          workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
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
}

/** An item's workflow input: the item of the task book, with the unit's plan and identity. */
function itemInput(run: UnitRun, item: TaskBookItemView): ItemWorkflowInput {
  const { state, input } = run;
  const { plan } = input;
  return {
    campaignId: input.campaignId,
    unitId: input.unitId,
    itemId: item.id,
    groupId: input.groupId,
    measure: item.measure,
    owner: item.owner,
    problemIds: item.problemIds,
    deadline: item.deadline,
    plan: { ladder: plan.ladder, calendar: plan.calendar },
    ...(state.view.planVersion ? { planVersion: state.view.planVersion } : {}),
    latestDeadline: latestDeadline(plan).at,
    parentWorkflowId: run.workflowId,
    unitCode: input.code,
    batch: input.batch,
    ...(input.historyLimit ? { historyLimit: input.historyLimit } : {}),
  };
}

/**
 * Search attributes, then the read model: the header and the entries changed since the last projection.
 * `final`: the workflow is ending, so everything is projected before it returns.
 */
async function publish(run: UnitRun, final = false): Promise<void> {
  const { state, input, fx } = run;
  for (;;) {
    const v = state.view;
    // The Temporal Web UI's line for this run: its phase, card and window now (no command, not in the history).
    setCurrentDetails(unitCurrentDetails(v));
    const attrs = `${v.phase}|${v.card}`;
    if (attrs !== fx.searchAttributes) {
      upsertSearchAttributes(unitAttributes(input, v));
      fx.searchAttributes = attrs;
    }
    if (!state.changes.length && fx.projectedVersion === v.version) return;
    // Updates arriving without pause would keep this loop going: the main loop continues as new first, and
    // the next run projects what is left.
    if (!final && canContinue(run)) return;
    // Retried until the database takes it: a projection is never dropped. A long run of changes goes in
    // chunks; only the last carries the header, so the row's version is reached only once every entry up to
    // it is in.
    const version = v.version;
    const changes = takeChanges(state, PROJECTION_CHUNK);
    const last = state.changes.length === 0;
    await project(run.inTask, 'projectUnit', {
      campaignId: input.campaignId,
      unitId: input.unitId,
      ...(last ? { view: unitHeader(state.view) } : {}),
      changes,
    });
    if (last) fx.projectedVersion = version;
  }
}

/** The unit's search attributes for its view now. */
function unitAttributes(input: UnitWorkflowInput, v: UnitView): SearchAttributePair[] {
  return [
    { key: campaignIdKey, value: input.campaignId },
    { key: unitCodeKey, value: input.code },
    { key: batchKey, value: input.batch },
    { key: phaseKey, value: v.phase },
    { key: cardKey, value: v.card },
    { key: kindKey, value: 'unit' },
  ];
}

// ---------- the disclosure (公示): its end is a timer, and the task book takes effect when it has fired ----------
/** Starts the timer of a disclosure's end, once per end. */
function disclosureTimers(state: UnitState): (endsAt: string) => void {
  const started = new Set<string>();
  return (endsAt) => {
    if (started.has(endsAt)) return;
    started.add(endsAt);
    sleep(timerUntil(parseInstant(endsAt, 'disclosureEndsAt')))
      .then(() => {
        state.disclosureElapsed = endsAt;
      })
      // Cancelled with the run: nothing to record.
      .catch(() => undefined);
  };
}

/**
 * Waits for the next change, the disclosure's end or the moment to continue as new. Not async: the caller awaits
 * the condition's own promise, so no await is added between the wake and the main loop's next commands.
 */
function awaitChange(run: UnitRun, awaitDisclosureEnd: (endsAt: string) => void): Promise<unknown> {
  const { state } = run;
  const seen = state.view.version;
  const elapsed = state.disclosureElapsed;
  const wake = () => state.view.version !== seen || state.disclosureElapsed !== elapsed || canContinue(run);
  if (run.clockIndependent) {
    // Published meanwhile (possibly while an earlier change was being projected): its end gets its timer now.
    const endsAt = disclosureAwaitingTimer(state);
    if (endsAt) awaitDisclosureEnd(endsAt);
    return condition(wake);
  } else {
    // Runs recorded before the disclosure had its own timer replay as they ran: there, whether the wait has a
    // timer depended on the clock (README: "A history that never needs rewriting").
    const tb = state.view.taskBook;
    const disclosureLeft = tb?.status === 'disclosed' ? parseInstant(tb.disclosureEndsAt, 'disclosureEndsAt') - Date.now() : 0;
    return disclosureLeft > 0 ? condition(wake, disclosureLeft) : condition(wake);
  }
}

/** Entries per projection activity: keeps each activity's input far below the payload limit. */
const PROJECTION_CHUNK = 200;
