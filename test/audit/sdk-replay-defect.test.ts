// Two histories written live that their own code cannot replay, recorded by the fault suite on the dev server
// (libs/audit/README.md, "Histories written through a query task"). Both have one shape: new events reached the
// workflow code in a query task — a non-sticky "legacy query" on a fresh worker, which the server fills with the
// history as it stands, including events after the last workflow task started — so the code ran them at the
// previous task's clock (the workflow clock only moves when a workflow task starts) and its commands were sent
// with the next real task. Replaying, the SDK runs those events inside the task that recorded them, at that
// task's clock. These tests reproduce the shape from the histories themselves, without a server.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { bundleWorkflows, currentWorkflowsPath, historyFromCliJson, replayHistories } from '../../libs/audit/src';
import type { WorkflowBundle } from '@temporalio/worker';

interface CliEvent {
  eventId: string;
  eventType: string;
  eventTime: string;
  [attributes: string]: unknown;
}
const load = (name: string): { events: CliEvent[] } =>
  JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'sdk-replay-defect', name), 'utf8'));
const event = (json: { events: CliEvent[] }, id: number) => json.events.find((e) => Number(e.eventId) === id)!;
const at = (e: CliEvent) => Date.parse(e.eventTime);
/** A payload's JSON (the engine's JSON form carries payload data in base64). */
const payload = (p: { data: string }) => JSON.parse(Buffer.from(p.data, 'base64').toString('utf8'));
const seconds = (d: string) => Math.round(parseFloat(d) * 1000);

let bundle: WorkflowBundle;
beforeAll(async () => {
  bundle = await bundleWorkflows(currentWorkflowsPath());
}, 120_000);

describe("a unit's wait for its disclosure to end", () => {
  const json = load('unit-disclosure-timer-after-worker-restart.json');
  const workflowId = 'massline-unit-ae1b4658-56b7-4c8a-bc93-05f646ce4111';
  const endsAt = Date.parse(
    payload(
      (event(json, 156).workflowExecutionUpdateCompletedEventAttributes as { outcome: { success: { payloads: Array<{ data: string }> } } })
        .outcome.success.payloads[0],
    ).disclosureEndsAt,
  );
  const timer = event(json, 168);

  it('was computed at the clock of task 160, not of task 166 that recorded it: a query task ran it', () => {
    expect(timer.eventType).toBe('EVENT_TYPE_TIMER_STARTED');
    const length = seconds((timer.timerStartedEventAttributes as { startToFireTimeout: string }).startToFireTimeout);
    // Task 160 (the killed worker's) started at 15:28:48.572; the disclosure ends at 15:28:51.469: 2,897 ms.
    expect(event(json, 160).eventType).toBe('EVENT_TYPE_WORKFLOW_TASK_STARTED');
    expect(length).toBe(endsAt - Math.floor(at(event(json, 160))));
    // Task 166 (the fresh worker's) started after the disclosure's end: at its own clock there is no wait at all.
    expect(event(json, 166).eventType).toBe('EVENT_TYPE_WORKFLOW_TASK_STARTED');
    expect(at(event(json, 166))).toBeGreaterThan(endsAt);
  });

  it('replayed at its own clock it diverges; replayed with task 166 at the clock the code read live, it replays', async () => {
    const asRecorded = await replayHistories([{ workflowId, history: historyFromCliJson(json) }], { bundle });
    expect(asRecorded.failures).toHaveLength(1);
    expect(JSON.stringify(asRecorded.failures[0])).toMatch(
      /Child workflow machine does not handle this event: HistoryEvent \{ event_id: 168/,
    );

    const asRun = JSON.parse(JSON.stringify(json)) as { events: CliEvent[] };
    event(asRun, 166).eventTime = event(json, 160).eventTime;
    const replayed = await replayHistories([{ workflowId, history: historyFromCliJson(asRun) }], { bundle });
    expect(replayed.failures).toEqual([]);
  }, 120_000);
});

describe("an item's reminder and an Update in the task after a query task", () => {
  const json = load('item-update-with-timer-after-worker-restart.json');
  const workflowId = 'massline-item-6bcb3ac0-a28d-4514-8db6-8196f12f3f71.item-1';
  const record = event(json, 22);
  const input = payload(
    (record.activityTaskScheduledEventAttributes as { input: { payloads: Array<{ data: string }> } }).input.payloads[0],
  );

  it('recorded the rung as fired at the clock of task 16, two minutes before its timer fired: a query task ran it', () => {
    expect(input).toMatchObject({ rung: 'reminder', subject: 'item' });
    expect(event(json, 16).eventType).toBe('EVENT_TYPE_WORKFLOW_TASK_STARTED');
    expect(event(json, 18).eventType).toBe('EVENT_TYPE_TIMER_FIRED');
    expect(Date.parse(input.firedAt)).toBe(Math.floor(at(event(json, 16))));
    // Before its own timer fired (at its due moment): the record says the rung fired before it was due. Runs
    // under the clock rule record max(clock, dueAt) instead (workflows/clock.ts).
    expect(Date.parse(input.firedAt)).toBeLessThan(at(event(json, 18)));
  });

  it('cannot be replayed by any workflow code: live the timer ran before the Update, replaying the Update comes first', async () => {
    // As written live: the rung's activities (22, 23) before the Update's acceptance (24), all in task 20.
    expect(json.events.slice(17, 25).map((e) => e.eventType.replace('EVENT_TYPE_', ''))).toEqual([
      'TIMER_FIRED',
      'WORKFLOW_TASK_SCHEDULED',
      'WORKFLOW_TASK_STARTED',
      'WORKFLOW_TASK_COMPLETED',
      'ACTIVITY_TASK_SCHEDULED',
      'ACTIVITY_TASK_SCHEDULED',
      'WORKFLOW_EXECUTION_UPDATE_ACCEPTED',
      'WORKFLOW_EXECUTION_UPDATE_COMPLETED',
    ]);
    const result = await replayHistories([{ workflowId, history: historyFromCliJson(json) }], { bundle });
    expect(result.failures).toHaveLength(1);
    expect(JSON.stringify(result.failures[0])).toMatch(
      /Update machine does not handle this event: HistoryEvent\(id: 22, ActivityTaskScheduled\)/,
    );
    // The clock is not what diverges here: run at task 16's clock, task 20 still meets the Update first.
    const asRun = JSON.parse(JSON.stringify(json)) as { events: CliEvent[] };
    event(asRun, 20).eventTime = event(json, 16).eventTime;
    expect((await replayHistories([{ workflowId, history: historyFromCliJson(asRun) }], { bundle })).failures).toHaveLength(1);
  }, 120_000);
});
