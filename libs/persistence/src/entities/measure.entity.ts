import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { MeasureKind, MeasureStatus } from '../../../domain/src';

export type { MeasureStatus };

/** A cadre measure (组织措施). Recorded by the office, or proposed by a referral rung and confirmed by the office. */
@Entity({ name: 'measures' })
@Index('ix_measures_unit_created', ['unitId', 'createdAt'])
@Index('ix_measures_campaign_status', ['campaignId', 'status'])
export class MeasureEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'campaign_id', type: 'uuid', nullable: true })
  campaignId!: string | null;

  @Column({ name: 'unit_id', type: 'uuid' })
  unitId!: string;

  @Column({ name: 'item_id', type: 'text', nullable: true })
  itemId!: string | null;

  @Column({ type: 'text' })
  kind!: MeasureKind;

  @Column({ type: 'text' })
  subject!: string;

  @Column({ type: 'text' })
  reason!: string;

  @Column({ type: 'text', default: 'proposed' })
  status!: MeasureStatus;

  /** Set when a ladder proposed it: one proposal per referral, ever. */
  @Column({ name: 'proposal_key', type: 'text', nullable: true, unique: true })
  proposalKey!: string | null;

  @Column({ name: 'created_by', type: 'uuid', nullable: true })
  createdBy!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'confirmed_by', type: 'uuid', nullable: true })
  confirmedBy!: string | null;

  @Column({ name: 'confirmed_at', type: 'timestamptz', nullable: true })
  confirmedAt!: Date | null;
}
