// The projections written by activities (unit_states, item_states, escalations): read only here.
import type { DataSource } from 'typeorm';
import type { ItemView, Rung, UnitView } from '../../../domain/src';

export interface EscalationFilter {
  campaignId?: string;
  rung?: Rung;
  since?: string;
  groupId?: string;
  unitId?: string;
  offset: number;
  limit: number;
}

export interface EscalationEntry {
  id: string;
  /** null for a programme's goal defined without a campaign. */
  campaignId: string | null;
  unitId: string;
  itemId?: string;
  /** null for a programme's goal (programmes belong to no supervisory group). */
  groupId: string | null;
  subject: string;
  phase?: string;
  rung: Rung;
  deadline: string;
  firedAt: string;
  to: string[];
  summary: string;
  unitCode: string | null;
  unitName: string | null;
  owner: string | null;
  measure: string | null;
  programmeName: string | null;
  goalTitle: string | null;
}

export class ReadModelRepository {
  constructor(private readonly dataSource: DataSource) {}

  async unitView(unitId: string): Promise<UnitView | undefined> {
    const rows = await this.dataSource.query('SELECT view FROM unit_states WHERE unit_id = $1', [unitId]);
    return rows[0]?.view;
  }

  async itemView(itemId: string): Promise<ItemView | undefined> {
    const rows = await this.dataSource.query('SELECT view FROM item_states WHERE item_id = $1', [itemId]);
    return rows[0]?.view;
  }

  /** A unit's items in effect, as last projected (their workflows write item_states). */
  async itemsOfUnit(unitId: string, offset: number, limit: number): Promise<{ items: ItemView[]; total: number }> {
    const [{ total }] = await this.dataSource.query('SELECT count(*)::int AS total FROM item_states WHERE unit_id = $1', [unitId]);
    const rows: Array<{ view: ItemView }> = await this.dataSource.query(
      `SELECT view FROM item_states WHERE unit_id = $1 ORDER BY length(item_id), item_id LIMIT $2 OFFSET $3`,
      [unitId, limit, offset],
    );
    return { total, items: rows.map((r) => r.view) };
  }

  /** Items still open or awaiting verification past their deadline. */
  async overdueItems(campaignId: string, now: Date): Promise<number> {
    const [{ n }] = await this.dataSource.query(
      `SELECT count(*)::int AS n FROM item_states
       WHERE campaign_id = $1 AND status IN ('open', 'submitted') AND deadline < $2`,
      [campaignId, now],
    );
    return n;
  }

  async referrals(campaignId: string): Promise<number> {
    const [{ n }] = await this.dataSource.query(`SELECT count(*)::int AS n FROM escalations WHERE campaign_id = $1 AND rung = 'referral'`, [
      campaignId,
    ]);
    return n;
  }

  async escalations(filter: EscalationFilter): Promise<{ items: EscalationEntry[]; total: number }> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: string, value: unknown) => {
      params.push(value);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (filter.campaignId) add('campaign_id = ?', filter.campaignId);
    if (filter.rung) add('rung = ?', filter.rung);
    if (filter.since) add('fired_at >= ?', filter.since);
    if (filter.groupId) add('group_id = ?', filter.groupId);
    if (filter.unitId) add('unit_id = ?', filter.unitId);
    const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const [{ total }] = await this.dataSource.query(`SELECT count(*)::int AS total FROM escalations ${clause}`, params);
    const rows: Array<Record<string, unknown>> = await this.dataSource.query(
      `SELECT id, campaign_id, unit_id, item_id, group_id, subject, phase, rung, deadline, fired_at, recipients, summary,
              COALESCE(unit_code, (SELECT code FROM units WHERE id = unit_id)) AS unit_code,
              COALESCE(unit_name, (SELECT name FROM units WHERE id = unit_id)) AS unit_name,
              owner, measure, programme_name, goal_title
       FROM escalations ${clause} ORDER BY fired_at, id LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
      [...params, filter.limit, filter.offset],
    );
    return {
      total,
      items: rows.map((r) => ({
        id: r.id as string,
        campaignId: (r.campaign_id as string | null) ?? null,
        unitId: r.unit_id as string,
        ...(r.item_id ? { itemId: r.item_id as string } : {}),
        groupId: (r.group_id as string | null) ?? null,
        subject: r.subject as string,
        ...(r.phase ? { phase: r.phase as string } : {}),
        rung: r.rung as Rung,
        deadline: new Date(r.deadline as string).toISOString(),
        firedAt: new Date(r.fired_at as string).toISOString(),
        to: r.recipients as string[],
        summary: r.summary as string,
        unitCode: (r.unit_code as string | null) ?? null,
        unitName: (r.unit_name as string | null) ?? null,
        owner: (r.owner as string | null) ?? null,
        measure: (r.measure as string | null) ?? null,
        programmeName: (r.programme_name as string | null) ?? null,
        goalTitle: (r.goal_title as string | null) ?? null,
      })),
    };
  }

  async escalationsByRung(): Promise<Array<{ rung: string; count: number }>> {
    return this.dataSource.query('SELECT rung, count(*)::int AS count FROM escalations GROUP BY rung');
  }
}

/** The database answers at all (readiness). */
export const pingDatabase = async (dataSource: DataSource): Promise<void> => {
  await dataSource.query('SELECT 1');
};
