// What a stuck run's history says — the failure of its pending workflow task, the first event the build that
// failed disagrees with, the `last-good` reset point — and what a reset there would discard and reapply, on the
// two pinned histories of test/fixtures/sdk-replay-defect/ (runs stuck on a nondeterminism error). Pure: no server.
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  completedTaskIds,
  diagnosisOfReplayError,
  NONDETERMINISM_CAUSE,
  planReset,
  recordedTaskFailure,
  resetRequestId,
  ResetPointError,
  resetThatMade,
  resolveResetPoint,
  TASK_TIMED_OUT_CAUSE,
  type JsonHistory,
} from '../../libs/audit/src';
import { parseTarget, planText } from '../../apps/cli/src/audit/reset';

const load = (name: string): JsonHistory =>
  JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'sdk-replay-defect', name), 'utf8'));
const itemHistory = () => load('item-update-with-timer-after-worker-restart.json');
const unitHistory = () => load('unit-disclosure-timer-after-worker-restart.json');
/** The item's history as it would read had its worker died holding the task: the first failure recorded is a timeout. */
const timedOut = (h: JsonHistory): JsonHistory => {
  const last = h.events[h.events.length - 1];
  return {
    events: [
      ...h.events.slice(0, -1),
      {
        eventId: last.eventId,
        eventTime: last.eventTime,
        eventType: 'EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT',
        workflowTaskTimedOutEventAttributes: { scheduledEventId: '46', startedEventId: '47', timeoutType: 'TIMEOUT_TYPE_START_TO_CLOSE' },
      },
    ],
  };
};

describe('recordedTaskFailure', () => {
  it("names the item's nondeterminism error, its first diverging event (22) and the task that wrote it (21)", () => {
    expect(recordedTaskFailure(itemHistory())).toEqual({
      cause: NONDETERMINISM_CAUSE,
      message: expect.stringMatching(
        /^\[TMPRL1100\] Nondeterminism error: Update machine does not handle this event: HistoryEvent\(id: 22, ActivityTaskScheduled\)/,
      ),
      failedEventId: 48,
      divergingEventId: 22,
      lastGoodEventId: 21,
      source: 'history',
    });
  });

  it("names the unit's: the timer 168 its build cannot replay, written by task 167", () => {
    expect(recordedTaskFailure(unitHistory())).toMatchObject({
      cause: NONDETERMINISM_CAUSE,
      failedEventId: 200,
      divergingEventId: 168,
      lastGoodEventId: 167,
    });
  });

  it('finds no failure after the last completed task, and names a timeout as one (with no reset point)', () => {
    expect(recordedTaskFailure({ events: itemHistory().events.slice(0, 45) })).toBeUndefined();
    expect(recordedTaskFailure(timedOut(itemHistory()))).toEqual({
      cause: TASK_TIMED_OUT_CAUSE,
      message: 'the workflow task timed out (TIMEOUT_TYPE_START_TO_CLOSE): the worker that took it did not answer in time',
      failedEventId: 48,
      source: 'history',
    });
  });

  it("takes a replay's nondeterminism error as the diagnosis, with the same reset point", () => {
    const error = Object.assign(
      new Error('[TMPRL1100] Nondeterminism error: Update machine does not handle this event: HistoryEvent(id: 22, ActivityTaskScheduled)'),
      { name: 'DeterminismViolationError' },
    );
    expect(diagnosisOfReplayError(timedOut(itemHistory()), error)).toMatchObject({
      cause: NONDETERMINISM_CAUSE,
      source: 'replay',
      divergingEventId: 22,
      lastGoodEventId: 21,
    });
    expect(diagnosisOfReplayError(itemHistory(), new Error('activity type not registered'))).toBeUndefined();
  });
});

describe('resolveResetPoint', () => {
  it('takes last-good, or a WorkflowTaskCompleted event', () => {
    expect(completedTaskIds(itemHistory())).toEqual([4, 11, 17, 21, 28, 37, 44]);
    expect(resolveResetPoint(itemHistory(), 'last-good')).toBe(21);
    expect(resolveResetPoint(itemHistory(), 17)).toBe(17);
  });

  it('refuses any other event, naming the valid choices', () => {
    const refused = (to: number | 'last-good', h = itemHistory()) => {
      try {
        resolveResetPoint(h, to);
      } catch (error) {
        expect(error).toBeInstanceOf(ResetPointError);
        return error as ResetPointError;
      }
      throw new Error(`--to ${to} was taken`);
    };
    expect(refused(22).message).toBe(
      '--to 22: event 22 is ACTIVITY_TASK_SCHEDULED, not a WorkflowTaskCompleted; valid: last-good (event 21), or a WorkflowTaskCompleted event: 4, 11, 17, 21, 28, 37, 44 (7 in all)',
    );
    expect(refused(22).validChoices).toEqual({ lastGood: 21, completedTasks: [4, 11, 17, 21, 28, 37, 44] });
    expect(refused(999).message).toMatch(/^--to 999: the run has no event 999 \(it has 48\); valid: last-good \(event 21\)/);
    // No task the current build cannot replay: last-good names nothing, and the error says why.
    expect(refused('last-good', timedOut(itemHistory())).message).toBe(
      '--to last-good: there is no task the current build cannot replay (its workflow task fails with WORKFLOW_TASK_TIMED_OUT, not a nondeterminism error); ' +
        'name an event instead — valid: a WorkflowTaskCompleted event: 4, 11, 17, 21, 28, 37, 44 (7 in all)',
    );
    expect(refused('last-good', { events: itemHistory().events.slice(0, 45) }).message).toMatch(
      /no workflow task of this run has failed since its last completed one/,
    );
    // A long history: the latest 20 named, and how many in all.
    expect(refused(170, unitHistory()).message).toMatch(
      /valid: last-good \(event 167\), or a WorkflowTaskCompleted event: …, (\d+, ){19}172 \(\d+ in all\)$/,
    );
  });

  it('reads --to from the command line: an event id or last-good, nothing else', () => {
    expect(parseTarget('last-good')).toBe('last-good');
    expect(parseTarget('21')).toBe(21);
    for (const bad of ['0', '-3', '2.5', 'last', '21x', '']) expect(() => parseTarget(bad)).toThrow(/--to must be an event id/);
    expect(() => parseTarget(undefined)).toThrow(/reset needs --to/);
  });
});

