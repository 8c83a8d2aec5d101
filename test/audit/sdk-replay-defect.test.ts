// Histories the SDK wrote live but cannot replay (libs/audit/README.md, "Replay"), recorded by the fault suite
// on the dev server under load, each on a fresh worker just after the one before it was killed. The workflow
// task then fails on every later replay. These tests pin that behaviour of @temporalio/* 1.24.0: when one fails,
// an SDK upgrade has fixed it — drop the README's note and its history.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { bundleWorkflows, currentWorkflowsPath, historyFromCliJson, replayHistories } from '../../libs/audit/src';

const fixture = (name: string) => path.join(__dirname, '..', 'fixtures', 'sdk-replay-defect', name);
const file = fixture('item-update-with-timer-after-worker-restart.json');

// A task holding both a fired timer (the item's reminder) and an Update (a request for extension): live, the
// worker ran the timer first (the rung's record and projection scheduled, then the Update accepted); replaying,
// the SDK's core hands over both in one activation, the Update first.
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

// The unit's wait for its disclosure to end, computed from the workflow clock: live, the fresh worker's clock in
// that task read an earlier task's start (a 2.9 s timer: 15:28:51.47 − 15:28:48.57), so it waited; replaying, the
// clock reads this task's start, after the disclosure's end, and the items start at once.
it('a timer computed from the workflow clock on a fresh worker: the SDK does not replay what it wrote', async () => {
  const json = JSON.parse(fs.readFileSync(fixture('unit-disclosure-timer-after-worker-restart.json'), 'utf8'));
  const started = (json.events as Array<{ eventId: string; eventType: string }>).find((e) => e.eventId === '168');
  expect(started?.eventType).toBe('EVENT_TYPE_TIMER_STARTED');
  const bundle = await bundleWorkflows(currentWorkflowsPath());
  const result = await replayHistories([{ workflowId: 'massline-unit-ae1b4658-56b7-4c8a-bc93-05f646ce4111', history: historyFromCliJson(json) }], { bundle });
  expect(result.failures).toHaveLength(1);
  expect(JSON.stringify(result.failures[0])).toMatch(/Child workflow machine does not handle this event: HistoryEvent \{ event_id: 168/);
}, 120_000);
