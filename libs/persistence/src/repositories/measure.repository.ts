// Cadre measures (组织措施), the home of table measures: proposed by a referral rung (the activities) or recorded
// by the office, and confirmed by the office.
import type { DataSource, Repository } from 'typeorm';
import type { MeasureKind, MeasureProposer } from '../../../domain/src';
import { MeasureEntity, type MeasureStatus } from '../entities';

export interface MeasureRecord {
  id: string;
  campaignId: string | null;
  unitId: string;
  itemId: string | null;
  kind: MeasureKind;
  subject: string;
  reason: string;
  status: MeasureStatus;
  proposedBy: MeasureProposer;
  createdBy: string | null;
  createdAt: string;
  confirmedBy: string | null;
  confirmedAt: string | null;
}

const toRecord = (e: MeasureEntity): MeasureRecord => ({
  id: e.id,
  campaignId: e.campaignId,
  unitId: e.unitId,
  itemId: e.itemId,
  kind: e.kind,
  subject: e.subject,
  reason: e.reason,
  status: e.status,
  proposedBy: e.proposalKey ? 'ladder' : 'office',
  createdBy: e.createdBy,
  createdAt: e.createdAt.toISOString(),
  confirmedBy: e.confirmedBy,
  confirmedAt: e.confirmedAt ? e.confirmedAt.toISOString() : null,
});

export interface MeasureProposal {
  proposalKey: string;
  campaignId: string | null;
  unitId: string;
  itemId: string | null;
  kind: MeasureKind;
  subject: string;
  reason: string;
}

export interface MeasureRepository {
  /** Records a proposed measure once per proposal key. true if recorded now. */
  propose(proposal: MeasureProposal): Promise<boolean>;
}

export class PgMeasureRepository implements MeasureRepository {
  private readonly repo: Repository<MeasureEntity>;
  constructor(private readonly dataSource: DataSource) {
    this.repo = dataSource.getRepository(MeasureEntity);
  }

  async propose(p: MeasureProposal): Promise<boolean> {
    const rows = await this.dataSource.query<unknown[]>(
      `INSERT INTO measures (campaign_id, unit_id, item_id, kind, subject, reason, status, proposal_key)
       VALUES ($1, $2, $3, $4, $5, $6, 'proposed', $7)
       ON CONFLICT (proposal_key) DO NOTHING RETURNING id`,
      [p.campaignId, p.unitId, p.itemId, p.kind, p.subject, p.reason, p.proposalKey],
    );
    return rows.length > 0;
  }

  /** A measure the office records itself is confirmed when recorded. */
  async record(m: { campaignId: string; unitId: string; kind: MeasureKind; subject: string; reason: string; by: string; at: Date }) {
    const saved = await this.repo.save(
      this.repo.create({
        campaignId: m.campaignId,
        unitId: m.unitId,
        itemId: null,
        kind: m.kind,
        subject: m.subject,
        reason: m.reason,
        status: 'confirmed',
        proposalKey: null,
        createdBy: m.by,
        confirmedBy: m.by,
        confirmedAt: m.at,
      }),
    );
    return toRecord(saved);
  }

  async findById(id: string): Promise<MeasureRecord | undefined> {
    const e = await this.repo.findOne({ where: { id } });
    return e ? toRecord(e) : undefined;
  }

  /** proposed → confirmed, once; false when it was no longer proposed. */
  async confirm(id: string, by: string, at: Date): Promise<boolean> {
    const r = await this.repo
      .createQueryBuilder()
      .update()
      .set({ status: 'confirmed', confirmedBy: by, confirmedAt: at })
      .where('id = :id AND status = :proposed', { id, proposed: 'proposed' })
      .execute();
    return (r.affected ?? 0) > 0;
  }

  async listByUnit(unitId: string, offset: number, limit: number): Promise<{ items: MeasureRecord[]; total: number }> {
    const [rows, total] = await this.repo.findAndCount({
      where: { unitId },
      order: { createdAt: 'ASC', id: 'ASC' },
      skip: offset,
      take: limit,
    });
    return { items: rows.map(toRecord), total };
  }
}
