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
  /** Units of one batch with code > afterCode, ordered by code (keyset pagination). */
  unitsOfBatch(campaignId: string, batch: Batch, afterCode: string | null, limit: number): Promise<EnrolledUnit[]>;
}

export class PgEnrolmentRepository implements EnrolmentRepository {
  constructor(private readonly dataSource: DataSource) {}

  async campaignPlan(campaignId: string): Promise<Plan | undefined> {
    const rows: Array<{ plan: Plan }> = await this.dataSource.query('SELECT plan FROM campaigns WHERE id = $1', [campaignId]);
    return rows[0]?.plan;
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
