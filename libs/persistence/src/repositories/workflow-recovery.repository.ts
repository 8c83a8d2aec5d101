import type { DataSource } from 'typeorm';

/** What recovery may decide for a run: reset it, leave it to people, or find it closed (nothing to resume). */
export const RECOVERY_VERDICTS = ['reset', 'left', 'closed'] as const;
export type RecoveryVerdict = (typeof RECOVERY_VERDICTS)[number];

/** What recovery did with a run stuck on a nondeterminism error. */
export interface WorkflowRecovery {
  workflowId: string;
  runId: string;
  /** undefined while a worker is still deciding. */
  verdict?: RecoveryVerdict;
  reason?: string;
  failure?: string;
  divergingEventId?: number;
  resetEventId?: number;
  newRunId?: string;
  claimedBy: string;
  claimedAt: string;
  settledAt?: string;
}

export interface WorkflowRecoveryRepository {
  /**
   * Takes the run for this worker: `claimed` when no other worker holds it (a claim left unsettled for
   * `staleMs`, its worker gone, may be taken again); `held` while another worker's claim is fresh; `settled`.
   */
  claim(runId: string, workflowId: string, worker: string, staleMs: number): Promise<'claimed' | 'held' | 'settled'>;
  settle(runId: string, outcome: Pick<WorkflowRecovery, 'verdict' | 'reason' | 'failure' | 'divergingEventId' | 'resetEventId' | 'newRunId'>): Promise<void>;
  /** Newest first, a page at a time, with the number of rows in all. */
  list(offset: number, limit: number): Promise<{ items: WorkflowRecovery[]; total: number }>;
  /** Runs by verdict (`deciding` while unsettled). */
  counts(): Promise<Array<{ verdict: RecoveryVerdict | 'deciding'; count: number }>>;
}

const opt = <T>(v: T | null | undefined): T | undefined => (v === null ? undefined : v);

export class PgWorkflowRecoveryRepository implements WorkflowRecoveryRepository {
  constructor(private readonly dataSource: DataSource) {}

  async claim(runId: string, workflowId: string, worker: string, staleMs: number): Promise<'claimed' | 'held' | 'settled'> {
    const rows: unknown[] = await this.dataSource.query(
      `INSERT INTO workflow_recoveries (run_id, workflow_id, claimed_by) VALUES ($1, $2, $3)
       ON CONFLICT (run_id) DO UPDATE SET claimed_by = EXCLUDED.claimed_by, claimed_at = now()
         WHERE workflow_recoveries.settled_at IS NULL AND workflow_recoveries.claimed_at < now() - ($4 || ' milliseconds')::interval
       RETURNING run_id`,
      [runId, workflowId, worker, String(staleMs)],
    );
    if (rows.length === 1) return 'claimed';
    const held: Array<{ settled: boolean }> = await this.dataSource.query(`SELECT settled_at IS NOT NULL AS settled FROM workflow_recoveries WHERE run_id = $1`, [runId]);
    return held[0]?.settled ? 'settled' : 'held';
  }

  async settle(runId: string, o: Pick<WorkflowRecovery, 'verdict' | 'reason' | 'failure' | 'divergingEventId' | 'resetEventId' | 'newRunId'>): Promise<void> {
    await this.dataSource.query(
      `UPDATE workflow_recoveries SET verdict = $2, reason = $3, failure = $4, diverging_event_id = $5, reset_event_id = $6,
         new_run_id = $7, settled_at = now() WHERE run_id = $1`,
      [runId, o.verdict, o.reason ?? null, o.failure?.slice(0, 4000) ?? null, o.divergingEventId ?? null, o.resetEventId ?? null, o.newRunId ?? null],
    );
  }

  async list(offset: number, limit: number): Promise<{ items: WorkflowRecovery[]; total: number }> {
    const rows: Array<Record<string, unknown>> = await this.dataSource.query(
      `SELECT *, count(*) OVER () AS total FROM workflow_recoveries ORDER BY claimed_at DESC, run_id LIMIT $1 OFFSET $2`,
      [Math.max(1, Math.min(limit, 1000)), Math.max(0, offset)],
    );
    const total = rows.length ? Number(rows[0].total) : Number((await this.dataSource.query(`SELECT count(*) AS n FROM workflow_recoveries`))[0].n);
    const items = rows.map((r) => ({
      workflowId: r.workflow_id as string,
      runId: r.run_id as string,
      verdict: opt(r.verdict as RecoveryVerdict | null),
      reason: opt(r.reason as string | null),
      failure: opt(r.failure as string | null),
      divergingEventId: opt(r.diverging_event_id as number | null),
      resetEventId: opt(r.reset_event_id as number | null),
      newRunId: opt(r.new_run_id as string | null),
      claimedBy: r.claimed_by as string,
      claimedAt: new Date(r.claimed_at as string).toISOString(),
      settledAt: r.settled_at ? new Date(r.settled_at as string).toISOString() : undefined,
    }));
    return { items, total };
  }

  async counts(): Promise<Array<{ verdict: RecoveryVerdict | 'deciding'; count: number }>> {
    const rows: Array<{ verdict: RecoveryVerdict | 'deciding'; n: string }> = await this.dataSource.query(
      `SELECT coalesce(verdict, 'deciding') AS verdict, count(*) AS n FROM workflow_recoveries GROUP BY 1 ORDER BY 1`,
    );
    return rows.map((r) => ({ verdict: r.verdict, count: Number(r.n) }));
  }
}
