// What the public may read (公示): every SQL statement of the public read routes, behind one narrow
// interface, over the current read model (unit_states.view holds each unit's task-book header, `entries` its
// items and objections, `documents` their texts, item_states the items in effect). Only disclosed facts leave
// this file: no opinion, no contact, no principal's id or name, no actor of an objection; a task book still in
// draft is not disclosed.
import type { DataSource } from 'typeorm';
import type { Page } from './console.repository';
import { DISCLOSED_TASK_BOOK_STATUSES, type Batch, type ItemStatus, type Phase } from '../../../domain/src';
import { iso } from './columns';

export type DisclosedStatus = (typeof DISCLOSED_TASK_BOOK_STATUSES)[number];

export interface PublicCampaign {
  id: string;
  name: string;
  status: 'running' | 'done';
  /** Task books under disclosure now, and in effect. */
  taskBooks: { disclosed: number; effective: number };
}

export interface PublicCampaignDetail extends PublicCampaign {
  batches: Array<{ batch: Batch; startsAt: string; endsAt: string }>;
  disclosure: string;
  /** The zone the campaign's days are reckoned in (its plan's utcOffset). */
  utcOffset: string;
}

export interface PublicUnit {
  id: string;
  code: string;
  name: string;
  batch: Batch;
  /** null until the unit's batch opens. */
  phase: Phase | null;
}

export interface PublicUnitDetail extends PublicUnit {
  campaignId: string;
  campaignName: string;
  /** The zone the campaign's days are reckoned in (its plan's utcOffset). */
  utcOffset: string;
  /** The task book's status when disclosed, else null (none yet, or still in draft). */
  taskBook: DisclosedStatus | null;
}

export interface PublicTaskBookSummary {
  unitId: string;
  unitCode: string;
  unitName: string;
  status: DisclosedStatus;
  publishedAt: string;
  disclosureEndsAt: string;
  effectiveAt: string | null;
  items: number;
  objections: { filed: number; answered: number };
}

export interface PublicTaskBookItem {
  id: string;
  measure: string;
  owner: string;
  deadline: string;
  status: ItemStatus;
}

export interface PublicTaskBook extends PublicTaskBookSummary {
  campaignId: string;
  signedBy: string;
  itemList: PublicTaskBookItem[];
}

export interface PublicObjection {
  id: string;
  itemId: string | null;
  text: string;
  filedAt: string;
  answer: { text: string; answeredAt: string };
}

/** The narrow interface the public service reads through (re-pointed in one place when the read model changes). */
export interface PublicReadModel {
  campaigns(offset: number, limit: number): Promise<Page<PublicCampaign>>;
  campaign(id: string): Promise<PublicCampaignDetail | undefined>;
  units(campaignId: string, search: string | undefined, offset: number, limit: number): Promise<Page<PublicUnit>>;
  taskBooks(campaignId: string, status: DisclosedStatus | undefined, offset: number, limit: number): Promise<Page<PublicTaskBookSummary>>;
  taskBook(unitId: string): Promise<PublicTaskBook | undefined>;
  answeredObjections(unitId: string, offset: number, limit: number): Promise<Page<PublicObjection>>;
  unit(unitId: string): Promise<PublicUnitDetail | undefined>;
  /** Whether the unit exists (404 for a unit nobody enrolled, an empty answer for one that disclosed nothing yet). */
  unitExists(unitId: string): Promise<boolean>;
}

/** A count(*)::int query's one row. */
type Total = [{ total: number }];

interface CampaignColumns {
  id: string;
  name: string;
  status: PublicCampaign['status'];
  disclosed: number;
  effective: number;
}

/** A disclosed task book's header, read from its unit's view (publishing it set both times). */
interface SummaryColumns {
  unit_id: string;
  code: string;
  name: string;
  status: DisclosedStatus;
  published_at: string;
  disclosure_ends_at: string;
  effective_at: string | null;
  items: number;
  filed: number;
  answered: number;
}

