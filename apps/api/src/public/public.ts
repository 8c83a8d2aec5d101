// The public disclosure (公示) over HTTP: read-only, no token, rate-limited per address like the other public
// channels. Citizens read a campaign's task books under disclosure and in effect — items, measures, owners,
// deadlines — and the objections the units have answered; nothing personal (public.repository.ts decides what).
import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsIn, IsString, Matches, MaxLength } from 'class-validator';
import { BATCHES, CAMPAIGN_STATUSES, DISCLOSED_TASK_BOOK_STATUSES, ITEM_STATUSES, notFound, PHASES } from '../../../../libs/domain/src';
import { Access } from '../auth/decorators';
import { ApiErrors, LIMITS, PageQueryDto, pageOf } from '../common/dto';
import { UuidParam } from '../common/params';
import { NO_NUL_PATTERN, Optional } from '../common/validation';
import type { DisclosedStatus, PublicReadModel } from '../../../../libs/persistence/src';

export class PublicTaskBookQueryDto extends PageQueryDto {
  @ApiPropertyOptional({
    enum: DISCLOSED_TASK_BOOK_STATUSES,
    description: 'disclosed: in its disclosure window (objections open); effective: in effect',
  })
  @Optional()
  @IsIn(DISCLOSED_TASK_BOOK_STATUSES)
  status?: DisclosedStatus;
}

export class PublicUnitQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ maxLength: LIMITS.name, pattern: NO_NUL_PATTERN, description: 'part of the unit code or name' })
  @Optional()
  @IsString()
  @MaxLength(LIMITS.name)
  // PostgreSQL holds no NUL in text: refused here as the field it is, not a database error
  @Matches(new RegExp(NO_NUL_PATTERN), { message: 'q must not contain NUL characters' })
  q?: string;
}

class PublicTaskBookCountsDto {
  @ApiProperty() disclosed!: number;
  @ApiProperty() effective!: number;
}
export class PublicCampaignDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() name!: string;
  /** The public sees started campaigns only. */
  @ApiProperty({ enum: CAMPAIGN_STATUSES.filter((s) => s !== 'draft') }) status!: string;
  @ApiProperty({ type: PublicTaskBookCountsDto }) taskBooks!: PublicTaskBookCountsDto;
}
export class PublicCampaignListDto {
  @ApiProperty({ type: [PublicCampaignDto] }) items!: PublicCampaignDto[];
  @ApiProperty() total!: number;
}
class PublicBatchDto {
  @ApiProperty({ enum: BATCHES }) batch!: number;
  @ApiProperty({ format: 'date-time' }) startsAt!: string;
  @ApiProperty({ format: 'date-time' }) endsAt!: string;
}
export class PublicCampaignDetailDto extends PublicCampaignDto {
  @ApiProperty({ type: [PublicBatchDto] }) batches!: PublicBatchDto[];
  @ApiProperty({ description: 'length of a task book’s disclosure window (ISO-8601 duration)' }) disclosure!: string;
  @ApiProperty({ description: "the zone of the campaign's days and times (its plan's utcOffset)", example: '+08:00' }) utcOffset!: string;
}
export class PublicUnitDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() code!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: BATCHES }) batch!: number;
  @ApiProperty({ enum: [...PHASES, null], nullable: true, type: String, description: 'null until its batch opens' }) phase!: string | null;
}
export class PublicUnitListDto {
  @ApiProperty({ type: [PublicUnitDto] }) items!: PublicUnitDto[];
  @ApiProperty() total!: number;
}
export class PublicUnitDetailDto extends PublicUnitDto {
  @ApiProperty({ format: 'uuid' }) campaignId!: string;
  @ApiProperty() campaignName!: string;
  @ApiProperty({ description: "the zone of the campaign's days and times (its plan's utcOffset)", example: '+08:00' }) utcOffset!: string;
  @ApiProperty({
    enum: [...DISCLOSED_TASK_BOOK_STATUSES, null],
    nullable: true,
    type: String,
    description: 'its task book, once published; null before',
  })
  taskBook!: string | null;
}
class PublicObjectionCountsDto {
  @ApiProperty() filed!: number;
  @ApiProperty() answered!: number;
}
export class PublicTaskBookSummaryDto {
  @ApiProperty({ format: 'uuid' }) unitId!: string;
  @ApiProperty() unitCode!: string;
  @ApiProperty() unitName!: string;
  @ApiProperty({ enum: DISCLOSED_TASK_BOOK_STATUSES }) status!: string;
  @ApiProperty({ format: 'date-time' }) publishedAt!: string;
  @ApiProperty({ format: 'date-time' }) disclosureEndsAt!: string;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) effectiveAt!: string | null;
  @ApiProperty({ description: 'number of items' }) items!: number;
  @ApiProperty({ type: PublicObjectionCountsDto }) objections!: PublicObjectionCountsDto;
}
export class PublicTaskBookListDto {
  @ApiProperty({ type: [PublicTaskBookSummaryDto] }) items!: PublicTaskBookSummaryDto[];
  @ApiProperty() total!: number;
}
export class PublicTaskBookItemDto {
  @ApiProperty() id!: string;
  @ApiProperty() measure!: string;
  @ApiProperty({ description: 'the responsible person' }) owner!: string;
  @ApiProperty({ format: 'date-time' }) deadline!: string;
  @ApiProperty({ enum: ITEM_STATUSES }) status!: string;
}
export class PublicTaskBookDto extends PublicTaskBookSummaryDto {
  @ApiProperty({ format: 'uuid' }) campaignId!: string;
  @ApiProperty({ description: 'the unit head who signed it (一把手负责制)' }) signedBy!: string;
  @ApiProperty({ type: [PublicTaskBookItemDto] }) itemList!: PublicTaskBookItemDto[];
}
class PublicAnswerDto {
  @ApiProperty() text!: string;
  @ApiProperty({ format: 'date-time' }) answeredAt!: string;
}
export class PublicObjectionDto {
  @ApiProperty() id!: string;
  @ApiProperty({ nullable: true, type: String, description: 'the item objected to, if any' }) itemId!: string | null;
  @ApiProperty() text!: string;
  @ApiProperty({ format: 'date-time' }) filedAt!: string;
  @ApiProperty({ type: PublicAnswerDto }) answer!: PublicAnswerDto;
}
export class PublicObjectionListDto {
  @ApiProperty({ type: [PublicObjectionDto] }) items!: PublicObjectionDto[];
  @ApiProperty() total!: number;
}

