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
import {
  goalAchievementUpdate,
  goalVerificationUpdate,
  programmeStateQuery,
  versioned,
  type ProgrammeWorkflowInput,
} from '../libs/contracts/src';
import { DEFAULT_HISTORY_LIMIT, historyIsLong } from './history-limit';
import { clockIndependentCommands } from './clock';
import { handler, validator } from './failures';
import { fireRung, runLadder } from './ladder';
import { project, projectionRules } from './projection';
import { campaignIdKey, cardKey, kindKey } from '../libs/contracts/src';

export async function programmeWorkflow(input: ProgrammeWorkflowInput): Promise<ProgrammeView> {
  const workflowId = workflowInfo().workflowId;
  // Runs that follow the clock rule (workflows/clock.ts) also project their view into the read model.
  const { inTask, current } = projectionRules();
  // A run of the current projection rules follows the clock rule too: its one patch marker says both.
  const clockIndependent = current || clockIndependentCommands();
  const view: ProgrammeView = input.carried?.view ?? newProgrammeView(input, Date.now());
  let escalating = 0;
  const historyLimit = input.historyLimit ?? DEFAULT_HISTORY_LIMIT;
  const canContinue = () => historyIsLong(historyLimit) && escalating === 0 && allHandlersFinished();

  setHandler(programmeStateQuery, () => view);
  setHandler(
    goalAchievementUpdate,
    handler((a: GoalAchievementArgs) => versioned(applyGoalAchievement(view, a, Date.now()), view.version)),
    { validator: validator((a: GoalAchievementArgs) => checkGoalAchievement(view, a)) },
  );
  setHandler(
    goalVerificationUpdate,
    handler((a: GoalVerificationArgs) => versioned(applyGoalVerification(view, a, Date.now()), view.version)),
    { validator: validator((a: GoalVerificationArgs) => checkGoalVerification(view, a)) },
  );

  const goalLadder = async (goal: GoalView) => {
    await runLadder({
      deadline: goal.dueAt,
      ladder: input.plan.ladder,
      calendar: input.plan.calendar,
      keyPrefix: `${workflowId}:${goal.id}:${goal.dueAt}`,
      isFired: (key) => goal.rungs.some((r) => r.key === key),
      stoppedAt: () => goalLadderStoppedAt(goal),
      clockIndependent,
      fire: async (step) => {
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
          (d) => (escalating += d),
        );
      },
    });
  };
  const ladders = Promise.all(view.goals.map(goalLadder));
  ladders.catch(() => undefined);

  let attrs = '';
  let projectedVersion = input.carried?.projectedVersion ?? 0;
  /** The read model's row, until it shows this version (retried until the database takes it). */
  const publish = async () => {
    while (clockIndependent && projectedVersion !== view.version) {
      const version = view.version;
      await project(inTask, 'projectProgramme', { programmeId: input.programmeId, view });
      projectedVersion = version;
    }
  };
  for (;;) {
    if (attrs !== view.card) {
      upsertSearchAttributes([
        ...(input.campaignId ? [{ key: campaignIdKey, value: input.campaignId }] : []),
        { key: cardKey, value: view.card },
        { key: kindKey, value: 'programme' },
      ]);
      attrs = view.card;
    }
    await publish();
    if (view.status === 'done') break;
    if (canContinue()) await continueAsNew<typeof programmeWorkflow>({ ...input, carried: { view, projectedVersion } });
    const seen = view.version;
    await condition(() => view.version !== seen || canContinue());
  }
  await ladders;
  await condition(() => escalating === 0 && allHandlersFinished());
  await publish();
  return view;
}