interface TaskBookColumns extends SummaryColumns {
  campaign_id: string;
  signed_by: string;
  item_list: Array<{ id: string; measure: string; owner: string; deadline: string; status: ItemStatus }>;
}

interface UnitColumns {
  id: string;
  code: string;
  name: string;
  batch: Batch;
  /** Null until the unit's batch opens (no unit_states row). */
  phase: Phase | null;
}

/** The task book of a unit's projected view, when it has been published (a draft is not disclosed). */
const DISCLOSED = `s.view->'taskBook'->>'status' IN (${DISCLOSED_TASK_BOOK_STATUSES.map((st) => `'${st}'`).join(', ')})`;
/** The task book's header in the unit's row: how many items, objections filed and still unanswered. */
const OBJECTION_COUNTS = `
  COALESCE((s.view->'taskBook'->>'itemCount')::int, 0) AS items,
  COALESCE((s.view->'taskBook'->'objectionCounts'->>'filed')::int, 0) AS filed,
  COALESCE((s.view->'taskBook'->'objectionCounts'->>'filed')::int, 0) - COALESCE((s.view->'taskBook'->'objectionCounts'->>'unanswered')::int, 0) AS answered`;
/** A stored text by the reference an entry holds ({digest, chars}). */
const TEXT = (ref: string) => `(SELECT d.body FROM documents d WHERE d.digest = ${ref}->>'digest')`;

const toSummary = (r: SummaryColumns): PublicTaskBookSummary => ({
  unitId: r.unit_id,
  unitCode: r.code,
  unitName: r.name,
  status: r.status,
  publishedAt: iso(r.published_at),
  disclosureEndsAt: iso(r.disclosure_ends_at),
  effectiveAt: iso(r.effective_at),
  items: r.items,
  objections: { filed: r.filed, answered: r.answered },
});

