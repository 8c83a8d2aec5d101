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

/** The escalations' columns read for a list, with the unit's code and name. */
interface EscalationListColumns {
  id: string;
  campaign_id: string | null;
  unit_id: string;
  item_id: string | null;
  group_id: string | null;
  subject: string;
  phase: string | null;
  rung: Rung;
  deadline: Date;
  fired_at: Date;
  recipients: string[];
  summary: string;
  unit_code: string | null;
  unit_name: string | null;
  owner: string | null;
  measure: string | null;
  programme_name: string | null;
  goal_title: string | null;
}

export class ReadModelRepository {
  constructor(private readonly dataSource: DataSource) {}

  async unitView(unitId: string): Promise<UnitView | undefined> {
    const rows = await this.dataSource.query<Array<{ view: UnitView }>>('SELECT view FROM unit_states WHERE unit_id = $1', [unitId]);
    return rows.length ? rows[0].view : undefined;
  }

  async itemView(itemId: string): Promise<ItemView | undefined> {
    const rows = await this.dataSource.query<Array<{ view: ItemView }>>('SELECT view FROM item_states WHERE item_id = $1', [itemId]);
    return rows.length ? rows[0].view : undefined;
  }

  /** A unit's items in effect, as last projected (their workflows write item_states). */
  async itemsOfUnit(unitId: string, offset: number, limit: number): Promise<{ items: ItemView[]; total: number }> {
    const [{ total }] = await this.dataSource.query<[{ total: number }]>(
      'SELECT count(*)::int AS total FROM item_states WHERE unit_id = $1',
      [unitId],
    );
    const rows: Array<{ view: ItemView }> = await this.dataSource.query(
      `SELECT view FROM item_states WHERE unit_id = $1 ORDER BY length(item_id), item_id LIMIT $2 OFFSET $3`,
      [unitId, limit, offset],
    );
    return { total, items: rows.map((r) => r.view) };
  }

  /** Items still open or awaiting verification past their deadline. */
  async overdueItems(campaignId: string, now: Date): Promise<number> {
    const [{ n }] = await this.dataSource.query<[{ n: number }]>(
      `SELECT count(*)::int AS n FROM item_states
       WHERE campaign_id = $1 AND status IN ('open', 'submitted') AND deadline < $2`,
      [campaignId, now],
    );
    return n;
  }

  async referrals(campaignId: string): Promise<number> {
    const [{ n }] = await this.dataSource.query<[{ n: number }]>(
      `SELECT count(*)::int AS n FROM escalations WHERE campaign_id = $1 AND rung = 'referral'`,
      [campaignId],
    );
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
    const [{ total }] = await this.dataSource.query<[{ total: number }]>(
      `SELECT count(*)::int AS total FROM escalations ${clause}`,
      params,
    );
    const rows = await this.dataSource.query<EscalationListColumns[]>(
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
        id: r.id,
        campaignId: r.campaign_id,
        unitId: r.unit_id,
        ...(r.item_id ? { itemId: r.item_id } : {}),
        groupId: r.group_id,
        subject: r.subject,
        ...(r.phase ? { phase: r.phase } : {}),
        rung: r.rung,
        deadline: r.deadline.toISOString(),
        firedAt: r.fired_at.toISOString(),
        to: r.recipients,
        summary: r.summary,
        unitCode: r.unit_code,
        unitName: r.unit_name,
        owner: r.owner,
        measure: r.measure,
        programmeName: r.programme_name,
        goalTitle: r.goal_title,
      })),
    };
  }

  async escalationsByRung(): Promise<Array<{ rung: string; count: number }>> {
    return this.dataSource.query<Array<{ rung: string; count: number }>>(
      'SELECT rung, count(*)::int AS count FROM escalations GROUP BY rung',
    );
  }
}

/** The database answers at all (readiness). */
export const pingDatabase = async (dataSource: DataSource): Promise<void> => {
  await dataSource.query('SELECT 1');
};
