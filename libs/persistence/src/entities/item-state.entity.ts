import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { Card, ItemStatus, ItemView } from '../../../domain/src';

/** The read model of a rectification item (整改事项), written only by the projectItem activity. */
@Entity({ name: 'item_states' })
@Index('ix_item_states_campaign_status', ['campaignId', 'status'])
@Index('ix_item_states_unit', ['unitId'])
@Index('ix_item_states_campaign_deadline', ['campaignId', 'deadline'])
export class ItemStateEntity {
  /** `${unitId}.item-${seq}` (libs/domain ids.ts). */
  @PrimaryColumn({ name: 'item_id', type: 'text' })
  itemId!: string;

  @Column({ name: 'unit_id', type: 'uuid' })
  unitId!: string;

  @Column({ name: 'campaign_id', type: 'uuid' })
  campaignId!: string;

  @Column({ name: 'group_id', type: 'uuid' })
  groupId!: string;

  @Column({ type: 'text' })
  status!: ItemStatus;

  @Column({ type: 'text' })
  card!: Card;

  @Column({ type: 'timestamptz' })
  deadline!: Date;

  @Column({ type: 'text' })
  measure!: string;

  @Column({ type: 'text' })
  owner!: string;

  @Column({ type: 'jsonb' })
  view!: ItemView;

  @Column({ type: 'integer' })
  version!: number;

  @Column({ name: 'projected_at', type: 'timestamptz', default: () => 'now()' })
  projectedAt!: Date;
}
