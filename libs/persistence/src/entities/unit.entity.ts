import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, Unique } from 'typeorm';
import type { Batch, UnitKind, UnitLevel } from '../../../domain/src';

/** 参加单位 — a unit's enrolment in a campaign, written by the API. Its lifecycle state lives in its workflow. */
@Entity({ name: 'units' })
@Unique('uq_units_campaign_code', ['campaignId', 'code'])
@Index('ix_units_campaign_batch_code', ['campaignId', 'batch', 'code'])
export class UnitEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'campaign_id', type: 'uuid' })
  campaignId!: string;

  /** Byte-ordered (COLLATE "C"): batches are paged by code. */
  @Column({ type: 'text', collation: 'C' })
  code!: string;

  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'text' })
  kind!: UnitKind;

  @Column({ type: 'text' })
  level!: UnitLevel;

  @Column({ type: 'integer' })
  batch!: Batch;

  @Column({ name: 'parent_code', type: 'text', nullable: true })
  parentCode!: string | null;

  @Column({ name: 'group_id', type: 'uuid' })
  groupId!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
