import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { CampaignStatus, Plan } from '../../../domain/src';

export type { CampaignStatus };

@Entity({ name: 'campaigns' })
export class CampaignEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'text' })
  name!: string;

  /** The fully resolved plan (every part present). */
  @Column({ type: 'jsonb' })
  plan!: Plan;

  @Column({ type: 'text', default: 'draft' })
  status!: CampaignStatus;

  @Column({ name: 'starts_at', type: 'timestamptz' })
  startsAt!: Date;

  @Column({ name: 'created_by', type: 'uuid' })
  createdBy!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'started_at', type: 'timestamptz', nullable: true })
  startedAt!: Date | null;

  /** Listed on the public pages (公示). Off until the office publishes it (by default when it starts it). */
  @Column({ type: 'boolean', default: false })
  public!: boolean;

  /** The plan version each batch runs on ({"2": 3}); a batch not named runs on version 1 (the plan above). */
  @Column({ name: 'batch_plan_versions', type: 'jsonb', default: {} })
  batchPlanVersions!: Record<string, number>;
}
