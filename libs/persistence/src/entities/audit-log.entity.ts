import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export type AuditOutcome = 'refused' | 'accepted';

/**
 * Append-only log of decisions the workflow history cannot hold (an update refused by its validator leaves no
 * event). The database refuses UPDATE, DELETE and TRUNCATE on it.
 */
@Entity({ name: 'audit_log' })
@Index('ix_audit_log_unit_at', ['unitId', 'at'])
@Index('ix_audit_log_item_at', ['itemId', 'at'])
@Index('ix_audit_log_workflow_at', ['workflowId', 'at'])
export class AuditLogEntity {
  /** bigserial: pg returns it as a string. */
  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  id!: string;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  at!: Date;

  @Column({ name: 'actor_id', type: 'text' })
  actorId!: string;

  @Column({ name: 'actor_role', type: 'text' })
  actorRole!: string;

  /** The call, e.g. `POST /api/units/:id/transitions/:tid/decision` or the update's name. */
  @Column({ type: 'text' })
  call!: string;

  @Column({ name: 'workflow_id', type: 'text', nullable: true })
  workflowId!: string | null;

  /** Text, not uuid: a refusal may name an id that does not exist. */
  @Column({ name: 'unit_id', type: 'text', nullable: true })
  unitId!: string | null;

  @Column({ name: 'item_id', type: 'text', nullable: true })
  itemId!: string | null;

  @Column({ type: 'text' })
  outcome!: AuditOutcome;

  @Column({ type: 'text', nullable: true })
  rule!: string | null;

  @Column({ type: 'text' })
  message!: string;

  @Column({ type: 'jsonb', nullable: true })
  detail!: Record<string, unknown> | null;
}
