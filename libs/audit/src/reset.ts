// An operator's reset of a run (`massline audit reset`): what it would discard and reapply, and the reset
// itself. Nothing resets a run on its own: a stuck run is detected and named (apps/worker/src/stuck-runs.ts),
// and a person decides, after a dry run, with a reason that goes into the audit log.
import { createHash } from 'node:crypto';
import type { Client } from '@temporalio/client';
import Long from 'long';
import { decodePayloads, attributesOf, eventIdOf, type JsonHistory, type JsonHistoryEvent, type JsonPayloads } from './events';
import { fetchJsonHistory } from './history';
import {
  completedTaskIds,
  recordedTaskFailure,
  resetThatMade,
  TASK_COMPLETED,
  NONDETERMINISM_CAUSE,
  type StuckRunDiagnosis,
} from './stuck-runs';

/** Where to reset to: a WorkflowTaskCompleted event id, or the last good one before the first task the current build cannot replay. */
export type ResetTarget = number | 'last-good';

export interface ResetPlanEntry {
  eventId: number;
  kind: string;
  what: string;
}

export interface ResetPlan {
  workflowId: string;
  runId: string;
  /** The run's status before the reset (a closed run is opened again by a reset). */
  status: string;
  to: ResetTarget;
  /** The WorkflowTaskCompleted event reset to: that task runs again, everything from it on goes. */
  resetEventId: number;
  /** Why the run is stuck, when its history says (or a replay said). */
  diagnosis?: StuckRunDiagnosis;
  historyLength: number;
  /** What the reset discards: the commands and outcomes recorded from the reset point on. */
  discard: ResetPlanEntry[];
  /** Signals and Updates accepted after the point: the engine gives them to the new run again. */
  reapply: ResetPlanEntry[];
  /** Derived from the run and the event: the engine takes a repeated request once. */
  requestId: string;
}

/** A reset point that cannot be used; `validChoices` names those that can. */
export class ResetPointError extends Error {
  constructor(
    message: string,
    readonly validChoices: { lastGood?: number; completedTasks: number[] },
  ) {
    super(message);
    this.name = 'ResetPointError';
  }
}

