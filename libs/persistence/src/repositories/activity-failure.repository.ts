import type { DataSource } from 'typeorm';
import type { Affected } from './columns';

/** A failing activity as the worker last saw it (retried by Temporal meanwhile). */
export interface ActivityFailure {
  workflowId: string;
  activityId: string;
  activity: string;
  attempts: number;
  lastError: string;
  firstFailedAt: string;
  lastFailedAt: string;
}

/**
 * Activities that keep failing, for readiness and metrics: the worker records each failed attempt and clears
 * the row when the activity succeeds. A row no longer touched (its workflow ended meanwhile) goes stale.
 */
export interface ActivityFailureRepository {
  failed(f: { workflowId: string; activityId: string; activity: string; attempt: number; error: string }): Promise<void>;
  succeeded(workflowId: string, activityId: string): Promise<void>;
  /** Rows touched within `freshMs`, by activity. */
  current(freshMs: number, now?: Date): Promise<ActivityFailure[]>;
  /** Removes rows not touched within `staleMs`. */
  sweep(staleMs: number, now?: Date): Promise<number>;
}

export class PgActivityFailureRepository implements ActivityFailureRepository {
  constructor(private readonly dataSource: DataSource) {}

  async failed(f: { workflowId: string; activityId: string; activity: string; attempt: number; error: string }): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO activity_failures (workflow_id, activity_id, activity, attempts, last_error)
       VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (workflow_id, activity_id) DO UPDATE SET
         attempts = GREATEST(activity_failures.attempts, EXCLUDED.attempts), last_error = EXCLUDED.last_error, last_failed_at = now()`,
      [f.workflowId, f.activityId, f.activity, f.attempt, f.error.slice(0, 2000)],
    );
  }

  async succeeded(workflowId: string, activityId: string): Promise<void> {
    await this.dataSource.query('DELETE FROM activity_failures WHERE workflow_id = $1 AND activity_id = $2', [workflowId, activityId]);
  }

  async current(freshMs: number, now = new Date()): Promise<ActivityFailure[]> {
    const rows = await this.dataSource.query<
      Array<{
        workflow_id: string;
        activity_id: string;
        activity: string;
        attempts: number;
        last_error: string;
        first_failed_at: Date;
        last_failed_at: Date;
      }>
    >(
      `SELECT workflow_id, activity_id, activity, attempts, last_error, first_failed_at, last_failed_at
         FROM activity_failures WHERE last_failed_at > $1::timestamptz ORDER BY first_failed_at LIMIT 1000`,
      [new Date(now.getTime() - freshMs)],
    );
    return rows.map((r) => ({
      workflowId: r.workflow_id,
      activityId: r.activity_id,
      activity: r.activity,
      attempts: r.attempts,
      lastError: r.last_error,
      firstFailedAt: r.first_failed_at.toISOString(),
      lastFailedAt: r.last_failed_at.toISOString(),
    }));
  }

  async sweep(staleMs: number, now = new Date()): Promise<number> {
    const [, affected] = await this.dataSource.query<Affected>('DELETE FROM activity_failures WHERE last_failed_at <= $1::timestamptz', [
      new Date(now.getTime() - staleMs),
    ]);
    return affected ?? 0;
  }
}
