// What the workflows keep and answer to queries: compact views of bounded size (ids, digests, counts, statuses
// and the facts the rules need). What grows with use — records, opinions, problems, meetings, transitions,
// objections, progress notes — leaves the workflow as entries (EntryChange) projected into PostgreSQL.
import type { DocRef } from './documents';
import type {
  Batch,
  BatchKey,
  BatchStatus,
  GoalStatus,
  MeetingStatus,
  ProgrammeStatus,
  RequestStatus,
  TaskBookStatus,
  Card,
  Comment,
  ItemStatus,
  Phase,
  ProblemCategory,
  ProblemSource,
  ProgrammeTrack,
  RecordKind,
  Rung,
  Stamp,
} from './types';
import type { Window } from './plan-types';

// ---------- entries: what a unit or an item accumulates ----------

export interface RecordEntry extends Stamp {
  id: string;
  kind: RecordKind;
  title: string;
  body?: DocRef;
  attachmentUri?: string;
}
/** An opinion from the public (群众). The contact a citizen left stays in PostgreSQL, under `contactRef`. */
export interface OpinionEntry extends Stamp {
  id: string;
  text: DocRef;
  contactRef?: string;
}
export interface ProblemEntry extends Stamp {
  id: string;
  title: string;
  description?: DocRef;
  source: ProblemSource;
  category: ProblemCategory;
}
export interface ObjectionEntry extends Stamp {
  id: string;
  text: DocRef;
  itemId?: string;
  answer?: Stamp & { text: DocRef };
}
export interface ExtensionView {
  id: string;
  newDeadline: string;
  reason: DocRef;
  status: RequestStatus;
  requested: Stamp;
  decided?: Stamp;
}
export interface VerificationEntry extends Stamp {
  id: string;
  accept: boolean;
}

export const UNIT_ENTRY_KINDS = [
  'record',
  'opinion',
  'problem',
  'meeting',
  'transition',
  'objection',
  'task-book-item',
  'window-rung',
] as const;
export const ITEM_ENTRY_KINDS = ['progress', 'extension', 'verification'] as const;
export type UnitEntryKind = (typeof UNIT_ENTRY_KINDS)[number];
export type ItemEntryKind = (typeof ITEM_ENTRY_KINDS)[number];
export type EntryKind = UnitEntryKind | ItemEntryKind;

/** One entry that appeared or changed, to be projected. `rev` is the owner's version after the change. */
export interface EntryChange {
  kind: EntryKind;
  id: string;
  /** Order of the entry within its kind (the n of `record-n`). */
  seq: number;
  rev: number;
  at: string;
  data: unknown;
}

// ---------- the unit ----------

export interface AttendanceView {
  supervisorId: string;
  groupId: string;
  arrivedAt: string;
  leftAt: string;
  attestedAt: string;
  comment?: Comment;
}
/** 专题民主生活会 — the special democratic life meeting (the current one; earlier ones are entries). */
export interface MeetingView {
  id: string;
  scheduledAt: string;
  location: string;
  status: MeetingStatus;
  attendance: AttendanceView[];
  startedAt?: string;
  endedAt?: string;
  minutes?: DocRef;
  valid?: boolean;
  reason?: string;
  /** Who scheduled it and who recorded it as held (who, role, when, why). */
  scheduledBy?: Stamp;
  heldBy?: Stamp;
}

export interface TransitionView {
  id: string;
  from: Phase;
  to: Phase;
  status: RequestStatus;
  requested: Stamp;
  decided?: Stamp;
}

export interface FiredRung {
  rung: Rung;
  firedAt: string;
  deadline: string;
  to: string[];
  /** When the rung was due (deadline + offset); `firedAt` is later only when the ladder (re)started past it. */
  dueAt?: string;
  /** True when it fired after its moment (the ladder caught up after a restart or outage). */
  late?: boolean;
  /** `${workflowId}:${deadline}:${rung}` or `${workflowId}:${phase}:${rung}`: the escalation's idempotency key. */
  key?: string;
  /** The plan version whose ladder computed its moment (1: the plan the campaign started with). */
  planVersion?: number;
}

export interface TaskBookItemView {
  id: string;
  problemIds: string[];
  measure: DocRef;
  owner: string;
  deadline: string;
  status: ItemStatus;
  card: Card;
}

