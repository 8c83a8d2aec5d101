import { Body, Controller, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiAcceptedResponse, ApiCreatedResponse, ApiExtraModels, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Access, CurrentPrincipal } from '../auth/decorators';
import type { Principal } from '../auth/principal';
import { ApiErrors } from '../common/dto';
import { UuidParam } from '../common/params';
import {
  CampaignCreatedDto,
  CampaignDto,
  CampaignStartedDto,
  CreateCampaignDto,
  CreateGroupDto,
  DashboardDto,
  EnrolResultsDto,
  EnrolUnitsDto,
  GroupDto,
  GroupListDto,
  PhaseCountsDto,
  PublicationDto,
  PublicationStateDto,
  StartCampaignQueryDto,
  UnitListDto,
  UnitListQueryDto,
} from './campaigns.dto';
import { CampaignsService } from './campaigns.service';

@ApiTags('campaigns')
@ApiExtraModels(PhaseCountsDto)
@Controller('api/campaigns')
export class CampaignsController {
  constructor(private readonly service: CampaignsService) {}

  @Post()
  @HttpCode(201)
  @Access('campaign.create')
  @ApiOperation({ summary: 'Define a campaign; the plan defaults to the seed calendar anchored at startsAt' })
  @ApiCreatedResponse({ type: CampaignCreatedDto })
  @ApiErrors(400, 401, 403, 409)
  create(@CurrentPrincipal() p: Principal, @Body() dto: CreateCampaignDto) {
    return this.service.create(p, dto);
  }

  @Get(':id')
  @Access('campaign.read')
  @ApiOperation({ summary: 'A campaign with its plan, status and counts' })
  @ApiOkResponse({ type: CampaignDto })
  @ApiErrors(401, 403, 404)
  get(@CurrentPrincipal() p: Principal, @Param('id', new UuidParam('campaign')) id: string) {
    return this.service.get(p, id);
  }

  @Post(':id/start')
  @HttpCode(202)
  @Access('campaign.start')
  @ApiOperation({
    summary:
      'Start the campaign workflow; each batch opens at its start. Refused (409) without units; listed publicly unless public: false',
  })
  @ApiAcceptedResponse({ type: CampaignStartedDto })
  @ApiErrors(400, 401, 403, 404, 409, 503)
  start(@CurrentPrincipal() p: Principal, @Param('id', new UuidParam('campaign')) id: string, @Query() q: StartCampaignQueryDto) {
    return this.service.start(p, id, q.public !== 'false');
  }

  @Put(':id/publication')
  @Access('campaign.publish')
  @ApiOperation({ summary: 'List the campaign on the public pages (公示) or take it off them; a draft is never listed' })
  @ApiOkResponse({ type: PublicationStateDto })
  @ApiErrors(400, 401, 403, 404)
  setPublic(@CurrentPrincipal() p: Principal, @Param('id', new UuidParam('campaign')) id: string, @Body() dto: PublicationDto) {
    return this.service.setPublic(p, id, dto.public);
  }

  @Post(':id/groups')
  @HttpCode(201)
  @Access('group.create')
  @ApiOperation({ summary: 'Form a supervisory group (督导组)' })
  @ApiCreatedResponse({ type: GroupDto })
  @ApiErrors(400, 401, 403, 404, 409)
  createGroup(@CurrentPrincipal() p: Principal, @Param('id', new UuidParam('campaign')) id: string, @Body() dto: CreateGroupDto) {
    return this.service.createGroup(p, id, dto.name);
  }

  @Get(':id/groups')
  @Access('group.list')
  @ApiOperation({ summary: "The campaign's supervisory groups (a supervisor sees its own)" })
  @ApiOkResponse({ type: GroupListDto })
  @ApiErrors(401, 403, 404)
  listGroups(@CurrentPrincipal() p: Principal, @Param('id', new UuidParam('campaign')) id: string) {
    return this.service.listGroups(p, id);
  }

  @Post(':id/units')
  @HttpCode(200)
  @Access('unit.enrol')
  @ApiOperation({ summary: 'Enrol up to 10,000 units; idempotent by code; one result per unit' })
  @ApiOkResponse({ type: EnrolResultsDto })
  @ApiErrors(400, 401, 403, 404, 413)
  enrol(@CurrentPrincipal() p: Principal, @Param('id', new UuidParam('campaign')) id: string, @Body() dto: EnrolUnitsDto) {
    return this.service.enrol(p, id, dto.units);
  }

  @Get(':id/units')
  @Access('unit.list')
  @ApiOperation({ summary: 'Units with their projected state; filters batch, phase, card, groupId' })
  @ApiOkResponse({ type: UnitListDto })
  @ApiErrors(400, 401, 403, 404)
  listUnits(@CurrentPrincipal() p: Principal, @Param('id', new UuidParam('campaign')) id: string, @Query() q: UnitListQueryDto) {
    return this.service.listUnits(p, id, q);
  }

  @Get(':id/dashboard')
  @Access('campaign.dashboard')
  @ApiOperation({ summary: 'Units per batch and phase, cards, referrals and overdue items (from the read model)' })
  @ApiOkResponse({ type: DashboardDto })
  @ApiErrors(401, 403, 404)
  dashboard(@CurrentPrincipal() p: Principal, @Param('id', new UuidParam('campaign')) id: string) {
    return this.service.dashboard(p, id);
  }
}
