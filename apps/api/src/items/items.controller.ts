import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { Access, CurrentPrincipal } from '../auth/decorators';
import type { Principal } from '../auth/principal';
import { ApiErrors, PageQueryDto, ReadQueryDto } from '../common/dto';
import { ItemIdParam, UuidParam, WorkflowIdParam } from '../common/params';
import { CreatedIdDto, DecisionDto, PendingDto } from '../units/units.dto';
import {
  CarryOverDto,
  CompletionDto,
  ExtensionDecisionResultDto,
  ExtensionRequestDto,
  ItemViewDto,
  ProgressDto,
  VerificationDto,
} from './items.dto';
import { EntryPageDto } from '../units/entries.dto';
import { ItemsService } from './items.service';

const itemId = () => new ItemIdParam();

export class ItemListDto {
  @ApiProperty({ type: [ItemViewDto] }) items!: ItemViewDto[];
  @ApiProperty() total!: number;
}

@ApiTags('rectification items')
@Controller('api')
export class UnitItemsController {
  constructor(private readonly service: ItemsService) {}

  @Get('units/:id/items')
  @Access('item.read')
  @ApiOperation({ summary: "A unit's items in effect, from the read model (status, card, deadline of each)" })
  @ApiOkResponse({ type: ItemListDto })
  @ApiErrors(400, 401, 403, 404)
  list(@CurrentPrincipal() p: Principal, @Param('id', new UuidParam('unit')) id: string, @Query() q: PageQueryDto) {
    return this.service.listForUnit(p, id, q);
  }
}

@ApiTags('rectification items')
@Controller('api/items')
export class ItemsController {
  constructor(private readonly service: ItemsService) {}

  @Get(':itemId')
  @Access('item.read')
  @ApiOperation({ summary: 'A rectification item (pending until its task book takes effect) with every rung fired' })
  @ApiOkResponse({ type: ItemViewDto })
  @ApiErrors(401, 403, 404, 503)
  get(@CurrentPrincipal() p: Principal, @Param('itemId', itemId()) id: string, @Query() q: ReadQueryDto) {
    return this.service.get(p, id, q.minVersion);
  }

  @Get(':itemId/progress')
  @Access('item.read')
  @ApiOperation({ summary: "The item's progress notes, oldest first" })
  @ApiOkResponse({ type: EntryPageDto })
  @ApiErrors(400, 401, 403, 404)
  listProgress(@CurrentPrincipal() p: Principal, @Param('itemId', itemId()) id: string, @Query() q: PageQueryDto) {
    return this.service.list(p, id, 'progress', q);
  }

  @Get(':itemId/extensions')
  @Access('item.read')
  @ApiOperation({ summary: 'Extensions requested for the item, with their decisions' })
  @ApiOkResponse({ type: EntryPageDto })
  @ApiErrors(400, 401, 403, 404)
  listExtensions(@CurrentPrincipal() p: Principal, @Param('itemId', itemId()) id: string, @Query() q: PageQueryDto) {
    return this.service.list(p, id, 'extensions', q);
  }

  @Get(':itemId/verifications')
  @Access('item.read')
  @ApiOperation({ summary: "The supervisors' verifications (销号 or sent back), oldest first" })
  @ApiOkResponse({ type: EntryPageDto })
  @ApiErrors(400, 401, 403, 404)
  listVerifications(@CurrentPrincipal() p: Principal, @Param('itemId', itemId()) id: string, @Query() q: PageQueryDto) {
    return this.service.list(p, id, 'verifications', q);
  }

  @Post(':itemId/progress')
  @HttpCode(201)
  @Access('item.progress.report')
  @ApiOperation({ summary: 'Report progress on an item' })
  @ApiCreatedResponse({ type: CreatedIdDto })
  @ApiErrors(400, 401, 403, 404, 409, 503)
  progress(@CurrentPrincipal() p: Principal, @Param('itemId', itemId()) id: string, @Body() dto: ProgressDto) {
    return this.service.reportProgress(p, id, dto);
  }

  @Post(':itemId/completion')
  @HttpCode(200)
  @Access('item.completion.submit')
  @ApiOperation({ summary: 'Submit completion evidence (status submitted)' })
  @ApiOkResponse({ type: ItemViewDto })
  @ApiErrors(400, 401, 403, 404, 409, 503)
  completion(@CurrentPrincipal() p: Principal, @Param('itemId', itemId()) id: string, @Body() dto: CompletionDto) {
    return this.service.submitCompletion(p, id, dto);
  }

  @Post(':itemId/verification')
  @HttpCode(200)
  @Access('item.verify')
  @ApiOperation({ summary: 'A supervisor of the assigned group closes the item (销号) or sends it back to open' })
  @ApiOkResponse({ type: ItemViewDto })
  @ApiErrors(400, 401, 403, 404, 409, 503)
  verification(@CurrentPrincipal() p: Principal, @Param('itemId', itemId()) id: string, @Body() dto: VerificationDto) {
    return this.service.verify(p, id, dto);
  }

  @Post(':itemId/extensions')
  @HttpCode(201)
  @Access('item.extension.request')
  @ApiOperation({ summary: 'Request a new deadline' })
  @ApiCreatedResponse({ type: PendingDto })
  @ApiErrors(400, 401, 403, 404, 409, 503)
  requestExtension(@CurrentPrincipal() p: Principal, @Param('itemId', itemId()) id: string, @Body() dto: ExtensionRequestDto) {
    return this.service.requestExtension(p, id, dto);
  }

  @Post(':itemId/extensions/:eid/decision')
  @HttpCode(200)
  @Access('item.extension.decide')
  @ApiOperation({ summary: 'Approve (new deadline, ladder restarts) or reject an extension' })
  @ApiOkResponse({ type: ExtensionDecisionResultDto })
  @ApiErrors(400, 401, 403, 404, 409, 503)
  decideExtension(
    @CurrentPrincipal() p: Principal,
    @Param('itemId', itemId()) id: string,
    @Param('eid', new WorkflowIdParam('extension')) eid: string,
    @Body() dto: DecisionDto,
  ) {
    return this.service.decideExtension(p, id, eid, dto);
  }

  @Post(':itemId/carry-over')
  @HttpCode(200)
  @Access('item.carry-over')
  @ApiOperation({ summary: 'The office carries the item into a long-term rule (status carried)' })
  @ApiOkResponse({ type: ItemViewDto })
  @ApiErrors(400, 401, 403, 404, 409, 503)
  carryOver(@CurrentPrincipal() p: Principal, @Param('itemId', itemId()) id: string, @Body() dto: CarryOverDto) {
    return this.service.carryOver(p, id, dto);
  }
}
