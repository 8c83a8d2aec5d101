import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { ProgrammeTrack } from '../../../domain/src';

export interface ProgrammeGoalRecord {
  id: string;
  title: string;
  dueAt: string;
}

/** A city-wide programme: one of the four governance tracks or the nine actions. Its goals run in its workflow. */
@Entity({ name: 'programmes' })
export class ProgrammeEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'text' })
  track!: ProgrammeTrack;

  @Column({ name: 'lead_leader', type: 'text' })
  leadLeader!: string;

  @Column({ name: 'lead_unit_id', type: 'uuid' })
  leadUnitId!: string;

  @Column({ name: 'responsible_unit_ids', type: 'jsonb', default: [] })
  responsibleUnitIds!: string[];

  @Column({ type: 'jsonb', default: [] })
  goals!: ProgrammeGoalRecord[];

  @Column({ name: 'created_by', type: 'uuid' })
  createdBy!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
