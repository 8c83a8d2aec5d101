// The activities the workflows call. Implemented by createActivities(deps) in ./index.ts; the worker builds deps.
// Every activity is idempotent: keyed by workflow id and step, so a retry or crash never doubles an effect.
import type { PlanRolloutInput } from '../libs/contracts/src';
import type { Batch, DocRef, EntryChange, EscalationSubject, ItemView, Phase, ProgrammeView, Rung, UnitHeader } from '../libs/domain/src';

export interface EscalationInput {
  /** `${workflowId}:${deadline}:${rung}` (items) or `${workflowId}:${phase}:${rung}` (windows): one escalation per key, ever. */
  key: string;
  campaignId: string;
  unitId: string;
  itemId?: string;
  groupId: string;
  subject: EscalationSubject;
  phase?: Phase;
  rung: Rung;
  deadline: string;
  firedAt: string;
  /** Recipients: `responsible-person:<owner>`, `unit-head:<unitId>`, `group:<groupId>`, `office`, `discipline-inspection`. */
  to: string[];
  summary: string;
  /** An item's measure (a stored text): its text is added to the summary. */
  measure?: DocRef;
  /** The plan version whose ladder computed the rung (absent: recorded before versions; 1). */
  planVersion?: number;
}

export interface MasslineActivities {
  /** Starts (idempotently, by deterministic id) the unit workflows of one batch; heartbeats its progress. */
  startBatchUnits(input: { campaignId: string; batch: Batch }): Promise<{ started: number; existing: number }>;
  /**
   * Projects what changed in a unit: its row (the compact header, unless a newer version is there) and the
   * entries that appeared or changed since the last projection (each unless a newer revision is there).
   */
  projectUnit(input: UnitProjection): Promise<void>;
  /** The same for an item: its row and its changed entries (progress, extensions, verifications). */
  projectItem(input: ItemProjection): Promise<void>;
  /** A programme's view (compact: its goals and their rungs), unless a newer version is there. */
  projectProgramme(input: { programmeId: string; view: ProgrammeView }): Promise<void>;
  projectCampaignStatus(input: { campaignId: string; status: 'running' | 'done' }): Promise<void>;
  /** Units of the campaign's opened batches, and how many of them the read model shows done. */
  campaignProgress(input: { campaignId: string; batches: Batch[] }): Promise<{ enrolled: number; done: number }>;
  /**
   * Records the escalation and queues its notifications (outbox), exactly once per key, and starts the
   * delivery of what a channel must still send (its own workflow, by a deterministic id).
   */
  recordEscalation(input: EscalationInput): Promise<{ escalationId: string; created: boolean }>;
  /** Delivers the queued notifications of one escalation through the configured channels; retried until sent. */
  deliverNotifications(input: { escalationKey: string }): Promise<{ delivered: number }>;
  /**
   * Gives a plan version to every running unit of its batches and to their items, by Update (deterministic update
   * ids: a repeat is the same decision); heartbeats its progress and resumes from it.
   */
  rolloutPlanVersion(input: PlanRolloutInput): Promise<{ units: number; items: number }>;
  /** A referral rung proposes an organisational measure against the accountable head; the office confirms it. */
  proposeMeasure(input: {
    key: string;
    campaignId: string;
    unitId: string;
    itemId?: string;
    subject: string;
    reason: string;
  }): Promise<void>;
}

/**
 * What changed in a unit. A long run of changes goes in chunks; only the last carries the view, so that the row
 * reaches a version only once every entry up to it is in.
 */
export interface UnitProjection {
  campaignId: string;
  unitId: string;
  view?: UnitHeader;
  changes: EntryChange[];
}

export interface ItemProjection {
  campaignId: string;
  itemId: string;
  view?: ItemView;
  changes: EntryChange[];
}
