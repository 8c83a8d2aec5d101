import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';

/** A creating call's first response, replayed for a repeat with the same Idempotency-Key and body. */
@Entity({ name: 'idempotency_keys' })
@Index('ix_idempotency_keys_created', ['createdAt'])
export class IdempotencyKeyEntity {
  /** Principal id, or the client address on public endpoints. */
  @PrimaryColumn({ type: 'text' })
  scope!: string;

  @PrimaryColumn({ type: 'text' })
  key!: string;

  @Column({ type: 'text' })
  method!: string;

  @Column({ type: 'text' })
  path!: string;

  /** sha256 hex of the canonical request body. */
  @Column({ name: 'body_hash', type: 'text' })
  bodyHash!: string;

  @Column({ name: 'status_code', type: 'integer' })
  statusCode!: number;

  @Column({ type: 'jsonb', nullable: true })
  response!: unknown;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
