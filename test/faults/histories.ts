// The fault suite's reading of the workflow histories it made: every workflow task that failed or timed out,
// by cause, and for a nondeterminism error the event it diverged at — from the histories themselves, so that a
// divergence a later attempt got past (and that no detector saw) is counted too. Pure over the JSON form.
import {
  attributesOf,
  describeReplayError,
  eventIdOf,
  NONDETERMINISM_CAUSE,
  type JsonHistory,
  type TaskFailureAttributes,
} from '../../libs/audit/src';

export interface TaskFailure {
  /** The WorkflowTaskFailed / WorkflowTaskTimedOut event. */
  eventId: number;
  /** A WorkflowTaskFailedCause, or WORKFLOW_TASK_TIMED_OUT. */
  cause: string;
  message: string;
  /** Nondeterminism: the first event the code disagreed with, as the failure names it. */
  divergingEventId?: number;
}

/** Every workflow task failure a history records, in order. */
export function taskFailures(history: JsonHistory): TaskFailure[] {
  const out: TaskFailure[] = [];
  for (const e of history.events) {
    if (e.eventType === 'EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT') {
      out.push({
        eventId: eventIdOf(e),
        cause: 'WORKFLOW_TASK_TIMED_OUT',
        message: `timed out (${(attributesOf(e) as TaskFailureAttributes).timeoutType ?? 'start to close'})`,
      });
    } else if (e.eventType === 'EVENT_TYPE_WORKFLOW_TASK_FAILED') {
      const a = attributesOf(e) as TaskFailureAttributes;
      const cause = a.cause ?? 'WORKFLOW_TASK_FAILED_CAUSE_UNSPECIFIED';
      const message = a.failure?.message ?? '';
      const diverging = cause === NONDETERMINISM_CAUSE ? describeReplayError(new Error(message)).eventId : undefined;
      out.push({ eventId: eventIdOf(e), cause, message, ...(diverging !== undefined ? { divergingEventId: diverging } : {}) });
    }
  }
  return out;
}

/**
 * The events of a unit's history from its task book's publication (the accepted publishTaskBook Update) to its
 * items' start (the first StartChildWorkflowExecutionInitiated): the disclosure (公示), whose end the unit once
 * computed from the workflow clock. Undefined when the history holds no publication.
 */
export function disclosureSpan(history: JsonHistory): { from: number; to: number } | undefined {
  let from: number | undefined;
  for (const e of history.events) {
    if (from === undefined && e.eventType === 'EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED') {
      const name = (attributesOf(e) as { acceptedRequest?: { input?: { name?: string } } }).acceptedRequest?.input?.name;
      if (name === 'publishTaskBook') from = eventIdOf(e);
    } else if (from !== undefined && e.eventType === 'EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED') {
      return { from, to: eventIdOf(e) };
    }
  }
  return from === undefined ? undefined : { from, to: Number.POSITIVE_INFINITY };
}

/**
 * Whether a unit's divergence at `eventId` is the disclosure case: the code disagreed with an event written
 * during the disclosure, up to the items' start (the pinned history diverged at its disclosure timer, 168).
 */
export function inDisclosure(history: JsonHistory, eventId: number): boolean {
  const span = disclosureSpan(history);
  return !!span && eventId > span.from && eventId <= span.to;
}
