// Cadre measures (组织措施): recorded by the office, or proposed by a referral rung and confirmed by the office.
import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { IsIn, IsString, MaxLength } from 'class-validator';
import {
  MEASURE_KINDS,
  MEASURE_PROPOSERS,
  MEASURE_STATUSES,
  type MeasureKind,
  notFound,
  requireAccess,
  ruleViolation,
} from '../../../../libs/domain/src';
import { onUnit } from '../auth/targets';
import { Access, CurrentPrincipal } from '../auth/decorators';
import type { Principal } from '../auth/principal';
import { ApiErrors, LIMITS, PageQueryDto, pageOf } from '../common/dto';
import { UuidParam } from '../common/params';
import { IsNotBlank } from '../common/validation';
import { PgMeasureRepository } from '../../../../libs/persistence/src';
import { UnitsService } from '../units/units.service';

export class RecordMeasureDto {
  @ApiProperty({ enum: MEASURE_KINDS, description: '提醒谈话 / 整顿 / 组织调整 / 移交纪检监察' })
  @IsIn(MEASURE_KINDS)
  kind!: MeasureKind;

  @ApiProperty({ maxLength: LIMITS.name, description: 'the cadre or leadership team concerned' })
  @IsString()
  @IsNotBlank()
  @MaxLength(LIMITS.name)
  subject!: string;

  @ApiProperty({ maxLength: LIMITS.text })
  @IsString()
  @IsNotBlank()
  @MaxLength(LIMITS.text)
  reason!: string;
}

export class MeasureDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) unitId!: string;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) campaignId!: string | null;
  @ApiProperty({ type: String, nullable: true }) itemId!: string | null;
  @ApiProperty({ enum: MEASURE_KINDS }) kind!: string;
  @ApiProperty() subject!: string;
  @ApiProperty() reason!: string;
  @ApiProperty({ enum: MEASURE_STATUSES }) status!: string;
  @ApiProperty({ enum: MEASURE_PROPOSERS }) proposedBy!: string;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) confirmedAt!: string | null;
}
export class MeasureListDto {
  @ApiProperty({ type: [MeasureDto] }) items!: MeasureDto[];
  @ApiProperty() total!: number;
}

export class MeasuresService {
  constructor(
    private readonly measures: PgMeasureRepository,
    private readonly units: UnitsService,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async record(by: Principal, unitId: string, dto: RecordMeasureDto) {
    requireAccess(by, 'measure.record');
    const unit = await this.units.mustFind(unitId);
    return this.measures.record({
      campaignId: unit.campaignId,
      unitId,
      kind: dto.kind,
      subject: dto.subject,
      reason: dto.reason,
      by: by.id,
      at: this.now(),
    });
  }

  async confirm(by: Principal, id: string) {
    requireAccess(by, 'measure.confirm');
    const measure = await this.measures.findById(id);
    if (!measure) throw notFound('measure', id);
    if (!(await this.measures.confirm(id, by.id, this.now()))) {
      throw ruleViolation('measure.confirm-proposed', `measure ${id} is ${measure.status}, only a proposed measure can be confirmed`);
    }
    const confirmed = await this.measures.findById(id);
    if (!confirmed) throw notFound('measure', id);
    return confirmed;
  }

  async listForUnit(by: Principal, unitId: string, q: PageQueryDto) {
    const unit = await this.units.mustFind(unitId);
    requireAccess(by, 'unit.measures.read', onUnit(unit));
    const { offset, limit } = pageOf(q);
    return this.measures.listByUnit(unitId, offset, limit);
  }
}

@ApiTags('programmes and cadre measures')
@Controller('api')
export class MeasuresController {
  constructor(private readonly service: MeasuresService) {}

  @Post('units/:id/measures')
  @HttpCode(201)
  @Access('measure.record')
  @ApiOperation({ summary: 'Record a cadre measure against a unit (confirmed as recorded)' })
  @ApiCreatedResponse({ type: MeasureDto })
  @ApiErrors(400, 401, 403, 404)
  record(@CurrentPrincipal() p: Principal, @Param('id', new UuidParam('unit')) id: string, @Body() dto: RecordMeasureDto) {
    return this.service.record(p, id, dto);
  }

  @Get('units/:id/measures')
  @Access('unit.measures.read')
  @ApiOperation({ summary: "A unit's cadre measures, proposed and confirmed" })
  @ApiOkResponse({ type: MeasureListDto })
  @ApiErrors(400, 401, 403, 404)
  list(@CurrentPrincipal() p: Principal, @Param('id', new UuidParam('unit')) id: string, @Query() q: PageQueryDto) {
    return this.service.listForUnit(p, id, q);
  }

  @Post('measures/:id/confirmation')
  @HttpCode(200)
  @Access('measure.confirm')
  @ApiOperation({ summary: 'The office confirms a measure proposed by a referral rung' })
  @ApiOkResponse({ type: MeasureDto })
  @ApiErrors(401, 403, 404, 409)
  confirm(@CurrentPrincipal() p: Principal, @Param('id', new UuidParam('measure')) id: string) {
    return this.service.confirm(p, id);
  }
}
