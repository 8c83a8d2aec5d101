import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** `failed`: the job itself could not run, not a divergence. */
export const REPLAY_JOB_STATUSES = ['running', 'done', 'failed'] as const;
export type ReplayJobStatus = (typeof REPLAY_JOB_STATUSES)[number];

export interface ReplayFailureRecord {
  workflowId: string;
  error: string;
  [key: string]: unknown;
}

/** An auditor's replay of a set of histories against the current workflow code, with its progress. */
@Entity({ name: 'replay_jobs' })
export class ReplayJobEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'requested_by', type: 'text' })
  requestedBy!: string;

  @Column({ type: 'jsonb' })
  request!: Record<string, unknown>;

  @Column({ type: 'text', default: 'running' })
  status!: ReplayJobStatus;

  @Column({ type: 'integer', default: 0 })
  total!: number;

  @Column({ type: 'integer', default: 0 })
  replayed!: number;

  @Column({ type: 'jsonb', default: [] })
  failures!: ReplayFailureRecord[];

  /** Why the job itself failed (not a workflow's divergence). */
  @Column({ type: 'text', nullable: true })
  error!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'finished_at', type: 'timestamptz', nullable: true })
  finishedAt!: Date | null;
}
