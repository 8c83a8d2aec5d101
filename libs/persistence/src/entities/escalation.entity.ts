import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { EscalationSubject, Phase, Rung } from '../../../domain/src';

export type { EscalationSubject };

/** One fired rung of a ladder. `key` makes it exactly once per item, deadline and rung (or unit, phase and rung). */
@Entity({ name: 'escalations' })
@Index('ix_escalations_campaign_rung_fired', ['campaignId', 'rung', 'firedAt'])
@Index('ix_escalations_group_fired', ['groupId', 'firedAt'])
@Index('ix_escalations_unit_fired', ['unitId', 'firedAt'])
export class EscalationEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'text', unique: true })
  key!: string;

  /** Null for a programme goal (city-wide, no campaign). */
  @Column({ name: 'campaign_id', type: 'uuid', nullable: true })
  campaignId!: string | null;

  @Column({ name: 'unit_id', type: 'uuid' })
  unitId!: string;

  @Column({ name: 'item_id', type: 'text', nullable: true })
  itemId!: string | null;

  /** Null for a programme goal (no supervisory group). */
  @Column({ name: 'group_id', type: 'uuid', nullable: true })
  groupId!: string | null;

  @Column({ type: 'text' })
  subject!: EscalationSubject;

  @Column({ type: 'text', nullable: true })
  phase!: Phase | null;

  @Column({ type: 'text' })
  rung!: Rung;

  @Column({ type: 'timestamptz' })
  deadline!: Date;

  @Column({ name: 'fired_at', type: 'timestamptz' })
  firedAt!: Date;

  /** `responsible-person:<owner>`, `unit-head:<unitId>`, `group:<groupId>`, `office`, `discipline-inspection`. */
  @Column({ type: 'jsonb' })
  recipients!: string[];

  @Column({ type: 'text' })
  summary!: string;

  /** The unit's code and name, an item's owner and measure, a programme's name and goal, when the rung fired. */
  @Column({ name: 'unit_code', type: 'text', nullable: true })
  unitCode!: string | null;

  @Column({ name: 'unit_name', type: 'text', nullable: true })
  unitName!: string | null;

  @Column({ type: 'text', nullable: true })
  owner!: string | null;

  @Column({ type: 'text', nullable: true })
  measure!: string | null;

  @Column({ name: 'programme_name', type: 'text', nullable: true })
  programmeName!: string | null;

  @Column({ name: 'goal_title', type: 'text', nullable: true })
  goalTitle!: string | null;

  /** The plan version whose ladder computed the rung (null: recorded before plan versions existed). */
  @Column({ name: 'plan_version', type: 'integer', nullable: true })
  planVersion!: number | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
