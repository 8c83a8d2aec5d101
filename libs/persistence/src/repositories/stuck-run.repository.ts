import type { DataSource } from 'typeorm';
import type { Affected } from './columns';

/** A run whose workflow task keeps failing, as the detector last saw it (apps/worker/src/stuck-runs.ts). */
/** `history`: the failure its history records; `replay`: a replay with the worker's build said it. */
export const STUCK_RUN_SOURCES = ['history', 'replay'] as const;
export type StuckRunSource = (typeof STUCK_RUN_SOURCES)[number];

export interface StuckRun {
  workflowId: string;
  runId: string;
  workflowType: string;
  /** Attempt of its pending workflow task when last seen. */
  attempt: number;
  /** A WorkflowTaskFailedCause (e.g. WORKFLOW_TASK_FAILED_CAUSE_NON_DETERMINISTIC_ERROR) or WORKFLOW_TASK_TIMED_OUT. */
  cause: string;
  message: string;
  /** `history`: the failure its history records; `replay`: a replay with the worker's build said it. */
  source: StuckRunSource;
  failedEventId?: number;
  divergingEventId?: number;
  /** The reset point `massline audit reset … --to last-good` takes. */
  lastGoodEventId?: number;
  firstSeenAt: string;
  lastSeenAt: string;
  /** When it was seen moving again (or closed, or gone); undefined while stuck. */
  clearedAt?: string;
}

export type StuckRunSighting = Omit<StuckRun, 'firstSeenAt' | 'lastSeenAt' | 'clearedAt'>;

/** The detector's last pass over the open runs. */
export interface StuckRunPass {
  detector: string;
  startedAt: string;
  finishedAt?: string;
  runsChecked: number;
  stuck: number;
  durationMs?: number;
}

export interface StuckRunRepository {
  /** Records a run seen stuck: a new row, or the same row seen again (a cleared one starts a new episode). */
  seen(run: StuckRunSighting, at?: Date): Promise<void>;
  /** The row of a run, stuck or cleared. */
  get(runId: string): Promise<StuckRun | undefined>;
  /** A run stuck already seen stuck again: its attempt now (its diagnosis stands). */
  seenAgain(runId: string, attempt: number, at?: Date): Promise<void>;
  /** The runs stuck now, by run id, with how they were diagnosed (small: what a pass needs). */
  stuckIndex(): Promise<Map<string, Pick<StuckRun, 'cause' | 'source'>>>;
  /** Clears the rows of runs seen moving again. */
  moved(runIds: string[], at?: Date): Promise<number>;
  /** Clears the stuck rows not seen since `before` (their runs closed or are no longer listed as open). */
  clearUnseenSince(before: Date, at?: Date): Promise<number>;
  /** Deletes the rows cleared before `before`. */
  sweep(before: Date): Promise<number>;
  /** Runs stuck now (not cleared), oldest first, a page at a time, with how many in all; `includeCleared` adds the cleared ones after them, the latest cleared first. */
  list(offset: number, limit: number, includeCleared?: boolean): Promise<{ items: StuckRun[]; total: number }>;
  /** How many runs are stuck now, and the first `limit` of them (oldest first). */
  current(limit: number): Promise<{ total: number; runs: StuckRun[] }>;
  /** The run of a workflow stuck now (its latest sighting), if any. */
  stuckOf(workflowId: string): Promise<StuckRun | undefined>;
  /** How many runs of a workflow type are stuck now with their pending task at `minAttempt` or beyond. */
  countStuck(workflowType: string, minAttempt: number): Promise<number>;
  passStarted(detector: string, at?: Date): Promise<void>;
  passFinished(detector: string, o: { runsChecked: number; stuck: number; durationMs: number }, at?: Date): Promise<void>;
  lastPass(): Promise<StuckRunPass | undefined>;
}

