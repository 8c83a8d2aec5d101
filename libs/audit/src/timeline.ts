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

/** A timeline entry: a call the workflow accepted or refused, or a fact it recorded (a rung, a projection…). */
export const TIMELINE_OUTCOMES = ['accepted', 'refused', 'recorded'] as const;
export type TimelineOutcome = (typeof TIMELINE_OUTCOMES)[number];
/** Read from the workflow's history, or from the audit log (refusals before a workflow was reached). */
export const TIMELINE_SOURCES = ['history', 'audit-log'] as const;
export type TimelineSource = (typeof TIMELINE_SOURCES)[number];

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
  outcome: TimelineOutcome;
  /** Rule that refused the call (refusals only). */
  rule?: string;
  /** The values the rule refused with (refusals only), for its wording. */
  params?: Record<string, unknown>;
  source: TimelineSource;
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
  (typeof arg.comment === 'string' && arg.comment) || isDocRef(arg.comment) ? { comment: arg.comment } : {};

const argDetail = (arg: Record<string, unknown>): Record<string, unknown> =>
  Object.fromEntries(Object.entries(arg).filter(([k]) => !NOT_IN_DETAIL.has(k)));

const itemIdOfWorkflow = (workflowId: string): string | undefined =>
  workflowId.startsWith('massline-item-') ? workflowId.slice('massline-item-'.length) : undefined;

const asRecord = (v: unknown): Record<string, unknown> =>
  v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};

/** Keeps a workflow input readable: the plan is long and says nothing about who did what. */
function startDetail(input: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(input).filter(([k]) => k !== 'plan' && k !== 'carried'));
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
  const timeline = new TimelineBuilder(options.workflowId);
  for (const event of history.events) {
    ON_EVENT.get(event.eventType)?.(timeline, event, attributesOf(event));
  }
  return timeline.entries;
}

/** An entry as an event handler gives it; the builder adds the rest. */
type EntryFields = Omit<TimelineEntry, 'at' | 'workflowId' | 'eventId' | 'source' | 'outcome'> & Partial<TimelineEntry>;

/** The entries of one history so far, and what later events refer back to. */
class TimelineBuilder {
  readonly entries: TimelineEntry[] = [];
  readonly byEventId = new Map<number, TimelineEntry>();
  /** Scheduled activities by event id: their completion is shown with what they were given. */
  readonly scheduled = new Map<number, { activity: string; input: unknown }>();
  /** Named timers by id: their firing is shown by name. */
  readonly timers = new Map<string, string>();
  /** The search attributes seen last: a phase or card entry is added when one changes. */
  private readonly known: Record<string, unknown> = {};
  private readonly itemId: string | undefined;

  constructor(readonly workflowId: string) {
    this.itemId = itemIdOfWorkflow(workflowId);
  }

  push(event: JsonHistoryEvent, e: EntryFields): TimelineEntry {
    const entry: TimelineEntry = {
      at: eventTimeIso(event),
      outcome: 'recorded',
      source: 'history',
      workflowId: this.workflowId,
      eventId: eventIdOf(event),
      ...(this.itemId ? { itemId: this.itemId } : {}),
      ...e,
    };
    this.entries.push(entry);
    this.byEventId.set(eventIdOf(event), entry);
    return entry;
  }

  /** `announce`: the change is an entry (not for the attributes a workflow starts with). */
  searchAttributeChanges(event: JsonHistoryEvent, fields: Record<string, JsonPayload> | undefined, announce: boolean): void {
    const attrs = decodeSearchAttributes(fields);
    const known = this.known;
    if ('MasslinePhase' in attrs && attrs.MasslinePhase !== known.MasslinePhase) {
      if (announce)
        this.push(event, {
          ...SYSTEM,
          action: 'phaseEntered',
          label: labelOf('phaseEntered', { phase: attrs.MasslinePhase }),
          detail: { phase: attrs.MasslinePhase, from: known.MasslinePhase ?? null },
        });
      known.MasslinePhase = attrs.MasslinePhase;
    }
    if ('MasslineCard' in attrs && attrs.MasslineCard !== known.MasslineCard) {
      if (announce)
        this.push(event, {
          ...SYSTEM,
          action: 'cardChanged',
          label: labelOf('cardChanged', { card: attrs.MasslineCard }),
          detail: { card: attrs.MasslineCard, from: known.MasslineCard ?? null },
        });
      known.MasslineCard = attrs.MasslineCard;
    }
  }
}

type EventHandler = (t: TimelineBuilder, event: JsonHistoryEvent, a: Record<string, unknown>) => void;

