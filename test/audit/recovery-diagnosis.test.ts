// Which stuck runs recovery resets, on the histories the SDK's defect left (test/fixtures/sdk-replay-defect/),
// and which it leaves to people. Pure: no server.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { diagnoseStuckRun, divergingTaskBuild, endedByRecovery, MAX_RECOVERY_RESETS, RECOVERY_RESET_REASON, sdkDefectCause, type JsonHistory } from '../../libs/audit/src';
import { RecentSet, stuckRunOf } from '../../apps/worker/src/recovery';

const load = (name: string): JsonHistory => JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'sdk-replay-defect', name), 'utf8'));
const itemHistory = () => load('item-update-with-timer-after-worker-restart.json');
const unitHistory = () => load('unit-disclosure-timer-after-worker-restart.json');
const BUILD = '@temporalio/worker@1.24.0+73008cc1ff90f2286f37c67cd2f72fc67f6843d2841436d283837cbc744bdd2d';
const buildOf = (h: JsonHistory) =>
  (h.events.find((e) => e.eventType === 'EVENT_TYPE_WORKFLOW_TASK_COMPLETED')!.workflowTaskCompletedEventAttributes as { workerVersion: { buildId: string } }).workerVersion.buildId;
const attrs = (h: JsonHistory, id: number) => {
  const e = h.events.find((x) => Number(x.eventId) === id)!;
  return e[Object.keys(e).find((k) => k.endsWith('EventAttributes'))!] as Record<string, unknown>;
};

describe('diagnoseStuckRun', () => {
  it('resets the item to the task the newly arrived worker completed (21), before the diverging event 22', () => {
    const h = itemHistory();
    expect(buildOf(h)).toBe(BUILD);
    expect(diagnoseStuckRun(h, BUILD)).toMatchObject({ verdict: 'reset', resetEventId: 21, divergingEventId: 22 });
  });

  it('resets the unit to task 167, the first the worker 10005@vm completed, before the diverging timer 168', () => {
    const h = unitHistory();
    expect(diagnoseStuckRun(h, buildOf(h))).toMatchObject({ verdict: 'reset', resetEventId: 167, divergingEventId: 168 });
  });

  it('leaves a divergence another build wrote: that is a code change', () => {
    const d = diagnoseStuckRun(itemHistory(), '@temporalio/worker@1.24.0+another');
    expect(d).toMatchObject({ verdict: 'leave', divergingEventId: 22 });
    expect(d.reason).toMatch(/another build .*the code changed/);
    expect(diagnoseStuckRun(itemHistory(), '')).toMatchObject({ verdict: 'leave' });
  });

  it('says whether a newly arrived worker wrote the diverging task; the same build resets either way', () => {
    expect(diagnoseStuckRun(itemHistory(), BUILD).reason).toMatch(/the first 7169@vm completed after another worker/);
    // As a fault run saw it once: a worker that had the run cached wrote the task (timer and Update) itself.
    const h = itemHistory();
    for (const id of [20, 21]) attrs(h, id).identity = '19186@vm';
    const d = diagnoseStuckRun(h, BUILD);
    expect(d).toMatchObject({ verdict: 'reset', resetEventId: 21 });
    expect(d.reason).toMatch(/completed by 19186@vm after its own previous one/);
  });

  it('leaves a run that is not stuck on nondeterminism, and one recovery has reset too often', () => {
    const h = itemHistory();
    expect(diagnoseStuckRun({ events: h.events.slice(0, 45) }, BUILD)).toMatchObject({ verdict: 'leave', reason: expect.stringMatching(/nor a query failed with a nondeterminism error/) });
    const resetTask = (id: number) => ({
      eventId: String(id),
      eventTime: h.events[0].eventTime,
      eventType: 'EVENT_TYPE_WORKFLOW_TASK_FAILED',
      workflowTaskFailedEventAttributes: { cause: 'WORKFLOW_TASK_FAILED_CAUSE_RESET_WORKFLOW', failure: { message: `${RECOVERY_RESET_REASON}; earlier` } },
    });
    const resets = Array.from({ length: MAX_RECOVERY_RESETS }, (_, i) => resetTask(2 + i));
    const again = { events: [h.events[0], ...resets, ...h.events.slice(1)] };
    expect(diagnoseStuckRun(again, BUILD).reason).toMatch(new RegExp(`reset it ${MAX_RECOVERY_RESETS} times already`));
    // One earlier reset, before the divergence: progress was made, so it is reset again.
    expect(diagnoseStuckRun({ events: [h.events[0], resetTask(2), ...h.events.slice(1)] }, BUILD)).toMatchObject({ verdict: 'reset', resetEventId: 21 });
    // The divergence comes at or before the last reset point: no progress, left to people.
    const noProgress = { events: [...h.events.slice(0, 44), resetTask(30), ...h.events.slice(44)] };
    expect(diagnoseStuckRun(noProgress, BUILD).reason).toMatch(/diverged again at or before event 30/);
  });

  it('resets a run whose query failed to replay although no task has failed yet (waiting on a far timer); never a closed run', () => {
    const h = itemHistory();
    const waiting = { events: h.events.slice(0, 45) };
    const queryFailure = 'Failure { failure: Some(Failure { message: "[TMPRL1100] Nondeterminism error: Update machine does not handle this event: HistoryEvent(id: 22, ActivityTaskScheduled)" }) }';
    expect(diagnoseStuckRun(waiting, BUILD, queryFailure)).toMatchObject({ verdict: 'reset', resetEventId: 21, divergingEventId: 22 });
    expect(diagnoseStuckRun(waiting, BUILD, 'Failure { message: "query handler threw" }').verdict).toBe('leave');
    const closed = { events: [...waiting.events, { eventId: '46', eventTime: h.events[0].eventTime, eventType: 'EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED' }] };
    expect(diagnoseStuckRun(closed, BUILD, queryFailure)).toMatchObject({ verdict: 'closed', reason: expect.stringMatching(/the run has closed/) });
  });

  it("tells the replay a divergence is the SDK's when recovery ended the run or this very build wrote the diverging task", () => {
    const h = itemHistory();
    expect(divergingTaskBuild(h, 22)).toBe(BUILD);
    expect(sdkDefectCause(h, 22, BUILD)).toBe('written by this build');
    expect(sdkDefectCause(h, 22, '@temporalio/worker@1.24.0+another')).toBeUndefined();
    expect(sdkDefectCause(h, undefined, BUILD)).toBeUndefined();
    const ended = { events: [...h.events, { eventId: '49', eventTime: h.events[0].eventTime, eventType: 'EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED', workflowExecutionTerminatedEventAttributes: { reason: `${RECOVERY_RESET_REASON}; task 21` } }] };
    expect(sdkDefectCause(ended, 22, '@temporalio/worker@1.24.0+another')).toBe('ended by recovery');
  });

  it('knows a run that recovery ended from one ended otherwise', () => {
    const h = itemHistory();
    const terminated = (reason: string) => ({
      events: [...h.events, { eventId: '49', eventTime: h.events[0].eventTime, eventType: 'EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED', workflowExecutionTerminatedEventAttributes: { reason, identity: 'history-resetter' } }],
    });
    expect(endedByRecovery(terminated(`${RECOVERY_RESET_REASON}; task 21`))).toBe(true);
    expect(endedByRecovery(terminated('by hand'))).toBe(false);
    expect(endedByRecovery(h)).toBe(false);
  });
});