/** Deterministic per run and reset point (uuid-shaped), so that the engine takes a repeated reset request once. */
export function resetRequestId(runId: string, eventId: number): string {
  const h = createHash('sha256').update(`${runId}:${eventId}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/**
 * The code a dry run prints and the reset asks for: the same run, reset point and history length, so that an
 * operator resets only a plan they have seen, and a run that moved since (more events) needs a new dry run.
 */
export function resetConfirmation(plan: Pick<ResetPlan, 'runId' | 'resetEventId' | 'historyLength'>): string {
  return createHash('sha256').update(`confirm:${plan.runId}:${plan.resetEventId}:${plan.historyLength}`).digest('hex').slice(0, 10);
}

/** How many of the valid reset points an error names (the latest ones); `massline audit export` shows the rest. */
const CHOICES_NAMED = 20;

function choicesText(lastGood: number | undefined, completed: number[]): string {
  const named = completed.slice(-CHOICES_NAMED);
  const list = `${completed.length > named.length ? '…, ' : ''}${named.join(', ')}`;
  const good = lastGood !== undefined ? `last-good (event ${lastGood}), or ` : '';
  return completed.length
    ? `valid: ${good}a WorkflowTaskCompleted event: ${list} (${completed.length} in all)`
    : 'the run has no completed workflow task to reset to';
}

/** The event id `to` names on this history, or a ResetPointError naming the valid choices. */
export function resolveResetPoint(
  history: JsonHistory,
  to: ResetTarget,
  diagnosis: StuckRunDiagnosis | undefined = recordedTaskFailure(history),
): number {
  const completed = completedTaskIds(history);
  const lastGood = diagnosis?.cause === NONDETERMINISM_CAUSE ? diagnosis.lastGoodEventId : undefined;
  const valid = { ...(lastGood !== undefined ? { lastGood } : {}), completedTasks: completed };
  if (to === 'last-good') {
    if (lastGood !== undefined) return lastGood;
    const why = !diagnosis
      ? 'no workflow task of this run has failed since its last completed one'
      : diagnosis.cause !== NONDETERMINISM_CAUSE
        ? `its workflow task fails with ${diagnosis.cause}, not a nondeterminism error`
        : 'its nondeterminism error names no event before which a task completed';
    throw new ResetPointError(
      `--to last-good: there is no task the current build cannot replay (${why}); name an event instead — ${choicesText(undefined, completed)}`,
      valid,
    );
  }
  const event = history.events.find((e) => eventIdOf(e) === to);
  if (event?.eventType === TASK_COMPLETED) return to;
  const what = event
    ? `event ${to} is ${event.eventType.replace('EVENT_TYPE_', '')}, not a WorkflowTaskCompleted`
    : `the run has no event ${to} (it has ${history.events.length})`;
  throw new ResetPointError(`--to ${to}: ${what}; ${choicesText(lastGood, completed)}`, valid);
}

const name = (x: { name?: string } | undefined) => x?.name ?? '?';
const shortDuration = (d: string | undefined) => (d ? `${Number(d.replace(/s$/, '')).toLocaleString('en')} s` : '?');

/** The attributes of the history events a reset plan names (JSON form; any may be missing). */
interface PlannedEventAttributes {
  activityType?: { name?: string };
  activityId?: string;
  timerId?: string;
  startToFireTimeout?: string;
  workflowType?: { name?: string };
  workflowId?: string;
  details?: Record<string, JsonPayloads>;
  markerName?: string;
  signalName?: string;
  workflowExecution?: { workflowId?: string };
  searchAttributes?: { indexedFields?: Record<string, unknown> };
  upsertedMemo?: { fields?: Record<string, unknown> };
  acceptedEventId?: string | number;
  meta?: { updateId?: string };
  identity?: string;
  protocolInstanceId?: string;
  acceptedRequest?: { input?: { name?: string }; meta?: { updateId?: string } };
  request?: { input?: { name?: string }; meta?: { updateId?: string } };
}

/** A patch marker's id, as its details record it (the SDKs name the field differently). */
function patchIdOf(details: Record<string, JsonPayloads> | undefined): string | undefined {
  const decoded = new Map(Object.entries(details ?? {}).map(([k, v]) => [k, decodePayloads(v)]));
  const patch: unknown = decoded.get('patch_id')?.[0] ?? decoded.get('patchId')?.[0];
  if (!patch) return undefined;
  return typeof patch === 'string' ? patch : JSON.stringify(patch);
}

interface Outcome {
  [scheduledOrStartedId: number]: string;
}

/** What happened to the commands from the point on: an activity's or child's outcome, a timer fired or cancelled. */
function outcomes(events: JsonHistoryEvent[]): Outcome {
  const out: Outcome = {};
  for (const e of events) {
    const a = attributesOf(e) as Record<string, string | undefined>;
    const t = e.eventType.replace('EVENT_TYPE_', '');
    if (t.startsWith('ACTIVITY_TASK_') && a.scheduledEventId && t !== 'ACTIVITY_TASK_STARTED' && t !== 'ACTIVITY_TASK_SCHEDULED')
      out[Number(a.scheduledEventId)] = t.replace('ACTIVITY_TASK_', '').toLowerCase().replace(/_/g, ' ');
    if (t.startsWith('CHILD_WORKFLOW_EXECUTION_') && a.initiatedEventId)
      out[Number(a.initiatedEventId)] = t.replace('CHILD_WORKFLOW_EXECUTION_', '').toLowerCase().replace(/_/g, ' ');
    if (t === 'START_CHILD_WORKFLOW_EXECUTION_FAILED' && a.initiatedEventId)
      out[Number(a.initiatedEventId)] = 'not started (already running)';
    if ((t === 'TIMER_FIRED' || t === 'TIMER_CANCELED') && a.startedEventId)
      out[Number(a.startedEventId)] = t === 'TIMER_FIRED' ? 'fired' : 'cancelled';
  }
  return out;
}

/** What a discarded event's entry says: its outcome so far, the reset point, its type. */
interface DiscardContext {
  outcome: (fallback: string) => string;
  resetEventId: number;
  type: string;
}

type PlanLine = { kind: string; what: string } | undefined;

const sortedKeys = (o: Record<string, unknown> | undefined) =>
  Object.keys(o ?? {})
    .sort()
    .join(', ');

const runClosed = (_a: PlannedEventAttributes, c: DiscardContext): PlanLine => ({
  kind: 'close',
  what: `the run's close: ${c.type.replace('WORKFLOW_EXECUTION_', '').toLowerCase().replace(/_/g, ' ')}`,
});

