// createActivities(deps): every activity the workflows call, over plain dependencies. Each one is idempotent,
// keyed by what the workflow gives it (a view's version, an escalation key, a proposal key, a deterministic
// workflow id), so a retry or a worker crash never doubles an effect.
import { Context } from '@temporalio/activity';
import { RECORDING_ACTIVITIES } from '../libs/contracts/src';
import { DomainError, notFound, type Batch } from '../libs/domain/src';
import type { NotificationChannel } from '../libs/persistence/src';
import { startNotificationDelivery, startUnitWorkflow } from '../libs/temporal/src';
import { systemClock, type ActivityDeps, type NotifierChannel } from './deps';
import { withFailureMapping } from './failures';
import { rolloutPlanVersion } from './plan-rollout';
import type { EscalationInput, ItemProjection, MasslineActivities, UnitProjection } from './types';

export * from './deps';
export * from './notifiers';
export { toActivityFailure } from './failures';
export type { EscalationInput, ItemProjection, MasslineActivities, UnitProjection } from './types';

/** What startBatchUnits heartbeats: where a retried attempt resumes. */
export interface BatchStartProgress {
  lastCode: string | null;
  started: number;
  existing: number;
}

/** The activity context, or none when an activity function is called directly (not by a worker). */
function activityContext(): Context | undefined {
  try {
    return Context.current();
  } catch {
    return undefined;
  }
}

const orNull = (value: string | undefined | null): string | null => (value === undefined || value === '' ? null : value);

async function inParallel<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next++];
      await fn(item);
    }
  });
  await Promise.all(lanes);
}

export function createActivities(deps: ActivityDeps): MasslineActivities {
  const run: ActivityRun = {
    deps,
    clock: deps.clock ?? systemClock,
    pageSize: deps.batchStart?.pageSize ?? 500,
    concurrency: deps.batchStart?.concurrency ?? 16,
    channelsByName: new Map<NotificationChannel, NotifierChannel>(deps.channels.map((c) => [c.name, c])),
  };
  const { clock } = run;

  const activities: MasslineActivities = {
    startBatchUnits: (input) => startBatchUnits(run, input),

    async projectUnit(p: UnitProjection) {
      await deps.projections.projectUnit(p, clock.now());
    },

    async projectItem(p: ItemProjection) {
      await deps.projections.projectItem(p, clock.now());
    },

    async projectProgramme(p) {
      await deps.projections.projectProgramme(p, clock.now());
    },

    async campaignProgress({ campaignId, batches }) {
      return deps.projections.campaignProgress(campaignId, batches);
    },

    async projectCampaignStatus({ campaignId, status }) {
      await deps.projections.advanceCampaignStatus(campaignId, status);
    },

    recordEscalation: (input) => recordEscalation(run, input),

    deliverNotifications: (input) => deliverNotifications(run, input),

    rolloutPlanVersion(input) {
      return rolloutPlanVersion({ client: deps.temporal.client, enrolment: deps.enrolment, planRollout: deps.planRollout }, input);
    },

    proposeMeasure: (input) => proposeMeasure(run, input),
  };
  return withFailureMapping(activities, RECORDING_ACTIVITIES);
}

/** The dependencies and settings the activities share. */
interface ActivityRun {
  deps: ActivityDeps;
  clock: NonNullable<ActivityDeps['clock']>;
  /** Units read per page, and started at once, by startBatchUnits. */
  pageSize: number;
  concurrency: number;
  channelsByName: Map<NotificationChannel, NotifierChannel>;
}

/** Starts the workflows of a batch's units, a page at a time; a retried attempt resumes after the last page. */
async function startBatchUnits(
  { deps, pageSize, concurrency }: ActivityRun,
  { campaignId, batch }: { campaignId: string; batch: Batch },
): Promise<{ started: number; existing: number }> {
  // The plan the batch runs on when it opens: the office may have changed it by then (a later version).
  const current = await deps.enrolment.batchPlan(campaignId, batch);
  if (!current) throw notFound('campaign', campaignId);
  const { plan, version: planVersion } = current;
  const ctx = activityContext();
  const resumed = ctx?.info.heartbeatDetails as BatchStartProgress | undefined;
  const progress: BatchStartProgress = {
    lastCode: resumed?.lastCode ?? null,
    started: resumed?.started ?? 0,
    existing: resumed?.existing ?? 0,
  };
  for (;;) {
    if (ctx?.cancellationSignal.aborted) throw ctx.cancellationSignal.reason;
    const units = await deps.enrolment.unitsOfBatch(campaignId, batch, progress.lastCode, pageSize);
    if (!units.length) break;
    await inParallel(units, concurrency, async (unit) => {
      const outcome = await startUnitWorkflow(
        deps.temporal.client,
        {
          campaignId,
          unitId: unit.id,
          code: unit.code,
          name: unit.name,
          batch: unit.batch,
          groupId: unit.groupId,
          plan,
          ...(planVersion > 1 ? { planVersion } : {}),
        },
        deps.temporal.taskQueue,
      );
      if (outcome.status === 'started') progress.started++;
      else progress.existing++;
    });
    // The whole page is started: a retry resumes after its last code (starts are idempotent anyway).
    progress.lastCode = units[units.length - 1].code;
    ctx?.heartbeat({ ...progress });
    if (units.length < pageSize) break;
  }
  return { started: progress.started, existing: progress.existing };
}