interface StuckRunColumns {
  run_id: string;
  workflow_id: string;
  workflow_type: string;
  attempt: number;
  cause: string;
  message: string;
  source: StuckRun['source'];
  failed_event_id: number | null;
  diverging_event_id: number | null;
  last_good_event_id: number | null;
  first_seen_at: Date;
  last_seen_at: Date;
  cleared_at: Date | null;
}

interface DetectorColumns {
  detector: string;
  started_at: Date;
  finished_at: Date | null;
  runs_checked: number;
  stuck: number;
  duration_ms: number | null;
}
function toStuckRun(r: StuckRunColumns): StuckRun {
  return {
    workflowId: r.workflow_id,
    runId: r.run_id,
    workflowType: r.workflow_type,
    attempt: r.attempt,
    cause: r.cause,
    message: r.message,
    source: r.source,
    ...(r.failed_event_id !== null ? { failedEventId: r.failed_event_id } : {}),
    ...(r.diverging_event_id !== null ? { divergingEventId: r.diverging_event_id } : {}),
    ...(r.last_good_event_id !== null ? { lastGoodEventId: r.last_good_event_id } : {}),
    firstSeenAt: r.first_seen_at.toISOString(),
    lastSeenAt: r.last_seen_at.toISOString(),
    ...(r.cleared_at ? { clearedAt: r.cleared_at.toISOString() } : {}),
  };
}

export class PgStuckRunRepository implements StuckRunRepository {
  constructor(private readonly dataSource: DataSource) {}

