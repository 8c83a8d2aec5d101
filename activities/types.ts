// The activities the workflows call. Implemented by createActivities(deps) in ./index.ts; the worker builds deps.
// Every activity is idempotent: keyed by workflow id and step, so a retry or crash never doubles an effect.
import type { Batch, ItemView, Phase, Rung, UnitView } from '../libs/domain/src';

export interface EscalationInput {
  /** `${workflowId}:${deadline}:${rung}` (items) or `${workflowId}:${phase}:${rung}` (windows): one escalation per key, ever. */
  key: string;
  campaignId: string;
  unitId: string;
  itemId?: string;
  groupId: string;
  subject: 'item' | 'phase-window' | 'programme-goal';
  phase?: Phase;
  rung: Rung;
  deadline: string;
  firedAt: string;
  /** Recipients: `responsible-person:<owner>`, `unit-head:<unitId>`, `group:<groupId>`, `office`, `discipline-inspection`. */
  to: string[];
  summary: string;
}

export interface MasslineActivities {
  /** Starts (idempotently, by deterministic id) the unit workflows of one batch; heartbeats its progress. */
  startBatchUnits(input: { campaignId: string; batch: Batch }): Promise<{ started: number; existing: number }>;
  /** Upserts the unit's row of the read model, unless a newer version is already there. */
  projectUnit(view: UnitView): Promise<void>;
  /** Upserts the item's row of the read model, unless a newer version is already there. */
  projectItem(view: ItemView): Promise<void>;
  projectCampaignStatus(input: { campaignId: string; status: 'running' | 'done' }): Promise<void>;
  /** Records the escalation and queues its notifications (outbox); exactly once per key. */
  recordEscalation(input: EscalationInput): Promise<{ escalationId: string; created: boolean }>;
  /** Delivers the queued notifications of one escalation through the configured channels; retried until sent. */
  deliverNotifications(input: { escalationKey: string }): Promise<{ delivered: number }>;
  /** A referral rung proposes an organisational measure against the accountable head; the office confirms it. */
  proposeMeasure(input: { key: string; campaignId: string; unitId: string; itemId?: string; subject: string; reason: string }): Promise<void>;
}
