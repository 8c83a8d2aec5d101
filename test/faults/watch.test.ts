// What the fault suite's monitor reads of stuck runs: the API's own /metrics and /health/ready texts, made by
// the API's code from the same rows, parsed back into the workflow ids they name.
import { ApiMetrics, type StuckRunsNow } from '../../apps/api/src/common/metrics';
import { stuckRunsCheck } from '../../apps/api/src/health/health.controller';
import type { StuckRun } from '../../libs/persistence/src';
import { stuckCountInMetrics, stuckRunsInMetrics, stuckRunsInReadiness } from './watch';

const run = (workflowId: string, cause: string): StuckRun => ({
  workflowId,
  runId: `run-of-${workflowId}`,
  workflowType: workflowId.includes('item') ? 'rectificationItemWorkflow' : 'unitLifecycleWorkflow',
  attempt: 4,
  cause,
  message: 'Nondeterminism error: Update machine does not handle this event',
  source: 'history',
  firstSeenAt: '2030-03-01T08:00:00.000Z',
  lastSeenAt: '2030-03-01T08:01:00.000Z',
});
const item = 'massline-item-6bcb3ac0-a28d-4514-8db6-8196f12f3f71.item-1';
const unit = 'massline-unit-ae1b4658-56b7-4c8a-bc93-05f646ce4111';
const now: StuckRunsNow = {
  total: 2,
  runs: [run(item, 'WORKFLOW_TASK_FAILED_CAUSE_NON_DETERMINISTIC_ERROR'), run(unit, 'WORKFLOW_TASK_TIMED_OUT')],
};

it('reads the stuck runs massline_workflow_stuck names, and massline_workflows_stuck', async () => {
  const metrics = new ApiMetrics(() => Promise.resolve([]), false);
  metrics.readStuckRuns = () => Promise.resolve(now);
  const text = await metrics.registry.metrics();
  expect(stuckRunsInMetrics(text)).toEqual([
    { workflowId: item, cause: 'WORKFLOW_TASK_FAILED_CAUSE_NON_DETERMINISTIC_ERROR' },
    { workflowId: unit, cause: 'WORKFLOW_TASK_TIMED_OUT' },
  ]);
  expect(stuckCountInMetrics(text)).toBe(2);
});

it("reads the stuck runs readiness's workflows check names, ready or not", () => {
  const checks = { database: 'up', worker: 'down: no poller', workflows: stuckRunsCheck(now) };
  expect(stuckRunsInReadiness({ status: 'ready', checks })).toEqual([item, unit]);
  expect(stuckRunsInReadiness({ statusCode: 503, message: 'not ready', details: [checks] })).toEqual([item, unit]);
  expect(stuckRunsInReadiness({ status: 'ready', checks: { workflows: stuckRunsCheck({ total: 0, runs: [] }) } })).toEqual([]);
});