  async seen(run: StuckRunSighting, at = new Date()): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO stuck_runs (run_id, workflow_id, workflow_type, attempt, cause, message, source, failed_event_id, diverging_event_id, last_good_event_id, first_seen_at, last_seen_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11)
       ON CONFLICT (run_id) DO UPDATE SET
         attempt = EXCLUDED.attempt, cause = EXCLUDED.cause, message = EXCLUDED.message, source = EXCLUDED.source,
         failed_event_id = EXCLUDED.failed_event_id, diverging_event_id = EXCLUDED.diverging_event_id,
         last_good_event_id = EXCLUDED.last_good_event_id, last_seen_at = EXCLUDED.last_seen_at,
         first_seen_at = CASE WHEN stuck_runs.cleared_at IS NULL THEN stuck_runs.first_seen_at ELSE EXCLUDED.first_seen_at END,
         cleared_at = NULL`,
      [
        run.runId,
        run.workflowId,
        run.workflowType,
        run.attempt,
        run.cause,
        run.message.slice(0, 4000),
        run.source,
        run.failedEventId ?? null,
        run.divergingEventId ?? null,
        run.lastGoodEventId ?? null,
        at,
      ],
    );
  }

  async get(runId: string): Promise<StuckRun | undefined> {
    const rows = await this.dataSource.query<StuckRunColumns[]>(`SELECT * FROM stuck_runs WHERE run_id = $1`, [runId]);
    return rows.length ? toStuckRun(rows[0]) : undefined;
  }

  async seenAgain(runId: string, attempt: number, at = new Date()): Promise<void> {
    await this.dataSource.query(`UPDATE stuck_runs SET attempt = $2, last_seen_at = $3 WHERE run_id = $1 AND cleared_at IS NULL`, [
      runId,
      attempt,
      at,
    ]);
  }

  async stuckIndex(): Promise<Map<string, Pick<StuckRun, 'cause' | 'source'>>> {
    const rows: Array<{ run_id: string; cause: string; source: StuckRun['source'] }> = await this.dataSource.query(
      `SELECT run_id, cause, source FROM stuck_runs WHERE cleared_at IS NULL`,
    );
    return new Map(rows.map((r) => [r.run_id, { cause: r.cause, source: r.source }]));
  }

  async moved(runIds: string[], at = new Date()): Promise<number> {
    if (!runIds.length) return 0;
    const [, affected] = await this.dataSource.query<Affected>(
      `UPDATE stuck_runs SET cleared_at = $2 WHERE run_id = ANY($1) AND cleared_at IS NULL`,
      [runIds, at],
    );
    return affected ?? 0;
  }

  async clearUnseenSince(before: Date, at = new Date()): Promise<number> {
    const [, affected] = await this.dataSource.query<Affected>(
      `UPDATE stuck_runs SET cleared_at = $2 WHERE cleared_at IS NULL AND last_seen_at < $1`,
      [before, at],
    );
    return affected ?? 0;
  }

  async sweep(before: Date): Promise<number> {
    const [, affected] = await this.dataSource.query<Affected>(`DELETE FROM stuck_runs WHERE cleared_at < $1`, [before]);
    return affected ?? 0;
  }

  async list(offset: number, limit: number, includeCleared = false): Promise<{ items: StuckRun[]; total: number }> {
    const where = includeCleared ? '' : 'WHERE cleared_at IS NULL';
    // The stuck ones first, oldest first; then the cleared ones, the latest cleared first.
    const order = includeCleared
      ? '(cleared_at IS NULL) DESC, CASE WHEN cleared_at IS NULL THEN first_seen_at END, cleared_at DESC, run_id'
      : 'first_seen_at, run_id';
    // count(*) is a bigint: it arrives as text.
    const rows = await this.dataSource.query<Array<StuckRunColumns & { total: string }>>(
      `SELECT *, count(*) OVER () AS total FROM stuck_runs ${where} ORDER BY ${order} LIMIT $1 OFFSET $2`,
      [Math.max(1, Math.min(limit, 1000)), Math.max(0, offset)],
    );
    const total = rows.length
      ? Number(rows[0].total)
      : Number((await this.dataSource.query<[{ n: string }]>(`SELECT count(*) AS n FROM stuck_runs ${where}`))[0].n);
    return { items: rows.map(toStuckRun), total };
  }

  async current(limit: number): Promise<{ total: number; runs: StuckRun[] }> {
    const { items, total } = await this.list(0, limit);
    return { total, runs: items };
  }

  async stuckOf(workflowId: string): Promise<StuckRun | undefined> {
    const rows = await this.dataSource.query<StuckRunColumns[]>(
      `SELECT * FROM stuck_runs WHERE workflow_id = $1 AND cleared_at IS NULL ORDER BY last_seen_at DESC, run_id LIMIT 1`,
      [workflowId],
    );
    return rows.length ? toStuckRun(rows[0]) : undefined;
  }

  async countStuck(workflowType: string, minAttempt: number): Promise<number> {
    const rows: Array<{ n: string }> = await this.dataSource.query(
      `SELECT count(*) AS n FROM stuck_runs WHERE cleared_at IS NULL AND workflow_type = $1 AND attempt >= $2`,
      [workflowType, minAttempt],
    );
    return Number(rows[0].n);
  }

  async passStarted(detector: string, at = new Date()): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO stuck_run_detector (id, detector, started_at) VALUES (1, $1, $2)
       ON CONFLICT (id) DO UPDATE SET detector = EXCLUDED.detector, started_at = EXCLUDED.started_at`,
      [detector, at],
    );
  }

  async passFinished(detector: string, o: { runsChecked: number; stuck: number; durationMs: number }, at = new Date()): Promise<void> {
    await this.dataSource.query(
      `UPDATE stuck_run_detector SET detector = $1, finished_at = $2, runs_checked = $3, stuck = $4, duration_ms = $5 WHERE id = 1`,
      [detector, at, o.runsChecked, o.stuck, o.durationMs],
    );
  }

  async lastPass(): Promise<StuckRunPass | undefined> {
    const rows = await this.dataSource.query<DetectorColumns[]>(`SELECT * FROM stuck_run_detector WHERE id = 1`);
    if (!rows.length) return undefined;
    const [r] = rows;
    return {
      detector: r.detector,
      startedAt: r.started_at.toISOString(),
      ...(r.finished_at ? { finishedAt: r.finished_at.toISOString() } : {}),
      runsChecked: r.runs_checked,
      stuck: r.stuck,
      ...(r.duration_ms !== null ? { durationMs: r.duration_ms } : {}),
    };
  }
}
