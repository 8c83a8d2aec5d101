// Activity stubs with their timeouts and retry policies. Domain errors (coded DomainError → ApplicationFailure
// of type = code) are never retried: retrying cannot fix a broken rule or bad input.
import { proxyActivities } from '@temporalio/workflow';
import type { MasslineActivities } from '../activities/types';
import { ERROR_CODES } from '../libs/domain/src';

const nonRetryableErrorTypes = Object.keys(ERROR_CODES);

/** Read-model writes and escalation records: quick, retried until the database answers. */
export const dbActivities = proxyActivities<Pick<MasslineActivities, 'projectUnit' | 'projectItem' | 'projectCampaignStatus' | 'recordEscalation' | 'proposeMeasure'>>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m', nonRetryableErrorTypes },
});

/** Notifications go out through channels (e.g. a webhook) that may be down for a while: retried for ever, slowly. */
export const notifyActivities = proxyActivities<Pick<MasslineActivities, 'deliverNotifications'>>({
  startToCloseTimeout: '2m',
  retry: { initialInterval: '5s', backoffCoefficient: 2, maximumInterval: '10m', nonRetryableErrorTypes },
});

/** Starting 10,000 unit workflows takes a while: the activity heartbeats its progress and resumes from it. */
export const batchActivities = proxyActivities<Pick<MasslineActivities, 'startBatchUnits'>>({
  startToCloseTimeout: '2h',
  heartbeatTimeout: '1m',
  retry: { initialInterval: '5s', backoffCoefficient: 2, maximumInterval: '5m', nonRetryableErrorTypes },
});
