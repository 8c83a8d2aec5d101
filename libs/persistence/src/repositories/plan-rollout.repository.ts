// What the rollout of a plan version reads and writes: the version's plan, the units of its batches, the items a
// unit has, and the rollout's progress (shown with the version).
import type { DataSource } from 'typeorm';
import type { Batch, Plan } from '../../../domain/src';

export interface PlanRolloutRepository {
  plan(campaignId: string, version: number): Promise<Plan | undefined>;
  /** Items of a unit whose ladder may run (open or submitted), by their number. */
  runningItems(unitId: string): Promise<number[]>;
  progress(campaignId: string, version: number, p: { units: number; items: number; lastCode: string | null; batch: Batch }): Promise<void>;
  done(campaignId: string, version: number, p: { units: number; items: number }): Promise<void>;
}

export class PgPlanRolloutRepository implements PlanRolloutRepository {
  constructor(private readonly dataSource: DataSource) {}

  async plan(campaignId: string, version: number): Promise<Plan | undefined> {
    const [r] = await this.dataSource.query('SELECT plan FROM plan_versions WHERE campaign_id = $1 AND version = $2', [
      campaignId,
      version,
    ]);
    return r?.plan;
  }

  async runningItems(unitId: string): Promise<number[]> {
    const rows: Array<{ item_id: string }> = await this.dataSource.query(
      `SELECT item_id FROM item_states WHERE unit_id = $1 AND status IN ('pending', 'open', 'submitted') ORDER BY item_id`,
      [unitId],
    );
    return rows.map((r) => Number(/\.item-(\d+)$/.exec(r.item_id)?.[1] ?? 0)).filter((n) => n > 0);
  }

  async progress(
    campaignId: string,
    version: number,
    p: { units: number; items: number; lastCode: string | null; batch: Batch },
  ): Promise<void> {
    await this.dataSource.query('UPDATE plan_versions SET rollout = $3::jsonb WHERE campaign_id = $1 AND version = $2', [
      campaignId,
      version,
      JSON.stringify(p),
    ]);
  }

  async done(campaignId: string, version: number, p: { units: number; items: number }): Promise<void> {
    await this.dataSource.query(
      'UPDATE plan_versions SET rollout = $3::jsonb, rolled_out_at = coalesce(rolled_out_at, now()) WHERE campaign_id = $1 AND version = $2',
      [campaignId, version, JSON.stringify(p)],
    );
  }
}
