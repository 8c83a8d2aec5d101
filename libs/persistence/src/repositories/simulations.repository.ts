// simulation_jobs: the office's simulations, their progress and their reports.
import type { DataSource } from 'typeorm';
import { iso } from './columns';

export const SIMULATION_JOB_STATUSES = ['queued', 'running', 'done', 'failed'] as const;
export type SimulationJobStatus = (typeof SIMULATION_JOB_STATUSES)[number];

export interface SimulationJobRow {
  id: string;
  requestedBy: string;
  campaignId: string | null;
  request: Record<string, unknown>;
  status: SimulationJobStatus;
  progress: Record<string, unknown>;
  stats: Record<string, unknown> | null;
  error: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  /** Totals of the report (the report itself is read apart: it can weigh megabytes). */
  totals: Record<string, unknown> | null;
}

/** Finished jobs kept (with their reports); older ones are swept when a job finishes. */
export const SIMULATION_JOBS_KEPT = 50;

/** COLUMNS, as read. */
interface SimulationJobColumns {
  id: string;
  requested_by: string;
  campaign_id: string | null;
  request: Record<string, unknown>;
  status: SimulationJobStatus;
  progress: Record<string, unknown>;
  stats: Record<string, unknown> | null;
  error: string | null;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
  /** Null until the report is written. */
  totals: Record<string, unknown> | null;
}

export class SimulationsRepository {
  constructor(private readonly dataSource: DataSource) {}

  private static row(r: SimulationJobColumns): SimulationJobRow {
    return {
      id: r.id,
      requestedBy: r.requested_by,
      campaignId: r.campaign_id,
      request: r.request,
      status: r.status,
      progress: r.progress,
      stats: r.stats,
      error: r.error,
      createdAt: iso(r.created_at),
      startedAt: iso(r.started_at),
      finishedAt: iso(r.finished_at),
      totals: r.totals,
    };
  }

  private static readonly COLUMNS = `id, requested_by, campaign_id, request, status, progress, stats, error, created_at, started_at, finished_at,
    report->'totals' AS totals`;

  async create(requestedBy: string, campaignId: string | null, request: Record<string, unknown>): Promise<string> {
    const [row] = await this.dataSource.query<[{ id: string }]>(
      `INSERT INTO simulation_jobs (requested_by, campaign_id, request) VALUES ($1, $2, $3::jsonb) RETURNING id`,
      [requestedBy, campaignId, JSON.stringify(request)],
    );
    return row.id;
  }

  async find(id: string): Promise<SimulationJobRow | undefined> {
    const rows = await this.dataSource.query<SimulationJobColumns[]>(
      `SELECT ${SimulationsRepository.COLUMNS} FROM simulation_jobs WHERE id = $1`,
      [id],
    );
    return rows.length ? SimulationsRepository.row(rows[0]) : undefined;
  }

  async page(offset: number, limit: number, campaignId?: string): Promise<{ items: SimulationJobRow[]; total: number }> {
    const where = campaignId ? 'WHERE campaign_id = $3' : '';
    const params = campaignId ? [limit, offset, campaignId] : [limit, offset];
    const rows = await this.dataSource.query<SimulationJobColumns[]>(
      `SELECT ${SimulationsRepository.COLUMNS} FROM simulation_jobs ${where} ORDER BY created_at DESC, id LIMIT $1 OFFSET $2`,
      params,
    );
    const [{ n }] = await this.dataSource.query<[{ n: number }]>(
      `SELECT count(*)::int AS n FROM simulation_jobs ${campaignId ? 'WHERE campaign_id = $1' : ''}`,
      campaignId ? [campaignId] : [],
    );
    return { items: rows.map((r) => SimulationsRepository.row(r)), total: n };
  }

  /** The report, as stored (JSON text, so that a report of megabytes is not parsed to be sent). */
  async report(id: string): Promise<string | undefined> {
    const rows = await this.dataSource.query<Array<{ report: string | null }>>(
      `SELECT report::text AS report FROM simulation_jobs WHERE id = $1 AND status = 'done'`,
      [id],
    );
    return rows.length ? (rows[0].report ?? undefined) : undefined;
  }

  async unfinished(): Promise<number> {
    const [{ n }] = await this.dataSource.query<[{ n: number }]>(
      `SELECT count(*)::int AS n FROM simulation_jobs WHERE status IN ('queued', 'running')`,
    );
    return n;
  }

  async started(id: string): Promise<void> {
    await this.dataSource.query(`UPDATE simulation_jobs SET status = 'running', started_at = now() WHERE id = $1`, [id]);
  }

  async progress(id: string, progress: Record<string, unknown>): Promise<void> {
    await this.dataSource.query(`UPDATE simulation_jobs SET progress = $2::jsonb WHERE id = $1 AND status = 'running'`, [
      id,
      JSON.stringify(progress),
    ]);
  }

  async done(id: string, reportJson: string, stats: Record<string, unknown>): Promise<void> {
    await this.dataSource.query(
      `UPDATE simulation_jobs SET status = 'done', report = $2::jsonb, stats = $3::jsonb, finished_at = now() WHERE id = $1`,
      [id, reportJson, JSON.stringify(stats)],
    );
  }

  async failed(id: string, error: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE simulation_jobs SET status = 'failed', error = $2, finished_at = now() WHERE id = $1 AND status IN ('queued', 'running')`,
      [id, error],
    );
  }

  /** Keeps the newest `keep` finished jobs. */
  async sweep(keep = SIMULATION_JOBS_KEPT): Promise<number> {
    // TypeORM answers a DELETE … RETURNING with [rows, affected].
    const [, affected] = await this.dataSource.query<[unknown[], number]>(
      `DELETE FROM simulation_jobs WHERE id IN (
         SELECT id FROM simulation_jobs WHERE status IN ('done', 'failed') ORDER BY finished_at DESC NULLS LAST, id OFFSET $1)
       RETURNING id`,
      [keep],
    );
    return affected;
  }
}
