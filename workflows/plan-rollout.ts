// The rollout of one plan version (a change the office applied): its activity gives the version to every running
// unit of the batches that take it and to their items, retried until done; a worker that dies midway is followed
// by another that resumes from the activity's last heartbeat. The units and items record the version themselves.
import { upsertSearchAttributes } from '@temporalio/workflow';
import { rolloutActivities } from './activities';
import { campaignIdKey, kindKey, type PlanRolloutInput } from '../libs/contracts/src';

export async function planRolloutWorkflow(input: PlanRolloutInput): Promise<{ units: number; items: number }> {
  upsertSearchAttributes([
    { key: campaignIdKey, value: input.campaignId },
    { key: kindKey, value: 'plan-rollout' },
  ]);
  return rolloutActivities.rolloutPlanVersion(input);
}
