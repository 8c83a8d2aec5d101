// Plan versions of a running campaign, which version each batch runs on, and the live facts a change would move
// (read from the read model: never from a workflow).
import type { DataSource, EntityManager } from 'typeorm';
import type { Batch, LiveItem, LiveUnit, Plan, PlanDiffEntry } from '../../../domain/src';

export interface PlanVersionRow {
  version: number;
  /** Units and items that have taken it so far, and when its rollout finished. */
  rollout?: { units?: number; items?: number };
  rolledOutAt?: string | null;
  plan: Plan;
  basedOn: number | null;
  batches: Batch[];
  change: unknown;
  diff: PlanDiffEntry[];
  previewDigest: string | null;
  /** Live deadlines and rungs it moved when it was applied. */
  moves?: number;
  reason: string | null;
  createdBy: string | null;
  /** The name of who made it (the console names people, never ids). */
  createdByName: string | null;
  createdAt: string;
}

export class PlanVersionsRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Version 1 (the campaign's own plan) and every later one, oldest first, and which version each batch runs on. */
  async versions(
    campaignId: string,
    m: EntityManager = this.dataSource.manager,
  ): Promise<{ versions: PlanVersionRow[]; current: Record<Batch, number> } | undefined> {
    const [c] = await m.query(
      `SELECT c.plan, c.batch_plan_versions, c.created_by, p.name AS created_by_name, coalesce(c.started_at, c.created_at) AS at
         FROM campaigns c LEFT JOIN principals p ON p.id = c.created_by WHERE c.id = $1`,
      [campaignId],
    );
    if (!c) return undefined;
    const rows = await m.query(
      `SELECT v.*, p.name AS created_by_name FROM plan_versions v LEFT JOIN principals p ON p.id::text = v.created_by
        WHERE v.campaign_id = $1 ORDER BY v.version`,
      [campaignId],
    );
    const versions: PlanVersionRow[] = [
      {
        version: 1,
        plan: c.plan,
        basedOn: null,
        batches: (c.plan as Plan).batches.map((b) => b.batch),
        change: null,
        diff: [],
        previewDigest: null,
        reason: null,
        createdBy: c.created_by,
        createdByName: c.created_by_name ?? null,
        createdAt: c.at.toISOString(),
      },
      ...rows.map((r: Record<string, any>) => ({
        version: r.version,
        plan: r.plan,
        basedOn: r.based_on,
        batches: r.batches,
        change: r.change,
        diff: r.diff,
        previewDigest: r.preview_digest,
        moves: r.moves,
        reason: r.reason,
        createdBy: r.created_by,
        createdByName: r.created_by_name ?? null,
        createdAt: r.created_at.toISOString(),
        rollout: r.rollout,
        rolledOutAt: r.rolled_out_at ? r.rolled_out_at.toISOString() : null,
      })),
    ];
    const current = { 1: 1, 2: 1 } as Record<Batch, number>;
    for (const [b, v] of Object.entries(c.batch_plan_versions ?? {})) current[Number(b) as Batch] = Number(v);
    return { versions, current };
  }

  /** Live units of the campaign's batches (those whose workflow has projected a state), with their fired window rungs and disclosure. */
  async liveUnits(campaignId: string, batches: Batch[]): Promise<Array<LiveUnit & { code: string; name: string }>> {
    const rows: Array<{
      id: string;
      code: string;
      name: string;
      batch: Batch;
      phase: string;
      fired: string[] | null;
      tb: { status?: string; publishedAt?: string; disclosureEndsAt?: string } | null;
    }> = await this.dataSource.query(
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
      ...(r.tb?.status === 'disclosed' && r.tb.publishedAt && r.tb.disclosureEndsAt
        ? { disclosure: { publishedAt: r.tb.publishedAt, endsAt: r.tb.disclosureEndsAt } }
        : {}),
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
    return rows.map((r) => ({
      id: r.id,
      unitId: r.unit_id,
      deadline: r.deadline,
      firedRungs: (r.fired ?? []).filter((k): k is string => typeof k === 'string'),
    }));
  }
}

/** Records a version and moves the chosen batches onto it, in one transaction; false when the version exists. */
export async function recordPlanVersion(
  dataSource: DataSource,
  v: {
    campaignId: string;
    version: number;
    plan: Plan;
    basedOn: number;
    batches: Batch[];
    change: unknown;
    diff: PlanDiffEntry[];
    previewDigest: string;
    moves: number;
    reason: string;
    createdBy: string;
  },
): Promise<boolean> {
  return dataSource.transaction(async (m) => {
    // One change at a time per campaign: the row lock makes a second one see the first one's version.
    const [c] = await m.query('SELECT batch_plan_versions FROM campaigns WHERE id = $1 FOR UPDATE', [v.campaignId]);
    if (!c) return false;
    const [{ latest }] = await m.query('SELECT coalesce(max(version), 1) AS latest FROM plan_versions WHERE campaign_id = $1', [
      v.campaignId,
    ]);
    if (latest + 1 !== v.version) return false;
    await m.query(
      `INSERT INTO plan_versions (campaign_id, version, plan, based_on, batches, change, diff, preview_digest, moves, reason, created_by)
       VALUES ($1, $2, $3::jsonb, $4, $5, $6::jsonb, $7::jsonb, $8, $9, $10, $11)`,
      [
        v.campaignId,
        v.version,
        JSON.stringify(v.plan),
        v.basedOn,
        v.batches,
        JSON.stringify(v.change),
        JSON.stringify(v.diff),
        v.previewDigest,
        v.moves,
        v.reason,
        v.createdBy,
      ],
    );
    const current = { ...(c.batch_plan_versions ?? {}) } as Record<string, number>;
    for (const b of v.batches) current[String(b)] = v.version;
    await m.query('UPDATE campaigns SET batch_plan_versions = $2::jsonb WHERE id = $1', [v.campaignId, JSON.stringify(current)]);
    return true;
  });
}
