// Every signal, query and update of the massline workflows, defined once.
// The API and the CLI import these; the workflows set handlers for them.
import type { UpdateDefinition } from '@temporalio/common';
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type {
  BatchKey,
  applyAddOpinion,
  applyAddProblem,
  applyAddRecord,
  applyAnswerObjection,
  applyCarryOver,
  applyDecideExtension,
  applyDecideTransition,
  applyFileObjection,
  applyGoalAchievement,
  applyGoalVerification,
  applyItemPlanVersion,
  applyItemReport,
  applyMeetingAttendance,
  applyMeetingHeld,
  applyPublishTaskBook,
  applyReportProgress,
  applyRequestExtension,
  applyRequestTransition,
  applyScheduleMeeting,
  applySetTaskBook,
  applySubmitCompletion,
  applyUnitPlanVersion,
  applyVerifyItem,
  Actor,
  Batch,
  Card,
  DocRef,
  ItemView,
  Plan,
  ItemStatus,
  ItemState,
  ProgrammeTrack,
  ProgrammeView,
  UnitState,
  UnitView,
} from '../../domain/src';

// ---------- workflow inputs ----------

export interface CampaignWorkflowInput {
  campaignId: string;
  name: string;
  plan: Plan;
  /** Carried over continue-as-new. */
  carried?: {
    openedBatches: Batch[];
    /** Units each opened batch holds (what startBatchUnits started or found). */
    unitsByBatch?: Partial<Record<BatchKey, number>>;
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
  unitsByBatch: Partial<Record<BatchKey, number>>;
  status: 'running' | 'done';
}
export const campaignStateQuery = defineQuery<CampaignState>('campaignState');

// ---------- unit lifecycle ----------

/**
 * A decision's answer: what the rule's apply returned, with the version of the view it produced, so that a
 * client can read its own write from the read model (`GET …?minVersion=`).
 */
export type Versioned<R> = R & { version: number };
export const versioned = <R extends object>(result: R, version: number): Versioned<R> => ({ ...result, version });

/**
 * An Update decided by a domain rule, typed from the rule itself: its argument is the apply's second parameter
 * (who acts, and what they send), its answer what the apply returns, versioned. The payloads are written once,
 * in libs/domain; the workflows' `setHandler` and the callers' `executeUpdate` are checked against them.
 */
export type RuleUpdate<Apply extends (state: never, args: never, ctx: never) => object> = UpdateDefinition<
  Versioned<ReturnType<Apply>>,
  [Parameters<Apply>[1]]
>;
const ruleUpdate = <Apply extends (state: never, args: never, ctx: never) => object>(name: string): RuleUpdate<Apply> =>
  defineUpdate<Versioned<ReturnType<Apply>>, [Parameters<Apply>[1]]>(name);

/** The unit's compact view: counts and current facts; entries are read from PostgreSQL. */
export const unitStateQuery = defineQuery<UnitView>('unitState');

export const addRecordUpdate = ruleUpdate<typeof applyAddRecord>('addRecord');
/** Opinions come from the public channel (群众); a contact left with one stays in PostgreSQL under `contactRef`. */
export const addOpinionUpdate = ruleUpdate<typeof applyAddOpinion>('addOpinion');
export const addProblemUpdate = ruleUpdate<typeof applyAddProblem>('addProblem');

export const scheduleMeetingUpdate = ruleUpdate<typeof applyScheduleMeeting>('scheduleMeeting');
/** A supervisor of the assigned group attests presence (全程参与). */
export const meetingAttendanceUpdate = ruleUpdate<typeof applyMeetingAttendance>('meetingAttendance');
export const meetingHeldUpdate = ruleUpdate<typeof applyMeetingHeld>('meetingHeld');

export const requestTransitionUpdate = ruleUpdate<typeof applyRequestTransition>('requestTransition');
/** A supervisor of the assigned group approves or rejects a pending transition. */
export const approveTransitionUpdate = ruleUpdate<typeof applyDecideTransition>('approveTransition');

export const setTaskBookUpdate = ruleUpdate<typeof applySetTaskBook>('setTaskBook');
export const publishTaskBookUpdate = ruleUpdate<typeof applyPublishTaskBook>('publishTaskBook');
export const fileObjectionUpdate = ruleUpdate<typeof applyFileObjection>('fileObjection');
export const answerObjectionUpdate = ruleUpdate<typeof applyAnswerObjection>('answerObjection');

/** Items report status and card changes to their unit. */
export type ItemReport = NonNullable<Parameters<typeof applyItemReport>[1]>;
export const itemReportSignal = defineSignal<[ItemReport]>('itemReport');

/** A plan version taken by a unit (POST /api/campaigns/:id/plan-changes, rolled out by planRolloutWorkflow). */
export const applyUnitPlanVersionUpdate = ruleUpdate<typeof applyUnitPlanVersion>('applyPlanVersion');

// ---------- rectification item ----------

export const itemStateQuery = defineQuery<ItemView>('itemState');
export const reportProgressUpdate = ruleUpdate<typeof applyReportProgress>('reportProgress');
export const submitCompletionUpdate = ruleUpdate<typeof applySubmitCompletion>('submitCompletion');
/** 销号 — close the item, or send it back to open. */
export const verifyItemUpdate = ruleUpdate<typeof applyVerifyItem>('verifyItem');
export const requestExtensionUpdate = ruleUpdate<typeof applyRequestExtension>('requestExtension');
export const decideExtensionUpdate = ruleUpdate<typeof applyDecideExtension>('decideExtension');
/** A plan version taken by an item: its ladder and calendar. */
export const applyItemPlanVersionUpdate = ruleUpdate<typeof applyItemPlanVersion>('applyPlanVersion');
/** Office approves carrying an item into a long-term rule (建章立制). */
export const carryOverUpdate = ruleUpdate<typeof applyCarryOver>('carryOver');

// ---------- city-wide programme ----------

export const programmeStateQuery = defineQuery<ProgrammeView>('programmeState');
/** The lead unit records that a staged goal is achieved. */
export const goalAchievementUpdate = ruleUpdate<typeof applyGoalAchievement>('goalAchievement');
/** The office verifies an achieved goal: accept closes it (its ladder stops), reject sends it back to open. */
export const goalVerificationUpdate = ruleUpdate<typeof applyGoalVerification>('goalVerification');
