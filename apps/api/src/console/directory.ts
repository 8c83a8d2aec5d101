// Read routes the console needs besides API.md's: lists of campaigns, principals, a campaign's cadre measures
// and programmes, and a supervisor's inbox. Role and scope through the access policy, like every route.
import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsIn, IsString, IsUUID, Matches, MaxLength } from 'class-validator';
import {
  CAMPAIGN_STATUSES,
  ESCALATION_SUBJECTS,
  MEASURE_KINDS,
  MEASURE_PROPOSERS,
  MEASURE_STATUSES,
  notFound,
  PHASES,
  PROGRAMME_TRACKS,
  reachFilter,
  requireAccess,
  type Role,
  ROLE_REACH,
  ROLES,
} from '../../../../libs/domain/src';
import { Access, CurrentPrincipal } from '../auth/decorators';
import type { Principal } from '../auth/principal';
import { ApiErrors, LIMITS, PageQueryDto, pageOf } from '../common/dto';
import { UuidParam } from '../common/params';
import { NO_NUL_PATTERN, Optional } from '../common/validation';
import type { CampaignsRepository, ConsoleRepository, InboxKind, ProgrammesRepository } from '../../../../libs/persistence/src';

const INBOX_KINDS = ['transition', 'meeting', 'verification', 'extension'] as const;

export class PrincipalListQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: ROLES })
  @Optional()
  @IsIn(ROLES)
  role?: Role;

  @ApiPropertyOptional({
    format: 'uuid',
    description: "principals of this campaign's units and groups (office and auditors always listed)",
  })
  @Optional()
  @IsUUID()
  campaignId?: string;

  @ApiPropertyOptional({
    maxLength: LIMITS.name,
    pattern: NO_NUL_PATTERN,
    description: 'part of the name, or of the unit code or name, or of the group name',
  })
  @Optional()
  @IsString()
  @MaxLength(LIMITS.name)
  @Matches(new RegExp(NO_NUL_PATTERN), { message: 'q must not contain NUL characters' })
  q?: string;
}

export class MeasureListQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: MEASURE_STATUSES })
  @Optional()
  @IsIn(MEASURE_STATUSES)
  status?: 'proposed' | 'confirmed';
}

export class InboxQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ format: 'uuid' })
  @Optional()
  @IsUUID()
  campaignId?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'office only: one group (a supervisor always sees its own)' })
  @Optional()
  @IsUUID()
  groupId?: string;

  @ApiPropertyOptional({ enum: INBOX_KINDS })
  @Optional()
  @IsIn(INBOX_KINDS)
  kind?: InboxKind;
}

export class CampaignListEntryDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: CAMPAIGN_STATUSES }) status!: string;
  @ApiProperty({ format: 'date-time' }) startsAt!: string;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ description: 'units enrolled' }) units!: number;
  @ApiProperty({ description: 'listed on the public pages' }) public!: boolean;
}
export class CampaignListDto {
  @ApiProperty({ type: [CampaignListEntryDto] }) items!: CampaignListEntryDto[];
  @ApiProperty() total!: number;
}

export class PrincipalListEntryDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: ROLES }) role!: string;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) unitId!: string | null;
  @ApiProperty({ nullable: true, type: String }) unitCode!: string | null;
  @ApiProperty({ nullable: true, type: String }) unitName!: string | null;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) groupId!: string | null;
  @ApiProperty({ nullable: true, type: String }) groupName!: string | null;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) campaignId!: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
}
export class PrincipalListDto {
  @ApiProperty({ type: [PrincipalListEntryDto] }) items!: PrincipalListEntryDto[];
  @ApiProperty() total!: number;
}

