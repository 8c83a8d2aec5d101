// Every signal, query and update of the massline workflows, defined once.
// The API and the CLI import these; the workflows set handlers for them.
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type {
  Actor,
  Batch,
  Card,
  Comment,
  DocRef,
  ItemView,
  MeetingView,
  Phase,
  Plan,
  ProblemCategory,
  ProblemSource,
  RecordKind,
  UnitView,
  ItemStatus,
  GoalView,
  ItemState,
  ProgrammeTrack,
  ProgrammeView,
  UnitState,
} from '../libs/domain/src';

// ---------- workflow inputs ----------

export interface CampaignWorkflowInput {
  campaignId: string;
  name: string;
  plan: Plan;
  /** Carried over continue-as-new. */
  carried?: {
    openedBatches: Batch[];
    /** Units each opened batch holds (what startBatchUnits started or found). */
    unitsByBatch?: Partial<Record<'1' | '2', number>>;
  };
  /** Continue-as-new once the history passes this many events (default DEFAULT_HISTORY_LIMIT); tests set it low. */
  historyLimit?: number;
}

export interface UnitWorkflowInput {
  campaignId: string;
  unitId: string;
  code: string;
  name: string;
  batch: Batch;
  groupId: string;
  plan: Plan;
  /** The plan version `plan` is (absent: 1, the plan the campaign started with). */
  planVersion?: number;
  /** Carried over continue-as-new: the whole state and what has been published of it. */
  carried?: { state: UnitState; effects: UnitEffects };
  /** Continue-as-new once the history passes this many events (default DEFAULT_HISTORY_LIMIT); tests set it low. */
  historyLimit?: number;
}

/** What a unit has already told the outside world (read model, search attributes, item workflows). */
export interface UnitEffects {
  projectedVersion: number;
  itemsStarted: boolean;
  searchAttributes: string;
}

export interface ItemWorkflowInput {
  campaignId: string;
  unitId: string;
  itemId: string;
  groupId: string;
  measure: DocRef;
  owner: string;
  problemIds: string[];
  deadline: string;
  plan: Pick<Plan, 'ladder' | 'calendar'>;
  /** The plan version `plan` comes from (its unit's; absent: 1). */
  planVersion?: number;
  /** The latest deadline an extension may set (the campaign plan's latestDeadline). */
  latestDeadline?: string;
  /** Workflow id of the unit to report status and cards to. */
  parentWorkflowId: string;
  /** For the item's search attributes. */
  unitCode?: string;
  batch?: Batch;
  /** Carried over continue-as-new. */
  carried?: { state: ItemState; reported: { status: ItemStatus | null; card: Card | null }; projectedVersion: number };
  historyLimit?: number;
}

export interface ProgrammeWorkflowInput {
  programmeId: string;
  name: string;
  track: ProgrammeTrack;
  leadLeader: string;
  leadUnitId: string;
  responsibleUnitIds: string[];
  /** Staged goals; ids default to `${programmeId}.goal-${n}`. */
  goals: Array<{ id?: string; title: string; dueAt: string }>;
  plan: Pick<Plan, 'ladder' | 'calendar'>;
  /** When the programme runs under a campaign (escalations are listed with it). */
  campaignId?: string;
  /** Carried over continue-as-new: the view, and the version the read model has of it. */
  carried?: { view: ProgrammeView; projectedVersion?: number };
  historyLimit?: number;
}

/** A plan version rolled out to the running units and items of the batches that take it. */
export interface PlanRolloutInput {
  campaignId: string;
  version: number;
  batches: Batch[];
  /** The office principal who applied it (recorded by each unit and item). */
  actor: Actor;
  reason: string;
}

export interface NotificationDeliveryInput {
  /** The escalation whose queued notices (outbox rows) are delivered. */
  escalationKey: string;
}

// ---------- campaign ----------

/** What a campaign workflow knows of itself; its counters come from the read model, not from here. */
export interface CampaignState {
  openedBatches: Batch[];
  unitsByBatch: Partial<Record<'1' | '2', number>>;
  status: 'running' | 'done';
}
export const campaignStateQuery = defineQuery<CampaignState>('campaignState');

// ---------- unit lifecycle ----------

/** Who acts, and why. Texts travel as stored-text references (DocRef): the documents live in PostgreSQL. */
export interface Acting { actor: Actor; comment?: Comment }

/**
 * A decision's answer: what the rule's apply returned, with the version of the view it produced, so that a
 * client can read its own write from the read model (`GET …?minVersion=`).
 */
export type Versioned<R> = R & { version: number };
export const versioned = <R extends object>(result: R, version: number): Versioned<R> => ({ ...result, version });

/** The unit's compact view: counts and current facts; entries are read from PostgreSQL. */
export const unitStateQuery = defineQuery<UnitView>('unitState');

