import type { DataSource, Repository } from 'typeorm';
import { UnitEntity } from '../entities';
import type { Batch, Card, Phase, UnitKind, UnitLevel, UnitView, Window } from '../../../domain/src';
import { iso } from './columns';

export const SORT_ORDERS = ['asc', 'desc'] as const;
export type SortOrder = (typeof SORT_ORDERS)[number];

export interface UnitRecord {
  id: string;
  campaignId: string;
  code: string;
  name: string;
  kind: UnitKind;
  level: UnitLevel;
  batch: Batch;
  parentCode: string | null;
  groupId: string;
}

export interface NewUnit {
  code: string;
  name: string;
  kind: UnitKind;
  level: UnitLevel;
  batch: Batch;
  parentCode: string | null;
  groupId: string;
}

export interface UnitListFilter {
  campaignId: string;
  batch?: Batch;
  phase?: Phase;
  card?: Card;
  groupId?: string;
  /** Part of the code or the name, case-insensitive. */
  q?: string;
  sort?: 'code' | 'name' | 'batch' | 'phase' | 'card' | 'group' | 'windowEndsAt' | 'updatedAt';
  order?: SortOrder;
  offset: number;
  limit: number;
}

/** ORDER BY of each sort: phases in their order (waiting first), cards by gravity; the code breaks ties. */
const UNIT_ORDER: Record<NonNullable<UnitListFilter['sort']>, string> = {
  code: 'u.code',
  name: 'u.name',
  batch: 'u.batch',
  phase: `CASE s.phase WHEN 'P1' THEN 1 WHEN 'P2' THEN 2 WHEN 'P3' THEN 3 WHEN 'DONE' THEN 4 ELSE 0 END`,
  card: `CASE s.card WHEN 'yellow' THEN 1 WHEN 'red' THEN 2 ELSE 0 END`,
  group: 'g.name',
  windowEndsAt: 's.window_ends_at',
  updatedAt: 's.projected_at',
};

export interface UnitListEntry {
  id: string;
  code: string;
  name: string;
  kind: UnitKind;
  level: UnitLevel;
  batch: Batch;
  groupId: string;
  groupName: string;
  /** Null while the unit waits for its batch to open. */
  phase: Phase | null;
  status: UnitView['status'];
  card: Card;
  window: Window | null;
  unmetGates: string[];
  updatedAt: string | null;
}

/** A unit's own columns, as node-postgres returns them. */
export interface UnitColumns {
  id: string;
  campaign_id: string;
  code: string;
  name: string;
  kind: UnitKind;
  level: UnitLevel;
  batch: Batch;
  parent_code: string | null;
  group_id: string;
}

/** A unit's record from its columns. */
export const unitRecord = (r: UnitColumns): UnitRecord => ({
  id: r.id,
  campaignId: r.campaign_id,
  code: r.code,
  name: r.name,
  kind: r.kind,
  level: r.level,
  batch: r.batch,
  parentCode: r.parent_code,
  groupId: r.group_id,
});

/** A unit's row for a list, with its projected state (null, or defaulted, before its workflow projects it). */
interface UnitListColumns {
  id: string;
  code: string;
  name: string;
  kind: UnitKind;
  level: UnitLevel;
  batch: Batch;
  group_id: string;
  group_name: string;
  phase: Phase | null;
  status: UnitView['status'];
  card: Card;
  window_starts_at: Date | null;
  window_ends_at: Date | null;
  unmet_gates: string[];
  projected_at: Date | null;
}

export class UnitsRepository {
  private readonly repo: Repository<UnitEntity>;
  constructor(private readonly dataSource: DataSource) {
    this.repo = dataSource.getRepository(UnitEntity);
  }

  /** Read by every decision: a plain statement, not the ORM's query builder. */
  async findById(id: string): Promise<UnitRecord | undefined> {
    const [r] = await this.dataSource.query<Array<UnitColumns | undefined>>(
      'SELECT id, campaign_id, code, name, kind, level, batch, parent_code, group_id FROM units WHERE id = $1',
      [id],
    );
    return r && unitRecord(r);
  }

  async countByCampaign(campaignId: string): Promise<number> {
    return this.repo.count({ where: { campaignId } });
  }

  /** Ids of the campaign's units enrolled under these codes. */
  async idsByCode(campaignId: string, codes: string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for (let i = 0; i < codes.length; i += 5000) {
      const rows: Array<{ id: string; code: string }> = await this.dataSource.query(
        'SELECT id, code FROM units WHERE campaign_id = $1 AND code = ANY($2::text[])',
        [campaignId, codes.slice(i, i + 5000)],
      );
      for (const r of rows) out.set(r.code, r.id);
    }
    return out;
  }

