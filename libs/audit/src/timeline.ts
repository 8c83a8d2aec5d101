// A unit's (or an item's) timeline — who did what, when and why — rendered from its workflow history, with
// the refused decisions of the audit log merged in (a refused Update leaves no history event).
import { docRefsIn, isDocRef, type DocRef } from '../../domain/src';
import type { RefusalRow } from '../../persistence/src';
import type { Label } from './labels';
import { labelOf, refusedLabelOf } from './labels';
import {
  attributesOf,
  decodePayload,
  decodePayloads,
  decodeSearchAttributes,
  eventIdOf,
  eventTimeIso,
  type JsonHistory,
  type JsonHistoryEvent,
  type JsonPayload,
  type JsonPayloads,
} from './events';

export interface TimelineEntry {
  at: string;
  /** Principal id, `public:<digest>` for a citizen, `system` for the engine itself. */
  actor: string;
  role: string;
  actorName?: string;
  /** The update or signal name of libs/contracts/src/messages.ts, or the engine's own action (escalation, phaseEntered…). */
  action: string;
  label: Label;
  /** The reason given with the call (why); a stored text until the timeline is given its texts (withTimelineTexts). */
  comment?: string | DocRef;
  detail: Record<string, unknown>;
  outcome: 'accepted' | 'refused' | 'recorded';
  /** Rule that refused the call (refusals only). */
  rule?: string;
  /** The values the rule refused with (refusals only), for its wording. */
  params?: Record<string, unknown>;
  source: 'history' | 'audit-log';
  workflowId: string;
  /** Event of the history that holds this entry. */
  eventId?: number;
  itemId?: string;
}

/** A refused decision as the audit log keeps it. */
export type { RefusalRow };

const SYSTEM = { actor: 'system', role: 'system' } as const;

/** Fields of an update's argument that are shown elsewhere (actor, comment) or not shown at all (a citizen's contact). */
const NOT_IN_DETAIL = new Set(['actor', 'comment', 'contact']);

const commentOf = (arg: Record<string, unknown>): { comment?: string | DocRef } =>
  (typeof arg.comment === 'string' && arg.comment) || isDocRef(arg.comment) ? { comment: arg.comment as string | DocRef } : {};

const argDetail = (arg: Record<string, unknown>): Record<string, unknown> =>
  Object.fromEntries(Object.entries(arg).filter(([k]) => !NOT_IN_DETAIL.has(k)));

const itemIdOfWorkflow = (workflowId: string): string | undefined =>
  workflowId.startsWith('massline-item-') ? workflowId.slice('massline-item-'.length) : undefined;

const asRecord = (v: unknown): Record<string, unknown> =>
  v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};

/** Keeps a workflow input readable: the plan is long and says nothing about who did what. */
function startDetail(input: Record<string, unknown>): Record<string, unknown> {
  const { plan: _plan, carried: _carried, ...rest } = input;
  return rest;
}

function failureMessage(failure: unknown): string | undefined {
  const f = asRecord(failure);
  return typeof f.message === 'string' ? f.message : undefined;
}

export interface RenderOptions {
  workflowId: string;
}