describe('RecentSet (the settled runs a worker remembers)', () => {
  it('keeps at most its limit, forgetting the oldest first; a key added again is the newest', () => {
    const s = new RecentSet(3);
    for (const k of ['a', 'b', 'c']) s.add(k);
    s.add('a');
    s.add('d');
    expect(['a', 'b', 'c', 'd'].map((k) => s.has(k))).toEqual([true, false, true, true]);
    for (let i = 0; i < 1_000; i++) s.add(`run-${i}`);
    expect(s.size).toBe(3);
  });
});

describe('stuckRunOf (the core log line recovery listens for)', () => {
  const failure = 'Failure { failure: Some(Failure { message: "[TMPRL1100] Nondeterminism error: Timer machine does not handle this event: HistoryEvent(id: 11, WorkflowExecutionUpdateCompleted)" }) }';
  it('takes the run id and failure of a task or a query failed on nondeterminism, in either spelling of the field', () => {
    expect(stuckRunOf({ message: 'Failing workflow task', meta: { runId: 'r1', failure } })).toEqual({ runId: 'r1', failure });
    expect(stuckRunOf({ message: 'Failing workflow task', meta: { run_id: 'r2', failure } })).toEqual({ runId: 'r2', failure });
    expect(stuckRunOf({ message: 'Failing legacy query request', meta: { runId: 'r3', failure } })).toEqual({ runId: 'r3', failure });
  });
  it('ignores other failures and other lines', () => {
    expect(stuckRunOf({ message: 'Failing workflow task', meta: { runId: 'r1', failure: 'Failure { message: "activity type not registered" }' } })).toBeUndefined();
    expect(stuckRunOf({ message: 'Activity failed', meta: { runId: 'r1', failure } })).toBeUndefined();
  });
});
