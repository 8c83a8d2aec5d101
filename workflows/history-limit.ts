// When a long-lived workflow (a unit lives half a year) continues as new: on the server's suggestion, or past
// our own limit of events, whichever comes first. Tests pass a small limit to exercise continue-as-new.
import { workflowInfo } from '@temporalio/workflow';

export const DEFAULT_HISTORY_LIMIT = 10_000;

export function historyIsLong(limit: number = DEFAULT_HISTORY_LIMIT): boolean {
  const info = workflowInfo();
  return info.continueAsNewSuggested || info.historyLength > limit;
}
