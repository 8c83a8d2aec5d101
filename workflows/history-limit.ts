// When a long-lived workflow (a unit lives half a year) continues as new: on the server's suggestion, or past
// our own limits, far below the server's warnings (10,240 events, 10 MB) whatever the rate of updates.
// Tests pass a small event limit to exercise continue-as-new.
import { workflowInfo } from '@temporalio/workflow';

export const DEFAULT_HISTORY_LIMIT = 4_000;
/** Bytes of history past which a run continues as new. */
export const HISTORY_BYTES_LIMIT = 4 * 1024 * 1024;

export function historyIsLong(limit: number = DEFAULT_HISTORY_LIMIT): boolean {
  const info = workflowInfo();
  return info.continueAsNewSuggested || info.historyLength > limit || info.historySize > HISTORY_BYTES_LIMIT;
}
