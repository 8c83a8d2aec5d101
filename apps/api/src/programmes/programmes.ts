// City-wide programmes (the four governance tracks and the nine major actions): each is a workflow whose
// staged goals run on the same escalation ladder as rectification items.
import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import type { UpdateDefinition } from '@temporalio/common';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsBoolean, IsIn, IsString, IsUUID, MaxLength, ValidateNested } from 'class-validator';
import type { MasslineConfig } from '../../../../libs/config/src';
import {
  type Actor,
  CARDS,
  defaultPlan,
  GOAL_STATUSES,
  invalidInput,
  newProgrammeView,
  notFound,
  parseInstant,
  PROGRAMME_STATUSES,
  PROGRAMME_TRACKS,
  programmeMetadata,
  type ProgrammeTrack,
  type ProgrammeView,
  programmeWorkflowId,
  requireAccess,
} from '../../../../libs/domain/src';
import { startWorkflowOnce } from '../../../../libs/temporal/src';
import {
  campaignIdKey,
  goalAchievementUpdate,
  goalVerificationUpdate,
  kindKey,
  WORKFLOW_TYPES,
  type ProgrammeWorkflowInput,
} from '../../../../libs/contracts/src';
import type {
  CampaignsRepository,
  ProgrammeRecord,
  ProgrammesRepository,
  UnitsRepository,
  ViewsRepository,
} from '../../../../libs/persistence/src';
import { readAtLeast } from '../common/read-your-writes';
import type { TextSession, TextStore } from '../common/texts';
import { Access, CurrentPrincipal } from '../auth/decorators';
import { actorOf, type Principal } from '../auth/principal';
import { ApiErrors, LIMITS, ReadQueryDto } from '../common/dto';
import { DECISION_VERSION, PROJECTED_AT } from '../units/units.dto';
import { UuidParam, WorkflowIdParam } from '../common/params';
import { IsIsoTime, IsNotBlank, EachIsObject, Optional } from '../common/validation';
import { unknownReference } from '../principals/principals.service';
import type { WorkflowGateway } from '../workflow/workflow-gateway';
import { sendDecision } from '../workflow/decide';

export class GoalInputDto {
  @ApiProperty({ maxLength: LIMITS.title })
  @IsString()
  @IsNotBlank()
  @MaxLength(LIMITS.title)
  title!: string;

  @ApiProperty()
  @IsIsoTime()
  dueAt!: string;
}

export class CreateProgrammeDto {
  @ApiProperty({ maxLength: LIMITS.title })
  @IsString()
  @IsNotBlank()
  @MaxLength(LIMITS.title)
  name!: string;

  @ApiProperty({ enum: PROGRAMME_TRACKS, description: 'governance: the four style-governance tracks; action: the nine major actions' })
  @IsIn(PROGRAMME_TRACKS)
  track!: ProgrammeTrack;

  @ApiProperty({ maxLength: LIMITS.name, description: 'the lead city leader' })
  @IsString()
  @IsNotBlank()
  @MaxLength(LIMITS.name)
  leadLeader!: string;

  @ApiProperty({ format: 'uuid', description: 'an enrolled unit that leads the programme' })
  @IsUUID()
  leadUnitId!: string;

  @ApiProperty({ type: [String], maxItems: LIMITS.idList })
  @IsArray()
  @ArrayMaxSize(LIMITS.idList)
  @IsUUID(undefined, { each: true })
  responsibleUnitIds!: string[];

  @ApiProperty({ type: [GoalInputDto], minItems: 1, maxItems: LIMITS.goals })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(LIMITS.goals)
  @EachIsObject()
  @ValidateNested({ each: true })
  @Type(() => GoalInputDto)
  goals!: GoalInputDto[];

  @ApiPropertyOptional({ format: 'uuid', description: "the campaign whose ladder and calendar apply (default: DOMAIN.md's)" })
  @Optional()
  @IsUUID()
  campaignId?: string;
}

export class GoalAchievementDto {
  @ApiProperty({ maxLength: LIMITS.text })
  @IsString()
  @IsNotBlank()
  @MaxLength(LIMITS.text)
  evidence!: string;
}

export class GoalVerificationDto {
  @ApiProperty()
  @IsBoolean()
  accept!: boolean;

  @ApiProperty({ maxLength: LIMITS.comment })
  @IsString()
  @IsNotBlank()
  @MaxLength(LIMITS.comment)
  comment!: string;
}

export class ProgrammeCreatedDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({
    type: 'array',
    items: { type: 'object', properties: { id: { type: 'string' }, title: { type: 'string' }, dueAt: { type: 'string' } } },
  })
  goals!: Array<{ id: string; title: string; dueAt: string }>;
  @ApiProperty() workflowId!: string;
}

