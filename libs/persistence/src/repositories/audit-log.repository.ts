// The audit log (audit_log), append-only (the database refuses UPDATE and DELETE): the decisions refused, with
// who, which call and which rule, and the resets of workflow runs. Its only home: every insert and read is here.
import type { DataSource } from 'typeorm';

/** A refused decision, as the API records it. */
export interface RefusalRecord {
  actorId: string;
  actorRole: string;
  call: string;
  workflowId: string;
  unitId?: string;
  itemId?: string;
  rule?: string;
  message: string;
  detail?: Record<string, unknown>;
}

/** A refused decision as read back (the timelines merge them in). */
export interface RefusalRow {
  id: string;
  at: Date | string;
  actorId: string;
  actorRole: string;
  call: string;
  workflowId: string | null;
  unitId: string | null;
  itemId: string | null;
  rule: string | null;
  message: string;
  detail: Record<string, unknown> | null;
}

export class AuditLogRepository {
  constructor(private readonly dataSource: DataSource) {}

  async appendRefusal(r: RefusalRecord): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO audit_log (actor_id, actor_role, call, workflow_id, unit_id, item_id, outcome, rule, message, detail)
       VALUES ($1, $2, $3, $4, $5, $6, 'refused', $7, $8, $9)`,
      [
        r.actorId,
        r.actorRole,
        r.call,
        r.workflowId,
        r.unitId ?? null,
        r.itemId ?? null,
        r.rule ?? null,
        r.message,
        r.detail ? JSON.stringify(r.detail) : null,
      ],
    );
  }

  /** Refused decisions about a unit, or one of its items, oldest first. */
  async refusals(filter: { unitId?: string; itemId?: string; workflowIds?: string[] }): Promise<RefusalRow[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.unitId) {
      params.push(filter.unitId);
      where.push(`unit_id = $${params.length}`);
    }
    if (filter.itemId) {
      params.push(filter.itemId);
      where.push(`item_id = $${params.length}`);
    }
    if (filter.workflowIds?.length) {
      params.push(filter.workflowIds);
      where.push(`workflow_id = ANY($${params.length})`);
    }
    if (!where.length) return [];
    const rows = await this.dataSource.query(
      `SELECT id, at, actor_id, actor_role, call, workflow_id, unit_id, item_id, rule, message, detail
       FROM audit_log WHERE outcome = 'refused' AND (${where.join(' OR ')}) ORDER BY at, id`,
      params,
    );
    return rows.map((r: Record<string, unknown>) => ({
      id: String(r.id),
      at: new Date(r.at as string).toISOString(),
      actorId: r.actor_id as string,
      actorRole: r.actor_role as string,
      call: r.call as string,
      workflowId: (r.workflow_id as string) ?? null,
      unitId: (r.unit_id as string) ?? null,
      itemId: (r.item_id as string) ?? null,
      rule: (r.rule as string) ?? null,
      message: r.message as string,
      detail: (r.detail as Record<string, unknown>) ?? null,
    }));
  }
}

// ---------- resets of workflow runs ----------

/** The audit log's call for a reset (by an operator, or formerly by the automatic recovery). */
export const RESET_CALL = 'workflow reset';
/** Who resets: a person with `massline audit reset`, or — before it was removed — the worker's automatic recovery. */
export const RESET_ROLES = ['operator', 'automatic recovery'] as const;
export type ResetRole = (typeof RESET_ROLES)[number];

/** A reset as the audit log records it: who, what, when and why. */
export interface WorkflowReset {
  /** The audit log row. */
  id: string;
  at: string;
  by: string;
  role: ResetRole;
  workflowId: string;
  /** The run reset (terminated by the reset). */
  runId: string;
  /** The run the reset made. */
  newRunId?: string;
  /** The WorkflowTaskCompleted event reset to. */
  eventId?: number;
  reason: string;
  /** The request id the engine took the reset with (derived from the run and the event). */
  requestId?: string;
  /** Anything else recorded with it: the diagnosis, what was discarded and reapplied. */
  detail: Record<string, unknown>;
}

export interface NewWorkflowReset {
  by: string;
  workflowId: string;
  unitId?: string;
  itemId?: string;
  runId: string;
  newRunId: string;
  eventId: number;
  reason: string;
  requestId: string;
  detail?: Record<string, unknown>;
}

export interface WorkflowResetRepository {
  /** Records an operator's reset once per request id: `false` when that reset was recorded already. */
  record(reset: NewWorkflowReset): Promise<boolean>;
  byRequestId(requestId: string): Promise<WorkflowReset | undefined>;
  /** Newest first, a page at a time; `workflowId` keeps one workflow's. */
  list(offset: number, limit: number, workflowId?: string): Promise<{ items: WorkflowReset[]; total: number }>;
}

const num = (v: unknown): number | undefined => (v === null || v === undefined || v === '' ? undefined : Number(v));

function toReset(r: Record<string, unknown>): WorkflowReset {
  const detail = { ...((r.detail as Record<string, unknown>) ?? {}) };
  const take = (k: string) => {
    const v = detail[k];
    delete detail[k];
    return v;
  };
  const runId = take('runId') as string;
  const newRunId = take('newRunId') as string | undefined;
  const eventId = num(take('eventId'));
  const requestId = take('requestId') as string | undefined;
  return {
    id: String(r.id),
    at: new Date(r.at as string).toISOString(),
    by: r.actor_id as string,
    role: r.actor_role as ResetRole,
    workflowId: r.workflow_id as string,
    runId,
    ...(newRunId ? { newRunId } : {}),
    ...(eventId !== undefined ? { eventId } : {}),
    reason: r.message as string,
    ...(requestId ? { requestId } : {}),
    detail,
  };
}

/** audit_log is append-only: resets are inserted, never changed. */
export class PgWorkflowResetRepository implements WorkflowResetRepository {
  constructor(private readonly dataSource: DataSource) {}

  async record(reset: NewWorkflowReset): Promise<boolean> {
    const detail = {
      ...(reset.detail ?? {}),
      runId: reset.runId,
      newRunId: reset.newRunId,
      eventId: reset.eventId,
      requestId: reset.requestId,
    };
    const rows: unknown[] = await this.dataSource.query(
      `INSERT INTO audit_log (actor_id, actor_role, call, workflow_id, unit_id, item_id, outcome, message, detail)
       VALUES ($1, 'operator', $2, $3, $4, $5, 'accepted', $6, $7)
       ON CONFLICT ((detail->>'requestId')) WHERE call = '${RESET_CALL}' DO NOTHING
       RETURNING id`,
      [reset.by, RESET_CALL, reset.workflowId, reset.unitId ?? null, reset.itemId ?? null, reset.reason, JSON.stringify(detail)],
    );
    return rows.length === 1;
  }

  async byRequestId(requestId: string): Promise<WorkflowReset | undefined> {
    const rows: Array<Record<string, unknown>> = await this.dataSource.query(
      `SELECT * FROM audit_log WHERE call = $1 AND detail->>'requestId' = $2`,
      [RESET_CALL, requestId],
    );
    return rows[0] && toReset(rows[0]);
  }

  async list(offset: number, limit: number, workflowId?: string): Promise<{ items: WorkflowReset[]; total: number }> {
    const filter = workflowId ? [RESET_CALL, workflowId] : [RESET_CALL];
    const where = workflowId ? 'call = $1 AND workflow_id = $2' : 'call = $1';
    const rows: Array<Record<string, unknown>> = await this.dataSource.query(
      `SELECT *, count(*) OVER () AS total FROM audit_log WHERE ${where} ORDER BY at DESC, id DESC LIMIT $${filter.length + 1} OFFSET $${filter.length + 2}`,
      [...filter, Math.max(1, Math.min(limit, 1000)), Math.max(0, offset)],
    );
    const total = rows.length
      ? Number(rows[0].total)
      : Number((await this.dataSource.query(`SELECT count(*) AS n FROM audit_log WHERE ${where}`, filter))[0].n);
    return { items: rows.map(toReset), total };
  }
}