export class CampaignMeasureDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) unitId!: string;
  @ApiProperty() unitCode!: string;
  @ApiProperty() unitName!: string;
  @ApiProperty({ nullable: true, type: String }) itemId!: string | null;
  @ApiProperty({ enum: MEASURE_KINDS }) kind!: string;
  @ApiProperty() subject!: string;
  @ApiProperty() reason!: string;
  @ApiProperty({ enum: MEASURE_STATUSES }) status!: string;
  @ApiProperty({ enum: MEASURE_PROPOSERS }) proposedBy!: string;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) confirmedAt!: string | null;
  @ApiProperty({
    type: () => MeasureBasisDto,
    nullable: true,
    description: 'what a proposal rests on: the rung that proposed it (null for a measure the office recorded)',
  })
  basis!: MeasureBasisDto | null;
}
export class MeasureBasisDto {
  @ApiProperty({ enum: ESCALATION_SUBJECTS }) subject!: string;
  @ApiProperty({ nullable: true, type: String, enum: [...PHASES, null] }) phase!: string | null;
  @ApiProperty() rung!: string;
  @ApiProperty({ format: 'date-time', description: "the item's deadline, the window's end or the goal's due date" }) deadline!: string;
  @ApiProperty({ nullable: true, type: String }) owner!: string | null;
  @ApiProperty({ nullable: true, type: String }) measure!: string | null;
  @ApiProperty({ nullable: true, type: String }) programmeName!: string | null;
  @ApiProperty({ nullable: true, type: String }) goalTitle!: string | null;
}
export class CampaignMeasureListDto {
  @ApiProperty({ type: [CampaignMeasureDto] }) items!: CampaignMeasureDto[];
  @ApiProperty() total!: number;
}

class ProgrammeGoalRecordDto {
  @ApiProperty() id!: string;
  @ApiProperty() title!: string;
  @ApiProperty({ format: 'date-time' }) dueAt!: string;
}
export class ProgrammeListEntryDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: PROGRAMME_TRACKS }) track!: string;
  @ApiProperty() leadLeader!: string;
  @ApiProperty({ format: 'uuid' }) leadUnitId!: string;
  @ApiProperty({ type: [String] }) responsibleUnitIds!: string[];
  @ApiProperty({ type: [ProgrammeGoalRecordDto] }) goals!: ProgrammeGoalRecordDto[];
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
}
export class ProgrammeListDto {
  @ApiProperty({ type: [ProgrammeListEntryDto] }) items!: ProgrammeListEntryDto[];
  @ApiProperty() total!: number;
}

export class InboxEntryDto {
  @ApiProperty({ enum: INBOX_KINDS, description: 'a transition to decide, a meeting to attest, an item to verify, an extension to decide' })
  kind!: string;
  @ApiProperty({ format: 'date-time', description: 'since when it waits' }) since!: string;
  @ApiProperty({ format: 'uuid' }) unitId!: string;
  @ApiProperty() unitCode!: string;
  @ApiProperty() unitName!: string;
  @ApiProperty({ format: 'uuid' }) campaignId!: string;
  @ApiProperty({ format: 'uuid' }) groupId!: string;
  @ApiProperty({ description: 'transition id, meeting id or item id' }) subjectId!: string;
  @ApiProperty({ nullable: true, type: String }) itemId!: string | null;
  @ApiProperty({ nullable: true, type: String }) extensionId!: string | null;
  @ApiProperty({ description: 'transition: from → to; meeting: location; item: its measure' }) title!: string;
  @ApiProperty({ nullable: true, type: String, description: "the unit's comment, the evidence, or the extension's reason" }) detail!:
    string | null;
  @ApiProperty({
    format: 'date-time',
    nullable: true,
    type: String,
    description: 'meeting: scheduled time; item: deadline; extension: new deadline',
  })
  at!: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'transition: phase left; extension: the current deadline' }) from!:
    string | null;
  @ApiProperty({ nullable: true, type: String, enum: [...PHASES, null] }) to!: string | null;
}
export class InboxDto {
  @ApiProperty({ type: [InboxEntryDto] }) items!: InboxEntryDto[];
  @ApiProperty() total!: number;
}

export class DirectoryService {
  constructor(
    private readonly directory: ConsoleRepository,
    private readonly campaigns: CampaignsRepository,
    private readonly programmes: ProgrammesRepository,
  ) {}

