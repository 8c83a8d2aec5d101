import type { DataSource } from 'typeorm';

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

/** audit_log is append-only (the database refuses UPDATE and DELETE): only inserts here. */
export class AuditLogRepository {
  constructor(private readonly dataSource: DataSource) {}

  async appendRefusal(r: RefusalRecord): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO audit_log (actor_id, actor_role, call, workflow_id, unit_id, item_id, outcome, rule, message, detail)
       VALUES ($1, $2, $3, $4, $5, $6, 'refused', $7, $8, $9)`,
      [r.actorId, r.actorRole, r.call, r.workflowId, r.unitId ?? null, r.itemId ?? null, r.rule ?? null, r.message, r.detail ? JSON.stringify(r.detail) : null],
    );
  }
}