/** 整改任务书 — the rectification task book. */
export interface TaskBookView {
  signedBy: string;
  items: TaskBookItemView[];
  status: TaskBookStatus;
  publishedAt?: string;
  disclosureEndsAt?: string;
  effectiveAt?: string;
  /** Objections filed during the disclosure, and how many still wait for an answer. */
  objectionCounts: { filed: number; unanswered: number };
  /** Who set (last changed) the draft and who published it. */
  setBy?: Stamp;
  publishedBy?: Stamp;
}

export interface UnitCounts {
  records: Record<RecordKind, number>;
  opinions: number;
  problems: number;
  /** Meetings scheduled, the current one included. */
  meetings: number;
  transitions: number;
}

export interface UnitView {
  id: string;
  campaignId: string;
  code: string;
  name: string;
  batch: Batch;
  groupId: string;
  phase: Phase;
  /** When the unit entered its current phase (its batch's opening for P1). */
  phaseSince: string;
  status: BatchStatus;
  card: Card;
  window: Window | null;
  /** Gates of the next transition not yet met, by rule name (e.g. `gate.P2.study-record`). */
  unmetGates: string[];
  pendingTransition?: TransitionView;
  counts: UnitCounts;
  meeting?: MeetingView;
  /** A meeting recorded valid (全程参与) exists. */
  validMeeting: boolean;
  taskBook?: TaskBookView;
  /** Escalations of the unit's phase windows (at most the window ladder's rungs per phase). */
  windowRungs: Array<FiredRung & { phase: Phase }>;
  /** The plan version the unit runs on (absent: 1, the plan the campaign started with). */
  planVersion?: number;
  /** Monotonic; a projection only overwrites an older version. */
  version: number;
  updatedAt: string;
}

/** What a unit's row of the read model holds: the view without the task book's items (they are entries). */
export type UnitHeader = Omit<UnitView, 'taskBook'> & { taskBook?: Omit<TaskBookView, 'items'> & { itemCount: number } };

export function unitHeader(v: UnitView | UnitHeader): UnitHeader {
  const { taskBook, ...rest } = v;
  if (!taskBook) return rest;
  if (!('items' in taskBook)) return { ...rest, taskBook };
  const { items, ...tb } = taskBook;
  return { ...rest, taskBook: { ...tb, itemCount: items.length } };
}

// ---------- the rectification item ----------

export interface ItemCounts {
  progress: number;
  extensions: number;
  verifications: number;
}

export interface ItemView {
  id: string;
  unitId: string;
  campaignId: string;
  groupId: string;
  measure: DocRef;
  owner: string;
  problemIds: string[];
  deadline: string;
  /** When the current deadline was set (the item's start, or the approval of an extension). */
  deadlineSince: string;
  status: ItemStatus;
  card: Card;
  /** Every rung fired, across every deadline the item has had (bounded: the ladder × the extensions allowed). */
  rungs: FiredRung[];
  counts: ItemCounts;
  pendingExtension?: ExtensionView;
  completion?: Stamp & { evidence: DocRef };
  lastVerification?: VerificationEntry;
  carriedInto?: Stamp & { rule: DocRef };
  /** When the item was closed (销号) or carried into a long-term rule. */
  finalAt?: string;
  /** The plan version its ladder runs on (absent: 1, the plan the campaign started with). */
  planVersion?: number;
  version: number;
  updatedAt: string;
}

// ---------- the campaign ----------

export interface CampaignCounters {
  byBatch: Record<BatchKey, Record<Phase, number>>;
  cards: { yellow: number; red: number };
  referrals: number;
  overdueItems: number;
}

// ---------- city-wide programmes ----------

/** A staged goal of a city-wide programme: a deadline on the same ladder as a rectification item. */
export interface GoalView {
  id: string;
  title: string;
  dueAt: string;
  /** open → achieved (lead unit) → closed (office verifies) or back to open. */
  status: GoalStatus;
  card: Card;
  rungs: FiredRung[];
  achievement?: Stamp & { evidence: DocRef };
  lastVerification?: Stamp & { accept: boolean };
  verifications: number;
  closedAt?: string;
}

/** A city-wide programme: one of the four governance tracks or the nine major actions. */
export interface ProgrammeView {
  id: string;
  name: string;
  track: ProgrammeTrack;
  leadLeader: string;
  leadUnitId: string;
  responsibleUnitIds: string[];
  goals: GoalView[];
  status: ProgrammeStatus;
  card: Card;
  version: number;
  updatedAt: string;
}
