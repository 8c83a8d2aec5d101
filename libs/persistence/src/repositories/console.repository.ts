// Lists the console shows that no other route gives: campaigns, principals, a campaign's measures to confirm,
// and a supervisor's inbox — what waits on a supervisory group, oldest first, read from the projections
// (unit_states, item_states, and the texts in documents) the workflows keep.
import type { DataSource } from 'typeorm';
import type { CampaignStatus, MeasureStatus, Role } from '../../../domain/src';
import { iso } from './columns';

export interface Page<T> {
  items: T[];
  total: number;
}

export interface CampaignListEntry {
  id: string;
  name: string;
  status: CampaignStatus;
  startsAt: string;
  createdAt: string;
  units: number;
  public: boolean;
}

export interface PrincipalListEntry {
  id: string;
  name: string;
  role: Role;
  unitId: string | null;
  unitCode: string | null;
  unitName: string | null;
  groupId: string | null;
  groupName: string | null;
  campaignId: string | null;
  createdAt: string;
}

export type InboxKind = 'transition' | 'meeting' | 'verification' | 'extension';

export interface InboxEntry {
  kind: InboxKind;
  /** When it started waiting. */
  since: string;
  unitId: string;
  unitCode: string;
  unitName: string;
  campaignId: string;
  groupId: string;
  /** transition id, meeting id, item id. */
  subjectId: string;
  itemId: string | null;
  extensionId: string | null;
  /** transition: from → to; meeting: location; item: measure. */
  title: string;
  /** transition: the unit's comment; meeting: scheduled time; verification: evidence; extension: reason. */
  detail: string | null;
  /** transition target phase, meeting scheduled time, item deadline, extension's new deadline. */
  at: string | null;
  from: string | null;
  to: string | null;
}

export interface InboxFilter {
  groupId?: string;
  campaignId?: string;
  kind?: InboxKind;
  offset: number;
  limit: number;
}

/** A count(*)::int query's one row. */
type Total = [{ total: number }];

interface CampaignListColumns {
  id: string;
  name: string;
  status: CampaignListEntry['status'];
  starts_at: Date;
  created_at: Date;
  public: boolean;
  units: number;
}

interface PrincipalListColumns {
  id: string;
  name: string;
  role: Role;
  unit_id: string | null;
  unit_code: string | null;
  unit_name: string | null;
  group_id: string | null;
  group_name: string | null;
  campaign_id: string | null;
  created_at: Date;
}

interface MeasureListColumns {
  id: string;
  unit_id: string;
  code: string;
  unit_name: string;
  item_id: string | null;
  kind: string;
  subject: string;
  reason: string;
  status: string;
  by_ladder: boolean;
  created_at: Date;
  confirmed_at: Date | null;
  // The proposal's escalation (a left join: all null when there is none).
  basis_subject: string | null;
  basis_phase: string | null;
  basis_rung: string | null;
  basis_deadline: Date | null;
  basis_owner: string | null;
  basis_measure: string | null;
  basis_programme: string | null;
  basis_goal: string | null;
}

