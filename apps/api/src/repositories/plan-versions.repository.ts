// Plan versions of a running campaign, which version each batch runs on, and the live facts a change would move
// (read from the read model: never from a workflow).
import type { DataSource, EntityManager } from 'typeorm';
import type { Batch, LiveItem, LiveUnit, Plan, PlanDiffEntry } from '../../../../libs/domain/src';

export interface PlanVersionRow {
  version: number;
  plan: Plan;
  basedOn: number | null;
  batches: Batch[];
  change: unknown;
  diff: PlanDiffEntry[];
  previewDigest: string | null;
  reason: string | null;
  createdBy: string | null;
  createdAt: string;
}

export class PlanVersionsRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Version 1 (the campaign's own plan) and every later one, oldest first, and which version each batch runs on. */
  async versions(campaignId: string, m: EntityManager = this.dataSource.manager): Promise<{ versions: PlanVersionRow[]; current: Record<Batch, number> } | undefined> {
    const [c] = await m.query('SELECT plan, batch_plan_versions, created_by, coalesce(started_at, created_at) AS at FROM campaigns WHERE id = $1', [campaignId]);
    if (!c) return undefined;
    const rows = await m.query('SELECT * FROM plan_versions WHERE campaign_id = $1 ORDER BY version', [campaignId]);
    const versions: PlanVersionRow[] = [
      { version: 1, plan: c.plan, basedOn: null, batches: (c.plan as Plan).batches.map((b) => b.batch), change: null, diff: [], previewDigest: null, reason: null, createdBy: c.created_by, createdAt: c.at.toISOString() },
      ...rows.map((r: Record<string, any>) => ({
        version: r.version,
        plan: r.plan,
        basedOn: r.based_on,
        batches: r.batches,
        change: r.change,
        diff: r.diff,
        previewDigest: r.preview_digest,
        reason: r.reason,
        createdBy: r.created_by,
        createdAt: r.created_at.toISOString(),
      })),
    ];
    const current = { 1: 1, 2: 1 } as Record<Batch, number>;
    for (const [b, v] of Object.entries(c.batch_plan_versions ?? {})) current[Number(b) as Batch] = Number(v);
    return { versions, current };
  }

  /** Live units of the campaign's batches (those whose workflow has projected a state), with their fired window rungs and disclosure. */
  async liveUnits(campaignId: string, batches: Batch[]): Promise<Array<LiveUnit & { code: string; name: string }>> {
    const rows: Array<{ id: string; code: string; name: string; batch: Batch; phase: string; fired: string[] | null; tb: { status?: string; publishedAt?: string; disclosureEndsAt?: string } | null }> =
      await this.dataSource.query(
        `SELECT s.unit_id AS id, s.code, u.name, s.batch, s.phase,
                jsonb_path_query_array(s.view, '$.windowRungs[*].key') AS fired, s.view->'taskBook' AS tb
           FROM unit_states s JOIN units u ON u.id = s.unit_id
          WHERE s.campaign_id = $1 AND s.batch = ANY($2) ORDER BY s.code`,
        [campaignId, batches],
      );
    return rows.map((r) => ({
      id: r.id,
      code: r.code,
      name: r.name,
      batch: r.batch,
      phase: r.phase as LiveUnit['phase'],
      firedWindowRungs: (r.fired ?? []).filter((k): k is string => typeof k === 'string'),
      ...(r.tb?.status === 'disclosed' && r.tb.publishedAt && r.tb.disclosureEndsAt ? { disclosure: { publishedAt: r.tb.publishedAt, endsAt: r.tb.disclosureEndsAt } } : {}),
    }));
  }

  /** Items whose ladder runs (open or submitted) in the given batches, with the rungs they have fired. */
  async liveItems(campaignId: string, batches: Batch[]): Promise<LiveItem[]> {
    const rows: Array<{ id: string; unit_id: string; deadline: string; fired: string[] | null }> = await this.dataSource.query(
      `SELECT i.item_id AS id, i.unit_id, i.view->>'deadline' AS deadline, jsonb_path_query_array(i.view, '$.rungs[*].key') AS fired
         FROM item_states i JOIN units u ON u.id = i.unit_id
        WHERE i.campaign_id = $1 AND i.status IN ('open', 'submitted') AND u.batch = ANY($2) ORDER BY i.item_id`,
      [campaignId, batches],
    );
    return rows.map((r) => ({ id: r.id, unitId: r.unit_id, deadline: r.deadline, firedRungs: (r.fired ?? []).filter((k): k is string => typeof k === 'string') }));
  }
}