const firstPayload = (payloads: unknown): unknown => decodePayloads(payloads as JsonPayloads | undefined)[0];
const indexedFields = (a: Record<string, unknown>) => asRecord(a.searchAttributes).indexedFields as Record<string, JsonPayload> | undefined;
/** A text field of an event's attributes, or `fallback` when it is not a string. */
const textField = (v: unknown, fallback: string): string => (typeof v === 'string' ? v : fallback);

function workflowStarted(t: TimelineBuilder, event: JsonHistoryEvent, a: Record<string, unknown>): void {
  const input = asRecord(firstPayload(a.input));
  const parent = asRecord(a.parentWorkflowExecution).workflowId;
  t.push(event, {
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
  t.searchAttributeChanges(event, indexedFields(a), false);
}

function updateAccepted(t: TimelineBuilder, event: JsonHistoryEvent, a: Record<string, unknown>): void {
  const request = asRecord(a.acceptedRequest);
  const input = asRecord(request.input);
  const name = textField(input.name, 'update');
  const arg = asRecord(firstPayload(input.args));
  const actor = asRecord(arg.actor);
  t.push(event, {
    actor: textField(actor.id, 'unknown'),
    role: textField(actor.role, 'unknown'),
    ...(typeof actor.name === 'string' ? { actorName: actor.name } : {}),
    action: name,
    label: labelOf(name, arg),
    ...commentOf(arg),
    detail: { ...argDetail(arg), updateId: asRecord(request.meta).updateId },
    outcome: 'accepted',
  });
}

function updateCompleted(t: TimelineBuilder, _event: JsonHistoryEvent, a: Record<string, unknown>): void {
  const accepted = t.byEventId.get(Number(a.acceptedEventId));
  if (!accepted) return;
  const outcome = asRecord(a.outcome);
  if (outcome.success) accepted.detail.result = firstPayload(outcome.success);
  else if (outcome.failure) accepted.detail.failed = failureMessage(outcome.failure);
}

function signaled(t: TimelineBuilder, event: JsonHistoryEvent, a: Record<string, unknown>): void {
  const name = textField(a.signalName, 'undefined');
  const arg = asRecord(firstPayload(a.input));
  const actor = asRecord(arg.actor);
  const sender = asRecord(a.externalWorkflowExecution).workflowId;
  t.push(event, {
    actor: typeof actor.id === 'string' ? actor.id : typeof sender === 'string' ? sender : 'system',
    role: textField(actor.role, 'system'),
    action: name,
    label: labelOf(name, arg),
    ...commentOf(arg),
    detail: { ...argDetail(arg), ...(sender ? { from: sender } : {}) },
    outcome: 'accepted',
  });
}

/** An escalation and a measure proposal are entries when scheduled; other activities when they complete. */
function activityScheduled(t: TimelineBuilder, event: JsonHistoryEvent, a: Record<string, unknown>): void {
  const activity = textField(asRecord(a.activityType).name, 'undefined');
  const input = firstPayload(a.input);
  t.scheduled.set(eventIdOf(event), { activity, input });
  if (activity === 'recordEscalation') {
    const esc = asRecord(input);
    const entry = t.push(event, {
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
    t.push(event, {
      ...SYSTEM,
      action: 'measureProposed',
      label: labelOf('measureProposed'),
      detail: { subject: m.subject, reason: m.reason, key: m.key, ...(m.itemId ? { itemId: m.itemId } : {}) },
    });
  }
}

/** Activities whose completion is an entry of its own, by activity name. */
const COMPLETED_ACTIVITY_ACTIONS = new Map([
  ['deliverNotifications', 'notificationsDelivered'],
  ['startBatchUnits', 'batchUnitsStarted'],
]);

function activityCompleted(t: TimelineBuilder, event: JsonHistoryEvent, a: Record<string, unknown>): void {
  const sched = t.scheduled.get(Number(a.scheduledEventId));
  if (!sched) return;
  const result = asRecord(firstPayload(a.result));
  const action = COMPLETED_ACTIVITY_ACTIONS.get(sched.activity);
  if (sched.activity === 'recordEscalation') {
    const entry = t.byEventId.get(Number(a.scheduledEventId));
    if (entry) Object.assign(entry.detail, { escalationId: result.escalationId, recordedAt: eventTimeIso(event) });
  } else if (action) {
    t.push(event, { ...SYSTEM, action, label: labelOf(action), detail: { ...asRecord(sched.input), ...result } });
  } else if (sched.activity === 'projectCampaignStatus') {
    t.push(event, { ...SYSTEM, action: 'campaignStatus', label: labelOf('campaignStatus'), detail: asRecord(sched.input) });
  }
}

function activityFailed(t: TimelineBuilder, event: JsonHistoryEvent, a: Record<string, unknown>): void {
  const entry = t.byEventId.get(Number(a.scheduledEventId));
  if (entry) entry.detail.activityFailed = failureMessage(a.failure) ?? event.eventType;
}

function childStarted(t: TimelineBuilder, event: JsonHistoryEvent, a: Record<string, unknown>): void {
  const input = asRecord(firstPayload(a.input));
  const childId = textField(a.workflowId, 'undefined');
  const childItem = typeof input.itemId === 'string' ? input.itemId : itemIdOfWorkflow(childId);
  t.push(event, {
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
}

function childClosed(t: TimelineBuilder, event: JsonHistoryEvent, a: Record<string, unknown>): void {
  const childId = textField(asRecord(a.workflowExecution).workflowId, 'undefined');
  const childItem = itemIdOfWorkflow(childId);
  const status = event.eventType.replace('EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_', '').toLowerCase();
  t.push(event, {
    ...SYSTEM,
    action: 'itemClosed',
    label: labelOf('itemClosed'),
    detail: {
      workflowId: childId,
      ...(childItem ? { itemId: childItem } : {}),
      status,
      ...(a.result ? { result: firstPayload(a.result) } : {}),
      ...(a.failure ? { failure: failureMessage(a.failure) } : {}),
    },
  });
}

function timerStarted(t: TimelineBuilder, _event: JsonHistoryEvent, a: Record<string, unknown>): void {
  const summary = decodePayload(asRecord(a.userMetadata).summary as JsonPayload | undefined);
  if (typeof summary === 'string') t.timers.set(textField(a.timerId, 'undefined'), summary);
}

function timerFired(t: TimelineBuilder, event: JsonHistoryEvent, a: Record<string, unknown>): void {
  const summary = t.timers.get(textField(a.timerId, 'undefined'));
  // Unnamed timers are the engine's bookkeeping; the rungs they fire appear as escalations.
  if (summary) t.push(event, { ...SYSTEM, action: 'timerFired', label: labelOf('timerFired'), detail: { timer: summary } });
}

/** Terminated by someone (its identity), with the reason given. */
function workflowTerminated(t: TimelineBuilder, event: JsonHistoryEvent, a: Record<string, unknown>): void {
  t.push(event, {
    actor: textField(a.identity, 'system'),
    role: 'system',
    action: 'workflowTerminated',
    label: labelOf('workflowTerminated'),
    ...(a.reason ? { comment: typeof a.reason === 'string' ? a.reason : JSON.stringify(a.reason) } : {}),
    detail: {},
  });
}

/** An entry of the engine's for an event that ends the run, with what `detail` takes from it. */
const closed =
  (action: string, detail: (a: Record<string, unknown>) => Record<string, unknown> = () => ({})): EventHandler =>
  (t, event, a) =>
    t.push(event, { ...SYSTEM, action, label: labelOf(action), detail: detail(a) });

const childClosedEvents = ['COMPLETED', 'FAILED', 'TERMINATED', 'CANCELED', 'TIMED_OUT'].map(
  (s) => `EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_${s}`,
);

/** What each kind of history event adds to the timeline; events not listed add nothing. */
const ON_EVENT = new Map<string, EventHandler>([
  ['EVENT_TYPE_WORKFLOW_EXECUTION_STARTED', workflowStarted],
  ['EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED', updateAccepted],
  ['EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED', updateCompleted],
  ['EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED', signaled],
  ['EVENT_TYPE_ACTIVITY_TASK_SCHEDULED', activityScheduled],
  ['EVENT_TYPE_ACTIVITY_TASK_COMPLETED', activityCompleted],
  ['EVENT_TYPE_ACTIVITY_TASK_FAILED', activityFailed],
  ['EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT', activityFailed],
  ['EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED', childStarted],
  ...childClosedEvents.map((type): [string, EventHandler] => [type, childClosed]),
  ['EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES', (t, event, a) => t.searchAttributeChanges(event, indexedFields(a), true)],
  ['EVENT_TYPE_TIMER_STARTED', timerStarted],
  ['EVENT_TYPE_TIMER_FIRED', timerFired],
  ['EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED', closed('workflowCompleted', (a) => ({ result: firstPayload(a.result) }))],
  ['EVENT_TYPE_WORKFLOW_EXECUTION_FAILED', closed('workflowFailed', (a) => ({ failure: failureMessage(a.failure) }))],
  ['EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED', workflowTerminated],
  ['EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED', closed('workflowCanceled')],
  ['EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT', closed('workflowTimedOut')],
  ['EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW', closed('workflowContinuedAsNew', (a) => ({ newRunId: a.newExecutionRunId }))],
]);

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
