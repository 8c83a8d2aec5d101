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
  reachFilter,
  requireAccess,
  resolvePlan,
  type BatchKey,
} from '../../../../libs/domain/src';
import { startCampaignWorkflow, startUnitWorkflow } from '../../../../libs/temporal/src';
import { WORKFLOW_TYPES } from '../../../../libs/contracts/src';
import { onCampaign, onGroup } from '../auth/targets';
import type { Principal } from '../auth/principal';
import { pageOf } from '../common/dto';
import type {
  CampaignRecord,
  CampaignsRepository,
  NewUnit,
  ReadModelRepository,
  StuckRunRepository,
  UnitsRepository,
} from '../../../../libs/persistence/src';
import type { WorkflowGateway } from '../workflow/workflow-gateway';
import type { CreateCampaignDto, EnrolmentOutcome, EnrolUnitDto, UnitListQueryDto } from './campaigns.dto';

/** A campaign's workflow task failed (or timed out) this many times in a row is stalled (one may be a worker that crashed). */
export const STALLED_AFTER_ATTEMPTS = 3;

type Counts = CampaignCounters & { byBatch: Record<BatchKey, Record<Phase | 'waiting', number>> };

export class CampaignsService {
  constructor(
    private readonly config: MasslineConfig,
    private readonly campaigns: CampaignsRepository,
    private readonly units: UnitsRepository,
    private readonly readModel: ReadModelRepository,
    private readonly workflows: WorkflowGateway,
    /** The stuck-run detector's rows (apps/worker/src/stuck-runs.ts): what a read says of a stalled campaign. */
    private readonly stuckRuns: Pick<StuckRunRepository, 'stuckOf' | 'countStuck'>,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async create(by: Principal, dto: CreateCampaignDto) {
    requireAccess(by, 'campaign.create');
    const startsAt = dto.startsAt ?? this.now().toISOString();
    // resolvePlan completes the plan with DOMAIN.md's defaults and refuses (naming the field) what is invalid.
    const plan = resolvePlan(dto.plan, startsAt);
    const campaign = await this.campaigns.create({ name: dto.name, plan, startsAt: new Date(startsAt), createdBy: by.id });
    return { id: campaign.id, name: campaign.name, status: campaign.status, plan: campaign.plan };
  }

  async get(by: Principal, id: string) {
    requireAccess(by, 'campaign.read', onCampaign(id));
    const campaign = await this.mustFind(id);
    // One source for the counters, the same as the dashboard's: the read model. Whether its workflow is stalled,
    // from the stuck-run detector's rows: a read never asks the engine, so it answers while Temporal is down.
    const [counts, units, stalled] = await Promise.all([
      this.projectionCounts(campaign.id),
      this.units.countByCampaign(id),
      campaign.status === 'running' ? this.stalledOf(id) : undefined,
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
    requireAccess(by, 'campaign.start');
    const campaign = await this.mustFind(id);
    if (campaign.status === 'draft' && (await this.units.countByCampaign(id)) === 0) {
      throw ruleViolation('campaign.no-units', `campaign ${id} has no unit enrolled; enrol units before starting it`);
    }
    if (!(await this.campaigns.markStarted(id, this.now(), publish))) {
      throw ruleViolation('campaign.start-once', `campaign ${id} was already started (status ${campaign.status})`);
    }
    try {
      const outcome = await this.workflows.counted('startCampaign', () =>
        startCampaignWorkflow(
          this.workflows.client,
          { campaignId: id, name: campaign.name, plan: campaign.plan },
          this.config.temporal.taskQueue,
        ),
      );
      return { id, status: 'running' as const, workflowId: outcome.workflowId };
    } catch (err) {
      await this.campaigns.revertStarted(id);
      throw err;
    }
  }

  /** Lists the campaign on the public pages (公示), or takes it off them. A draft is never listed, published or not. */
  async setPublic(by: Principal, id: string, value: boolean) {
    requireAccess(by, 'campaign.publish');
    await this.mustFind(id);
    await this.campaigns.setPublic(id, value);
    return { id, public: value };
  }

  async createGroup(by: Principal, campaignId: string, name: string) {
    requireAccess(by, 'group.create');
    await this.mustFind(campaignId);
    const group = await this.campaigns.createGroup(campaignId, name);
    if (!group)
      throw new DomainError('CONFLICT', `campaign ${campaignId} already has a group named "${name}"`, {
        field: 'name',
        rule: 'group.name-taken',
        params: { name },
      });
    return group;
  }

  async listGroups(by: Principal, campaignId: string) {
    requireAccess(by, 'group.list', onCampaign(campaignId));
    await this.mustFind(campaignId);
    const groups = await this.campaigns.listGroups(campaignId);
    const reach = reachFilter(by);
    const visible = 'groupId' in reach ? groups.filter((g) => g.id === reach.groupId) : groups;
    return { items: visible, total: visible.length };
  }

  /**
   * Enrols up to 10,000 units in one call, idempotent by code. A unit that cannot be enrolled (group of
   * another campaign, duplicate code in the request, batch not in the plan) is reported, the others go in.
   */
  async enrol(by: Principal, campaignId: string, input: EnrolUnitDto[]) {
    requireAccess(by, 'unit.enrol');
    const campaign = await this.mustFind(campaignId);
    const groups = new Set((await this.campaigns.listGroups(campaignId)).map((g) => g.id));
    const batches = new Set(campaign.plan.batches.map((b) => b.batch));
    const codes = new Set(input.map((u) => u.code));
    const existingParents = await this.units.idsByCode(campaignId, [
      ...new Set(input.map((u) => u.parentCode).filter((c): c is string => !!c && !codes.has(c))),
    ]);

    const { results, toInsert } = checkEnrolment(input, { campaignId, groups, batches, codes, existingParents });

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
    await this.startLateUnits(
      campaign,
      toInsert.flatMap((u) => {
        const id = created.get(u.code);
        return id ? [{ ...u, id }] : [];
      }),
    );
    return { results };
  }

  async listUnits(by: Principal, campaignId: string, q: UnitListQueryDto) {
    requireAccess(by, 'unit.list', onCampaign(campaignId));
    await this.mustFind(campaignId);
    let groupId = q.groupId?.toLowerCase();
    if (groupId) {
      // A filter naming a group the caller cannot see, or not of this campaign, names an unknown group.
      const group = await this.campaigns.findGroup(groupId);
      if (!group || group.campaignId !== campaignId) throw notFound('group', groupId);
      requireAccess(by, 'group.read', onGroup(group));
    }
    groupId ??= reachFilter(by).groupId;
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
    requireAccess(by, 'campaign.dashboard', onCampaign(campaignId));
    await this.mustFind(campaignId);
    return this.projectionCounts(campaignId);
  }

  /** Campaigns whose workflow task keeps failing (for the metric), as the stuck-run detector last saw them. */
  stalledCampaigns(): Promise<number> {
    return this.stuckRuns.countStuck(WORKFLOW_TYPES.campaign, STALLED_AFTER_ATTEMPTS);
  }

  // ---------- helpers ----------

  /**
   * The campaign's workflow run whose task keeps failing, as the detector last saw it (it looks every pass, 30 s by
   * default): how many attempts, why, since when and when it was last seen so (how stale the answer may be).
   */
  private async stalledOf(id: string) {
    const run = await this.stuckRuns.stuckOf(campaignWorkflowId(id));
    if (!run || run.attempt < STALLED_AFTER_ATTEMPTS) return undefined;
    return { attempts: run.attempt, cause: run.cause, since: run.firstSeenAt, seenAt: run.lastSeenAt };
  }

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
      byBatch[String(row.batch) as BatchKey][row.phase] += row.n;
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
              {
                campaignId: campaign.id,
                unitId: u.id,
                code: u.code,
                name: u.name,
                batch: u.batch,
                groupId: u.groupId,
                plan: campaign.plan,
              },
              this.config.temporal.taskQueue,
            ),
          ),
        ),
      );
    }
  }
}

