// An operator's reset of a run (`massline audit reset`): what it would discard and reapply, and the reset
// itself. Nothing resets a run on its own: a stuck run is detected and named (apps/worker/src/stuck-runs.ts),
// and a person decides, after a dry run, with a reason that goes into the audit log.
import { createHash } from 'node:crypto';
import type { Client } from '@temporalio/client';
import Long from 'long';
import { decodePayloads, attributesOf, eventIdOf, type JsonHistory, type JsonHistoryEvent } from './events';
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

interface Outcome {
  [scheduledOrStartedId: number]: string;
}

/** What happened to the commands from the point on: an activity's or child's outcome, a timer fired or cancelled. */
function outcomes(events: JsonHistoryEvent[]): Outcome {
  const out: Outcome = {};
  for (const e of events) {
    const a = attributesOf<Record<string, string | undefined>>(e);
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
    const id = eventIdOf(e);
    const a = attributesOf<Record<string, any>>(e);
    const add = (kind: string, what: string) => discard.push({ eventId: id, kind, what });
    const outcome = (fallback: string) => done[id] ?? fallback;
    switch (e.eventType.replace('EVENT_TYPE_', '')) {
      case 'WORKFLOW_TASK_COMPLETED':
        tasks++;
        break;
      case 'ACTIVITY_TASK_SCHEDULED':
        add('activity', `${name(a.activityType)} (activity ${a.activityId}): ${outcome('not finished')}`);
        break;
      case 'TIMER_STARTED':
        add('timer', `timer ${a.timerId} (${shortDuration(a.startToFireTimeout)}): ${outcome('pending')}`);
        break;
      case 'START_CHILD_WORKFLOW_EXECUTION_INITIATED':
        add(
          'child workflow',
          `${name(a.workflowType)} ${a.workflowId}: ${outcome('initiated')} (the child itself is not reset: the new run's start of it meets it by its id)`,
        );
        break;
      case 'MARKER_RECORDED': {
        const details = Object.fromEntries(
          Object.entries((a.details ?? {}) as Record<string, { payloads?: [] }>).map(([k, v]) => [k, decodePayloads(v)]),
        );
        const patch = details.patch_id?.[0] ?? details.patchId?.[0];
        add('marker', `${a.markerName}${patch ? ` ${String(patch)}` : ''}`);
        break;
      }
      case 'SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED':
        add(
          'signal to another workflow',
          `${a.signalName} to ${a.workflowExecution?.workflowId ?? '?'} (sent already: the new run may send it again)`,
        );
        break;
      case 'REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED':
        add('cancel request', `to ${a.workflowExecution?.workflowId ?? '?'}`);
        break;
      case 'UPSERT_WORKFLOW_SEARCH_ATTRIBUTES':
        add(
          'search attributes',
          Object.keys(a.searchAttributes?.indexedFields ?? {})
            .sort()
            .join(', '),
        );
        break;
      case 'WORKFLOW_PROPERTIES_MODIFIED':
        add(
          'memo',
          Object.keys(a.upsertedMemo?.fields ?? {})
            .sort()
            .join(', '),
        );
        break;
      case 'WORKFLOW_EXECUTION_UPDATE_COMPLETED': {
        const accepted = Number(a.acceptedEventId);
        // An Update accepted after the point is reapplied (below); one accepted before it runs its handler again.
        if (accepted < resetEventId)
          add('update completion', `update ${a.meta?.updateId} (accepted at event ${accepted}): its handler runs again in the new run`);
        break;
      }
      case 'WORKFLOW_EXECUTION_SIGNALED':
        reapply.push({ eventId: id, kind: 'signal', what: `${a.signalName}${a.identity ? ` from ${a.identity}` : ''}` });
        break;
      case 'WORKFLOW_EXECUTION_UPDATE_ACCEPTED':
        reapply.push({
          eventId: id,
          kind: 'update',
          what: `${a.acceptedRequest?.input?.name ?? '?'} (update ${a.protocolInstanceId ?? a.acceptedRequest?.meta?.updateId})`,
        });
        break;
      case 'WORKFLOW_EXECUTION_UPDATE_ADMITTED':
        reapply.push({ eventId: id, kind: 'update', what: `${a.request?.input?.name ?? '?'} (update ${a.request?.meta?.updateId})` });
        break;
      case 'WORKFLOW_EXECUTION_COMPLETED':
      case 'WORKFLOW_EXECUTION_FAILED':
      case 'WORKFLOW_EXECUTION_TIMED_OUT':
      case 'WORKFLOW_EXECUTION_CANCELED':
      case 'WORKFLOW_EXECUTION_TERMINATED':
      case 'WORKFLOW_EXECUTION_CONTINUED_AS_NEW':
        add('close', `the run's close: ${e.eventType.replace('EVENT_TYPE_WORKFLOW_EXECUTION_', '').toLowerCase().replace(/_/g, ' ')}`);
        break;
      default:
        break;
    }
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
