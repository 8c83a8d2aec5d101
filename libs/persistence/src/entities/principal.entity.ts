import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { Role } from '../../../domain/src';

/** Someone who holds a bearer token. Only the token's sha256 is stored (API.md: tokens are stored hashed). */
@Entity({ name: 'principals' })
export class PrincipalEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'text' })
  role!: Role;

  /** Scope of a `unit` principal. */
  @Column({ name: 'unit_id', type: 'uuid', nullable: true })
  unitId!: string | null;

  /** Scope of a `supervisor` principal. */
  @Column({ name: 'group_id', type: 'uuid', nullable: true })
  groupId!: string | null;

  /** sha256 hex of the bearer token. */
  @Column({ name: 'token_hash', type: 'text', unique: true })
  tokenHash!: string;

  @Column({ name: 'created_by', type: 'uuid', nullable: true })
  createdBy!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
