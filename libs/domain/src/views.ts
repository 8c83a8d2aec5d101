// What the workflows answer to queries (and project into PostgreSQL). Plain JSON.
import type { Batch, Card, ItemStatus, Phase, ProblemCategory, ProblemSource, ProgrammeTrack, RecordKind, Rung, Stamp, Window } from './index';

export interface RecordView extends Stamp { id: string; kind: RecordKind; title: string; body?: string; attachmentUri?: string }
export interface OpinionView extends Stamp { id: string; text: string; contact?: string }
export interface ProblemView extends Stamp {
  id: string; title: string; description?: string; source: ProblemSource; category: ProblemCategory;
}

export interface AttendanceView { supervisorId: string; groupId: string; arrivedAt: string; leftAt: string; attestedAt: string; comment?: string }
/** 专题民主生活会 — the special democratic life meeting. */
export interface MeetingView {
  id: string;
  scheduledAt: string;
  location: string;
  status: 'scheduled' | 'held';
  attendance: AttendanceView[];
  startedAt?: string;
  endedAt?: string;
  minutes?: string;
  valid?: boolean;
  reason?: string;
  /** Earlier meetings recorded invalid, to be reconvened. */
  previous: Array<Omit<MeetingView, 'previous'>>;
  /** Who scheduled it and who recorded it as held (who, role, when, why). */
  scheduledBy?: Stamp;
  heldBy?: Stamp;
}

export interface TransitionView {
  id: string;
  from: Phase;
  to: Phase;
  status: 'pending' | 'approved' | 'rejected';
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
  /** `${workflowId}:${deadline}:${rung}` or `${workflowId}:${phase}:${rung}`: the escalation's idempotency key. */
  key?: string;
}

export interface TaskBookItemView {
  id: string;
  problemIds: string[];
  measure: string;
  owner: string;
  deadline: string;
  status: ItemStatus;
  card: Card;
}

export interface ObjectionView extends Stamp { id: string; text: string; itemId?: string; answer?: Stamp & { text: string } }

/** 整改任务书 — the rectification task book. */
export interface TaskBookView {
  signedBy: string;
  items: TaskBookItemView[];
  status: 'draft' | 'disclosed' | 'effective';
  publishedAt?: string;
  disclosureEndsAt?: string;
  effectiveAt?: string;
  objections: ObjectionView[];
  /** Who set (last changed) the draft and who published it. */
  setBy?: Stamp;
  publishedBy?: Stamp;
}

export interface UnitView {
  id: string;
  campaignId: string;
  code: string;
  name: string;
  batch: Batch;
  groupId: string;
  phase: Phase;
  status: 'waiting' | 'active' | 'done';
  card: Card;
  window: Window | null;
  /** Gates of the next transition not yet met, by rule name (e.g. `gate.P2.study-record`). */
  unmetGates: string[];
  pendingTransition?: TransitionView;
  transitions: TransitionView[];
  records: RecordView[];
  opinions: OpinionView[];
  problems: ProblemView[];
  meeting?: MeetingView;
  taskBook?: TaskBookView;
  /** Escalations of the unit's phase windows. */
  windowRungs: Array<FiredRung & { phase: Phase }>;
  /** Monotonic; a projection only overwrites an older version. */
  version: number;
  updatedAt: string;
}

export interface ProgressView extends Stamp { id: string; note: string; evidenceUri?: string }
export interface ExtensionView {
  id: string; newDeadline: string; reason: string; status: 'pending' | 'approved' | 'rejected'; requested: Stamp; decided?: Stamp;
}

export interface ItemView {
  id: string;
  unitId: string;
  campaignId: string;
  groupId: string;
  measure: string;
  owner: string;
  problemIds: string[];
  deadline: string;
  status: ItemStatus;
  card: Card;
  /** Every rung fired, across every deadline the item has had. */
  rungs: FiredRung[];
  progress: ProgressView[];
  extensions: ExtensionView[];
  completion?: Stamp & { evidence: string };
  verifications: Array<Stamp & { accept: boolean }>;
  carriedInto?: Stamp & { rule: string };
  version: number;
  updatedAt: string;
}

export interface CampaignCounters {
  byBatch: Record<'1' | '2', Record<Phase, number>>;
  cards: { yellow: number; red: number };
  referrals: number;
  overdueItems: number;
}

/** A staged goal of a city-wide programme: a deadline on the same ladder as a rectification item. */
export interface GoalView {
  id: string;
  title: string;
  dueAt: string;
  /** open → achieved (lead unit) → closed (office verifies) or back to open. */
  status: 'open' | 'achieved' | 'closed';
  card: Card;
  rungs: FiredRung[];
  achievement?: Stamp & { evidence: string };
  verifications: Array<Stamp & { accept: boolean }>;
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
  status: 'active' | 'done';
  card: Card;
  version: number;
  updatedAt: string;
}
