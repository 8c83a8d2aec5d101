import type { DataSource } from 'typeorm';
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
// (a retry overtaking a slow attempt) can never leave the older one in place. The same version is written again:
// a projection run in a workflow task whose worker died before the task completed wrote a state the history
// never recorded (its moments read from that task's clock); the retried task computes that version again, and
// its projection, the one the history holds, replaces it.
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
WHERE s.version <= EXCLUDED.version
RETURNING unit_id`;

const UPSERT_ITEM = `
INSERT INTO item_states AS s (item_id, unit_id, campaign_id, group_id, status, card, deadline, measure, owner,
  view, version, projected_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::jsonb, $11, $12)
ON CONFLICT (item_id) DO UPDATE SET
  unit_id = EXCLUDED.unit_id, campaign_id = EXCLUDED.campaign_id, group_id = EXCLUDED.group_id,
  status = EXCLUDED.status, card = EXCLUDED.card, deadline = EXCLUDED.deadline, measure = EXCLUDED.measure,
  owner = EXCLUDED.owner, view = EXCLUDED.view, version = EXCLUDED.version, projected_at = EXCLUDED.projected_at
WHERE s.version <= EXCLUDED.version
RETURNING item_id`;

const UPSERT_PROGRAMME = `
INSERT INTO programme_states AS s (programme_id, status, card, view, version, projected_at)
VALUES ($1, $2, $3, $4::jsonb, $5, $6)
ON CONFLICT (programme_id) DO UPDATE SET
  status = EXCLUDED.status, card = EXCLUDED.card, view = EXCLUDED.view, version = EXCLUDED.version,
  projected_at = EXCLUDED.projected_at
WHERE s.version <= EXCLUDED.version
RETURNING programme_id`;

// Entries merge (jsonb ||): a change may carry only what changed (an objection's answer), never older than stored.
// Both are common table expressions, so that a projection — its entries and its row — is one statement: one round
// trip to the database, atomic as a transaction would be. A key is never both deleted and upserted in one statement
// (collapse() keeps its last change only), so the two never touch the same row.
const deleteEntries = (subject: string, deletes: string) => `
DELETE FROM entries e USING jsonb_to_recordset(${deletes}::jsonb) AS c(kind text, id text, rev integer)
 WHERE e.subject_id = ${subject} AND e.kind = c.kind AND e.entry_id = c.id AND e.rev < c.rev`;
const upsertEntries = (campaign: string, subject: string, upserts: string) => `
INSERT INTO entries AS e (campaign_id, subject_id, kind, entry_id, seq, rev, at, data)
SELECT ${campaign}::uuid, ${subject}::text, c.kind, c.id, c.seq, c.rev, c.at, c.data
  FROM jsonb_to_recordset(${upserts}::jsonb) AS c(kind text, id text, seq integer, rev integer, at timestamptz, data jsonb)
ON CONFLICT (subject_id, kind, entry_id) DO UPDATE SET
  data = e.data || EXCLUDED.data, rev = EXCLUDED.rev, at = EXCLUDED.at, seq = EXCLUDED.seq
WHERE e.rev <= EXCLUDED.rev`;

/**
 * One statement writing a subject's changed entries and then, when given, its row (`row(offset)` builds the row's
 * upsert with its parameters numbered from offset; it RETURNS a row when written). Answers with the rows written.
 */
function projectionStatement(
  campaignId: string,
  subjectId: string,
  changes: EntryChange[],
  row?: { sql: (offset: number) => string; params: unknown[] },
): { sql: string; params: unknown[] } {
  const { upserts, deletes } = collapse(changes);
  const params: unknown[] = [campaignId, subjectId];
  const parts: string[] = [];
  if (deletes.length) {
    params.push(JSON.stringify(deletes.map(({ kind, id, rev }) => ({ kind, id, rev }))));
    parts.push(`deleted AS (${deleteEntries('$2', `$${params.length}`)})`);
  }
  if (upserts.length) {
    params.push(JSON.stringify(upserts));
    parts.push(`upserted AS (${upsertEntries('$1', '$2', `$${params.length}`)})`);
  }
  if (row) {
    parts.push(`written AS (${row.sql(params.length + 1)})`);
    params.push(...row.params);
  }
  // $1 and $2 are named here too, so that their types are known whichever parts use them.
  const select = `SELECT $1::uuid AS campaign_id, $2::text AS subject_id, ${row ? '(SELECT count(*) FROM written)' : '0'}::int AS written`;
  return { sql: `${parts.length ? `WITH ${parts.join(',\n')}\n` : ''}${select}`, params };
}

/** A statement's parameters renumbered to start at `$offset` (to sit inside a larger statement). */
const numbered = (sql: string, offset: number): string => sql.replace(/\$(\d+)/g, (_, n: string) => `$${Number(n) + offset - 1}`);

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

export class PgProjectionRepository implements ProjectionRepository {
  constructor(private readonly dataSource: DataSource) {}

  projectUnit(p: UnitProjectionInput, projectedAt: Date): Promise<boolean> {
    const view = p.view;
    const row = view && {
      sql: (offset: number) => numbered(UPSERT_UNIT, offset),
      params: [
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
      ],
    };
    return this.write(projectionStatement(p.campaignId, p.unitId, p.changes ?? [], row));
  }

  projectItem(p: ItemProjectionInput, projectedAt: Date): Promise<boolean> {
    const view = p.view;
    const row = view && {
      sql: (offset: number) => numbered(UPSERT_ITEM, offset),
      params: [
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
      ],
    };
    return this.write(projectionStatement(p.campaignId, p.itemId, p.changes ?? [], row));
  }

  private async write(statement: { sql: string; params: unknown[] }): Promise<boolean> {
    const [row] = await this.dataSource.query<[{ written: number }]>(statement.sql, statement.params);
    return row.written > 0;
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