/** The commands (and their outcomes) a reset drops, by event type; other events drop nothing worth naming. */
const DISCARDED = new Map<string, (a: PlannedEventAttributes, c: DiscardContext) => PlanLine>([
  [
    'ACTIVITY_TASK_SCHEDULED',
    (a, c) => ({ kind: 'activity', what: `${name(a.activityType)} (activity ${a.activityId}): ${c.outcome('not finished')}` }),
  ],
  [
    'TIMER_STARTED',
    (a, c) => ({ kind: 'timer', what: `timer ${a.timerId} (${shortDuration(a.startToFireTimeout)}): ${c.outcome('pending')}` }),
  ],
  [
    'START_CHILD_WORKFLOW_EXECUTION_INITIATED',
    (a, c) => ({
      kind: 'child workflow',
      what: `${name(a.workflowType)} ${a.workflowId}: ${c.outcome('initiated')} (the child itself is not reset: the new run's start of it meets it by its id)`,
    }),
  ],
  [
    'MARKER_RECORDED',
    (a) => {
      const patch = patchIdOf(a.details);
      return { kind: 'marker', what: `${a.markerName}${patch ? ` ${patch}` : ''}` };
    },
  ],
  [
    'SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED',
    (a) => ({
      kind: 'signal to another workflow',
      what: `${a.signalName} to ${a.workflowExecution?.workflowId ?? '?'} (sent already: the new run may send it again)`,
    }),
  ],
  [
    'REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED',
    (a) => ({ kind: 'cancel request', what: `to ${a.workflowExecution?.workflowId ?? '?'}` }),
  ],
  ['UPSERT_WORKFLOW_SEARCH_ATTRIBUTES', (a) => ({ kind: 'search attributes', what: sortedKeys(a.searchAttributes?.indexedFields) })],
  ['WORKFLOW_PROPERTIES_MODIFIED', (a) => ({ kind: 'memo', what: sortedKeys(a.upsertedMemo?.fields) })],
  [
    'WORKFLOW_EXECUTION_UPDATE_COMPLETED',
    (a, c) => {
      const accepted = Number(a.acceptedEventId);
      // An Update accepted after the point is reapplied (below); one accepted before it runs its handler again.
      if (!(accepted < c.resetEventId)) return undefined; // also when the event names no accepted event (NaN)
      return {
        kind: 'update completion',
        what: `update ${a.meta?.updateId} (accepted at event ${accepted}): its handler runs again in the new run`,
      };
    },
  ],
  ...['COMPLETED', 'FAILED', 'TIMED_OUT', 'CANCELED', 'TERMINATED', 'CONTINUED_AS_NEW'].map((end): [string, typeof runClosed] => [
    `WORKFLOW_EXECUTION_${end}`,
    runClosed,
  ]),
]);

/** The signals and Updates the engine gives the new run again, by event type. */
const REAPPLIED = new Map<string, (a: PlannedEventAttributes) => PlanLine>([
  ['WORKFLOW_EXECUTION_SIGNALED', (a) => ({ kind: 'signal', what: `${a.signalName}${a.identity ? ` from ${a.identity}` : ''}` })],
  [
    'WORKFLOW_EXECUTION_UPDATE_ACCEPTED',
    (a) => ({
      kind: 'update',
      what: `${a.acceptedRequest?.input?.name ?? '?'} (update ${a.protocolInstanceId ?? a.acceptedRequest?.meta?.updateId})`,
    }),
  ],
  [
    'WORKFLOW_EXECUTION_UPDATE_ADMITTED',
    (a) => ({ kind: 'update', what: `${a.request?.input?.name ?? '?'} (update ${a.request?.meta?.updateId})` }),
  ],
]);

