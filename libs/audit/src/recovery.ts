// A run stuck on a nondeterminism error: can it be reset safely, and to which event?
// The SDK (1.24.0) sometimes writes a task it cannot replay — most often the first task a freshly started
// worker takes over from one that died, sometimes a task of a worker that had the run cached (README: Replay).
// Every later task of that run fails, so the run is stuck. When the build that wrote the task is the build
// that now fails to replay it, the code did not change: resetting the run to just before that task loses no
// decision of the rules — the same build takes the task again, from the history, and the engine reapplies the
// decisions accepted after it. A divergence written by another build is a code change; that one is left to
// people (README: Changing workflow code safely).
import { attributesOf, eventIdOf, type JsonHistory, type JsonHistoryEvent } from './events';
import { describeReplayError } from './replay';

/** Reason given to the engine for a reset by recovery; the replay recognises the runs it ended by it. */
export const RECOVERY_RESET_REASON = 'massline recovery: task written by this build cannot be replayed (SDK defect)';

/**
 * A run is reset by recovery at most this many times (each reset adds a few events to its history); after that
 * it waits for people. A busy item under repeated worker kills met the defect again, at later tasks, 3 times in
 * 2 minutes: each reset made progress, so the bound is on total resets and on progress (below), not at 3.
 */
export const MAX_RECOVERY_RESETS = 20;

export type StuckRunDiagnosis =
  | { verdict: 'reset'; resetEventId: number; divergingEventId: number; failure: string; reason: string }
  | { verdict: 'leave'; reason: string; divergingEventId?: number; failure?: string }
  /** The run ended already: nothing to resume; reads take its result (the API does), the replay lists it apart. */
  | { verdict: 'closed'; reason: string };

interface TaskAttributes {
  identity?: string;
  cause?: string;
  failure?: { message?: string };
}

const TASK_COMPLETED = 'EVENT_TYPE_WORKFLOW_TASK_COMPLETED';
const TASK_FAILED = 'EVENT_TYPE_WORKFLOW_TASK_FAILED';
const TASK_TIMED_OUT = 'EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT';
const NONDETERMINISM = 'WORKFLOW_TASK_FAILED_CAUSE_NON_DETERMINISTIC_ERROR';
const RESET = 'WORKFLOW_TASK_FAILED_CAUSE_RESET_WORKFLOW';

/**
 * The resets recovery made of this run, as its history carries them: each is the failed task that took the
 * place of the task reset to, so its event id is the reset point.
 */
export function recoveryResetPoints(history: JsonHistory): number[] {
  return history.events
    .filter((e) => {
      if (e.eventType !== TASK_FAILED) return false;
      const a = attributesOf<TaskAttributes>(e);
      return a.cause === RESET && (a.failure?.message ?? '').startsWith(RECOVERY_RESET_REASON);
    })
    .map(eventIdOf);
}

/**
 * The run was ended by a reset of recovery (its last event is the termination the reset wrote). Reads the JSON
 * form and the SDK's message alike (both name the attributes `workflowExecutionTerminatedEventAttributes`).
 */
export function endedByRecovery(history: { events?: ReadonlyArray<object> | null }): boolean {
  const events = history.events ?? [];
  const last = events[events.length - 1] as { workflowExecutionTerminatedEventAttributes?: { reason?: string | null } | null } | undefined;
  const reason = last?.workflowExecutionTerminatedEventAttributes?.reason;
  return typeof reason === 'string' && reason.startsWith(RECOVERY_RESET_REASON);
}

/** Why a divergence is the SDK's and not the code's. */
export type SdkDefectCause = 'ended by recovery' | 'written by this build';

type CompletedTask = { workerVersion?: { buildId?: string | null } | null; binaryChecksum?: string | null };
type AnyEvent = { eventId?: unknown; workflowTaskCompletedEventAttributes?: CompletedTask | null };
const buildIdOf = (a: CompletedTask): string | undefined => a.workerVersion?.buildId || a.binaryChecksum || undefined;
const idOf = (e: AnyEvent): number => {
  const id = e.eventId as { toNumber?: () => number } | string | number | undefined;
  return typeof id === 'object' && id?.toNumber ? id.toNumber() : Number(id);
};

/** Build id of the task the replay disagrees with: the last one completed before the diverging event. JSON or SDK message. */
export function divergingTaskBuild(history: { events?: ReadonlyArray<object> | null }, divergingEventId: number): string | undefined {
  let build: string | undefined;
  for (const e of (history.events ?? []) as ReadonlyArray<AnyEvent>) {
    if (idOf(e) >= divergingEventId) break;
    const a = e.workflowTaskCompletedEventAttributes;
    if (a) build = buildIdOf(a);
  }
  return build;
}