/** INBOX's columns (read from the views the workflows project), with the unit's code and name. */
interface InboxColumns {
  kind: InboxKind;
  /** Each view records when what waits began. */
  since: Date;
  unit_id: string;
  campaign_id: string;
  group_id: string;
  subject_id: string;
  item_id: string | null;
  extension_id: string | null;
  title: string | null;
  detail: string | null;
  at: string | null;
  from: string | null;
  to: string | null;
  code: string;
  name: string;
}
const likePattern = (q: string) => `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** A comment or text as the read model keeps it: a short string, or a stored text's reference ({digest, chars}). */
const TEXT = (v: string) =>
  `(CASE jsonb_typeof(${v}) WHEN 'string' THEN ${v} #>> '{}' WHEN 'object' THEN (SELECT d.body FROM documents d WHERE d.digest = ${v}->>'digest') END)`;

/** An item's measure: item_states.measure holds its stored text's digest (older rows: the text itself). */
const MEASURE = `COALESCE((SELECT d.body FROM documents d WHERE d.digest = i.measure), i.measure)`;

/** Everything that waits on a supervisor, one row each; the columns of InboxEntry. */
const INBOX = `
  SELECT 'transition' AS kind, (s.view->'pendingTransition'->'requested'->>'at')::timestamptz AS since,
         s.unit_id, s.campaign_id, s.group_id, s.view->'pendingTransition'->>'id' AS subject_id, NULL AS item_id, NULL AS extension_id,
         (s.view->'pendingTransition'->>'from') || ' → ' || (s.view->'pendingTransition'->>'to') AS title,
         ${TEXT("s.view->'pendingTransition'->'requested'->'comment'")} AS detail, NULL AS at,
         s.view->'pendingTransition'->>'from' AS "from", s.view->'pendingTransition'->>'to' AS "to"
  FROM unit_states s WHERE s.status = 'active' AND jsonb_typeof(s.view->'pendingTransition') = 'object'
  UNION ALL
  SELECT 'meeting', COALESCE((s.view->'meeting'->'scheduledBy'->>'at')::timestamptz, (s.view->'meeting'->>'scheduledAt')::timestamptz),
         s.unit_id, s.campaign_id, s.group_id, s.view->'meeting'->>'id', NULL, NULL,
         s.view->'meeting'->>'location', NULL, s.view->'meeting'->>'scheduledAt', NULL, NULL
  FROM unit_states s WHERE s.status = 'active' AND s.view->'meeting'->>'status' = 'scheduled'
    AND NOT EXISTS (SELECT 1 FROM jsonb_array_elements(COALESCE(s.view->'meeting'->'attendance', '[]'::jsonb)) a WHERE a->>'groupId' = s.group_id::text)
  UNION ALL
  SELECT 'verification', COALESCE((i.view->'completion'->>'at')::timestamptz, i.projected_at),
         i.unit_id, i.campaign_id, i.group_id, i.item_id, i.item_id, NULL,
         ${MEASURE}, ${TEXT("i.view->'completion'->'evidence'")}, i.view->>'deadline', NULL, NULL
  FROM item_states i WHERE i.status = 'submitted'
  UNION ALL
  SELECT 'extension', (i.view->'pendingExtension'->'requested'->>'at')::timestamptz,
         i.unit_id, i.campaign_id, i.group_id, i.item_id, i.item_id, i.view->'pendingExtension'->>'id',
         ${MEASURE}, ${TEXT("i.view->'pendingExtension'->'reason'")}, i.view->'pendingExtension'->>'newDeadline', i.view->>'deadline', NULL
  FROM item_states i
  WHERE i.status IN ('open', 'submitted') AND i.view->'pendingExtension'->>'status' = 'pending'`;

export class ConsoleRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Campaigns, newest first; `only` restricts to one (a unit's or a supervisor's own). */
  async campaigns(only: string | null | undefined, offset: number, limit: number): Promise<Page<CampaignListEntry>> {
    const params: unknown[] = [];
    let where = '';
    if (only !== undefined) {
      params.push(only);
      where = 'WHERE c.id = $1';
    }
    const [{ total }] = await this.dataSource.query<Total>(`SELECT count(*)::int AS total FROM campaigns c ${where}`, params);
    const rows = await this.dataSource.query<CampaignListColumns[]>(
      `SELECT c.id, c.name, c.status, c.starts_at, c.created_at, c.public, (SELECT count(*)::int FROM units u WHERE u.campaign_id = c.id) AS units
       FROM campaigns c ${where} ORDER BY c.created_at DESC, c.id LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
      [...params, limit, offset],
    );
    return {
      total,
      items: rows.map((r) => ({
        id: r.id,
        name: r.name,
        status: r.status,
        startsAt: iso(r.starts_at),
        createdAt: iso(r.created_at),
        units: r.units,
        public: r.public,
      })),
    };
  }

  /** The campaign a group belongs to. */
  async campaignOfGroup(groupId: string): Promise<string | null> {
    const rows = await this.dataSource.query<Array<{ campaign_id: string }>>('SELECT campaign_id FROM supervisory_groups WHERE id = $1', [
      groupId,
    ]);
    return rows.length ? rows[0].campaign_id : null;
  }

  async campaignOfUnit(unitId: string): Promise<string | null> {
    const rows = await this.dataSource.query<Array<{ campaign_id: string }>>('SELECT campaign_id FROM units WHERE id = $1', [unitId]);
    return rows.length ? rows[0].campaign_id : null;
  }

  /** Principals (never their token hashes), with the unit or group of their scope; oldest first. */
  async principals(filter: {
    campaignId?: string;
    role?: Role;
    search?: string;
    offset: number;
    limit: number;
  }): Promise<Page<PrincipalListEntry>> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: string, value: unknown) => {
      params.push(value);
      where.push(sql.replaceAll('?', `$${params.length}`));
    };
    if (filter.role) add('p.role = ?', filter.role);
    if (filter.campaignId) add("(u.campaign_id = ? OR g.campaign_id = ? OR p.role IN ('office', 'auditor'))", filter.campaignId);
    if (filter.search) add('(p.name ILIKE ? OR u.code ILIKE ? OR u.name ILIKE ? OR g.name ILIKE ?)', likePattern(filter.search));
    const from = `FROM principals p LEFT JOIN units u ON u.id = p.unit_id LEFT JOIN supervisory_groups g ON g.id = p.group_id
                  ${where.length ? `WHERE ${where.join(' AND ')}` : ''}`;
    const [{ total }] = await this.dataSource.query<Total>(`SELECT count(*)::int AS total ${from}`, params);
    const rows = await this.dataSource.query<PrincipalListColumns[]>(
      `SELECT p.id, p.name, p.role, p.unit_id, u.code AS unit_code, u.name AS unit_name, p.group_id, g.name AS group_name,
              COALESCE(u.campaign_id, g.campaign_id) AS campaign_id, p.created_at
       ${from} ORDER BY p.created_at, p.id LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
      [...params, filter.limit, filter.offset],
    );
    return {
      total,
      items: rows.map((r) => ({
        id: r.id,
        name: r.name,
        role: r.role,
        unitId: r.unit_id,
        unitCode: r.unit_code,
        unitName: r.unit_name,
        groupId: r.group_id,
        groupName: r.group_name,
        campaignId: r.campaign_id,
        createdAt: iso(r.created_at),
      })),
    };
  }

  async principalExists(id: string): Promise<boolean> {
    return (await this.dataSource.query<unknown[]>('SELECT 1 FROM principals WHERE id = $1', [id])).length > 0;
  }

  /** A campaign's cadre measures, oldest first, with the unit's code and name. */
  async measures(campaignId: string, status: MeasureStatus | undefined, offset: number, limit: number) {
    const params: unknown[] = [campaignId];
    let filter = '';
    if (status) {
      params.push(status);
      filter = 'AND m.status = $2';
    }
    // A proposal's escalation (same key) says what it rests on: the rung, the item or window, the deadline.
    const from = `FROM measures m JOIN units u ON u.id = m.unit_id LEFT JOIN escalations e ON e.key = m.proposal_key
      WHERE m.campaign_id = $1 ${filter}`;
    const [{ total }] = await this.dataSource.query<Total>(`SELECT count(*)::int AS total ${from}`, params);
    const rows = await this.dataSource.query<MeasureListColumns[]>(
      `SELECT m.id, m.unit_id, u.code, u.name AS unit_name, m.item_id, m.kind, m.subject, m.reason, m.status,
              m.proposal_key IS NOT NULL AS by_ladder, m.created_at, m.confirmed_at,
              e.subject AS basis_subject, e.phase AS basis_phase, e.rung AS basis_rung, e.deadline AS basis_deadline,
              e.owner AS basis_owner, e.measure AS basis_measure, e.programme_name AS basis_programme, e.goal_title AS basis_goal
       ${from} ORDER BY m.created_at, m.id LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
      [...params, limit, offset],
    );
    return {
      total,
      items: rows.map((r) => ({
        id: r.id,
        unitId: r.unit_id,
        unitCode: r.code,
        unitName: r.unit_name,
        itemId: r.item_id,
        kind: r.kind,
        subject: r.subject,
        reason: r.reason,
        status: r.status,
        proposedBy: r.by_ladder ? 'ladder' : 'office',
        createdAt: iso(r.created_at),
        confirmedAt: iso(r.confirmed_at),
        basis:
          r.basis_subject && r.basis_rung && r.basis_deadline
            ? {
                subject: r.basis_subject,
                phase: r.basis_phase,
                rung: r.basis_rung,
                deadline: iso(r.basis_deadline),
                owner: r.basis_owner,
                measure: r.basis_measure,
                programmeName: r.basis_programme,
                goalTitle: r.basis_goal,
              }
            : null,
      })),
    };
  }

  /** What waits on a supervisory group (or on every group), oldest first. */
  async inbox(filter: InboxFilter): Promise<Page<InboxEntry>> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: string, value: unknown) => {
      params.push(value);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (filter.groupId) add('w.group_id = ?', filter.groupId);
    if (filter.campaignId) add('w.campaign_id = ?', filter.campaignId);
    if (filter.kind) add('w.kind = ?', filter.kind);
    const from = `FROM (${INBOX}) w JOIN units u ON u.id = w.unit_id ${where.length ? `WHERE ${where.join(' AND ')}` : ''}`;
    const [{ total }] = await this.dataSource.query<Total>(`SELECT count(*)::int AS total ${from}`, params);
    const rows = await this.dataSource.query<InboxColumns[]>(
      `SELECT w.*, u.code, u.name ${from} ORDER BY w.since, w.kind, w.subject_id, w.extension_id
       LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
      [...params, filter.limit, filter.offset],
    );
    return {
      total,
      items: rows.map((r) => ({
        kind: r.kind,
        since: iso(r.since),
        unitId: r.unit_id,
        unitCode: r.code,
        unitName: r.name,
        campaignId: r.campaign_id,
        groupId: r.group_id,
        subjectId: r.subject_id,
        itemId: r.item_id,
        extensionId: r.extension_id,
        title: r.title ?? '',
        detail: r.detail,
        at: r.at ? iso(r.at) : null,
        from: r.from,
        to: r.to,
      })),
    };
  }
}