export const addRecordUpdate = defineUpdate<Versioned<{ id: string }>, [Acting & { kind: RecordKind; title: string; body?: DocRef; attachmentUri?: string }]>('addRecord');
/** Opinions come from the public channel (群众); a contact left with one stays in PostgreSQL under `contactRef`. */
export const addOpinionUpdate = defineUpdate<Versioned<{ id: string }>, [Acting & { text: DocRef; contactRef?: string }]>('addOpinion');
export const addProblemUpdate = defineUpdate<
  Versioned<{ id: string }>,
  [Acting & { title: string; description?: DocRef; source: ProblemSource; category: ProblemCategory }]
>('addProblem');

export const scheduleMeetingUpdate = defineUpdate<Versioned<MeetingView>, [Acting & { scheduledAt: string; location: string }]>('scheduleMeeting');
/** A supervisor of the assigned group attests presence (全程参与). */
export const meetingAttendanceUpdate = defineUpdate<Versioned<MeetingView>, [Acting & { arrivedAt: string; leftAt: string }]>('meetingAttendance');
export const meetingHeldUpdate = defineUpdate<
  Versioned<{ valid: boolean; reason?: string }>,
  [Acting & { startedAt: string; endedAt: string; minutes: DocRef }]
>('meetingHeld');

export const requestTransitionUpdate = defineUpdate<Versioned<{ id: string; status: 'pending' }>, [Acting & { to: Phase }]>('requestTransition');
/** A supervisor of the assigned group approves or rejects a pending transition. */
export const approveTransitionUpdate = defineUpdate<
  Versioned<{ status: 'approved' | 'rejected' }>,
  [Acting & { transitionId: string; approve: boolean; comment?: Comment }]
>('approveTransition');

export interface TaskBookItemInput { problemIds: string[]; measure: DocRef; owner: string; deadline: string }
export const setTaskBookUpdate = defineUpdate<
  Versioned<{ items: Array<TaskBookItemInput & { id: string; status: ItemStatus }> }>,
  [Acting & { signedBy: string; items: TaskBookItemInput[] }]
>('setTaskBook');
export const publishTaskBookUpdate = defineUpdate<Versioned<{ disclosureEndsAt: string }>, [Acting]>('publishTaskBook');
export const fileObjectionUpdate = defineUpdate<Versioned<{ id: string }>, [Acting & { text: DocRef; itemId?: string }]>('fileObjection');
export const answerObjectionUpdate = defineUpdate<Versioned<{ id: string }>, [Acting & { objectionId: string; text: DocRef }]>('answerObjection');

/** Items report status and card changes to their unit. */
export interface ItemReport { itemId: string; status: ItemStatus; card: Card }
export const itemReportSignal = defineSignal<[ItemReport]>('itemReport');

/** A plan version taken by a unit (POST /api/campaigns/:id/plan-changes, rolled out by planRolloutWorkflow). */
export const applyUnitPlanVersionUpdate = defineUpdate<Versioned<{ planVersion: number; items: number }>, [Acting & { version: number; plan: Plan }]>('applyPlanVersion');

// ---------- rectification item ----------

export const itemStateQuery = defineQuery<ItemView>('itemState');
export const reportProgressUpdate = defineUpdate<Versioned<{ id: string }>, [Acting & { note: DocRef; evidenceUri?: string }]>('reportProgress');
export const submitCompletionUpdate = defineUpdate<ItemView, [Acting & { evidence: DocRef }]>('submitCompletion');
/** 销号 — close the item, or send it back to open. */
export const verifyItemUpdate = defineUpdate<ItemView, [Acting & { accept: boolean; comment?: Comment }]>('verifyItem');
export const requestExtensionUpdate = defineUpdate<Versioned<{ id: string; status: 'pending' }>, [Acting & { newDeadline: string; reason: DocRef }]>('requestExtension');
export const decideExtensionUpdate = defineUpdate<
  Versioned<{ status: 'approved' | 'rejected'; deadline: string }>,
  [Acting & { extensionId: string; approve: boolean; comment?: Comment }]
>('decideExtension');
/** A plan version taken by an item: its ladder and calendar. */
export const applyItemPlanVersionUpdate = defineUpdate<Versioned<{ planVersion: number }>, [Acting & { version: number; plan: Pick<Plan, 'ladder' | 'calendar'> }]>('applyPlanVersion');
/** Office approves carrying an item into a long-term rule (建章立制). */
export const carryOverUpdate = defineUpdate<ItemView, [Acting & { rule: DocRef; comment?: Comment }]>('carryOver');

// ---------- city-wide programme ----------

export const programmeStateQuery = defineQuery<ProgrammeView>('programmeState');
/** The lead unit records that a staged goal is achieved. */
export const goalAchievementUpdate = defineUpdate<Versioned<GoalView>, [Acting & { goalId: string; evidence: DocRef }]>('goalAchievement');
/** The office verifies an achieved goal: accept closes it (its ladder stops), reject sends it back to open. */
export const goalVerificationUpdate = defineUpdate<Versioned<GoalView>, [Acting & { goalId: string; accept: boolean; comment?: Comment }]>('goalVerification');
