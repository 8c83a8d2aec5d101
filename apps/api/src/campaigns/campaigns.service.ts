import type { MasslineConfig } from '../../../../libs/config/src';
import {
  DomainError,
  campaignWorkflowId,
  notFound,
  ruleViolation,
  type Batch,
  type CampaignCounters,
  type Phase,
  batchOf,
  resolvePlan,
} from '../../../../libs/domain/src';
import { startCampaignWorkflow, startUnitWorkflow } from '../../../../libs/temporal/src';
import { AccessPolicy } from '../auth/access-policy';
import type { Principal } from '../auth/principal';
import { pageOf } from '../common/dto';
import type { CampaignRecord, CampaignsRepository } from '../repositories/campaigns.repository';
import type { ReadModelRepository } from '../repositories/read-model.repository';
import type { NewUnit, UnitsRepository } from '../repositories/units.repository';
import type { WorkflowGateway } from '../workflow/workflow-gateway';
import type { CreateCampaignDto, EnrolUnitDto, UnitListQueryDto } from './campaigns.dto';

type Counts = CampaignCounters & { byBatch: Record<'1' | '2', Record<Phase | 'waiting', number>> };

export class CampaignsService {
  constructor(
    private readonly config: MasslineConfig,
    private readonly campaigns: CampaignsRepository,
    private readonly units: UnitsRepository,
    private readonly readModel: ReadModelRepository,
    private readonly workflows: WorkflowGateway,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async create(by: Principal, dto: CreateCampaignDto) {
    AccessPolicy.office(by, 'create campaigns');
    const startsAt = dto.startsAt ?? this.now().toISOString();
    // resolvePlan completes the plan with DOMAIN.md's defaults and refuses (naming the field) what is invalid.
    const plan = resolvePlan(dto.plan, startsAt);
    const campaign = await this.campaigns.create({ name: dto.name, plan, startsAt: new Date(startsAt), createdBy: by.id });
    return { id: campaign.id, name: campaign.name, status: campaign.status, plan: campaign.plan };
  }

  async get(by: Principal, id: string) {
    AccessPolicy.requireRole(by, ['office', 'unit', 'supervisor', 'auditor'], 'read campaigns');
    AccessPolicy.canReadCampaign(by, id);
    const campaign = await this.mustFind(id);
    // One source for the counters, the same as the dashboard's: the read model.
    const [counts, units, stalled] = await Promise.all([
      this.projectionCounts(campaign.id),
      this.units.countByCampaign(id),
      campaign.status === 'running' ? this.workflows.stalledTask(campaignWorkflowId(id)) : undefined,
    ]);
    return {
      id: campaign.id,
      name: campaign.name,
      // Running in the database, but its workflow cannot take a step: say so rather than "running".
      status: stalled ? ('stalled' as const) : campaign.status,
      ...(stalled ? { stalled } : {}),
      plan: campaign.plan,
      startsAt: campaign.startsAt,
      startedAt: campaign.startedAt,
      public: campaign.public,
      counts: { units, ...counts },
    };
  }

  /**
   * Starts the campaign's workflow once; it opens each batch at its start. A campaign without units cannot start
   * (nothing would run). It is listed on the public pages from then on, unless the office says `public: false`.
   */
  async start(by: Principal, id: string, publish = true) {
    AccessPolicy.office(by, 'start campaigns');
    const campaign = await this.mustFind(id);
    if (campaign.status === 'draft' && (await this.units.countByCampaign(id)) === 0) {
      throw ruleViolation('campaign.no-units', `campaign ${id} has no unit enrolled; enrol units before starting it`);
    }
    if (!(await this.campaigns.markStarted(id, this.now(), publish))) {
      throw ruleViolation('campaign.start-once', `campaign ${id} was already started (status ${campaign.status})`);
    }
    try {
      const outcome = await this.workflows.counted('startCampaign', () =>
        startCampaignWorkflow(this.workflows.client, { campaignId: id, name: campaign.name, plan: campaign.plan }, this.config.temporal.taskQueue),
      );
      return { id, status: 'running' as const, workflowId: outcome.workflowId };
    } catch (err) {
      await this.campaigns.revertStarted(id);
      throw err;
    }
  }

  /** Lists the campaign on the public pages (公示), or takes it off them. A draft is never listed, published or not. */
  async setPublic(by: Principal, id: string, value: boolean) {
    AccessPolicy.office(by, 'publish campaigns');
    await this.mustFind(id);
    await this.campaigns.setPublic(id, value);
    return { id, public: value };
  }

  async createGroup(by: Principal, campaignId: string, name: string) {
    AccessPolicy.office(by, 'form supervisory groups');
    await this.mustFind(campaignId);
    const group = await this.campaigns.createGroup(campaignId, name);
    if (!group) throw new DomainError('CONFLICT', `campaign ${campaignId} already has a group named "${name}"`, { field: 'name', rule: 'group.name-taken', params: { name } });
    return group;
  }

  async listGroups(by: Principal, campaignId: string) {
    AccessPolicy.requireRole(by, ['office', 'supervisor', 'auditor'], 'list supervisory groups');
    AccessPolicy.canReadCampaign(by, campaignId);
    await this.mustFind(campaignId);
    const groups = await this.campaigns.listGroups(campaignId);
    const visible = by.role === 'supervisor' ? groups.filter((g) => g.id === by.groupId) : groups;
    return { items: visible, total: visible.length };
  }

  /**
   * Enrols up to 10,000 units in one call, idempotent by code. A unit that cannot be enrolled (group of
   * another campaign, duplicate code in the request, batch not in the plan) is reported, the others go in.
   */
  async enrol(by: Principal, campaignId: string, input: EnrolUnitDto[]) {
    AccessPolicy.office(by, 'enrol units');
    const campaign = await this.mustFind(campaignId);
    const groups = new Set((await this.campaigns.listGroups(campaignId)).map((g) => g.id));
    const batches = new Set(campaign.plan.batches.map((b) => b.batch));
    const codes = new Set(input.map((u) => u.code));
    const existingParents = await this.units.idsByCode(
      campaignId,
      [...new Set(input.map((u) => u.parentCode).filter((c): c is string => !!c && !codes.has(c)))],
    );

    const results: Array<{ code: string; id?: string; status: 'created' | 'exists' | 'error'; error?: string; rule?: string; params?: Record<string, string | number> }> = [];
    const firstAt = new Map<string, number>();
    const toInsert: NewUnit[] = [];
    input.forEach((u, i) => {
      // Each refusal names its rule and values, for the wording in either language (the message is for logs).
      const error = (message: string, rule: string, params: Record<string, string | number> = {}) =>
        results.push({ code: u.code, status: 'error', error: `units[${i}]: ${message}`, rule, params });
      if (firstAt.has(u.code)) return error(`code ${u.code} also given at units[${firstAt.get(u.code)}]`, 'enrol.code-twice', { line: firstAt.get(u.code)! });
      firstAt.set(u.code, i);
      const groupId = u.groupId.toLowerCase();
      if (!groups.has(groupId)) return error(`groupId ${u.groupId} is not a supervisory group of campaign ${campaignId}`, 'enrol.group-unknown');
      const batch: Batch = batchOf(u.kind, u.level, u.batch);
      if (!batches.has(batch)) return error(`batch ${batch} is not in the campaign's plan`, 'enrol.batch-unplanned', { batch });
      if (u.parentCode && !codes.has(u.parentCode) && !existingParents.has(u.parentCode)) {
        return error(`parentCode ${u.parentCode} is not enrolled in this campaign`, 'enrol.parent-unknown', { parentCode: u.parentCode });
      }
      if (u.parentCode === u.code) return error('a unit cannot be its own parent', 'enrol.own-parent');
      results.push({ code: u.code, status: 'created' });
      toInsert.push({ code: u.code, name: u.name, kind: u.kind, level: u.level, batch, parentCode: u.parentCode ?? null, groupId });
    });

    const created = await this.units.insertMany(campaignId, toInsert);
    const already = await this.units.idsByCode(
      campaignId,
      toInsert.filter((u) => !created.has(u.code)).map((u) => u.code),
    );
    for (const r of results) {
      if (r.status !== 'created') continue;
      const id = created.get(r.code);
      if (id) r.id = id;
      else {
        r.status = 'exists';
        r.id = already.get(r.code);
      }
    }
    await this.startLateUnits(campaign, toInsert.filter((u) => created.has(u.code)).map((u) => ({ ...u, id: created.get(u.code)! })));
    return { results };
  }

  async listUnits(by: Principal, campaignId: string, q: UnitListQueryDto) {
    AccessPolicy.requireRole(by, ['office', 'supervisor', 'auditor'], 'list units');
    AccessPolicy.canReadCampaign(by, campaignId);
    await this.mustFind(campaignId);
    let groupId = q.groupId?.toLowerCase();
    if (groupId) {
      // A filter naming a group the caller cannot see, or not of this campaign, names an unknown group.
      const group = await this.campaigns.findGroup(groupId);
      if (!group || group.campaignId !== campaignId) throw notFound('group', groupId);
      AccessPolicy.canReadGroup(by, group);
    }
    groupId ??= AccessPolicy.groupFilter(by);
    return this.units.list({
      campaignId,
      batch: q.batch,
      phase: q.phase,
      card: q.card,
      groupId,
      q: q.q?.trim() || undefined,
      sort: q.sort ?? 'code',
      order: q.order ?? 'asc',
      ...pageOf(q),
    });
  }

  async dashboard(by: Principal, campaignId: string) {
    AccessPolicy.requireRole(by, ['office', 'auditor'], 'read the dashboard');
    await this.mustFind(campaignId);
    return this.projectionCounts(campaignId);
  }

  /** Running campaigns whose workflow task keeps failing (for the metric), at most `limit` looked at. */
  async stalledCampaigns(limit = 200): Promise<number> {
    const running = await this.campaigns.runningIds(limit);
    const stalled = await Promise.all(running.map((id) => this.workflows.stalledTask(campaignWorkflowId(id)).catch(() => undefined)));
    return stalled.filter(Boolean).length;
  }

  // ---------- helpers ----------

  private async mustFind(id: string): Promise<CampaignRecord> {
    const c = await this.campaigns.findById(id);
    if (!c) throw notFound('campaign', id);
    return c;
  }

  private async projectionCounts(campaignId: string): Promise<Counts> {
    const zero = () => ({ P1: 0, P2: 0, P3: 0, DONE: 0, waiting: 0 });
    const byBatch = { '1': zero(), '2': zero() };
    const cards = { yellow: 0, red: 0 };
    for (const row of await this.units.phaseCounts(campaignId)) {
      byBatch[String(row.batch) as '1' | '2'][row.phase] += row.n;
      if (row.card === 'yellow' || row.card === 'red') cards[row.card] += row.n;
    }
    const [referrals, overdueItems] = await Promise.all([
      this.readModel.referrals(campaignId),
      this.readModel.overdueItems(campaignId, this.now()),
    ]);
    return { byBatch, cards, referrals, overdueItems };
  }

  /**
   * Units enrolled after their batch opened are started here (the campaign started the others). A batch has
   * opened once its start has passed: the plan says when, whether or not the campaign's start has reached it.
   */
  private async startLateUnits(campaign: CampaignRecord, units: Array<NewUnit & { id: string }>) {
    if (campaign.status !== 'running' || !units.length) return;
    const now = this.now().getTime();
    const opened = new Set(campaign.plan.batches.filter((b) => Date.parse(b.startsAt) <= now).map((b) => b.batch));
    const late = units.filter((u) => opened.has(u.batch));
    for (let i = 0; i < late.length; i += 20) {
      await Promise.all(
        late.slice(i, i + 20).map((u) =>
          this.workflows.counted('startUnit', () =>
            startUnitWorkflow(
              this.workflows.client,
              { campaignId: campaign.id, unitId: u.id, code: u.code, name: u.name, batch: u.batch, groupId: u.groupId, plan: campaign.plan },
              this.config.temporal.taskQueue,
            ),
          ),
        ),
      );
    }
  }
}