/**
 * What resetting the run to `resetEventId` does: the engine keeps the events before that workflow task, fails
 * the task in its place, drops everything from it on — the activities, timers, children, markers and other
 * commands recorded there, and their outcomes — and gives the new run again the signals and Updates accepted
 * after it (the Updates as WorkflowExecutionUpdateAdmitted).
 */
export function planReset(o: {
  workflowId: string;
  runId: string;
  status: string;
  history: JsonHistory;
  to: ResetTarget;
  diagnosis?: StuckRunDiagnosis;
}): ResetPlan {
  const diagnosis = o.diagnosis ?? recordedTaskFailure(o.history);
  const resetEventId = resolveResetPoint(o.history, o.to, diagnosis);
  const after = o.history.events.filter((e) => eventIdOf(e) >= resetEventId);
  const done = outcomes(after);
  const discard: ResetPlanEntry[] = [];
  const reapply: ResetPlanEntry[] = [];
  let tasks = 0;
  for (const e of after) {
    const type = e.eventType.replace('EVENT_TYPE_', '');
    if (type === 'WORKFLOW_TASK_COMPLETED') tasks++;
    const id = eventIdOf(e);
    const a = attributesOf(e) as PlannedEventAttributes;
    const discarded = DISCARDED.get(type)?.(a, { outcome: (fallback) => done[id] ?? fallback, resetEventId, type });
    if (discarded) discard.push({ eventId: id, ...discarded });
    const reapplied = REAPPLIED.get(type)?.(a);
    if (reapplied) reapply.push({ eventId: id, ...reapplied });
  }
  if (tasks)
    discard.unshift({
      eventId: resetEventId,
      kind: 'workflow tasks',
      what: `${tasks} completed workflow task${tasks === 1 ? '' : 's'} (from event ${resetEventId} on)`,
    });
  return {
    workflowId: o.workflowId,
    runId: o.runId,
    status: o.status,
    to: o.to,
    resetEventId,
    ...(diagnosis ? { diagnosis } : {}),
    historyLength: o.history.events.length,
    discard,
    reapply,
    requestId: resetRequestId(o.runId, resetEventId),
  };
}

/** Who resets, and why: both go into the run's history (the reason) and the audit log. */
export interface ResetRequest {
  workflowId: string;
  to: ResetTarget;
  reason: string;
  by: string;
}

/** The reason the engine records on the reset (in the old run's termination and the new run's failed task). */
export const resetReason = (by: string, reason: string): string => `massline audit reset by ${by}: ${reason}`;

/**
 * A previous reset that this request repeats: the latest run was made by resetting `baseRunId` at the very
 * event `to` names on that run. Then the request is not applied again to the new run.
 */
export async function repeatedReset(
  client: Client,
  workflowId: string,
  latestRunId: string,
  latest: JsonHistory,
  to: ResetTarget,
): Promise<{ plan: ResetPlan; newRunId: string } | undefined> {
  const made = resetThatMade(latest, latestRunId);
  if (!made) return undefined;
  const base = await fetchJsonHistory(client, workflowId, made.baseRunId);
  if (!base) return undefined;
  try {
    const plan = planReset({ workflowId, runId: made.baseRunId, status: 'TERMINATED', history: base, to });
    return plan.resetEventId === made.eventId ? { plan, newRunId: latestRunId } : undefined;
  } catch {
    return undefined;
  }
}

/** Resets the run the plan names (request id from the plan: a repeat is taken once); answers the new run's id. */
export async function performReset(
  client: Client,
  namespace: string,
  plan: ResetPlan,
  request: Pick<ResetRequest, 'reason' | 'by'>,
): Promise<string> {
  const { runId } = await client.workflowService.resetWorkflowExecution({
    namespace,
    workflowExecution: { workflowId: plan.workflowId, runId: plan.runId },
    reason: resetReason(request.by, request.reason),
    workflowTaskFinishEventId: Long.fromNumber(plan.resetEventId),
    requestId: plan.requestId,
    identity: `massline audit reset (${request.by})`,
  });
  if (!runId) throw new Error(`the engine answered the reset of ${plan.workflowId} without a new run id`);
  return runId;
}