/**
 * A run whose replay diverged: is it the SDK's doing? Yes when recovery ended it by a reset, or when the
 * diverging task was written by `buildId`, the very build replaying it. Otherwise undefined: a failure.
 */
export function sdkDefectCause(history: { events?: ReadonlyArray<object> | null }, divergingEventId: number | undefined, buildId: string | undefined): SdkDefectCause | undefined {
  if (endedByRecovery(history)) return 'ended by recovery';
  if (divergingEventId !== undefined && buildId && divergingTaskBuild(history, divergingEventId) === buildId) return 'written by this build';
  return undefined;
}

const CLOSED = new Set(
  ['COMPLETED', 'FAILED', 'TIMED_OUT', 'TERMINATED', 'CANCELED', 'CONTINUED_AS_NEW'].map((s) => `EVENT_TYPE_WORKFLOW_EXECUTION_${s}`),
);

/**
 * Decides on a run whose replay failed with a nondeterminism error: its last workflow task failed so, or a
 * query did (`reportedFailure`, the core's failure text: a run waiting on a far timer fails no task until
 * then, only the queries that read it). `buildId` is the build of the worker that failed to replay it (the
 * SDK's build id includes a digest of the workflow bundle). Reset only a running run, only when the task the
 * replay disagrees with was written by this very build — never a code change — and only if recovery has not
 * reset the run too often already.
 */
export function diagnoseStuckRun(history: JsonHistory, buildId: string, reportedFailure?: string): StuckRunDiagnosis {
  const events = history.events;
  const last = events[events.length - 1];
  if (!last || CLOSED.has(last.eventType)) return { verdict: 'closed', reason: 'the run has closed: nothing to resume (its history does not replay)' };
  const lastTask = [...events].reverse().find((e) => e.eventType === TASK_COMPLETED || e.eventType === TASK_FAILED);
  const taskFailure = lastTask && lastTask.eventType === TASK_FAILED ? attributesOf<TaskAttributes>(lastTask) : undefined;
  const message =
    taskFailure?.cause === NONDETERMINISM
      ? (taskFailure.failure?.message ?? '')
      : reportedFailure && /Nondeterminism/i.test(reportedFailure)
        ? reportedFailure
        : undefined;
  if (message === undefined) return { verdict: 'leave', reason: 'neither its last workflow task nor a query failed with a nondeterminism error' };
  const { eventId: divergingEventId } = describeReplayError(new Error(message));
  if (divergingEventId === undefined) return { verdict: 'leave', reason: 'the failure names no diverging event', failure: message };
  const left = (reason: string): StuckRunDiagnosis => ({ verdict: 'leave', reason, divergingEventId, failure: message });

  const resets = recoveryResetPoints(history);
  if (resets.length >= MAX_RECOVERY_RESETS) return left(`recovery has reset it ${resets.length} times already`);
  const lastReset = resets[resets.length - 1];
  // A divergence at or before the last reset point is the code disagreeing with itself again there: no progress.
  if (lastReset !== undefined && divergingEventId <= lastReset) return left(`it diverged again at or before event ${lastReset}, where recovery last reset it`);

  const completed = events.filter((e) => e.eventType === TASK_COMPLETED && eventIdOf(e) < divergingEventId);
  const bad = completed[completed.length - 1];
  if (!bad) return left('the diverging event comes before any completed workflow task');
  const badTask = attributesOf<TaskAttributes>(bad);
  const badBuild = buildIdOf(attributesOf<CompletedTask>(bad));
  if (!buildId || badBuild !== buildId) return left(`the diverging task was written by another build (${badBuild ?? 'unknown'}): the code changed`);

  // Said in the reason, for whoever reads it: the defect's usual circumstance, a worker taking over.
  const previous = completed[completed.length - 2];
  const takenOver =
    !previous ||
    attributesOf<TaskAttributes>(previous).identity !== badTask.identity ||
    events.some((e: JsonHistoryEvent) => (e.eventType === TASK_TIMED_OUT || e.eventType === TASK_FAILED) && eventIdOf(e) > eventIdOf(previous) && eventIdOf(e) < eventIdOf(bad));
  const who = badTask.identity ?? 'a worker';
  return {
    verdict: 'reset',
    resetEventId: eventIdOf(bad),
    divergingEventId,
    failure: message,
    reason: `task ${eventIdOf(bad)}, ${takenOver ? `the first ${who} completed after another worker` : `completed by ${who} after its own previous one`}, was written by this build, which cannot replay it`,
  };
}