/** Renders the timeline of one workflow history (JSON form). Entries are in history order. */
export function renderTimeline(history: JsonHistory, options: RenderOptions): TimelineEntry[] {
  const { workflowId } = options;
  const itemId = itemIdOfWorkflow(workflowId);
  const entries: TimelineEntry[] = [];
  const byEventId = new Map<number, TimelineEntry>();
  const scheduled = new Map<number, { activity: string; input: unknown }>();
  const timers = new Map<string, string>();
  const known: Record<string, unknown> = {};

  const push = (
    event: JsonHistoryEvent,
    e: Omit<TimelineEntry, 'at' | 'workflowId' | 'eventId' | 'source' | 'outcome'> & Partial<TimelineEntry>,
  ) => {
    const entry: TimelineEntry = {
      at: eventTimeIso(event),
      outcome: 'recorded',
      source: 'history',
      workflowId,
      eventId: eventIdOf(event),
      ...(itemId ? { itemId } : {}),
      ...e,
    };
    entries.push(entry);
    byEventId.set(eventIdOf(event), entry);
    return entry;
  };

  const searchAttributeChanges = (event: JsonHistoryEvent, fields: Record<string, JsonPayload> | undefined, announce: boolean) => {
    const attrs = decodeSearchAttributes(fields);
    if ('MasslinePhase' in attrs && attrs.MasslinePhase !== known.MasslinePhase) {
      if (announce)
        push(event, {
          ...SYSTEM,
          action: 'phaseEntered',
          label: labelOf('phaseEntered', { phase: attrs.MasslinePhase }),
          detail: { phase: attrs.MasslinePhase, from: known.MasslinePhase ?? null },
        });
      known.MasslinePhase = attrs.MasslinePhase;
    }
    if ('MasslineCard' in attrs && attrs.MasslineCard !== known.MasslineCard) {
      if (announce)
        push(event, {
          ...SYSTEM,
          action: 'cardChanged',
          label: labelOf('cardChanged', { card: attrs.MasslineCard }),
          detail: { card: attrs.MasslineCard, from: known.MasslineCard ?? null },
        });
      known.MasslineCard = attrs.MasslineCard;
    }
  };

  for (const event of history.events) {
    const a = attributesOf<Record<string, unknown>>(event);
    switch (event.eventType) {
      case 'EVENT_TYPE_WORKFLOW_EXECUTION_STARTED': {
        const input = asRecord(decodePayloads(a.input as JsonPayloads)[0]);
        const parent = asRecord(a.parentWorkflowExecution).workflowId;
        push(event, {
          ...SYSTEM,
          action: 'workflowStarted',
          label: labelOf('workflowStarted'),
          detail: {
            workflowType: asRecord(a.workflowType).name,
            ...(parent ? { parentWorkflowId: parent } : {}),
            ...(a.continuedExecutionRunId ? { continuedFromRunId: a.continuedExecutionRunId } : {}),
            ...startDetail(input),
          },
        });
        searchAttributeChanges(event, asRecord(a.searchAttributes).indexedFields as Record<string, JsonPayload>, false);
        break;
      }
      case 'EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED': {
        const request = asRecord(a.acceptedRequest);
        const input = asRecord(request.input);
        const name = String(input.name ?? 'update');
        const arg = asRecord(decodePayloads(input.args as JsonPayloads)[0]);
        const actor = asRecord(arg.actor);
        push(event, {
          actor: typeof actor.id === 'string' ? actor.id : 'unknown',
          role: typeof actor.role === 'string' ? actor.role : 'unknown',
          ...(typeof actor.name === 'string' ? { actorName: actor.name } : {}),
          action: name,
          label: labelOf(name, arg),
          ...commentOf(arg),
          detail: { ...argDetail(arg), updateId: asRecord(request.meta).updateId },
          outcome: 'accepted',
        });
        break;
      }
      case 'EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED': {
        const accepted = byEventId.get(Number(a.acceptedEventId));
        if (!accepted) break;
        const outcome = asRecord(a.outcome);
        if (outcome.success) accepted.detail.result = decodePayloads(outcome.success as JsonPayloads)[0];
        else if (outcome.failure) accepted.detail.failed = failureMessage(outcome.failure);
        break;
      }
      case 'EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED': {
        const name = String(a.signalName);
        const arg = asRecord(decodePayloads(a.input as JsonPayloads)[0]);
        const actor = asRecord(arg.actor);
        const sender = asRecord(a.externalWorkflowExecution).workflowId;
        push(event, {
          actor: typeof actor.id === 'string' ? actor.id : typeof sender === 'string' ? sender : 'system',
          role: typeof actor.role === 'string' ? actor.role : 'system',
          action: name,
          label: labelOf(name, arg),
          ...commentOf(arg),
          detail: { ...argDetail(arg), ...(sender ? { from: sender } : {}) },
          outcome: 'accepted',
        });
        break;
      }
      case 'EVENT_TYPE_ACTIVITY_TASK_SCHEDULED': {
        const activity = String(asRecord(a.activityType).name);
        const input = decodePayloads(a.input as JsonPayloads)[0];
        scheduled.set(eventIdOf(event), { activity, input });
        if (activity === 'recordEscalation') {
          const esc = asRecord(input);
          const entry = push(event, {
            ...SYSTEM,
            action: 'escalation',
            label: labelOf('escalation', esc),
            detail: {
              rung: esc.rung,
              subject: esc.subject,
              ...(esc.phase ? { phase: esc.phase } : {}),
              ...(esc.itemId ? { itemId: esc.itemId } : {}),
              deadline: esc.deadline,
              to: esc.to,
              summary: esc.summary,
              key: esc.key,
            },
          });
          if (typeof esc.firedAt === 'string') entry.at = new Date(esc.firedAt).toISOString();
        } else if (activity === 'proposeMeasure') {
          const m = asRecord(input);
          push(event, {
            ...SYSTEM,
            action: 'measureProposed',
            label: labelOf('measureProposed'),
            detail: { subject: m.subject, reason: m.reason, key: m.key, ...(m.itemId ? { itemId: m.itemId } : {}) },
          });
        }
        break;
      }
      case 'EVENT_TYPE_ACTIVITY_TASK_COMPLETED': {
        const sched = scheduled.get(Number(a.scheduledEventId));
        if (!sched) break;
        const result = asRecord(decodePayloads(a.result as JsonPayloads)[0]);
        if (sched.activity === 'recordEscalation') {
          const entry = byEventId.get(Number(a.scheduledEventId));
          if (entry) Object.assign(entry.detail, { escalationId: result.escalationId, recordedAt: eventTimeIso(event) });
        } else if (sched.activity === 'deliverNotifications') {
          push(event, {
            ...SYSTEM,
            action: 'notificationsDelivered',
            label: labelOf('notificationsDelivered'),
            detail: { ...asRecord(sched.input), ...result },
          });
        } else if (sched.activity === 'startBatchUnits') {
          push(event, {
            ...SYSTEM,
            action: 'batchUnitsStarted',
            label: labelOf('batchUnitsStarted'),
            detail: { ...asRecord(sched.input), ...result },
          });
        } else if (sched.activity === 'projectCampaignStatus') {
          push(event, { ...SYSTEM, action: 'campaignStatus', label: labelOf('campaignStatus'), detail: asRecord(sched.input) });
        }
        break;
      }
      case 'EVENT_TYPE_ACTIVITY_TASK_FAILED':
      case 'EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT': {
        const entry = byEventId.get(Number(a.scheduledEventId));
        if (entry) entry.detail.activityFailed = failureMessage(a.failure) ?? event.eventType;
        break;
      }
      case 'EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED': {
        const input = asRecord(decodePayloads(a.input as JsonPayloads)[0]);
        const childId = String(a.workflowId);
        const childItem = typeof input.itemId === 'string' ? input.itemId : itemIdOfWorkflow(childId);
        push(event, {
          ...SYSTEM,
          action: 'itemStarted',
          label: labelOf('itemStarted'),
          detail: {
            workflowId: childId,
            workflowType: asRecord(a.workflowType).name,
            ...(childItem ? { itemId: childItem } : {}),
            ...(input.measure !== undefined
              ? { measure: input.measure, owner: input.owner, deadline: input.deadline, problemIds: input.problemIds }
              : {}),
          },
        });
        break;
      }
      case 'EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_COMPLETED':
      case 'EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_FAILED':
      case 'EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_TERMINATED':
      case 'EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_CANCELED':
      case 'EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_TIMED_OUT': {
        const childId = String(asRecord(a.workflowExecution).workflowId);
        const childItem = itemIdOfWorkflow(childId);
        const status = event.eventType.replace('EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_', '').toLowerCase();
        push(event, {
          ...SYSTEM,
          action: 'itemClosed',
          label: labelOf('itemClosed'),
          detail: {
            workflowId: childId,
            ...(childItem ? { itemId: childItem } : {}),
            status,
            ...(a.result ? { result: decodePayloads(a.result as JsonPayloads)[0] } : {}),
            ...(a.failure ? { failure: failureMessage(a.failure) } : {}),
          },
        });
        break;
      }
      case 'EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES':
        searchAttributeChanges(event, asRecord(a.searchAttributes).indexedFields as Record<string, JsonPayload>, true);
        break;
      case 'EVENT_TYPE_TIMER_STARTED': {
        const summary = decodePayload(asRecord(a.userMetadata).summary as JsonPayload);
        if (typeof summary === 'string') timers.set(String(a.timerId), summary);
        break;
      }
      case 'EVENT_TYPE_TIMER_FIRED': {
        const summary = timers.get(String(a.timerId));
        // Unnamed timers are the engine's bookkeeping; the rungs they fire appear as escalations.
        if (summary) push(event, { ...SYSTEM, action: 'timerFired', label: labelOf('timerFired'), detail: { timer: summary } });
        break;
      }
      case 'EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED':
        push(event, {
          ...SYSTEM,
          action: 'workflowCompleted',
          label: labelOf('workflowCompleted'),
          detail: { result: decodePayloads(a.result as JsonPayloads)[0] },
        });
        break;
      case 'EVENT_TYPE_WORKFLOW_EXECUTION_FAILED':
        push(event, {
          ...SYSTEM,
          action: 'workflowFailed',
          label: labelOf('workflowFailed'),
          detail: { failure: failureMessage(a.failure) },
        });
        break;
      case 'EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED':
        push(event, {
          actor: typeof a.identity === 'string' ? a.identity : 'system',
          role: 'system',
          action: 'workflowTerminated',
          label: labelOf('workflowTerminated'),
          ...(a.reason ? { comment: String(a.reason) } : {}),
          detail: {},
        });
        break;
      case 'EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED':
        push(event, { ...SYSTEM, action: 'workflowCanceled', label: labelOf('workflowCanceled'), detail: {} });
        break;
      case 'EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT':
        push(event, { ...SYSTEM, action: 'workflowTimedOut', label: labelOf('workflowTimedOut'), detail: {} });
        break;
      case 'EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW':
        push(event, {
          ...SYSTEM,
          action: 'workflowContinuedAsNew',
          label: labelOf('workflowContinuedAsNew'),
          detail: { newRunId: a.newExecutionRunId },
        });
        break;
      default:
        break;
    }
  }
  return entries;
}

