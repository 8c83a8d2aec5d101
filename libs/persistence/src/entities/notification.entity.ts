import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, Unique } from 'typeorm';

export type NotificationChannel = 'outbox' | 'webhook';
export type NotificationStatus = 'queued' | 'sent' | 'failed';

/** The recorded outbox: one row per escalation, channel and recipient, queued with the escalation itself. */
@Entity({ name: 'notifications' })
@Unique('uq_notifications_key_channel_recipient', ['escalationKey', 'channel', 'recipient'])
@Index('ix_notifications_status_created', ['status', 'createdAt'])
export class NotificationEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'escalation_key', type: 'text' })
  escalationKey!: string;

  @Column({ type: 'text' })
  channel!: NotificationChannel;

  @Column({ type: 'text' })
  recipient!: string;

  @Column({ type: 'jsonb' })
  payload!: Record<string, unknown>;

  @Column({ type: 'text', default: 'queued' })
  status!: NotificationStatus;

  @Column({ type: 'integer', default: 0 })
  attempts!: number;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'sent_at', type: 'timestamptz', nullable: true })
  sentAt!: Date | null;
}
