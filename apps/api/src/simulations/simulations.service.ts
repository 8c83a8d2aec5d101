// The office's simulations: what a request asks for becomes a complete, checked input (a live campaign is only
// read), which the runner simulates in a process of its own; the job's progress and its report are read back.
import { DomainError, invalidInput, notFound, requireAccess, resolvePlan, ruleViolation } from '../../../../libs/domain/src';
import type { CampaignSnapshotRepository, SimulationJobRow, SimulationsRepository } from '../../../../libs/persistence/src';
import {
  checkSeed,
  checkUnits,
  defaultGroupCount,
  renderReportHtml,
  resolveProfile,
  seedMixUnits,
  validateSimulationInput,
  type ReportLang,
  type SimulationInput,
  type SimulationReport,
} from '../../../../libs/simulation/src';
import type { Principal } from '../auth/principal';
import { pageOf, type ReportFormat } from '../common/dto';
import type { SimulationRunner } from './simulation-runner';
import type { CreateSimulationDto, SimulationListQueryDto } from './simulations.dto';

/** Simulations waiting besides the one running: a simulation takes minutes, a queue of them takes the afternoon. */
export const SIMULATIONS_QUEUED_MAX = 2;
/** Where the seed calendar is anchored when a request gives no plan and no campaign: the seed's own dates. */
export const SEED_CALENDAR_START = '2013-07-08T00:00:00+08:00';

export class SimulationsService {
  constructor(
    private readonly jobs: SimulationsRepository,
    private readonly campaigns: CampaignSnapshotRepository,
    private readonly runner: SimulationRunner,
    private readonly echarts: () => string | undefined,
  ) {}

  /** The checked input of a request (400 naming the field, 404 for an unknown campaign). */
  async inputOf(dto: CreateSimulationDto): Promise<SimulationInput> {
    if (dto.campaignId && (dto.plan || dto.startsAt))
      throw invalidInput('plan', 'a campaign brings its own plan: give campaignId or plan, not both');
    if (dto.units !== undefined && dto.unitList) throw invalidInput('unitList', 'give units (a number) or unitList, not both');
    if (dto.groups !== undefined && dto.units === undefined)
      throw invalidInput('groups', 'groups goes with units (a number of units in the seed mix)');
    const campaign = dto.campaignId ? await this.campaigns.campaign(dto.campaignId.toLowerCase()) : undefined;
    if (dto.campaignId && !campaign) throw notFound('campaign', dto.campaignId);
    const plan = campaign ? campaign.plan : resolvePlan(dto.plan, dto.startsAt ?? SEED_CALENDAR_START);
    let units;
    if (dto.unitList) units = checkUnits(dto.unitList, 'unitList');
    else if (dto.units !== undefined) units = seedMixUnits(dto.units, dto.groups ?? defaultGroupCount(dto.units));
    else if (campaign?.units.length) {
      const enrolled = checkUnits(campaign.units, 'units');
      units = { units: enrolled.units, groups: [...new Set([...campaign.groups, ...enrolled.groups])].sort() };
    } else {
      throw invalidInput(
        'units',
        campaign
          ? `campaign ${campaign.id} has no units enrolled: give units or unitList`
          : 'name the units: a campaign with units enrolled, units (a number) or unitList',
      );
    }
    try {
      return validateSimulationInput({
        name: dto.name ?? campaign?.name ?? 'rehearsal',
        plan,
        groups: units.groups,
        units: units.units,
        profile: resolveProfile(dto.profile),
        seed: checkSeed(dto.seed ?? '1'),
      });
    } catch (e) {
      // A unit list's error names the request's field.
      if (e instanceof DomainError && dto.unitList && typeof e.details.field === 'string' && e.details.field.startsWith('units')) {
        throw invalidInput(e.details.field.replace(/^units/, 'unitList'), e.message.replace(/^[^:]*: /, ''));
      }
      throw e;
    }
  }

  async start(by: Principal, dto: CreateSimulationDto): Promise<{ id: string; status: 'queued' | 'running' }> {
    requireAccess(by, 'simulation.start');
    const input = await this.inputOf(dto);
    if ((await this.jobs.unfinished()) > SIMULATIONS_QUEUED_MAX) {
      throw ruleViolation(
        'simulation.queue-full',
        `a simulation runs and ${SIMULATIONS_QUEUED_MAX} wait already; try again when one has finished`,
        { params: { max: SIMULATIONS_QUEUED_MAX } },
      );
    }
    const request = {
      source: dto.campaignId ? 'campaign' : dto.plan ? 'plan' : 'seed calendar',
      ...(dto.campaignId ? { campaignId: dto.campaignId.toLowerCase() } : {}),
      units: input.units.length,
      unitsFrom: dto.unitList ? 'list' : dto.units !== undefined ? 'seed mix' : 'enrolment',
      groups: input.groups.length,
      seed: input.seed,
      name: input.name,
      profileGiven: dto.profile !== undefined,
    };
    const id = await this.jobs.create(by.id, dto.campaignId?.toLowerCase() ?? null, request);
    const busy = this.runner.held > 0;
    await this.runner.enqueue(id, input);
    return { id, status: busy ? 'queued' : 'running' };
  }

  private async mustFind(by: Principal, id: string): Promise<SimulationJobRow> {
    requireAccess(by, 'simulation.read');
    const job = await this.jobs.find(id.toLowerCase());
    if (!job) throw notFound('simulation', id);
    return job;
  }

  async job(by: Principal, id: string) {
    return view(await this.mustFind(by, id));
  }

  async list(by: Principal, q: SimulationListQueryDto) {
    requireAccess(by, 'simulation.read');
    const { offset, limit } = pageOf(q);
    const page = await this.jobs.page(offset, limit, q.campaignId?.toLowerCase());
    return { items: page.items.map(view), total: page.total };
  }

  /** The report as JSON text, or rendered as HTML; 409 while the simulation has not finished. */
  async report(by: Principal, id: string, format: ReportFormat = 'json', lang: ReportLang = 'zh'): Promise<string> {
    const job = await this.mustFind(by, id);
    if (job.status !== 'done') {
      throw ruleViolation('simulation.not-done', `simulation ${job.id} is ${job.status}: its report exists once it is done`, {
        params: { status: job.status },
      });
    }
    // Swept since it was read: a job that is gone is unknown.
    const json = await this.jobs.report(job.id);
    if (json === undefined) throw notFound('simulation', id);
    return format === 'html' ? renderReportHtml(JSON.parse(json) as SimulationReport, { lang, echarts: this.echarts() }) : json;
  }
}

function view(j: SimulationJobRow) {
  return {
    id: j.id,
    status: j.status,
    ...(j.campaignId ? { campaignId: j.campaignId } : {}),
    request: j.request,
    progress: j.progress,
    ...(j.totals ? { totals: j.totals } : {}),
    ...(j.stats ? { stats: j.stats } : {}),
    ...(j.error ? { error: j.error } : {}),
    requestedBy: j.requestedBy,
    createdAt: j.createdAt,
    ...(j.startedAt ? { startedAt: j.startedAt } : {}),
    ...(j.finishedAt ? { finishedAt: j.finishedAt } : {}),
  };
}