  /** Office and auditors see every campaign; a unit or a supervisor the one of its scope. */
  async campaignList(by: Principal, q: PageQueryDto) {
    const { offset, limit } = pageOf(q);
    let only: string | null | undefined;
    const reach = ROLE_REACH[by.role];
    if (reach === 'unit') only = by.unitId ? await this.directory.campaignOfUnit(by.unitId) : null;
    if (reach === 'group') only = by.groupId ? await this.directory.campaignOfGroup(by.groupId) : null;
    if (only === null) return { items: [], total: 0 };
    return this.directory.campaigns(only, offset, limit);
  }

  principalList(by: Principal, q: PrincipalListQueryDto) {
    requireAccess(by, 'principal.list');
    const { offset, limit } = pageOf(q);
    return this.directory.principals({
      role: q.role,
      campaignId: q.campaignId?.toLowerCase(),
      search: q.q?.trim() || undefined,
      offset,
      limit,
    });
  }

  async measureList(by: Principal, campaignId: string, q: MeasureListQueryDto) {
    requireAccess(by, 'campaign.measures.list');
    if (!(await this.campaigns.findById(campaignId))) throw notFound('campaign', campaignId);
    const { offset, limit } = pageOf(q);
    return this.directory.measures(campaignId, q.status, offset, limit);
  }

  programmeList(by: Principal, q: PageQueryDto) {
    requireAccess(by, 'programme.list');
    const { offset, limit } = pageOf(q);
    return this.programmes.list(offset, limit);
  }

  /** A supervisor's inbox is its group's; the office may look at any group's, or all. */
  inbox(by: Principal, q: InboxQueryDto) {
    requireAccess(by, 'inbox.read');
    const { offset, limit } = pageOf(q);
    const reach = reachFilter(by);
    const groupId = 'groupId' in reach ? reach.groupId : q.groupId?.toLowerCase();
    return this.directory.inbox({ groupId, campaignId: q.campaignId?.toLowerCase(), kind: q.kind, offset, limit });
  }
}

@ApiTags('console')
@ApiBearerAuth()
@Controller('api')
export class DirectoryController {
  constructor(private readonly service: DirectoryService) {}

  @Get('campaigns')
  @Access('campaign.list')
  @ApiOperation({ summary: 'Campaigns, newest first (a unit or a supervisor sees the campaign of its scope)' })
  @ApiOkResponse({ type: CampaignListDto })
  @ApiErrors(400, 401)
  campaigns(@CurrentPrincipal() p: Principal, @Query() q: PageQueryDto) {
    return this.service.campaignList(p, q);
  }

  @Get('principals')
  @Access('principal.list')
  @ApiOperation({ summary: 'Principals with the unit or group of their scope (never their tokens), oldest first' })
  @ApiOkResponse({ type: PrincipalListDto })
  @ApiErrors(400, 401, 403)
  principals(@CurrentPrincipal() p: Principal, @Query() q: PrincipalListQueryDto) {
    return this.service.principalList(p, q);
  }

  @Get('campaigns/:id/measures')
  @Access('campaign.measures.list')
  @ApiOperation({ summary: "A campaign's cadre measures (status=proposed: those waiting for the office to confirm), oldest first" })
  @ApiOkResponse({ type: CampaignMeasureListDto })
  @ApiErrors(400, 401, 403, 404)
  measures(@CurrentPrincipal() p: Principal, @Param('id', new UuidParam('campaign')) id: string, @Query() q: MeasureListQueryDto) {
    return this.service.measureList(p, id, q);
  }

  @Get('programmes')
  @Access('programme.list')
  @ApiOperation({ summary: 'City-wide programmes with their staged goals as defined (status and cards: GET /api/programmes/:id)' })
  @ApiOkResponse({ type: ProgrammeListDto })
  @ApiErrors(400, 401)
  programmes(@CurrentPrincipal() p: Principal, @Query() q: PageQueryDto) {
    return this.service.programmeList(p, q);
  }

  @Get('inbox')
  @Access('inbox.read')
  @ApiOperation({
    summary:
      "What waits on a supervisory group, oldest first: transitions to decide, meetings to attest, items to verify, extensions to decide (a supervisor's own group)",
  })
  @ApiOkResponse({ type: InboxDto })
  @ApiErrors(400, 401, 403)
  inbox(@CurrentPrincipal() p: Principal, @Query() q: InboxQueryDto) {
    return this.service.inbox(p, q);
  }
}
