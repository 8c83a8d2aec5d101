import type { DataSource, Repository } from 'typeorm';
import { ProgrammeEntity, type ProgrammeGoalRecord } from '../entities';
import type { ProgrammeTrack } from '../../../domain/src';

export interface ProgrammeRecord {
  id: string;
  name: string;
  track: ProgrammeTrack;
  leadLeader: string;
  leadUnitId: string;
  responsibleUnitIds: string[];
  goals: ProgrammeGoalRecord[];
  createdAt: string;
}

const toRecord = (e: ProgrammeEntity): ProgrammeRecord => ({
  id: e.id,
  name: e.name,
  track: e.track,
  leadLeader: e.leadLeader,
  leadUnitId: e.leadUnitId,
  responsibleUnitIds: e.responsibleUnitIds,
  goals: e.goals,
  createdAt: e.createdAt.toISOString(),
});

export class ProgrammesRepository {
  private readonly repo: Repository<ProgrammeEntity>;
  constructor(private readonly dataSource: DataSource) {
    this.repo = dataSource.getRepository(ProgrammeEntity);
  }

  /** Goal ids embed the programme id, so they are known before the row is written. */
  async create(
    p: Omit<ProgrammeRecord, 'id' | 'createdAt' | 'goals'> & { goals: Array<{ title: string; dueAt: string }>; createdBy: string },
  ): Promise<ProgrammeRecord> {
    const [{ id }] = await this.dataSource.query('SELECT gen_random_uuid() AS id');
    const goals = p.goals.map((g, i) => ({ id: `${id}.goal-${i + 1}`, title: g.title, dueAt: g.dueAt }));
    const saved = await this.repo.save(
      this.repo.create({
        id,
        name: p.name,
        track: p.track,
        leadLeader: p.leadLeader,
        leadUnitId: p.leadUnitId,
        responsibleUnitIds: p.responsibleUnitIds,
        goals,
        createdBy: p.createdBy,
      }),
    );
    return toRecord(saved);
  }

  async remove(id: string): Promise<void> {
    await this.repo.delete({ id });
  }

  async findById(id: string): Promise<ProgrammeRecord | undefined> {
    const e = await this.repo.findOne({ where: { id } });
    return e ? toRecord(e) : undefined;
  }

  async list(offset: number, limit: number): Promise<{ items: ProgrammeRecord[]; total: number }> {
    const [rows, total] = await this.repo.findAndCount({ order: { createdAt: 'ASC', id: 'ASC' }, skip: offset, take: limit });
    return { items: rows.map(toRecord), total };
  }
}
