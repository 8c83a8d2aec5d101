// A stuck run: one whose pending workflow task keeps failing. Which failure its history records, and — when
// the failure is a nondeterminism error — the first task the current build cannot replay, the reset point an
// operator may choose as `last-good` (libs/audit/README.md, "Stuck runs and the operator's reset").
import { Worker, type WorkflowBundle } from '@temporalio/worker';
import { attributesOf, eventIdOf, type JsonHistory, type JsonHistoryEvent } from './events';
import { workflowSinks } from '../../temporal/src/workflow-bundle';
import { historyFromCliJson } from './history-json';
import { describeReplayError } from './replay';
import type { StuckRunSource } from '../../persistence/src';

export const NONDETERMINISM_CAUSE = 'WORKFLOW_TASK_FAILED_CAUSE_NON_DETERMINISTIC_ERROR';
/** Our name for a task that no worker answered in time (a timeout has no failure cause of its own). */
export const TASK_TIMED_OUT_CAUSE = 'WORKFLOW_TASK_TIMED_OUT';
/** The cause the engine writes on the task a reset replaced. */
export const RESET_CAUSE = 'WORKFLOW_TASK_FAILED_CAUSE_RESET_WORKFLOW';

export const TASK_COMPLETED = 'EVENT_TYPE_WORKFLOW_TASK_COMPLETED';
const TASK_FAILED = 'EVENT_TYPE_WORKFLOW_TASK_FAILED';
const TASK_TIMED_OUT = 'EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT';

export interface TaskFailureAttributes {
  cause?: string;
  failure?: { message?: string };
  identity?: string;
  timeoutType?: string;
  baseRunId?: string;
  newRunId?: string;
}

/** Why a run's workflow task keeps failing, as far as its history (or a replay) says. */
export interface StuckRunDiagnosis {
  /** A `WorkflowTaskFailedCause` (e.g. WORKFLOW_TASK_FAILED_CAUSE_NON_DETERMINISTIC_ERROR), or WORKFLOW_TASK_TIMED_OUT. */
  cause: string;
  message: string;
  /** The WorkflowTaskFailed / WorkflowTaskTimedOut event that says so; absent when a replay said it. */
  failedEventId?: number;
  /** First event the build that failed disagrees with (nondeterminism only). */
  divergingEventId?: number;
  /** The WorkflowTaskCompleted of the task that wrote the diverging event: `last-good`. */
  lastGoodEventId?: number;
  /** Where the diagnosis comes from: the failure the history records, or a replay with the current build. */
  source: StuckRunSource;
}

/** The WorkflowTaskCompleted event ids of a history: the points a run may be reset to, oldest first. */
export const completedTaskIds = (history: JsonHistory): number[] =>
  history.events.filter((e) => e.eventType === TASK_COMPLETED).map(eventIdOf);

/**
 * The last good reset point before a diverging event: the WorkflowTaskCompleted of the task that wrote it.
 * Resetting there keeps every event before that task and runs the task again with the current code.
 */
export function lastGoodBefore(history: JsonHistory, divergingEventId: number): number | undefined {
  let found: number | undefined;
  for (const e of history.events) {
    if (eventIdOf(e) >= divergingEventId) break;
    if (e.eventType === TASK_COMPLETED) found = eventIdOf(e);
  }
  return found;
}

/** What a nondeterminism error's message names: the diverging event and the reset point before it. */
export function divergenceOf(history: JsonHistory, message: string): Pick<StuckRunDiagnosis, 'divergingEventId' | 'lastGoodEventId'> {
  const { eventId } = describeReplayError(new Error(message));
  if (eventId === undefined) return {};
  const lastGood = lastGoodBefore(history, eventId);
  return { divergingEventId: eventId, ...(lastGood !== undefined ? { lastGoodEventId: lastGood } : {}) };
}

/**
 * The failure of the run's pending workflow task as its history records it: the last WorkflowTaskFailed (or
 * WorkflowTaskTimedOut) after the last completed task. The engine writes the first failure of a task only —
 * later attempts are not recorded — so a task that first timed out (its worker died) and then failed on
 * nondeterminism shows the timeout here; `diagnoseByReplay` tells them apart. Undefined when no failure follows
 * the last completed task.
 */
export function recordedTaskFailure(history: JsonHistory): StuckRunDiagnosis | undefined {
  let failed: JsonHistoryEvent | undefined;
  for (const e of history.events) {
    if (e.eventType === TASK_COMPLETED) failed = undefined;
    else if (e.eventType === TASK_FAILED || e.eventType === TASK_TIMED_OUT) failed = e;
  }
  if (!failed) return undefined;
  const a = attributesOf(failed) as TaskFailureAttributes;
  if (failed.eventType === TASK_TIMED_OUT) {
    const how = a.timeoutType ?? 'TIMEOUT_TYPE_START_TO_CLOSE';
    return {
      cause: TASK_TIMED_OUT_CAUSE,
      message: `the workflow task timed out (${how}): the worker that took it did not answer in time`,
      failedEventId: eventIdOf(failed),
      source: 'history',
    };
  }
  const cause = a.cause ?? 'WORKFLOW_TASK_FAILED_CAUSE_UNSPECIFIED';
  const message = a.failure?.message ?? '';
  return {
    cause,
    message,
    failedEventId: eventIdOf(failed),
    source: 'history',
    ...(cause === NONDETERMINISM_CAUSE ? divergenceOf(history, message) : {}),
  };
}

/** The diagnosis of a replay that failed with `error` (Worker.runReplayHistory's), or undefined when it is no nondeterminism. */
export function diagnosisOfReplayError(history: JsonHistory, error: unknown): StuckRunDiagnosis | undefined {
  const described = describeReplayError(error);
  if (described.kind !== 'nondeterminism') return undefined;
  const message = error instanceof Error ? error.message : String(error);
  return { cause: NONDETERMINISM_CAUSE, message: described.error, source: 'replay', ...divergenceOf(history, message) };
}

/** The reset that made this run, read from its history (the WorkflowTaskFailed the engine wrote in its place). */
export function resetThatMade(history: JsonHistory, runId: string): { baseRunId: string; eventId: number; reason: string } | undefined {
  for (const e of history.events) {
    if (e.eventType !== TASK_FAILED) continue;
    const a = attributesOf(e) as TaskFailureAttributes;
    if (a.cause === RESET_CAUSE && a.newRunId === runId && a.baseRunId)
      return { baseRunId: a.baseRunId, eventId: eventIdOf(e), reason: a.failure?.message ?? '' };
  }
  return undefined;
}

/**
 * Replays the history with `bundle` (the build that runs now): the nondeterminism it meets, or undefined when
 * it replays to its end (or fails otherwise). For a run whose recorded failure does not say why its task keeps
 * failing — the engine records only a task's first failure, e.g. a timeout when the worker holding it died.
 */
export async function diagnoseByReplay(
  workflowId: string,
  history: JsonHistory,
  bundle: WorkflowBundle,
): Promise<StuckRunDiagnosis | undefined> {
  try {
    // The workflows' tracing interceptors call their sink: unregistered, each call logs an error (a replay exports nothing).
    await Worker.runReplayHistory({ workflowBundle: bundle, sinks: workflowSinks() }, historyFromCliJson(history), workflowId);
    return undefined;
  } catch (error) {
    return diagnosisOfReplayError(history, error);
  }
}
