import type { DataSource } from 'typeorm';
import type { ItemView, UnitView } from '../../../domain/src';

/** Writes the read model from workflow state. Every write keeps the newest version only. */
export interface ProjectionRepository {
  /** true if the row was written, false if a newer (or the same) version was already there. */
  upsertUnitState(view: UnitView, projectedAt: Date): Promise<boolean>;
  upsertItemState(view: ItemView, projectedAt: Date): Promise<boolean>;
  /** Moves a campaign's status forward only (draft → running → done). true if it changed. */
  advanceCampaignStatus(campaignId: string, status: 'running' | 'done'): Promise<boolean>;
}

// One statement each: the version guard lives in the ON CONFLICT clause, so two projections racing
// (a retry overtaking a slow attempt) can never leave the older one in place.
const UPSERT_UNIT = `
INSERT INTO unit_states AS s (unit_id, campaign_id, code, batch, group_id, phase, status, card,
  window_starts_at, window_ends_at, unmet_gates, view, version, projected_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::jsonb, $12::jsonb, $13, $14)
ON CONFLICT (unit_id) DO UPDATE SET
  campaign_id = EXCLUDED.campaign_id, code = EXCLUDED.code, batch = EXCLUDED.batch, group_id = EXCLUDED.group_id,
  phase = EXCLUDED.phase, status = EXCLUDED.status, card = EXCLUDED.card,
  window_starts_at = EXCLUDED.window_starts_at, window_ends_at = EXCLUDED.window_ends_at,
  unmet_gates = EXCLUDED.unmet_gates, view = EXCLUDED.view, version = EXCLUDED.version,
  projected_at = EXCLUDED.projected_at
WHERE s.version < EXCLUDED.version
RETURNING unit_id`;

const UPSERT_ITEM = `
INSERT INTO item_states AS s (item_id, unit_id, campaign_id, group_id, status, card, deadline, measure, owner,
  view, version, projected_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::jsonb, $11, $12)
ON CONFLICT (item_id) DO UPDATE SET
  unit_id = EXCLUDED.unit_id, campaign_id = EXCLUDED.campaign_id, group_id = EXCLUDED.group_id,
  status = EXCLUDED.status, card = EXCLUDED.card, deadline = EXCLUDED.deadline, measure = EXCLUDED.measure,
  owner = EXCLUDED.owner, view = EXCLUDED.view, version = EXCLUDED.version, projected_at = EXCLUDED.projected_at
WHERE s.version < EXCLUDED.version
RETURNING item_id`;

const STATUS_RANK = `CASE status WHEN 'draft' THEN 0 WHEN 'running' THEN 1 ELSE 2 END`;

export class PgProjectionRepository implements ProjectionRepository {
  constructor(private readonly dataSource: DataSource) {}

  async upsertUnitState(view: UnitView, projectedAt: Date): Promise<boolean> {
    const rows = await this.dataSource.query(UPSERT_UNIT, [
      view.id,
      view.campaignId,
      view.code,
      view.batch,
      view.groupId,
      view.phase,
      view.status,
      view.card,
      view.window?.startsAt ?? null,
      view.window?.endsAt ?? null,
      JSON.stringify(view.unmetGates ?? []),
      JSON.stringify(view),
      view.version,
      projectedAt,
    ]);
    return rows.length > 0;
  }

  async upsertItemState(view: ItemView, projectedAt: Date): Promise<boolean> {
    const rows = await this.dataSource.query(UPSERT_ITEM, [
      view.id,
      view.unitId,
      view.campaignId,
      view.groupId,
      view.status,
      view.card,
      view.deadline,
      view.measure,
      view.owner,
      JSON.stringify(view),
      view.version,
      projectedAt,
    ]);
    return rows.length > 0;
  }

  async advanceCampaignStatus(campaignId: string, status: 'running' | 'done'): Promise<boolean> {
    const rank = status === 'running' ? 1 : 2;
    // TypeORM answers an UPDATE with [rows, affected].
    const [, affected] = await this.dataSource.query(
      `UPDATE campaigns SET status = $2::text,
              started_at = CASE WHEN $2::text = 'running' THEN COALESCE(started_at, now()) ELSE started_at END
        WHERE id = $1 AND ${STATUS_RANK} < $3`,
      [campaignId, status, rank],
    );
    return affected > 0;
  }
}