  /**
   * Enrols units in one statement per chunk (unnest of column arrays), skipping codes already enrolled.
   * Returns the ids of the units created now, by code.
   */
  async insertMany(campaignId: string, units: NewUnit[]): Promise<Map<string, string>> {
    const created = new Map<string, string>();
    for (let i = 0; i < units.length; i += 5000) {
      const chunk = units.slice(i, i + 5000);
      const rows: Array<{ id: string; code: string }> = await this.dataSource.query(
        `INSERT INTO units (campaign_id, code, name, kind, level, batch, parent_code, group_id)
         SELECT $1, t.code, t.name, t.kind, t.level, t.batch, t.parent_code, t.group_id
         FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::int[], $7::text[], $8::uuid[])
           AS t(code, name, kind, level, batch, parent_code, group_id)
         ON CONFLICT ON CONSTRAINT uq_units_campaign_code DO NOTHING
         RETURNING id, code`,
        [
          campaignId,
          chunk.map((u) => u.code),
          chunk.map((u) => u.name),
          chunk.map((u) => u.kind),
          chunk.map((u) => u.level),
          chunk.map((u) => u.batch),
          chunk.map((u) => u.parentCode),
          chunk.map((u) => u.groupId),
        ],
      );
      for (const r of rows) created.set(r.code, r.id);
    }
    return created;
  }

  /** Units of a campaign joined to their projected state; a unit not yet started shows P1 / waiting. */
  async list(filter: UnitListFilter): Promise<{ items: UnitListEntry[]; total: number }> {
    const where: string[] = ['u.campaign_id = $1'];
    const params: unknown[] = [filter.campaignId];
    const add = (sql: string, value: unknown) => {
      params.push(value);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (filter.batch !== undefined) add('u.batch = ?', filter.batch);
    if (filter.groupId !== undefined) add('u.group_id = ?', filter.groupId);
    // A unit not started yet has no phase (its batch has not opened) and no card.
    if (filter.phase !== undefined) add('s.phase = ?', filter.phase);
    if (filter.card !== undefined) add(filter.card === 'none' ? `(s.card = ? OR s.unit_id IS NULL)` : 's.card = ?', filter.card);
    if (filter.q) {
      params.push(`%${filter.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
      where.push(`(u.code ILIKE $${params.length} OR u.name ILIKE $${params.length})`);
    }
    const from = `FROM units u LEFT JOIN unit_states s ON s.unit_id = u.id WHERE ${where.join(' AND ')}`;
    const dir = filter.order === 'desc' ? 'DESC' : 'ASC';
    const orderBy = `${UNIT_ORDER[filter.sort ?? 'code']} ${dir} NULLS ${dir === 'ASC' ? 'FIRST' : 'LAST'}, u.code ${dir}`;
    const [{ total }] = await this.dataSource.query<[{ total: number }]>(`SELECT count(*)::int AS total ${from}`, params);
    const rows = await this.dataSource.query<UnitListColumns[]>(
      `SELECT u.id, u.code, u.name, u.kind, u.level, u.batch, u.group_id, g.name AS group_name,
              s.phase, COALESCE(s.status, 'waiting') AS status, COALESCE(s.card, 'none') AS card,
              s.window_starts_at, s.window_ends_at, COALESCE(s.unmet_gates, '[]'::jsonb) AS unmet_gates, s.projected_at
       FROM units u LEFT JOIN unit_states s ON s.unit_id = u.id JOIN supervisory_groups g ON g.id = u.group_id
       WHERE ${where.join(' AND ')} ORDER BY ${orderBy} LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
      [...params, filter.limit, filter.offset],
    );
    return {
      total,
      items: rows.map((r) => ({
        id: r.id,
        code: r.code,
        name: r.name,
        kind: r.kind,
        level: r.level,
        batch: r.batch,
        groupId: r.group_id,
        groupName: r.group_name,
        phase: r.phase,
        status: r.status,
        card: r.card,
        // The projection writes a window's two ends together.
        window: r.window_starts_at && r.window_ends_at ? { startsAt: iso(r.window_starts_at), endsAt: iso(r.window_ends_at) } : null,
        unmetGates: r.unmet_gates,
        updatedAt: iso(r.projected_at),
      })),
    };
  }

  /** Dashboard counts from the projection: units per batch and phase, and cards shown. */
  async phaseCounts(campaignId: string): Promise<Array<{ batch: Batch; phase: Phase | 'waiting'; card: Card; n: number }>> {
    const rows: Array<{ batch: number; phase: string; card: string; n: number }> = await this.dataSource.query(
      `SELECT u.batch, CASE WHEN s.unit_id IS NULL THEN 'waiting' ELSE s.phase END AS phase,
              COALESCE(s.card, 'none') AS card, count(*)::int AS n
       FROM units u LEFT JOIN unit_states s ON s.unit_id = u.id
       WHERE u.campaign_id = $1 GROUP BY 1, 2, 3`,
      [campaignId],
    );
    return rows.map((r) => ({ batch: r.batch as Batch, phase: r.phase as Phase | 'waiting', card: r.card as Card, n: r.n }));
  }
}
