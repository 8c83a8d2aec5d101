import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, Unique } from 'typeorm';

/** 督导组 — a supervisory group of one campaign. */
@Entity({ name: 'supervisory_groups' })
@Unique('uq_supervisory_groups_campaign_name', ['campaignId', 'name'])
export class SupervisoryGroupEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'campaign_id', type: 'uuid' })
  campaignId!: string;

  @Column({ type: 'text' })
  name!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