export class PublicService {
  constructor(private readonly readModel: PublicReadModel) {}

  campaigns(q: PageQueryDto) {
    const { offset, limit } = pageOf(q);
    return this.readModel.campaigns(offset, limit);
  }

  async campaign(id: string) {
    const campaign = await this.readModel.campaign(id);
    if (!campaign) throw notFound('campaign', id);
    return campaign;
  }

  async units(campaignId: string, q: PublicUnitQueryDto) {
    await this.campaign(campaignId);
    const { offset, limit } = pageOf(q);
    return this.readModel.units(campaignId, q.q?.trim() || undefined, offset, limit);
  }

  async taskBooks(campaignId: string, q: PublicTaskBookQueryDto) {
    await this.campaign(campaignId);
    const { offset, limit } = pageOf(q);
    return this.readModel.taskBooks(campaignId, q.status, offset, limit);
  }

  async unit(unitId: string) {
    const unit = await this.readModel.unit(unitId);
    if (!unit) throw notFound('unit', unitId);
    return unit;
  }

  async taskBook(unitId: string) {
    const book = await this.readModel.taskBook(unitId);
    if (!book) {
      throw (await this.readModel.unitExists(unitId)) ? notFound('disclosed task book of unit', unitId) : notFound('unit', unitId);
    }
    return book;
  }

  async objections(unitId: string, q: PageQueryDto) {
    await this.taskBook(unitId);
    const { offset, limit } = pageOf(q);
    return this.readModel.answeredObjections(unitId, offset, limit);
  }
}

@ApiTags('public disclosure (公示)')
@Controller('api/public')
export class PublicController {
  constructor(private readonly service: PublicService) {}

  @Get('campaigns')
  @Access('public.read')
  @ApiOperation({
    summary: 'Campaigns under way or done, with how many task books are under disclosure and in effect (public, rate-limited)',
  })
  @ApiOkResponse({ type: PublicCampaignListDto })
  @ApiErrors(400, 429)
  campaigns(@Query() q: PageQueryDto) {
    return this.service.campaigns(q);
  }

  @Get('campaigns/:id')
  @Access('public.read')
  @ApiOperation({ summary: "A campaign's name, batches and disclosure window (public, rate-limited)" })
  @ApiOkResponse({ type: PublicCampaignDetailDto })
  @ApiErrors(404, 429)
  campaign(@Param('id', new UuidParam('campaign')) id: string) {
    return this.service.campaign(id);
  }

  @Get('campaigns/:id/units')
  @Access('public.read')
  @ApiOperation({ summary: "A campaign's participating units, to address an opinion to (public, rate-limited)" })
  @ApiOkResponse({ type: PublicUnitListDto })
  @ApiErrors(400, 404, 429)
  units(@Param('id', new UuidParam('campaign')) id: string, @Query() q: PublicUnitQueryDto) {
    return this.service.units(id, q);
  }

  @Get('campaigns/:id/task-books')
  @Access('public.read')
  @ApiOperation({ summary: "A campaign's task books under disclosure and in effect, newest first (public, rate-limited)" })
  @ApiOkResponse({ type: PublicTaskBookListDto })
  @ApiErrors(400, 404, 429)
  taskBooks(@Param('id', new UuidParam('campaign')) id: string, @Query() q: PublicTaskBookQueryDto) {
    return this.service.taskBooks(id, q);
  }

  @Get('units/:id')
  @Access('public.read')
  @ApiOperation({
    summary: 'A participating unit: code, name, batch, phase, and whether its task book is disclosed (public, rate-limited)',
  })
  @ApiOkResponse({ type: PublicUnitDetailDto })
  @ApiErrors(404, 429)
  unit(@Param('id', new UuidParam('unit')) id: string) {
    return this.service.unit(id);
  }

  @Get('units/:id/task-book')
  @Access('public.read')
  @ApiOperation({
    summary: "A unit's disclosed task book: items, measures, owners, deadlines, status (public, rate-limited; 404 while in draft)",
  })
  @ApiOkResponse({ type: PublicTaskBookDto })
  @ApiErrors(404, 429)
  taskBook(@Param('id', new UuidParam('unit')) id: string) {
    return this.service.taskBook(id);
  }

  @Get('units/:id/task-book/objections')
  @Access('public.read')
  @ApiOperation({
    summary: 'Objections to a disclosed task book that the unit has answered, with the answers, oldest first (public, rate-limited)',
  })
  @ApiOkResponse({ type: PublicObjectionListDto })
  @ApiErrors(400, 404, 429)
  objections(@Param('id', new UuidParam('unit')) id: string, @Query() q: PageQueryDto) {
    return this.service.objections(id, q);
  }
}
