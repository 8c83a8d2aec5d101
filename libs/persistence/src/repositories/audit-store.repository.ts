// The audit's reads of PostgreSQL (and the home of replay_jobs: the jobs and their progress). Shared by the API's
// audit and the `massline audit` CLI (libs/audit), which both hand it their own TypeORM DataSource.
import type { DataSource } from 'typeorm';
import type { ItemView, UnitHeader } from '../../../domain/src';
import { AuditLogRepository, PgWorkflowResetRepository, type RefusalRow, type WorkflowReset } from './audit-log.repository';
import { PgStuckRunRepository, type StuckRun, type StuckRunPass } from './stuck-run.repository';
import { iso } from './columns';
import type { ReplayJobStatus } from '../entities/replay-job.entity';

export interface UnitRow {
  id: string;
  campaignId: string;
  code: string;
  name: string;
  batch: number;
  groupId: string;
}

export interface UnitStateRow {
  unitId: string;
  campaignId: string;
  code: string;
  batch: number;
  groupId: string;
  phase: string;
  status: string;
  card: string;
  windowStartsAt: string | null;
  windowEndsAt: string | null;
  unmetGates: string[];
  /** The unit's header as last projected (its entries are in `entries`). */
  view: UnitHeader;
  version: number;
}

export interface ItemStateRow {
  itemId: string;
  unitId: string;
  campaignId: string;
  groupId: string;
  status: string;
  card: string;
  deadline: string;
  /** The measure's digest (its text is in documents). */
  measure: string;
  owner: string;
  view: ItemView;
  version: number;
}

export interface EscalationRow {
  id: string;
  key: string;
  /** Null for a programme goal's escalation. */
  campaignId: string | null;
  unitId: string;
  itemId: string | null;
  groupId: string | null;
  subject: string;
  phase: string | null;
  rung: string;
  deadline: string;
  firedAt: string;
  recipients: string[];
  summary: string;
  createdAt: string;
  /** What the rung is about, as fields (kept when it fired): the item's owner and measure, a programme's goal. */
  owner?: string | null;
  measure?: string | null;
  programmeName?: string | null;
  goalTitle?: string | null;
}

export interface NotificationRow {
  id: string;
  escalationKey: string;
  channel: string;
  recipient: string;
  status: string;
  attempts: number;
  lastError: string | null;
  createdAt: string;
  sentAt: string | null;
}

export interface MeasureRow {
  id: string;
  unitId: string;
  itemId: string | null;
  kind: string;
  subject: string;
  reason: string;
  status: string;
  proposalKey: string | null;
  createdBy: string | null;
  createdAt: string;
  confirmedBy: string | null;
  confirmedAt: string | null;
}

/** A history that did not replay, as a replay job keeps it. */
export interface ReplayFailure {
  workflowId: string;
  runId?: string;
  /** Human-readable: what diverged and at which event. */
  error: string;
  /** First event the current code disagrees with, when the engine names it. */
  eventId?: number;
  eventType?: string;
  kind: ReplayFailureKind;
}

export const REPLAY_FAILURE_KINDS = ['nondeterminism', 'replay-error', 'fetch-error'] as const;
export type ReplayFailureKind = (typeof REPLAY_FAILURE_KINDS)[number];

export interface ReplayJobRow {
  id: string;
  requestedBy: string;
  request: Record<string, unknown>;
  status: ReplayJobStatus;
  total: number;
  replayed: number;
  failures: ReplayFailure[];
  error: string | null;
  createdAt: string;
  finishedAt: string | null;
}

export const isUuid = (v: string): boolean => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(v);

// The columns of the tables read here, as node-postgres gives them.
interface UnitColumns {
  id: string;
  campaign_id: string;
  code: string;
  name: string;
  batch: number;
  group_id: string;
}
interface UnitStateColumns {
  unit_id: string;
  campaign_id: string;
  code: string;
  batch: number;
  group_id: string;
  phase: string;
  status: string;
  card: string;
  window_starts_at: Date | null;
  window_ends_at: Date | null;
  unmet_gates: string[];
  view: UnitHeader;
  version: number;
}
interface ItemStateColumns {
  item_id: string;
  unit_id: string;
  campaign_id: string;
  group_id: string;
  status: string;
  card: string;
  deadline: Date;
  measure: string;
  owner: string;
  view: ItemView;
  version: number;
}
interface EscalationColumns {
  id: string;
  key: string;
  campaign_id: string | null;
  unit_id: string;
  item_id: string | null;
  group_id: string | null;
  subject: string;
  phase: string | null;
  rung: string;
  deadline: Date;
  fired_at: Date;
  recipients: string[];
  summary: string;
  owner: string | null;
  measure: string | null;
  programme_name: string | null;
  goal_title: string | null;
  created_at: Date;
}
interface NotificationColumns {
  id: string;
  escalation_key: string;
  channel: string;
  recipient: string;
  status: string;
  attempts: number;
  last_error: string | null;
  created_at: Date;
  sent_at: Date | null;
}
interface MeasureColumns {
  id: string;
  unit_id: string;
  item_id: string | null;
  kind: string;
  subject: string;
  reason: string;
  status: string;
  proposal_key: string | null;
  created_by: string | null;
  created_at: Date;
  confirmed_by: string | null;
  confirmed_at: Date | null;
}
interface ReplayJobColumns {
  id: string;
  requested_by: string;
  request: Record<string, unknown>;
  status: ReplayJobRow['status'];
  total: number;
  replayed: number;
  failures: ReplayFailure[];
  error: string | null;
  created_at: Date;
  finished_at: Date | null;
}

