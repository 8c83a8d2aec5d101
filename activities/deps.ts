// What the activities need, as plain interfaces: the worker builds them from the configuration,
// the tests from a real PostgreSQL and Temporal.
import type { Client } from '@temporalio/client';
import type {
  DocumentRepository,
  EnrolmentRepository,
  EscalationRepository,
  MeasureRepository,
  NotificationChannel,
  PlanRolloutRepository,
  ProjectionRepository,
} from '../libs/persistence/src';

/** One notice to one recipient through one channel, as recorded in the outbox. */
export interface NotificationMessage {
  id: string;
  escalationKey: string;
  channel: NotificationChannel;
  recipient: string;
  payload: Record<string, unknown>;
  /** Attempts so far, this one included. */
  attempt: number;
}

/** A way of sending notices. Throws when the notice was not delivered (the activity is then retried). */
export interface NotifierChannel {
  readonly name: NotificationChannel;
  deliver(message: NotificationMessage, signal?: AbortSignal): Promise<void>;
}

export interface Clock {
  now(): Date;
}

export interface ActivityDeps {
  projections: ProjectionRepository;
  escalations: EscalationRepository;
  enrolment: EnrolmentRepository;
  measures: MeasureRepository;
  /** Stored texts (an item's measure, for the notices of its rungs). */
  documents: DocumentRepository;
  /** Plan versions to roll out (rolloutPlanVersion); absent where no rollout runs. */
  planRollout?: PlanRolloutRepository;
  /** Starts unit workflows (startBatchUnits). */
  temporal: { client: Client; taskQueue: string };
  /** Every notice is recorded for each channel here; `outbox` should always be one of them. */
  channels: NotifierChannel[];
  clock?: Clock;
  /** startBatchUnits: units per keyset page, and workflow starts in flight at once. */
  batchStart?: { pageSize?: number; concurrency?: number };
}

export const systemClock: Clock = { now: () => new Date() };