/** One unit's line in an enrolment's answer: enrolled (its id), there already, or refused (naming the rule). */
interface EnrolmentResult {
  code: string;
  id?: string;
  status: EnrolmentOutcome;
  error?: string;
  rule?: string;
  params?: Record<string, string | number>;
}

/**
 * Checks each unit of an enrolment against the campaign (its groups and batches) and the request itself (codes
 * given twice, parents): the units to insert, and a line per unit (refused ones naming their rule).
 */
function checkEnrolment(
  input: EnrolUnitDto[],
  campaign: {
    campaignId: string;
    groups: Set<string>;
    batches: Set<Batch>;
    codes: Set<string>;
    existingParents: Map<string, string>;
  },
): { results: EnrolmentResult[]; toInsert: NewUnit[] } {
  const { campaignId, groups, batches, codes, existingParents } = campaign;
  const results: EnrolmentResult[] = [];
  const firstAt = new Map<string, number>();
  const toInsert: NewUnit[] = [];
  input.forEach((u, i) => {
    // Each refusal names its rule and values, for the wording in either language (the message is for logs).
    const error = (message: string, rule: string, params: Record<string, string | number> = {}) =>
      results.push({ code: u.code, status: 'error', error: `units[${i}]: ${message}`, rule, params });
    const first = firstAt.get(u.code);
    if (first !== undefined) return error(`code ${u.code} also given at units[${first}]`, 'enrol.code-twice', { line: first });
    firstAt.set(u.code, i);
    const groupId = u.groupId.toLowerCase();
    if (!groups.has(groupId))
      return error(`groupId ${u.groupId} is not a supervisory group of campaign ${campaignId}`, 'enrol.group-unknown');
    const batch: Batch = batchOf(u.kind, u.level, u.batch);
    if (!batches.has(batch)) return error(`batch ${batch} is not in the campaign's plan`, 'enrol.batch-unplanned', { batch });
    if (u.parentCode && !codes.has(u.parentCode) && !existingParents.has(u.parentCode)) {
      return error(`parentCode ${u.parentCode} is not enrolled in this campaign`, 'enrol.parent-unknown', { parentCode: u.parentCode });
    }
    if (u.parentCode === u.code) return error('a unit cannot be its own parent', 'enrol.own-parent');
    results.push({ code: u.code, status: 'created' });
    toInsert.push({ code: u.code, name: u.name, kind: u.kind, level: u.level, batch, parentCode: u.parentCode ?? null, groupId });
  });
  return { results, toInsert };
}
