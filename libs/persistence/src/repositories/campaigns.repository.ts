import type { DataSource, Repository } from 'typeorm';
import { CampaignEntity, SupervisoryGroupEntity, type CampaignStatus } from '../entities';
import type { Plan } from '../../../domain/src';

export interface CampaignRecord {
  id: string;
  name: string;
  plan: Plan;
  status: CampaignStatus;
  startsAt: string;
  createdAt: string;
  startedAt: string | null;
  /** Listed on the public pages. */
  public: boolean;
}

const toRecord = (e: CampaignEntity): CampaignRecord => ({
  id: e.id,
  name: e.name,
  plan: e.plan,
  status: e.status,
  startsAt: e.startsAt.toISOString(),
  createdAt: e.createdAt.toISOString(),
  startedAt: e.startedAt ? e.startedAt.toISOString() : null,
  public: e.public,
});

export interface GroupRecord {
  id: string;
  campaignId: string;
  name: string;
}

export class CampaignsRepository {
  private readonly campaigns: Repository<CampaignEntity>;
  private readonly groups: Repository<SupervisoryGroupEntity>;
  constructor(private readonly dataSource: DataSource) {
    this.campaigns = dataSource.getRepository(CampaignEntity);
    this.groups = dataSource.getRepository(SupervisoryGroupEntity);
  }

  async create(c: { name: string; plan: Plan; startsAt: Date; createdBy: string }): Promise<CampaignRecord> {
    return toRecord(await this.campaigns.save(this.campaigns.create({ ...c, status: 'draft' })));
  }

  async findById(id: string): Promise<CampaignRecord | undefined> {
    const e = await this.campaigns.findOne({ where: { id } });
    return e ? toRecord(e) : undefined;
  }

  /** Listed on the public pages, or not. */
  async setPublic(id: string, value: boolean): Promise<void> {
    await this.campaigns.update({ id }, { public: value });
  }

  /** draft → running, once (published or not): returns false when the campaign was already started. */
  async markStarted(id: string, at: Date, publish = true): Promise<boolean> {
    const result = await this.campaigns
      .createQueryBuilder()
      .update()
      .set({ status: 'running', startedAt: at, public: publish })
      .where('id = :id AND status = :draft', { id, draft: 'draft' })
      .execute();
    return (result.affected ?? 0) > 0;
  }

  /** Undo markStarted when the workflow could not be started, so the office can try again. */
  async revertStarted(id: string): Promise<void> {
    await this.campaigns.update({ id, status: 'running' }, { status: 'draft', startedAt: null, public: false });
  }

  /** Creates a group; undefined when the campaign already has a group of that name. */
  async createGroup(campaignId: string, name: string): Promise<GroupRecord | undefined> {
    const rows: Array<{ id: string }> = await this.dataSource.query(
      `INSERT INTO supervisory_groups (campaign_id, name) VALUES ($1, $2)
       ON CONFLICT ON CONSTRAINT uq_supervisory_groups_campaign_name DO NOTHING RETURNING id`,
      [campaignId, name],
    );
    return rows[0] ? { id: rows[0].id, campaignId, name } : undefined;
  }

  async findGroup(id: string): Promise<GroupRecord | undefined> {
    const e = await this.groups.findOne({ where: { id } });
    return e ? { id: e.id, campaignId: e.campaignId, name: e.name } : undefined;
  }

  async listGroups(campaignId: string): Promise<GroupRecord[]> {
    const rows = await this.groups.find({ where: { campaignId }, order: { createdAt: 'ASC', name: 'ASC' } });
    return rows.map((e) => ({ id: e.id, campaignId: e.campaignId, name: e.name }));
  }
}