export class GoalViewDto {
  @ApiProperty() id!: string;
  @ApiProperty() title!: string;
  @ApiProperty({ format: 'date-time' }) dueAt!: string;
  @ApiProperty({ enum: GOAL_STATUSES }) status!: string;
  @ApiProperty({ enum: CARDS }) card!: string;
  @ApiProperty({ type: 'array', items: { type: 'object' } }) rungs!: object[];
  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: "the lead unit's report: who, when, and the evidence text",
  })
  achievement?: object;
  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: "the office's last verification: accept, who, when, why",
  })
  lastVerification?: object;
  @ApiProperty({ description: 'verifications so far' }) verifications!: number;
  @ApiPropertyOptional({ format: 'date-time', description: 'when the goal was closed (its ladder stopped then)' }) closedAt?: string;
  @ApiPropertyOptional({ description: `in a decision's answer: ${DECISION_VERSION}` }) version?: number;
}

export class ProgrammeViewDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: PROGRAMME_TRACKS }) track!: string;
  @ApiProperty() leadLeader!: string;
  @ApiProperty({ format: 'uuid' }) leadUnitId!: string;
  @ApiProperty({ type: [String] }) responsibleUnitIds!: string[];
  @ApiProperty({ type: [GoalViewDto] }) goals!: GoalViewDto[];
  @ApiProperty({ enum: PROGRAMME_STATUSES }) status!: string;
  @ApiProperty({ enum: CARDS }) card!: string;
  @ApiProperty({ description: 'monotonic (0: not projected yet)' }) version!: number;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: PROJECTED_AT }) projectedAt!: string | null;
}

export class ProgrammesService {
  constructor(
    private readonly config: MasslineConfig,
    private readonly programmes: ProgrammesRepository,
    private readonly units: UnitsRepository,
    private readonly campaigns: CampaignsRepository,
    private readonly workflows: WorkflowGateway,
    private readonly views: ViewsRepository,
    private readonly texts: TextStore,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /**
   * The programme's units (each enrolled somewhere), its goals (due in the future) and the ladder and calendar it
   * runs on: its campaign's, or the default plan's without one.
   */
  private async checked(dto: CreateProgrammeDto) {
    const leadUnitId = dto.leadUnitId.toLowerCase();
    if (!(await this.units.findById(leadUnitId))) throw unknownReference('leadUnitId', 'unit', dto.leadUnitId);
    const responsibleUnitIds = [...new Set(dto.responsibleUnitIds.map((u) => u.toLowerCase()))];
    for (const [i, id] of responsibleUnitIds.entries()) {
      if (!(await this.units.findById(id))) throw unknownReference(`responsibleUnitIds[${i}]`, 'unit', id);
    }
    // A goal due already would fire its whole ladder at once: due dates are in the future, like task-book deadlines.
    const now = this.now().getTime();
    dto.goals.forEach((g, i) => {
      if (parseInstant(g.dueAt, `goals[${i}].dueAt`) <= now) throw invalidInput(`goals[${i}].dueAt`, `must be in the future (${g.dueAt})`);
    });
    let plan = defaultPlan(this.now().toISOString());
    if (dto.campaignId) {
      const campaign = await this.campaigns.findById(dto.campaignId.toLowerCase());
      if (!campaign) throw unknownReference('campaignId', 'campaign', dto.campaignId);
      plan = campaign.plan;
    }
    return { leadUnitId, responsibleUnitIds, plan };
  }

  async create(by: Principal, dto: CreateProgrammeDto) {
    requireAccess(by, 'programme.create');
    const { leadUnitId, responsibleUnitIds, plan } = await this.checked(dto);
    const record = await this.programmes.create({
      name: dto.name,
      track: dto.track,
      leadLeader: dto.leadLeader,
      leadUnitId,
      responsibleUnitIds,
      goals: dto.goals.map((g) => ({ title: g.title, dueAt: g.dueAt })),
      createdBy: by.id,
    });
    const input: ProgrammeWorkflowInput = {
      programmeId: record.id,
      name: record.name,
      track: record.track,
      leadLeader: record.leadLeader,
      leadUnitId: record.leadUnitId,
      responsibleUnitIds: record.responsibleUnitIds,
      goals: record.goals,
      plan: { ladder: plan.ladder, calendar: plan.calendar },
      ...(dto.campaignId ? { campaignId: dto.campaignId.toLowerCase() } : {}),
    };
    try {
      const started = await this.workflows.counted('startProgramme', () =>
        startWorkflowOnce(this.workflows.client, WORKFLOW_TYPES.programme, {
          workflowId: programmeWorkflowId(record.id),
          taskQueue: this.config.temporal.taskQueue,
          args: [input],
          ...programmeMetadata(input),
          typedSearchAttributes: [
            { key: kindKey, value: 'programme' },
            ...(input.campaignId ? [{ key: campaignIdKey, value: input.campaignId }] : []),
          ],
        }),
      );
      return { id: record.id, goals: record.goals, workflowId: started.workflowId };
    } catch (err) {
      // No programme without its workflow: the row goes again, the office may retry.
      await this.programmes.remove(record.id);
      throw err;
    }
  }

  /**
   * From the read model (never from the workflow). A programme whose workflow has not projected a view yet (one
   * started before programmes were projected, until its next step) answers from its definition.
   */
  async get(by: Principal, id: string, minVersion?: number): Promise<ProgrammeView & { projectedAt: string | null }> {
    requireAccess(by, 'programme.read');
    const record = await this.mustFind(id);
    const projected = await readAtLeast(() => this.views.programme(id), minVersion, `programme ${record.name}`);
    if (projected) return this.texts.hydrate({ ...projected.view, projectedAt: projected.projectedAt });
    return { ...newProgrammeView({ programmeId: record.id, ...record }, Date.parse(record.createdAt)), version: 0, projectedAt: null };
  }

  async achieve(by: Principal, id: string, goalId: string, dto: GoalAchievementDto) {
    const programme = await this.mustFind(id);
    const authorize = () => requireAccess(by, 'programme.goal.achieve', { leadUnitId: programme.leadUnitId });
    const goal = await this.send(
      by,
      programme,
      authorize,
      goalAchievementUpdate,
      'POST /api/programmes/:id/goals/:gid/achievement',
      { goalId, evidence: dto.evidence },
      async (texts) => ({
        goalId,
        evidence: await texts.doc(dto.evidence),
      }),
    );
    return this.texts.hydrate(goal);
  }

  async verify(by: Principal, id: string, goalId: string, dto: GoalVerificationDto) {
    const programme = await this.mustFind(id);
    const authorize = () => requireAccess(by, 'programme.goal.verify', {});
    const goal = await this.send(
      by,
      programme,
      authorize,
      goalVerificationUpdate,
      'POST /api/programmes/:id/goals/:gid/verification',
      { goalId, accept: dto.accept, comment: dto.comment },
      async (texts) => {
        const comment = await texts.comment(dto.comment);
        return { goalId, accept: dto.accept, ...(comment !== undefined ? { comment } : {}) };
      },
    );
    return this.texts.hydrate(goal);
  }

  private async mustFind(id: string): Promise<ProgrammeRecord> {
    const p = await this.programmes.findById(id);
    if (!p) throw notFound('programme', id);
    return p;
  }

  private async send<Ret, A extends { goalId: string }>(
    by: Principal,
    programme: ProgrammeRecord,
    authorize: () => unknown,
    def: UpdateDefinition<Ret, [A & { actor: Actor }]>,
    route: string,
    /** The request as the caller sent it, with the goal's id from the path (what a refusal's audit row shows). */
    request: { goalId: string; [field: string]: unknown },
    build: (texts: TextSession) => Promise<A>,
  ): Promise<Ret> {
    if (!programme.goals.some((g) => g.id === request.goalId)) throw notFound('goal', request.goalId);
    const actor = actorOf(by);
    const workflowId = programmeWorkflowId(programme.id);
    const ctx = { actor, route, unitId: programme.leadUnitId };
    return sendDecision(this.workflows, this.texts, { def, workflowId, request, ctx: { ...ctx, authorize }, build });
  }
}

@ApiTags('programmes and cadre measures')
@Controller('api/programmes')
export class ProgrammesController {
  constructor(private readonly service: ProgrammesService) {}