const unitRow = (r: UnitColumns): UnitRow => ({
  id: r.id,
  campaignId: r.campaign_id,
  code: r.code,
  name: r.name,
  batch: r.batch,
  groupId: r.group_id,
});

export class AuditStore {
  readonly stuckRuns: PgStuckRunRepository;
  readonly resets: PgWorkflowResetRepository;
  private readonly auditLog: AuditLogRepository;

  constructor(private readonly dataSource: DataSource) {
    this.stuckRuns = new PgStuckRunRepository(dataSource);
    this.resets = new PgWorkflowResetRepository(dataSource);
    this.auditLog = new AuditLogRepository(dataSource);
  }

  /** Runs whose workflow task keeps failing, as the detector last saw them, oldest first (then, on asking, the cleared ones). */
  async stuck(
    offset: number,
    limit: number,
    includeCleared = false,
  ): Promise<{ items: StuckRun[]; total: number; lastPass?: StuckRunPass }> {
    const [page, lastPass] = await Promise.all([this.stuckRuns.list(offset, limit, includeCleared), this.stuckRuns.lastPass()]);
    return { ...page, ...(lastPass ? { lastPass } : {}) };
  }

  /** Resets recorded in the audit log (by operators, and those of the former automatic recovery), newest first. */
  resetsPage(offset: number, limit: number, workflowId?: string): Promise<{ items: WorkflowReset[]; total: number }> {
    return this.resets.list(offset, limit, workflowId);
  }

  async unit(unitId: string): Promise<UnitRow | undefined> {
    if (!isUuid(unitId)) return undefined;
    const rows = await this.dataSource.query<UnitColumns[]>(
      'SELECT id, campaign_id, code, name, batch, group_id FROM units WHERE id = $1',
      [unitId],
    );
    return rows.length ? unitRow(rows[0]) : undefined;
  }

  async campaignExists(campaignId: string): Promise<boolean> {
    if (!isUuid(campaignId)) return false;
    const rows = await this.dataSource.query<unknown[]>('SELECT 1 FROM campaigns WHERE id = $1', [campaignId]);
    return rows.length > 0;
  }

  async campaignUnits(campaignId: string): Promise<UnitRow[]> {
    if (!isUuid(campaignId)) return [];
    const rows = await this.dataSource.query<UnitColumns[]>(
      'SELECT id, campaign_id, code, name, batch, group_id FROM units WHERE campaign_id = $1 ORDER BY code',
      [campaignId],
    );
    return rows.map(unitRow);
  }

  /** Refused decisions about a unit, or one of its items, oldest first. */
  refusals(filter: { unitId?: string; itemId?: string; workflowIds?: string[] }): Promise<RefusalRow[]> {
    return this.auditLog.refusals(filter);
  }

  /**
   * Every unit a reconciliation of the campaign checks, in order: enrolled, or with a unit or an item row (ids only:
   * the rows themselves are read a page of units at a time).
   */
  async reconciledUnitIds(campaignId: string): Promise<string[]> {
    if (!isUuid(campaignId)) return [];
    const rows = await this.dataSource.query<Array<{ id: string }>>(
      `SELECT id::text FROM units WHERE campaign_id = $1
       UNION SELECT unit_id::text FROM unit_states WHERE campaign_id = $1
       UNION SELECT unit_id::text FROM item_states WHERE campaign_id = $1
       ORDER BY 1`,
      [campaignId],
    );
    return rows.map((r) => r.id);
  }

