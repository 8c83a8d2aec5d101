// A run's history in a few lines, for a failure message: when a run stops replaying (a nondeterminism error), the
// order of its tasks, commands and local activity markers is what tells why, and a CI log is all there is.
import type { WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';

const { EventType } = temporal.api.enums.v1;

/** One line per event: id, moment (ms since the first event), type, and for activities and markers what they were. */
export async function historyOutline(handle: WorkflowHandle): Promise<string> {
  const events = (await handle.fetchHistory()).events ?? [];
  const ms = (e: (typeof events)[number]) => Number(e.eventTime?.seconds ?? 0) * 1000 + Math.floor((e.eventTime?.nanos ?? 0) / 1e6);
  const t0 = events.length ? ms(events[0]) : 0;
  return events
    .map((e) => {
      const type = EventType[e.eventType ?? 0].replace('EVENT_TYPE_', '');
      const activity = e.activityTaskScheduledEventAttributes?.activityType?.name;
      const marker = e.markerRecordedEventAttributes;
      const detail = activity
        ? ` ${activity}#${e.activityTaskScheduledEventAttributes?.activityId}`
        : marker
          ? ` ${marker.markerName}${localActivity(marker)}${marker.failure ? ` failed: ${marker.failure.message}` : ''}`
          : '';
      return `${String(e.eventId)} +${ms(e) - t0}ms ${type}${detail}`;
    })
    .join('\n');
}

/** A local activity marker's sequence number and type (its `data` detail, JSON). */
function localActivity(marker: temporal.api.history.v1.IMarkerRecordedEventAttributes): string {
  // A marker's details are a map: `data` may be absent whatever the index signature says.
  const details: Partial<Record<string, temporal.api.common.v1.IPayloads>> | null | undefined = marker.details;
  const data = details?.data?.payloads?.[0]?.data;
  if (!data) return '';
  try {
    const { seq, activity_type: type } = JSON.parse(Buffer.from(data).toString('utf8')) as { seq?: number; activity_type?: string };
    return ` ${type}#${seq}`;
  } catch {
    return '';
  }
}

/** Runs `wait`; if it throws, the error carries the run's history outline. */
export async function withHistoryOnFailure<T>(handle: WorkflowHandle, wait: () => Promise<T>): Promise<T> {
  try {
    return await wait();
  } catch (error) {
    const outline = await historyOutline(handle).catch((e: unknown) => `(no history: ${String(e)})`);
    if (error instanceof Error) error.message += `\nhistory of ${handle.workflowId}:\n${outline}`;
    throw error;
  }
}