  @Post()
  @HttpCode(201)
  @Access('programme.create')
  @ApiOperation({ summary: 'Define a city-wide programme; its staged goals run on the escalation ladder' })
  @ApiCreatedResponse({ type: ProgrammeCreatedDto })
  @ApiErrors(400, 401, 403, 404, 503)
  create(@CurrentPrincipal() p: Principal, @Body() dto: CreateProgrammeDto) {
    return this.service.create(p, dto);
  }

  @Get(':id')
  @Access('programme.read')
  @ApiOperation({ summary: 'A programme with its goals, as its workflow last projected it (read model)' })
  @ApiOkResponse({ type: ProgrammeViewDto })
  @ApiErrors(401, 403, 404, 503)
  get(@CurrentPrincipal() p: Principal, @Param('id', new UuidParam('programme')) id: string, @Query() q: ReadQueryDto) {
    return this.service.get(p, id, q.minVersion);
  }

  @Post(':id/goals/:gid/achievement')
  @HttpCode(200)
  @Access('programme.goal.achieve')
  @ApiOperation({ summary: 'The lead unit records a staged goal as achieved' })
  @ApiOkResponse({ type: GoalViewDto })
  @ApiErrors(400, 401, 403, 404, 409, 503)
  achieve(
    @CurrentPrincipal() p: Principal,
    @Param('id', new UuidParam('programme')) id: string,
    @Param('gid', new WorkflowIdParam('goal')) gid: string,
    @Body() dto: GoalAchievementDto,
  ) {
    return this.service.achieve(p, id, gid, dto);
  }

  @Post(':id/goals/:gid/verification')
  @HttpCode(200)
  @Access('programme.goal.verify')
  @ApiOperation({ summary: 'The office verifies an achieved goal: accept closes it, reject reopens it' })
  @ApiOkResponse({ type: GoalViewDto })
  @ApiErrors(400, 401, 403, 404, 409, 503)
  verify(
    @CurrentPrincipal() p: Principal,
    @Param('id', new UuidParam('programme')) id: string,
    @Param('gid', new WorkflowIdParam('goal')) gid: string,
    @Body() dto: GoalVerificationDto,
  ) {
    return this.service.verify(p, id, gid, dto);
  }
}