  /** The unit rows of `unitIds` (of the campaign). */
  async unitStates(campaignId: string, unitIds: string[]): Promise<UnitStateRow[]> {
    if (!isUuid(campaignId) || !unitIds.length) return [];
    const rows = await this.dataSource.query<UnitStateColumns[]>(
      `SELECT unit_id, campaign_id, code, batch, group_id, phase, status, card, window_starts_at, window_ends_at,
              unmet_gates, view, version
       FROM unit_states WHERE campaign_id = $1 AND unit_id = ANY($2::uuid[]) ORDER BY code`,
      [campaignId, unitIds],
    );
    return rows.map((r) => ({
      unitId: r.unit_id,
      campaignId: r.campaign_id,
      code: r.code,
      batch: r.batch,
      groupId: r.group_id,
      phase: r.phase,
      status: r.status,
      card: r.card,
      windowStartsAt: iso(r.window_starts_at),
      windowEndsAt: iso(r.window_ends_at),
      unmetGates: r.unmet_gates,
      view: r.view,
      version: r.version,
    }));
  }

  /** The item rows of the units `unitIds` (of the campaign). */
  async itemStates(campaignId: string, unitIds: string[]): Promise<ItemStateRow[]> {
    if (!isUuid(campaignId) || !unitIds.length) return [];
    const rows = await this.dataSource.query<ItemStateColumns[]>(
      `SELECT item_id, unit_id, campaign_id, group_id, status, card, deadline, measure, owner, view, version
       FROM item_states WHERE campaign_id = $1 AND unit_id = ANY($2::uuid[]) ORDER BY item_id`,
      [campaignId, unitIds],
    );
    return rows.map((r) => ({
      itemId: r.item_id,
      unitId: r.unit_id,
      campaignId: r.campaign_id,
      groupId: r.group_id,
      status: r.status,
      card: r.card,
      deadline: iso(r.deadline),
      measure: r.measure,
      owner: r.owner,
      view: r.view,
      version: r.version,
    }));
  }

  /** Entries per kind of the subjects `subjectIds` (unit ids and item ids) of the campaign, by subject. */
  async entryCounts(campaignId: string, subjectIds: string[]): Promise<Map<string, Record<string, number>>> {
    const out = new Map<string, Record<string, number>>();
    if (!isUuid(campaignId) || !subjectIds.length) return out;
    // By subject (its index): a page of subjects reads its own entries, not the whole campaign's.
    const rows = await this.dataSource.query<Array<{ subject_id: string; kind: string; n: number }>>(
      `SELECT subject_id, kind, count(*)::int AS n FROM entries
       WHERE campaign_id = $1 AND subject_id = ANY($2::text[]) GROUP BY 1, 2`,
      [campaignId, subjectIds],
    );
    for (const r of rows) out.set(r.subject_id, { ...(out.get(r.subject_id) ?? {}), [r.kind]: r.n });
    return out;
  }

  /**
   * Every stored text a campaign's read model refers to (its units' headers and all entries) whose document is
   * missing, or whose text no longer hashes to the digest the workflow history recorded.
   */
  async documentProblems(campaignId: string): Promise<Array<{ subjectId: string; digest: string; problem: 'missing' | 'altered' }>> {
    if (!isUuid(campaignId)) return [];
    const rows = await this.dataSource.query<Array<{ subject_id: string; digest: string; intact: boolean | null }>>(
      `WITH refs AS (
         SELECT DISTINCT e.subject_id, d.digest #>> '{}' AS digest
           FROM entries e, jsonb_path_query(e.data, 'strict $.**.digest') AS d(digest)
          WHERE e.campaign_id = $1
         UNION
         SELECT DISTINCT s.unit_id::text, d.digest #>> '{}'
           FROM unit_states s, jsonb_path_query(s.view, 'strict $.**.digest') AS d(digest)
          WHERE s.campaign_id = $1
         UNION
         SELECT DISTINCT i.item_id, d.digest #>> '{}'
           FROM item_states i, jsonb_path_query(i.view, 'strict $.**.digest') AS d(digest)
          WHERE i.campaign_id = $1)
       SELECT r.subject_id, r.digest, encode(sha256(convert_to(doc.body, 'UTF8')), 'hex') = r.digest AS intact
         FROM refs r LEFT JOIN documents doc ON doc.digest = r.digest`,
      [campaignId],
    );
    return rows
      .filter((r) => r.intact !== true)
      .map((r) => ({
        subjectId: r.subject_id,
        digest: r.digest,
        problem: r.intact === null ? ('missing' as const) : ('altered' as const),
      }));
  }

  /** Texts of stored documents, by digest (missing ones are absent from the map). */
  async texts(digests: string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    const wanted = [...new Set(digests)].filter((d) => /^[0-9a-f]{64}$/.test(d));
    for (let i = 0; i < wanted.length; i += 1000) {
      const rows = await this.dataSource.query<Array<{ digest: string; body: string }>>(
        'SELECT digest, body FROM documents WHERE digest = ANY($1::text[])',
        [wanted.slice(i, i + 1000)],
      );
      for (const r of rows) out.set(r.digest, r.body);
    }
    return out;
  }

