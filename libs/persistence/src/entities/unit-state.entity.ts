import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { Batch, Card, Phase, UnitView } from '../../../domain/src';

/**
 * The read model of a unit, written only by the projectUnit activity from the workflow's state.
 * Lists and the dashboard read it; `GET /api/units/:id` reads the workflow itself.
 */
@Entity({ name: 'unit_states' })
@Index('ix_unit_states_campaign_batch_phase', ['campaignId', 'batch', 'phase'])
@Index('ix_unit_states_campaign_card', ['campaignId', 'card'])
@Index('ix_unit_states_campaign_group', ['campaignId', 'groupId'])
export class UnitStateEntity {
  @PrimaryColumn({ name: 'unit_id', type: 'uuid' })
  unitId!: string;

  @Column({ name: 'campaign_id', type: 'uuid' })
  campaignId!: string;

  @Column({ type: 'text' })
  code!: string;

  @Column({ type: 'integer' })
  batch!: Batch;

  @Column({ name: 'group_id', type: 'uuid' })
  groupId!: string;

  @Column({ type: 'text' })
  phase!: Phase;

  @Column({ type: 'text' })
  status!: UnitView['status'];

  @Column({ type: 'text' })
  card!: Card;

  @Column({ name: 'window_starts_at', type: 'timestamptz', nullable: true })
  windowStartsAt!: Date | null;

  @Column({ name: 'window_ends_at', type: 'timestamptz', nullable: true })
  windowEndsAt!: Date | null;

  @Column({ name: 'unmet_gates', type: 'jsonb', default: [] })
  unmetGates!: string[];

  /** The whole UnitView as the workflow answered it. */
  @Column({ type: 'jsonb' })
  view!: UnitView;

  /** UnitView.version; a projection only overwrites an older one. */
  @Column({ type: 'integer' })
  version!: number;

  @Column({ name: 'projected_at', type: 'timestamptz', default: () => 'now()' })
  projectedAt!: Date;
}
