import type { DataSource } from 'typeorm';
import type { Batch, Plan } from '../../../domain/src';

export interface EnrolledUnit {
  id: string;
  code: string;
  name: string;
  batch: Batch;
  groupId: string;
}

/** Reads the enrolment the API wrote: campaigns and their units. */
export interface EnrolmentRepository {
  campaignPlan(campaignId: string): Promise<Plan | undefined>;
  /** The plan a batch runs on now, and its version (1: the campaign's own; a later one once the office changed it). */
  batchPlan(campaignId: string, batch: Batch): Promise<{ plan: Plan; version: number } | undefined>;
  /** Units of one batch with code > afterCode, ordered by code (keyset pagination). */
  unitsOfBatch(campaignId: string, batch: Batch, afterCode: string | null, limit: number): Promise<EnrolledUnit[]>;
}

export class PgEnrolmentRepository implements EnrolmentRepository {
  constructor(private readonly dataSource: DataSource) {}

  async campaignPlan(campaignId: string): Promise<Plan | undefined> {
    const rows: Array<{ plan: Plan }> = await this.dataSource.query('SELECT plan FROM campaigns WHERE id = $1', [campaignId]);
    return rows[0]?.plan;
  }

  async batchPlan(campaignId: string, batch: Batch): Promise<{ plan: Plan; version: number } | undefined> {
    const rows: Array<{ plan: Plan; version: number }> = await this.dataSource.query(
      `SELECT coalesce(v.plan, c.plan) AS plan, coalesce(v.version, 1) AS version
         FROM campaigns c
         LEFT JOIN plan_versions v ON v.campaign_id = c.id AND v.version = (c.batch_plan_versions->>$2::text)::int
        WHERE c.id = $1`,
      [campaignId, String(batch)],
    );
    return rows[0];
  }

  async unitsOfBatch(campaignId: string, batch: Batch, afterCode: string | null, limit: number): Promise<EnrolledUnit[]> {
    // units.code is COLLATE "C": the keyset comparison, the ORDER BY and the index agree.
    const rows: Array<{ id: string; code: string; name: string; batch: number; group_id: string }> = await this.dataSource.query(
      `SELECT id, code, name, batch, group_id FROM units
        WHERE campaign_id = $1 AND batch = $2 AND ($3::text IS NULL OR code > $3::text)
        ORDER BY code LIMIT $4`,
      [campaignId, batch, afterCode, limit],
    );
    return rows.map((r) => ({ id: r.id, code: r.code, name: r.name, batch: r.batch as Batch, groupId: r.group_id }));
  }
}
