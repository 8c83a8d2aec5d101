// A history the SDK wrote live but cannot replay (libs/audit/README.md, "Replay"): recorded by the fault suite on
// the dev server. After a worker restart, a fresh worker took a task holding both a fired timer (the item's
// reminder) and an Update (a request for extension): live, it ran the timer first (the rung's record and
// projection scheduled, then the Update accepted); replaying, the SDK's core hands over both in one activation,
// the Update first. The workflow task then fails on every later replay. This test pins that behaviour of
// @temporalio/* 1.24.0: when it fails, an SDK upgrade has fixed it — drop the README's note and this file.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { bundleWorkflows, currentWorkflowsPath, historyFromCliJson, replayHistories } from '../../libs/audit/src';

const file = path.join(__dirname, '..', 'fixtures', 'sdk-replay-defect', 'item-update-with-timer-after-worker-restart.json');

it('an Update and a timer in one task of a fresh worker: the SDK does not replay what it wrote', async () => {
  const json = JSON.parse(fs.readFileSync(file, 'utf8'));
  const events = json.events as Array<{ eventId: string; eventType: string }>;
  // As written live: the rung's activities (22, 23) before the Update's acceptance (24).
  expect(events.slice(17, 25).map((e) => e.eventType.replace('EVENT_TYPE_', ''))).toEqual([
    'TIMER_FIRED',
    'WORKFLOW_TASK_SCHEDULED',
    'WORKFLOW_TASK_STARTED',
    'WORKFLOW_TASK_COMPLETED',
    'ACTIVITY_TASK_SCHEDULED',
    'ACTIVITY_TASK_SCHEDULED',
    'WORKFLOW_EXECUTION_UPDATE_ACCEPTED',
    'WORKFLOW_EXECUTION_UPDATE_COMPLETED',
  ]);
  const bundle = await bundleWorkflows(currentWorkflowsPath());
  const result = await replayHistories([{ workflowId: 'massline-item-6bcb3ac0-a28d-4514-8db6-8196f12f3f71.item-1', history: historyFromCliJson(json) }], { bundle });
  expect(result.failures).toHaveLength(1);
  expect(JSON.stringify(result.failures[0])).toMatch(/Update machine does not handle this event: HistoryEvent\(id: 22, ActivityTaskScheduled\)/);
}, 120_000);
