import type { DataSource, EntityManager } from 'typeorm';
import type { EntryChange, ItemView, ProgrammeView, UnitHeader } from '../../../domain/src';

// What a projection is given arrives as an activity's input, decoded from a workflow's payload: the lists are
// checked for, whatever the types of the state that sent them say.
type Decoded<T, K extends keyof T> = Omit<T, K> & Partial<Pick<T, K>>;
export type UnitProjectionInput = { campaignId: string; unitId: string; view?: Decoded<UnitHeader, 'unmetGates'>; changes?: EntryChange[] };
export type ItemProjectionInput = { campaignId: string; itemId: string; view?: ItemView; changes?: EntryChange[] };

/** Writes the read model from workflow state, by change. Every write keeps the newest version only. */
export interface ProjectionRepository {
  /**
   * The unit's changed entries (each unless a newer revision is there) and, when given, its row (unless a
   * newer version is there), in one transaction. true if the row was written.
   */
  projectUnit(p: UnitProjectionInput, projectedAt: Date): Promise<boolean>;
  projectItem(p: ItemProjectionInput, projectedAt: Date): Promise<boolean>;
  /** A programme's row (unless a newer version is there). true if it was written. */
  projectProgramme(p: { programmeId: string; view: ProgrammeView }, projectedAt: Date): Promise<boolean>;
  /** Moves a campaign's status forward only (draft → running → done). true if it changed. */
  advanceCampaignStatus(campaignId: string, status: 'running' | 'done'): Promise<boolean>;
  /** Enrolled units of the campaign's given batches, and how many of them the read model shows DONE. */
  campaignProgress(campaignId: string, batches: number[]): Promise<{ enrolled: number; done: number }>;
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

const UPSERT_PROGRAMME = `
INSERT INTO programme_states AS s (programme_id, status, card, view, version, projected_at)
VALUES ($1, $2, $3, $4::jsonb, $5, $6)
ON CONFLICT (programme_id) DO UPDATE SET
  status = EXCLUDED.status, card = EXCLUDED.card, view = EXCLUDED.view, version = EXCLUDED.version,
  projected_at = EXCLUDED.projected_at
WHERE s.version < EXCLUDED.version
RETURNING programme_id`;

// Entries merge (jsonb ||): a change may carry only what changed (an objection's answer), never older than stored.
const UPSERT_ENTRIES = `
INSERT INTO entries AS e (campaign_id, subject_id, kind, entry_id, seq, rev, at, data)
SELECT $1::uuid, $2::text, c.kind, c.id, c.seq, c.rev, c.at, c.data
  FROM jsonb_to_recordset($3::jsonb) AS c(kind text, id text, seq integer, rev integer, at timestamptz, data jsonb)
ON CONFLICT (subject_id, kind, entry_id) DO UPDATE SET
  data = e.data || EXCLUDED.data, rev = EXCLUDED.rev, at = EXCLUDED.at, seq = EXCLUDED.seq
WHERE e.rev < EXCLUDED.rev`;

const DELETE_ENTRIES = `
DELETE FROM entries e USING jsonb_to_recordset($2::jsonb) AS c(kind text, id text, rev integer)
 WHERE e.subject_id = $1 AND e.kind = c.kind AND e.entry_id = c.id AND e.rev < c.rev`;

const STATUS_RANK = `CASE status WHEN 'draft' THEN 0 WHEN 'running' THEN 1 ELSE 2 END`;

/** Changes in order; for an entry changed twice in one batch, the two are merged (the later wins key by key). */
function collapse(changes: EntryChange[]): { upserts: EntryChange[]; deletes: EntryChange[] } {
  const byKey = new Map<string, EntryChange>();
  for (const c of changes) {
    const key = `${c.kind}\u0000${c.id}`;
    const before = byKey.get(key);
    const merged =
      before && before.data && c.data && typeof before.data === 'object' && typeof c.data === 'object'
        ? { ...c, data: { ...before.data, ...c.data } }
        : c;
    byKey.delete(key);
    byKey.set(key, merged);
  }
  const all = [...byKey.values()];
  return { upserts: all.filter((c) => c.data !== null), deletes: all.filter((c) => c.data === null) };
}

async function writeEntries(m: EntityManager, campaignId: string, subjectId: string, changes: EntryChange[]): Promise<void> {
  if (!changes.length) return;
  const { upserts, deletes } = collapse(changes);
  if (deletes.length) await m.query(DELETE_ENTRIES, [subjectId, JSON.stringify(deletes.map(({ kind, id, rev }) => ({ kind, id, rev })))]);
  if (upserts.length) await m.query(UPSERT_ENTRIES, [campaignId, subjectId, JSON.stringify(upserts)]);
}

export class PgProjectionRepository implements ProjectionRepository {
  constructor(private readonly dataSource: DataSource) {}

  projectUnit(p: UnitProjectionInput, projectedAt: Date): Promise<boolean> {
    return this.dataSource.transaction(async (m) => {
      await writeEntries(m, p.campaignId, p.unitId, p.changes ?? []);
      const view = p.view;
      if (!view) return false;
      const rows = await m.query<unknown[]>(UPSERT_UNIT, [
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
    });
  }

  projectItem(p: ItemProjectionInput, projectedAt: Date): Promise<boolean> {
    return this.dataSource.transaction(async (m) => {
      await writeEntries(m, p.campaignId, p.itemId, p.changes ?? []);
      const view = p.view;
      if (!view) return false;
      const rows = await m.query<unknown[]>(UPSERT_ITEM, [
        view.id,
        view.unitId,
        view.campaignId,
        view.groupId,
        view.status,
        view.card,
        view.deadline,
        // The measure's digest: its text is in documents.
        view.measure.digest,
        view.owner,
        JSON.stringify(view),
        view.version,
        projectedAt,
      ]);
      return rows.length > 0;
    });
  }

  async projectProgramme(p: { programmeId: string; view: ProgrammeView }, projectedAt: Date): Promise<boolean> {
    const { view } = p;
    const rows = await this.dataSource.query<unknown[]>(UPSERT_PROGRAMME, [
      p.programmeId,
      view.status,
      view.card,
      JSON.stringify(view),
      view.version,
      projectedAt,
    ]);
    return rows.length > 0;
  }

  async advanceCampaignStatus(campaignId: string, status: 'running' | 'done'): Promise<boolean> {
    const rank = status === 'running' ? 1 : 2;
    // TypeORM answers an UPDATE with [rows, affected].
    const [, affected] = await this.dataSource.query<[unknown[], number]>(
      `UPDATE campaigns SET status = $2::text,
              started_at = CASE WHEN $2::text = 'running' THEN COALESCE(started_at, now()) ELSE started_at END
        WHERE id = $1 AND ${STATUS_RANK} < $3`,
      [campaignId, status, rank],
    );
    return affected > 0;
  }

  async campaignProgress(campaignId: string, batches: number[]): Promise<{ enrolled: number; done: number }> {
    const [row] = await this.dataSource.query<[{ enrolled: number; done: number }]>(
      `SELECT count(*)::int AS enrolled, count(*) FILTER (WHERE s.phase = 'DONE')::int AS done
         FROM units u LEFT JOIN unit_states s ON s.unit_id = u.id
        WHERE u.campaign_id = $1 AND u.batch = ANY($2::int[])`,
      [campaignId, batches],
    );
    return { enrolled: row.enrolled, done: row.done };
  }
}