  async escalation(id: string): Promise<EscalationRow | undefined> {
    if (!isUuid(id)) return undefined;
    const rows = await this.dataSource.query<EscalationColumns[]>(`SELECT * FROM escalations WHERE id = $1`, [id]);
    return rows.length ? this.escalationRow(rows[0]) : undefined;
  }

  /** Every escalation of a unit (its phase windows and all its items), in firing order. */
  async unitEscalations(unitId: string): Promise<EscalationRow[]> {
    if (!isUuid(unitId)) return [];
    const rows = await this.dataSource.query<EscalationColumns[]>(
      `SELECT * FROM escalations WHERE unit_id = $1 ORDER BY fired_at, created_at`,
      [unitId],
    );
    return rows.map((r) => this.escalationRow(r));
  }

  async notifications(escalationKeys: string[]): Promise<NotificationRow[]> {
    if (!escalationKeys.length) return [];
    const rows = await this.dataSource.query<NotificationColumns[]>(
      `SELECT id, escalation_key, channel, recipient, status, attempts, last_error, created_at, sent_at
       FROM notifications WHERE escalation_key = ANY($1) ORDER BY created_at, channel, recipient`,
      [escalationKeys],
    );
    return rows.map((r) => ({
      id: r.id,
      escalationKey: r.escalation_key,
      channel: r.channel,
      recipient: r.recipient,
      status: r.status,
      attempts: r.attempts,
      lastError: r.last_error,
      createdAt: iso(r.created_at),
      sentAt: iso(r.sent_at),
    }));
  }

  async unitMeasures(unitId: string): Promise<MeasureRow[]> {
    if (!isUuid(unitId)) return [];
    const rows = await this.dataSource.query<MeasureColumns[]>(`SELECT * FROM measures WHERE unit_id = $1 ORDER BY created_at`, [unitId]);
    return rows.map((r) => ({
      id: r.id,
      unitId: r.unit_id,
      itemId: r.item_id,
      kind: r.kind,
      subject: r.subject,
      reason: r.reason,
      status: r.status,
      proposalKey: r.proposal_key,
      createdBy: r.created_by,
      createdAt: iso(r.created_at),
      confirmedBy: r.confirmed_by,
      confirmedAt: iso(r.confirmed_at),
    }));
  }

  // ---------- replay jobs ----------

  async createReplayJob(requestedBy: string, request: Record<string, unknown>): Promise<string> {
    const rows = await this.dataSource.query<Array<{ id: string }>>(
      `INSERT INTO replay_jobs (requested_by, request) VALUES ($1, $2) RETURNING id`,
      [requestedBy, JSON.stringify(request)],
    );
    return rows[0].id;
  }

  async updateReplayJob(
    id: string,
    patch: { total?: number; replayed?: number; failures?: ReplayFailure[]; status?: ReplayJobStatus; error?: string },
  ): Promise<void> {
    const sets: string[] = [];
    const params: unknown[] = [id];
    const set = (col: string, value: unknown) => {
      params.push(value);
      sets.push(`${col} = $${params.length}`);
    };
    if (patch.total !== undefined) set('total', patch.total);
    if (patch.replayed !== undefined) set('replayed', patch.replayed);
    if (patch.failures !== undefined) set('failures', JSON.stringify(patch.failures));
    if (patch.error !== undefined) set('error', patch.error);
    if (patch.status !== undefined) {
      set('status', patch.status);
      if (patch.status !== 'running') sets.push('finished_at = now()');
    }
    if (!sets.length) return;
    await this.dataSource.query(`UPDATE replay_jobs SET ${sets.join(', ')} WHERE id = $1`, params);
  }

  async replayJob(id: string): Promise<ReplayJobRow | undefined> {
    if (!isUuid(id)) return undefined;
    const rows = await this.dataSource.query<ReplayJobColumns[]>(`SELECT * FROM replay_jobs WHERE id = $1`, [id]);
    if (!rows.length) return undefined;
    const r = rows[0];
    return {
      id: r.id,
      requestedBy: r.requested_by,
      request: r.request,
      status: r.status,
      total: r.total,
      replayed: r.replayed,
      failures: r.failures,
      error: r.error,
      createdAt: iso(r.created_at),
      finishedAt: iso(r.finished_at),
    };
  }

  private escalationRow(r: EscalationColumns): EscalationRow {
    return {
      id: r.id,
      key: r.key,
      campaignId: r.campaign_id,
      unitId: r.unit_id,
      itemId: r.item_id,
      groupId: r.group_id,
      subject: r.subject,
      phase: r.phase,
      rung: r.rung,
      deadline: iso(r.deadline),
      firedAt: iso(r.fired_at),
      recipients: r.recipients,
      summary: r.summary,
      owner: r.owner,
      measure: r.measure,
      programmeName: r.programme_name,
      goalTitle: r.goal_title,
      createdAt: iso(r.created_at),
    };
  }
}
