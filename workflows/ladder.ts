// The escalation ladder, shared by rectification items, phase windows and programme goals.
// Rungs fire in order at deadline + offset (per the plan's calendar); a rung whose moment has passed when the
// ladder (re)starts fires at once; a rung already fired (its key is in the workflow's state) never fires again.
import { condition } from '@temporalio/workflow';
import { ladderSchedule, type CalendarPlan, type LadderRung, type ScheduledRung } from '../libs/domain/src';
import { dbActivities, notifyActivities } from './activities';
import type { EscalationInput } from '../activities/types';

export interface LadderRun {
  deadline: string;
  ladder: readonly LadderRung[];
  calendar: CalendarPlan;
  /** `${workflowId}:${deadline}` (items) or `${workflowId}:${phase}` (windows); the rung name is appended. */
  keyPrefix: string;
  isFired(key: string): boolean;
  /** True once the ladder must stop (closed, carried, phase left, deadline changed); checked at every step. */
  shouldStop(): boolean;
  /**
   * Records the rung in the workflow's state synchronously (so `isFired` holds at once), then performs its
   * effects (escalation record, notifications).
   */
  fire(step: ScheduledRung & { key: string }): Promise<void>;
}

export async function runLadder(run: LadderRun): Promise<'completed' | 'stopped'> {
  for (const step of ladderSchedule(run.deadline, run.ladder, run.calendar)) {
    const key = `${run.keyPrefix}:${step.rung}`;
    if (run.isFired(key)) continue;
    const wait = step.dueMs - Date.now();
    if (wait > 0 && (await condition(run.shouldStop, wait))) return 'stopped';
    if (run.shouldStop()) return 'stopped';
    await run.fire({ ...step, key });
  }
  return 'completed';
}

/** Records one escalation and sends its notifications; both activities are idempotent by the key. */
export async function escalate(input: EscalationInput): Promise<void> {
  await dbActivities.recordEscalation(input);
  await notifyActivities.deliverNotifications({ escalationKey: input.key });
}
