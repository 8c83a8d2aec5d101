import type { DataSource } from 'typeorm';
import type { MeasureKind } from '../../../domain/src';

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
  constructor(private readonly dataSource: DataSource) {}

  async propose(p: MeasureProposal): Promise<boolean> {
    const rows = await this.dataSource.query(
      `INSERT INTO measures (campaign_id, unit_id, item_id, kind, subject, reason, status, proposal_key)
       VALUES ($1, $2, $3, $4, $5, $6, 'proposed', $7)
       ON CONFLICT (proposal_key) DO NOTHING RETURNING id`,
      [p.campaignId, p.unitId, p.itemId, p.kind, p.subject, p.reason, p.proposalKey],
    );
    return rows.length > 0;
  }
}