const likePattern = (q: string) => `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** What is read of a campaign's plan (a plan stored before calendars had a zone has none). */
interface PlanColumn {
  batches: Array<{ batch: Batch; startsAt: string; endsAt: string }>;
  disclosure: string;
  calendar?: { utcOffset?: string };
}

export class PublicRepository implements PublicReadModel {
  constructor(private readonly dataSource: DataSource) {}

  async campaigns(offset: number, limit: number): Promise<Page<PublicCampaign>> {
    const [{ total }] = await this.dataSource.query<Total>(
      `SELECT count(*)::int AS total FROM campaigns WHERE status <> 'draft' AND public`,
    );
    const rows = await this.dataSource.query<CampaignColumns[]>(
      `SELECT c.id, c.name, c.status,
              (SELECT count(*)::int FROM unit_states s WHERE s.campaign_id = c.id AND s.view->'taskBook'->>'status' = 'disclosed') AS disclosed,
              (SELECT count(*)::int FROM unit_states s WHERE s.campaign_id = c.id AND s.view->'taskBook'->>'status' = 'effective') AS effective
       FROM campaigns c WHERE c.status <> 'draft' AND c.public ORDER BY c.created_at DESC, c.id LIMIT $1 OFFSET $2`,
      [limit, offset],
    );
    return {
      total,
      items: rows.map((r) => ({ id: r.id, name: r.name, status: r.status, taskBooks: { disclosed: r.disclosed, effective: r.effective } })),
    };
  }

  async campaign(id: string): Promise<PublicCampaignDetail | undefined> {
    const rows = await this.dataSource.query<Array<CampaignColumns & { plan: PlanColumn }>>(
      `SELECT c.id, c.name, c.status, c.plan,
              (SELECT count(*)::int FROM unit_states s WHERE s.campaign_id = c.id AND s.view->'taskBook'->>'status' = 'disclosed') AS disclosed,
              (SELECT count(*)::int FROM unit_states s WHERE s.campaign_id = c.id AND s.view->'taskBook'->>'status' = 'effective') AS effective
       FROM campaigns c WHERE c.id = $1 AND c.status <> 'draft' AND c.public`,
      [id],
    );
    if (!rows.length) return undefined;
    const r = rows[0];
    const plan = r.plan;
    return {
      id: r.id,
      name: r.name,
      status: r.status,
      taskBooks: { disclosed: r.disclosed, effective: r.effective },
      batches: plan.batches.map((b) => ({ batch: b.batch, startsAt: b.startsAt, endsAt: b.endsAt })),
      disclosure: plan.disclosure,
      utcOffset: plan.calendar?.utcOffset ?? '+08:00',
    };
  }

  async units(campaignId: string, search: string | undefined, offset: number, limit: number): Promise<Page<PublicUnit>> {
    const params: unknown[] = [campaignId];
    let filter = '';
    if (search) {
      params.push(likePattern(search));
      filter = `AND (u.code ILIKE $2 OR u.name ILIKE $2)`;
    }
    const from = `FROM units u JOIN campaigns c ON c.id = u.campaign_id AND c.status <> 'draft' AND c.public
                  LEFT JOIN unit_states s ON s.unit_id = u.id WHERE u.campaign_id = $1 ${filter}`;
    const [{ total }] = await this.dataSource.query<Total>(`SELECT count(*)::int AS total ${from}`, params);
    const rows = await this.dataSource.query<UnitColumns[]>(
      `SELECT u.id, u.code, u.name, u.batch, s.phase AS phase ${from}
       ORDER BY u.code LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
      [...params, limit, offset],
    );
    return {
      total,
      items: rows.map((r) => ({ id: r.id, code: r.code, name: r.name, batch: r.batch, phase: r.phase })),
    };
  }

  async taskBooks(
    campaignId: string,
    status: DisclosedStatus | undefined,
    offset: number,
    limit: number,
  ): Promise<Page<PublicTaskBookSummary>> {
    const params: unknown[] = [campaignId];
    let filter = DISCLOSED;
    if (status) {
      params.push(status);
      filter = `s.view->'taskBook'->>'status' = $2`;
    }
    const from = `FROM unit_states s JOIN units u ON u.id = s.unit_id WHERE s.campaign_id = $1 AND ${filter}`;
    const [{ total }] = await this.dataSource.query<Total>(`SELECT count(*)::int AS total ${from}`, params);
    const rows = await this.dataSource.query<SummaryColumns[]>(
      `SELECT s.unit_id, u.code, u.name, s.view->'taskBook'->>'status' AS status,
              s.view->'taskBook'->>'publishedAt' AS published_at, s.view->'taskBook'->>'disclosureEndsAt' AS disclosure_ends_at,
              s.view->'taskBook'->>'effectiveAt' AS effective_at, ${OBJECTION_COUNTS}
       ${from} ORDER BY s.view->'taskBook'->>'publishedAt' DESC, u.code LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
      [...params, limit, offset],
    );
    return { total, items: rows.map(toSummary) };
  }

  async taskBook(unitId: string): Promise<PublicTaskBook | undefined> {
    const rows = await this.dataSource.query<TaskBookColumns[]>(
      `SELECT s.unit_id, s.campaign_id, u.code, u.name, s.view->'taskBook'->>'status' AS status,
              s.view->'taskBook'->>'signedBy' AS signed_by,
              s.view->'taskBook'->>'publishedAt' AS published_at, s.view->'taskBook'->>'disclosureEndsAt' AS disclosure_ends_at,
              s.view->'taskBook'->>'effectiveAt' AS effective_at,
              ${OBJECTION_COUNTS},
              COALESCE((
                SELECT jsonb_agg(jsonb_build_object(
                         'id', e.entry_id, 'owner', e.data->>'owner',
                         -- a measure is a stored text (older rows: the text itself)
                         'measure', COALESCE(${TEXT("e.data->'measure'")}, e.data->>'measure'),
                         -- an item in effect reports from its own workflow's projection
                         'deadline', COALESCE(it.view->>'deadline', e.data->>'deadline'), 'status', COALESCE(it.status, e.data->>'status'))
                       ORDER BY e.seq)
                FROM entries e LEFT JOIN item_states it ON it.item_id = e.entry_id
                WHERE e.subject_id = s.unit_id::text AND e.kind = 'task-book-item'
              ), '[]'::jsonb) AS item_list
       FROM unit_states s JOIN units u ON u.id = s.unit_id WHERE s.unit_id = $1 AND ${DISCLOSED}`,
      [unitId],
    );
    if (!rows.length) return undefined;
    const r = rows[0];
    return {
      ...toSummary(r),
      campaignId: r.campaign_id,
      signedBy: r.signed_by,
      itemList: r.item_list.map((i) => ({ id: i.id, measure: i.measure, owner: i.owner, deadline: iso(i.deadline), status: i.status })),
    };
  }

  async answeredObjections(unitId: string, offset: number, limit: number): Promise<Page<PublicObjection>> {
    const answered = `FROM entries e JOIN unit_states s ON s.unit_id::text = e.subject_id
                      WHERE e.subject_id = $1 AND e.kind = 'objection' AND e.data ? 'answer' AND ${DISCLOSED}`;
    const [{ total }] = await this.dataSource.query<Total>(`SELECT count(*)::int AS total ${answered}`, [unitId]);
    // A text whose document is missing reads as empty; both moments are stamped with the objection and its answer.
    const rows = await this.dataSource.query<
      Array<{ id: string; item_id: string | null; text: string | null; filed_at: string; answer: string | null; answered_at: string }>
    >(
      `SELECT e.entry_id AS id, e.data->>'itemId' AS item_id, ${TEXT("e.data->'text'")} AS text, e.data->>'at' AS filed_at,
              ${TEXT("e.data->'answer'->'text'")} AS answer, e.data->'answer'->>'at' AS answered_at
       ${answered} ORDER BY e.seq LIMIT $2 OFFSET $3`,
      [unitId, limit, offset],
    );
    return {
      total,
      items: rows.map((r) => ({
        id: r.id,
        itemId: r.item_id,
        text: r.text ?? '',
        filedAt: iso(r.filed_at),
        answer: { text: r.answer ?? '', answeredAt: iso(r.answered_at) },
      })),
    };
  }

  async unit(unitId: string): Promise<PublicUnitDetail | undefined> {
    const rows = await this.dataSource.query<
      Array<UnitColumns & { campaign_id: string; campaign_name: string; utc_offset: string; task_book: DisclosedStatus | null }>
    >(
      `SELECT u.id, u.code, u.name, u.batch, s.phase AS phase, c.id AS campaign_id, c.name AS campaign_name,
              COALESCE(c.plan->'calendar'->>'utcOffset', '+08:00') AS utc_offset,
              CASE WHEN ${DISCLOSED} THEN s.view->'taskBook'->>'status' END AS task_book
       FROM units u JOIN campaigns c ON c.id = u.campaign_id AND c.status <> 'draft' AND c.public LEFT JOIN unit_states s ON s.unit_id = u.id
       WHERE u.id = $1`,
      [unitId],
    );
    if (!rows.length) return undefined;
    const r = rows[0];
    return {
      id: r.id,
      code: r.code,
      name: r.name,
      batch: r.batch,
      phase: r.phase,
      campaignId: r.campaign_id,
      campaignName: r.campaign_name,
      utcOffset: r.utc_offset,
      taskBook: r.task_book,
    };
  }

  async unitExists(unitId: string): Promise<boolean> {
    const rows = await this.dataSource.query<unknown[]>(
      `SELECT 1 FROM units u JOIN campaigns c ON c.id = u.campaign_id WHERE u.id = $1 AND c.status <> 'draft' AND c.public`,
      [unitId],
    );
    return rows.length > 0;
  }
}