/** A refused decision of the audit log as a timeline entry. */
export function refusalEntry(row: RefusalRow): TimelineEntry {
  const detail = asRecord(row.detail);
  const args = asRecord(detail.args);
  return {
    at: new Date(row.at).toISOString(),
    actor: row.actorId,
    role: row.actorRole,
    action: row.call,
    label: refusedLabelOf(row.call, args),
    ...commentOf(args),
    detail: { ...argDetail(args), reason: row.message, ...(detail.route ? { route: detail.route } : {}), auditLogId: row.id },
    outcome: 'refused',
    ...(row.rule ? { rule: row.rule } : {}),
    // The refusal's values, for its wording (libs/domain errors.ts Refusal).
    ...(detail.params && typeof detail.params === 'object' ? { params: detail.params as Record<string, unknown> } : {}),
    source: 'audit-log',
    workflowId: row.workflowId ?? '',
    ...(row.itemId ? { itemId: row.itemId } : {}),
  };
}

/** Merges timelines (a unit's, its items', its refusals) into one, ordered by time; history order breaks ties. */
export function mergeTimelines(...lists: TimelineEntry[][]): TimelineEntry[] {
  const all = lists.flatMap((list, li) => list.map((entry, i) => ({ entry, li, i })));
  all.sort((x, y) => x.entry.at.localeCompare(y.entry.at) || x.li - y.li || x.i - y.i);
  return all.map((x) => x.entry);
}