/** Records an escalation once per key, with a notice queued per channel and recipient; starts their delivery. */
async function recordEscalation(
  { deps, clock, channelsByName }: ActivityRun,
  input: EscalationInput,
): Promise<{ escalationId: string; created: boolean }> {
  if (!input.key) throw new DomainError('INVALID_INPUT', 'escalation key is required', { field: 'key' });
  // Whoever receives the notice reads what the item is about.
  const measure = input.measure ? (await deps.documents.texts([input.measure.digest])).get(input.measure.digest) : undefined;
  const summary = measure ? `${input.summary}: ${measure}` : input.summary;
  const escalation = {
    key: input.key,
    campaignId: orNull(input.campaignId),
    unitId: input.unitId,
    itemId: orNull(input.itemId),
    groupId: orNull(input.groupId),
    subject: input.subject,
    phase: input.phase ?? null,
    rung: input.rung,
    deadline: input.deadline,
    firedAt: input.firedAt,
    recipients: [...new Set(input.to)],
    summary,
    measure: measure ?? null,
    planVersion: input.planVersion ?? null,
  };
  const recorded = await deps.escalations.record(
    escalation,
    [...channelsByName.keys()],
    (recipient) => ({
      escalationKey: input.key,
      recipient,
      rung: input.rung,
      subject: input.subject,
      campaignId: escalation.campaignId,
      unitId: input.unitId,
      itemId: escalation.itemId,
      groupId: escalation.groupId,
      phase: escalation.phase,
      deadline: input.deadline,
      firedAt: input.firedAt,
      to: escalation.recipients,
      summary,
    }),
    clock.now(),
  );
  // What a channel must still send goes out on its own workflow: the ladder never waits on a receiver.
  if (recorded.queued > 0) await startNotificationDelivery(deps.temporal.client, { escalationKey: input.key }, deps.temporal.taskQueue);
  return { escalationId: recorded.escalationId, created: recorded.created };
}

/** Sends an escalation's queued notices through their channels; what fails stays queued and the activity retries. */
async function deliverNotifications(
  { deps, clock, channelsByName }: ActivityRun,
  { escalationKey }: { escalationKey: string },
): Promise<{ delivered: number }> {
  const ctx = activityContext();
  const pending = await deps.escalations.unsent(escalationKey);
  let delivered = 0;
  const errors: string[] = [];
  for (const row of pending) {
    const channel = channelsByName.get(row.channel);
    if (!channel) {
      // Queued under a channel this worker no longer has: it can never be sent from here.
      await deps.escalations.markError(row.id, `channel ${row.channel} is not configured`, true);
      continue;
    }
    await deps.escalations.markAttempt(row.id);
    try {
      await channel.deliver(
        { id: row.id, escalationKey, channel: row.channel, recipient: row.recipient, payload: row.payload, attempt: row.attempts + 1 },
        ctx?.cancellationSignal,
      );
      await deps.escalations.markSent(row.id, clock.now());
      delivered++;
    } catch (error) {
      if (ctx?.cancellationSignal.aborted) throw error;
      const message = error instanceof Error ? error.message : String(error);
      await deps.escalations.markError(row.id, message, false);
      errors.push(`${row.channel} → ${row.recipient}: ${message}`);
    }
    // After every notice: a worker that dies mid-delivery is noticed within the heartbeat timeout.
    ctx?.heartbeat({ delivered });
  }
  // Retryable: Temporal tries again with backoff, and only the rows still queued are sent.
  if (errors.length) throw new Error(`${errors.length} of ${pending.length} notifications not delivered: ${errors.join('; ')}`);
  return { delivered };
}

/** Proposes an organisational measure once per key; the office confirms it. */
async function proposeMeasure({ deps }: ActivityRun, input: Parameters<MasslineActivities['proposeMeasure']>[0]): Promise<void> {
  await deps.measures.propose({
    proposalKey: input.key,
    campaignId: orNull(input.campaignId),
    unitId: input.unitId,
    itemId: orNull(input.itemId),
    // A referral rung (移交) proposes the referral of the accountable head to discipline inspection.
    kind: 'referral',
    subject: input.subject,
    reason: input.reason,
  });
}