describe('planReset', () => {
  it('lists what a reset of the item to last-good discards (its rung recorded, its projections, the reminder timer) and reapplies (the two Updates)', () => {
    const plan = planReset({
      workflowId: 'massline-item-x.item-1',
      runId: 'run-1',
      status: 'RUNNING',
      history: itemHistory(),
      to: 'last-good',
    });
    expect(plan).toMatchObject({ resetEventId: 21, historyLength: 48, to: 'last-good', requestId: resetRequestId('run-1', 21) });
    expect(plan.discard).toEqual([
      { eventId: 21, kind: 'workflow tasks', what: '4 completed workflow tasks (from event 21 on)' },
      { eventId: 22, kind: 'activity', what: 'recordEscalation (activity 2): completed' },
      { eventId: 23, kind: 'activity', what: 'projectItem (activity 3): completed' },
      { eventId: 38, kind: 'activity', what: 'projectItem (activity 4): completed' },
      { eventId: 39, kind: 'timer', what: 'timer 2 (29.809 s): fired' },
    ]);
    expect(plan.reapply).toEqual([
      { eventId: 24, kind: 'update', what: expect.stringMatching(/^requestExtension \(update [0-9a-f]+\)$/) },
      { eventId: 29, kind: 'update', what: expect.stringMatching(/^decideExtension \(update [0-9a-f]+\)$/) },
    ]);
    const text = planText(plan);
    expect(text).toContain('reset to event 21 (last-good: before the first task the current build cannot replay)');
    expect(text).toMatch(/discards \(5\):\n {2}event 21 +workflow tasks +4 completed workflow tasks/);
    expect(text).toMatch(/reapplies .*\(2\):\n {2}event 24 +update +requestExtension/);
  });

  it("lists the unit's: the disclosure timer and the two items started, and the items' seven reports reapplied", () => {
    const plan = planReset({ workflowId: 'massline-unit-x', runId: 'run-1', status: 'RUNNING', history: unitHistory(), to: 'last-good' });
    expect(plan.discard.map((d) => [d.eventId, d.kind])).toEqual([
      [167, 'workflow tasks'],
      [168, 'timer'],
      [173, 'child workflow'],
      [174, 'child workflow'],
    ]);
    expect(plan.discard[2].what).toMatch(/^rectificationItemWorkflow massline-item-.*\.item-1: completed \(the child itself is not reset/);
    expect(plan.reapply.map((r) => r.what)).toEqual(Array(7).fill('itemReport from history-service'));
  });

  it('derives one request id per run and event (the engine takes a repeat once), shaped as a uuid', () => {
    expect(resetRequestId('run-1', 21)).toBe(resetRequestId('run-1', 21));
    expect(resetRequestId('run-1', 21)).not.toBe(resetRequestId('run-1', 17));
    expect(resetRequestId('run-2', 21)).not.toBe(resetRequestId('run-1', 21));
    expect(resetRequestId('run-1', 21)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-a[0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});

describe('resetThatMade', () => {
  it('reads from a run made by a reset which run it replaced and at which event', () => {
    const h = itemHistory();
    const made = {
      events: [
        ...h.events.slice(0, 20),
        {
          eventId: '21',
          eventTime: h.events[20].eventTime,
          eventType: 'EVENT_TYPE_WORKFLOW_TASK_FAILED',
          workflowTaskFailedEventAttributes: {
            cause: 'WORKFLOW_TASK_FAILED_CAUSE_RESET_WORKFLOW',
            failure: { message: 'massline audit reset by ops: stuck' },
            baseRunId: 'run-1',
            newRunId: 'run-2',
          },
        },
      ],
    };
    expect(resetThatMade(made, 'run-2')).toEqual({ baseRunId: 'run-1', eventId: 21, reason: 'massline audit reset by ops: stuck' });
    expect(resetThatMade(made, 'run-3')).toBeUndefined();
    expect(resetThatMade(h, 'run-2')).toBeUndefined();
  });
});
