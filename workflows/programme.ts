// 市级专项 — a city-wide programme (a governance track or a major action): its staged goals are deadlines on the
// same escalation ladder as rectification items; the lead unit records achievement and the office verifies.
import { allHandlersFinished, condition, continueAsNew, setHandler, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import {
  applyGoalAchievement,
  applyGoalRung,
  applyGoalVerification,
  checkGoalAchievement,
  checkGoalVerification,
  goalLadderStoppedAt,
  type GoalAchievementArgs,
  type GoalVerificationArgs,
  newProgrammeView,
  rungRecipients,
  type GoalView,
  type ProgrammeView,
} from '../libs/domain/src';
import { goalAchievementUpdate, goalVerificationUpdate, programmeStateQuery, type ProgrammeWorkflowInput } from '../libs/contracts/src';
import { DEFAULT_HISTORY_LIMIT, historyIsLong } from './history-limit';
import { clockIndependentCommands } from './clock';
import { decisionsOn } from './decisions';
import { fireRung, runLadder, type LadderStep } from './ladder';
import { project, projectionRules } from './projection';
import { campaignIdKey, cardKey, kindKey } from '../libs/contracts/src';

export async function programmeWorkflow(input: ProgrammeWorkflowInput): Promise<ProgrammeView> {
  const run = startRun(input);
  registerHandlers(run);
  const ladders = escalateGoals(run);
  ladders.catch(() => undefined);

  const { view } = run;
  for (;;) {
    upsertSearchAttributesOnChange(run);
    await publish(run);
    if (view.status === 'done') break;
    if (canContinue(run))
      await continueAsNew<typeof programmeWorkflow>({ ...input, carried: { view, projectedVersion: run.projectedVersion } });
    const seen = view.version;
    await condition(() => view.version !== seen || canContinue(run));
  }
  await ladders;
  await condition(() => run.escalating === 0 && allHandlersFinished());
  await publish(run);
  return view;
}

/** What the programme's concerns share within one run of the workflow. */
interface ProgrammeRun {
  readonly input: ProgrammeWorkflowInput;
  readonly workflowId: string;
  /** The run projects in its deciding tasks (local activities, runs recorded so): workflows/projection.ts. */
  readonly inTask: boolean;
  readonly clockIndependent: boolean;
  readonly view: ProgrammeView;
  /** Goal rungs whose effects (escalation record, measure proposal) are still running. */
  escalating: number;
  readonly historyLimit: number;
  /** The card last written to the search attributes ('' until the run writes them). */
  searchAttributes: string;
  projectedVersion: number;
}

/** The run's state: carried over a continue-as-new, or new. */
function startRun(input: ProgrammeWorkflowInput): ProgrammeRun {
  const workflowId = workflowInfo().workflowId;
  // Runs that follow the clock rule (workflows/clock.ts) also project their view into the read model.
  const { inTask, current } = projectionRules();
  // A run of the current projection rules follows the clock rule too: its one patch marker says both.
  const clockIndependent = current || clockIndependentCommands();
  return {
    input,
    workflowId,
    inTask,
    clockIndependent,
    view: input.carried?.view ?? newProgrammeView(input, Date.now()),
    escalating: 0,
    historyLimit: input.historyLimit ?? DEFAULT_HISTORY_LIMIT,
    searchAttributes: '',
    projectedVersion: input.carried?.projectedVersion ?? 0,
  };
}

/** Continue-as-new is due and safe now (no rung half-recorded, no handler running). */
const canContinue = (run: ProgrammeRun) => historyIsLong(run.historyLimit) && run.escalating === 0 && allHandlersFinished();

// ---------- queries and updates: the lead unit records a goal's achievement, the office verifies it ----------
function registerHandlers(run: ProgrammeRun): void {
  setHandler(programmeStateQuery, () => run.view);
  const on = decisionsOn(run, () => Date.now());
  on(
    goalAchievementUpdate,
    (r, a: GoalAchievementArgs) => checkGoalAchievement(r.view, a),
    (r, a, now) => applyGoalAchievement(r.view, a, now),
  );
  on(
    goalVerificationUpdate,
    (r, a: GoalVerificationArgs) => checkGoalVerification(r.view, a),
    (r, a, now) => applyGoalVerification(r.view, a, now),
  );
}

// ---------- goal escalation: each staged goal's due date on the plan's ladder ----------
/** Every goal's ladder, all at once, in the order of the goals. */
function escalateGoals(run: ProgrammeRun): Promise<unknown> {
  return Promise.all(run.view.goals.map((goal) => escalateGoal(run, goal)));
}

async function escalateGoal(run: ProgrammeRun, goal: GoalView): Promise<void> {
  const { input } = run;
  await runLadder({
    deadline: goal.dueAt,
    ladder: input.plan.ladder,
    calendar: input.plan.calendar,
    keyPrefix: `${run.workflowId}:${goal.id}:${goal.dueAt}`,
    isFired: (key) => goal.rungs.some((r) => r.key === key),
    stoppedAt: () => goalLadderStoppedAt(goal),
    clockIndependent: run.clockIndependent,
    fire: (step) => fireGoalRung(run, goal, step),
  });
}

/** One rung of a goal's ladder: recorded in the view, then its effects (record, measure proposal). */
async function fireGoalRung(run: ProgrammeRun, goal: GoalView, step: LadderStep): Promise<void> {
  const { input, view } = run;
  const { firedAt } = step;
  const to = rungRecipients(step.rung, { unitId: input.leadUnitId, groupId: '' });
  applyGoalRung(
    view,
    goal.id,
    { rung: step.rung, firedAt, deadline: goal.dueAt, to, dueAt: step.dueAt, key: step.key, ...(step.late ? { late: true } : {}) },
    Date.now(),
  );
  await fireRung(
    {
      key: step.key,
      campaignId: input.campaignId ?? '',
      unitId: input.leadUnitId,
      itemId: goal.id,
      groupId: '',
      subject: 'programme-goal',
      rung: step.rung,
      deadline: goal.dueAt,
      firedAt,
      to,
      summary: `Programme ${input.name}: staged goal "${goal.title}" (lead: ${input.leadLeader}) — ${step.rung}, due ${goal.dueAt}`,
    },
    () => ({
      campaignId: input.campaignId ?? '',
      unitId: input.leadUnitId,
      subject: `lead unit of programme ${input.name}`,
      reason: `staged goal "${goal.title}" overdue since ${goal.dueAt} (${step.rung} due ${step.dueAt})`,
    }),
    (d) => (run.escalating += d),
  );
}

// ---------- effects: search attributes, read model ----------
/** Writes the programme's search attributes when its card changes. */
function upsertSearchAttributesOnChange(run: ProgrammeRun): void {
  const { input, view } = run;
  if (run.searchAttributes === view.card) return;
  upsertSearchAttributes([
    ...(input.campaignId ? [{ key: campaignIdKey, value: input.campaignId }] : []),
    { key: cardKey, value: view.card },
    { key: kindKey, value: 'programme' },
  ]);
  run.searchAttributes = view.card;
}

/** The read model's row, until it shows this version (retried until the database takes it). */
async function publish(run: ProgrammeRun): Promise<void> {
  const { view } = run;
  while (run.clockIndependent && run.projectedVersion !== view.version) {
    const version = view.version;
    await project(run.inTask, 'projectProgramme', { programmeId: run.input.programmeId, view });
    run.projectedVersion = version;
  }
}
