// Activity stubs with their timeouts and retry policies.
import { proxyActivities } from '@temporalio/workflow';
import type { MasslineActivities } from '../activities/types';
import type { RecordingActivity } from '../libs/contracts/src';
import { ERROR_CODES } from '../libs/domain/src';

const nonRetryableErrorTypes = Object.keys(ERROR_CODES);

/**
 * Read-model writes and escalation records: what the workflows have decided must reach the database, so they
 * are retried until it takes them (never dropped; a failing one shows in /health/ready and /metrics meanwhile).
 * Each is one short transaction; an attempt that died with its worker is known only when this timeout expires,
 * and a ladder waits for its rung's record before the next rung, so the timeout is short.
 */
export const dbActivities = proxyActivities<Pick<MasslineActivities, RecordingActivity>>({
  startToCloseTimeout: '10s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m' },
});

/** What the campaign reads of its units (the read model): a plain query, retried while the database is away. */
export const campaignActivities = proxyActivities<Pick<MasslineActivities, 'campaignProgress'>>({
  startToCloseTimeout: '1m',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m', nonRetryableErrorTypes },
});

/**
 * Notices go out through channels (e.g. a webhook) that may be down for a while: retried for ever, slowly. The
 * activity heartbeats after each notice, so a worker that dies mid-delivery is noticed within the heartbeat timeout.
 */
export const notifyActivities = proxyActivities<Pick<MasslineActivities, 'deliverNotifications'>>({
  startToCloseTimeout: '10m',
  heartbeatTimeout: '30s',
  retry: { initialInterval: '5s', backoffCoefficient: 2, maximumInterval: '10m', nonRetryableErrorTypes },
});

/** Starting 10,000 unit workflows takes a while: the activity heartbeats its progress and resumes from it. */
export const batchActivities = proxyActivities<Pick<MasslineActivities, 'startBatchUnits'>>({
  startToCloseTimeout: '2h',
  heartbeatTimeout: '1m',
  retry: { initialInterval: '5s', backoffCoefficient: 2, maximumInterval: '5m', nonRetryableErrorTypes },
});

/** A plan version's rollout sends an Update to every running unit and item of its batches: heartbeats, resumes. */
export const rolloutActivities = proxyActivities<Pick<MasslineActivities, 'rolloutPlanVersion'>>({
  startToCloseTimeout: '2h',
  heartbeatTimeout: '1m',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m', nonRetryableErrorTypes },
});