/**
 * Puts the texts back into timeline entries: a comment becomes its text; a stored text in the detail becomes
 * `{digest, chars, text}` (what the history recorded, and what it refers to; `text` null if the document is gone).
 */
export async function withTimelineTexts(
  entries: TimelineEntry[],
  texts: (digests: string[]) => Promise<Map<string, string>>,
): Promise<TimelineEntry[]> {
  const refs = docRefsIn(entries.map((e) => [e.comment, e.detail]));
  if (!refs.length) return entries;
  const found = await texts(refs.map((r) => r.digest));
  const fill = (v: unknown): unknown => {
    if (isDocRef(v)) return { digest: v.digest, chars: v.chars, text: found.get(v.digest) ?? null };
    if (Array.isArray(v)) return v.map(fill);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, fill(x)]));
    return v;
  };
  return entries.map((e) => ({
    ...e,
    ...(isDocRef(e.comment) ? { comment: found.get(e.comment.digest) ?? `[stored text ${e.comment.digest} missing]` } : {}),
    detail: fill(e.detail) as Record<string, unknown>,
  }));
}

/** A text of a timeline detail, whether still a reference or already given its text. */
export const textOf = (v: unknown): string | undefined => {
  if (typeof v === 'string') return v;
  if (v && typeof v === 'object' && typeof (v as { text?: unknown }).text === 'string') return (v as { text: string }).text;
  return undefined;
};
