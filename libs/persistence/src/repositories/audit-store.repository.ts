// The audit's reads of PostgreSQL (and the home of replay_jobs: the jobs and their progress). Shared by the API's
// audit and the `massline audit` CLI (libs/audit), which both hand it their own TypeORM DataSource.
import type { DataSource } from 'typeorm';
import type { ItemView, UnitHeader } from '../../../domain/src';
import { AuditLogRepository, PgWorkflowResetRepository, type RefusalRow, type WorkflowReset } from './audit-log.repository';
import { PgStuckRunRepository, type StuckRun, type StuckRunPass } from './stuck-run.repository';

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
  kind: 'nondeterminism' | 'replay-error' | 'fetch-error';
}

export interface ReplayJobRow {
  id: string;
  requestedBy: string;
  request: Record<string, unknown>;
  status: 'running' | 'done' | 'failed';
  total: number;
  replayed: number;
  failures: ReplayFailure[];
  error: string | null;
  createdAt: string;
  finishedAt: string | null;
}

export const isUuid = (v: string): boolean => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(v);

const iso = (v: unknown): string | null => (v === null || v === undefined ? null : new Date(v as string).toISOString());

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
    const rows = await this.dataSource.query('SELECT id, campaign_id, code, name, batch, group_id FROM units WHERE id = $1', [unitId]);
    const r = rows[0];
    return r && { id: r.id, campaignId: r.campaign_id, code: r.code, name: r.name, batch: r.batch, groupId: r.group_id };
  }

  async campaignExists(campaignId: string): Promise<boolean> {
    if (!isUuid(campaignId)) return false;
    const rows = await this.dataSource.query('SELECT 1 FROM campaigns WHERE id = $1', [campaignId]);
    return rows.length > 0;
  }

  async campaignUnits(campaignId: string): Promise<UnitRow[]> {
    if (!isUuid(campaignId)) return [];
    const rows = await this.dataSource.query(
      'SELECT id, campaign_id, code, name, batch, group_id FROM units WHERE campaign_id = $1 ORDER BY code',
      [campaignId],
    );
    return rows.map(
      (r: Record<string, unknown>) =>
        ({ id: r.id, campaignId: r.campaign_id, code: r.code, name: r.name, batch: r.batch, groupId: r.group_id }) as UnitRow,
    );
  }

  /** Refused decisions about a unit, or one of its items, oldest first. */
  refusals(filter: { unitId?: string; itemId?: string; workflowIds?: string[] }): Promise<RefusalRow[]> {
    return this.auditLog.refusals(filter);
  }

  async unitStates(campaignId: string): Promise<UnitStateRow[]> {
    if (!isUuid(campaignId)) return [];
    const rows = await this.dataSource.query(
      `SELECT unit_id, campaign_id, code, batch, group_id, phase, status, card, window_starts_at, window_ends_at,
              unmet_gates, view, version
       FROM unit_states WHERE campaign_id = $1 ORDER BY code`,
      [campaignId],
    );
    return rows.map((r: Record<string, unknown>) => ({
      unitId: r.unit_id as string,
      campaignId: r.campaign_id as string,
      code: r.code as string,
      batch: r.batch as number,
      groupId: r.group_id as string,
      phase: r.phase as string,
      status: r.status as string,
      card: r.card as string,
      windowStartsAt: iso(r.window_starts_at),
      windowEndsAt: iso(r.window_ends_at),
      unmetGates: r.unmet_gates as string[],
      view: r.view as UnitHeader,
      version: r.version as number,
    }));
  }

  async itemStates(campaignId: string): Promise<ItemStateRow[]> {
    if (!isUuid(campaignId)) return [];
    const rows = await this.dataSource.query(
      `SELECT item_id, unit_id, campaign_id, group_id, status, card, deadline, measure, owner, view, version
       FROM item_states WHERE campaign_id = $1 ORDER BY item_id`,
      [campaignId],
    );
    return rows.map((r: Record<string, unknown>) => ({
      itemId: r.item_id as string,
      unitId: r.unit_id as string,
      campaignId: r.campaign_id as string,
      groupId: r.group_id as string,
      status: r.status as string,
      card: r.card as string,
      deadline: iso(r.deadline)!,
      measure: r.measure as string,
      owner: r.owner as string,
      view: r.view as ItemView,
      version: r.version as number,
    }));
  }

  /** Entries per kind of every unit and item of a campaign, by subject (unit id or item id). */
  async entryCounts(campaignId: string): Promise<Map<string, Record<string, number>>> {
    const out = new Map<string, Record<string, number>>();
    if (!isUuid(campaignId)) return out;
    const rows: Array<{ subject_id: string; kind: string; n: number }> = await this.dataSource.query(
      'SELECT subject_id, kind, count(*)::int AS n FROM entries WHERE campaign_id = $1 GROUP BY 1, 2',
      [campaignId],
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
    const rows: Array<{ subject_id: string; digest: string; intact: boolean | null }> = await this.dataSource.query(
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
      const rows: Array<{ digest: string; body: string }> = await this.dataSource.query(
        'SELECT digest, body FROM documents WHERE digest = ANY($1::text[])',
        [wanted.slice(i, i + 1000)],
      );
      for (const r of rows) out.set(r.digest, r.body);
    }
    return out;
  }

  async escalation(id: string): Promise<EscalationRow | undefined> {
    if (!isUuid(id)) return undefined;
    const rows = await this.dataSource.query(`SELECT * FROM escalations WHERE id = $1`, [id]);
    return rows[0] && this.escalationRow(rows[0]);
  }

  /** Every escalation of a unit (its phase windows and all its items), in firing order. */
  async unitEscalations(unitId: string): Promise<EscalationRow[]> {
    if (!isUuid(unitId)) return [];
    const rows = await this.dataSource.query(`SELECT * FROM escalations WHERE unit_id = $1 ORDER BY fired_at, created_at`, [unitId]);
    return rows.map((r: Record<string, unknown>) => this.escalationRow(r));
  }

  async notifications(escalationKeys: string[]): Promise<NotificationRow[]> {
    if (!escalationKeys.length) return [];
    const rows = await this.dataSource.query(
      `SELECT id, escalation_key, channel, recipient, status, attempts, last_error, created_at, sent_at
       FROM notifications WHERE escalation_key = ANY($1) ORDER BY created_at, channel, recipient`,
      [escalationKeys],
    );
    return rows.map((r: Record<string, unknown>) => ({
      id: r.id as string,
      escalationKey: r.escalation_key as string,
      channel: r.channel as string,
      recipient: r.recipient as string,
      status: r.status as string,
      attempts: r.attempts as number,
      lastError: (r.last_error as string) ?? null,
      createdAt: iso(r.created_at)!,
      sentAt: iso(r.sent_at),
    }));
  }

  async unitMeasures(unitId: string): Promise<MeasureRow[]> {
    if (!isUuid(unitId)) return [];
    const rows = await this.dataSource.query(`SELECT * FROM measures WHERE unit_id = $1 ORDER BY created_at`, [unitId]);
    return rows.map((r: Record<string, unknown>) => ({
      id: r.id as string,
      unitId: r.unit_id as string,
      itemId: (r.item_id as string) ?? null,
      kind: r.kind as string,
      subject: r.subject as string,
      reason: r.reason as string,
      status: r.status as string,
      proposalKey: (r.proposal_key as string) ?? null,
      createdBy: (r.created_by as string) ?? null,
      createdAt: iso(r.created_at)!,
      confirmedBy: (r.confirmed_by as string) ?? null,
      confirmedAt: iso(r.confirmed_at),
    }));
  }

  // ---------- replay jobs ----------

  async createReplayJob(requestedBy: string, request: Record<string, unknown>): Promise<string> {
    const rows = await this.dataSource.query(`INSERT INTO replay_jobs (requested_by, request) VALUES ($1, $2) RETURNING id`, [
      requestedBy,
      JSON.stringify(request),
    ]);
    return rows[0].id;
  }

  async updateReplayJob(
    id: string,
    patch: { total?: number; replayed?: number; failures?: ReplayFailure[]; status?: 'running' | 'done' | 'failed'; error?: string },
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
    const rows = await this.dataSource.query(`SELECT * FROM replay_jobs WHERE id = $1`, [id]);
    const r = rows[0];
    return (
      r && {
        id: r.id,
        requestedBy: r.requested_by,
        request: r.request,
        status: r.status,
        total: r.total,
        replayed: r.replayed,
        failures: r.failures,
        error: r.error ?? null,
        createdAt: iso(r.created_at)!,
        finishedAt: iso(r.finished_at),
      }
    );
  }

  private escalationRow(r: Record<string, unknown>): EscalationRow {
    return {
      id: r.id as string,
      key: r.key as string,
      campaignId: (r.campaign_id as string) ?? null,
      unitId: r.unit_id as string,
      itemId: (r.item_id as string) ?? null,
      groupId: (r.group_id as string) ?? null,
      subject: r.subject as string,
      phase: (r.phase as string) ?? null,
      rung: r.rung as string,
      deadline: iso(r.deadline)!,
      firedAt: iso(r.fired_at)!,
      recipients: r.recipients as string[],
      summary: r.summary as string,
      owner: (r.owner as string) ?? null,
      measure: (r.measure as string) ?? null,
      programmeName: (r.programme_name as string) ?? null,
      goalTitle: (r.goal_title as string) ?? null,
      createdAt: iso(r.created_at)!,
    };
  }
}
