import { ApiProperty, ApiPropertyOptional, getSchemaPath } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsObject,
  IsString,
  IsUUID,
  MaxLength,
  ValidateNested,
} from 'class-validator';
import {
  type Batch,
  BATCH_STATUSES,
  BATCHES,
  type BatchKey,
  CAMPAIGN_STATUSES,
  type Card,
  CARDS,
  DAY_COUNTS,
  type Phase,
  PHASES,
  type PlanInput,
  RUNGS,
  UNIT_KINDS,
  UNIT_LEVELS,
  type UnitKind,
  type UnitLevel,
} from '../../../../libs/domain/src';
import { LIMITS, PageQueryDto } from '../common/dto';
import { SORT_ORDERS, type SortOrder } from '../../../../libs/persistence/src';

/** One unit's line in an enrolment's answer: enrolled (its id), there already, or refused (naming the rule). */
export const ENROLMENT_OUTCOMES = ['created', 'exists', 'error'] as const;
export type EnrolmentOutcome = (typeof ENROLMENT_OUTCOMES)[number];
import { IsIsoTime, IsNotBlank, EachIsObject, INSTANT_SCHEMA, Pattern, Optional } from '../common/validation';

const UNIT_CODE_PATTERN = '^[A-Za-z0-9._-]{1,64}$';

/** Columns the units list sorts by (the code breaks ties). */
export const UNIT_SORTS = ['code', 'name', 'batch', 'phase', 'card', 'group', 'windowEndsAt', 'updatedAt'] as const;
export type UnitSort = (typeof UNIT_SORTS)[number];

// ---------- plan (documentation; resolvePlan validates it and names the field) ----------

export class WindowDto {
  @ApiProperty({ ...INSTANT_SCHEMA, example: '2013-07-08T00:00:00+08:00' }) startsAt!: string;
  @ApiProperty({ ...INSTANT_SCHEMA, example: '2013-09-01T00:00:00+08:00' }) endsAt!: string;
}
export class PhaseWindowsDto {
  @ApiPropertyOptional({ type: WindowDto }) P1?: WindowDto;
  @ApiPropertyOptional({ type: WindowDto }) P2?: WindowDto;
  @ApiPropertyOptional({ type: WindowDto }) P3?: WindowDto;
}
export class BatchPlanDto {
  @ApiProperty({ enum: BATCHES }) batch!: Batch;
  @ApiPropertyOptional({ ...INSTANT_SCHEMA }) startsAt?: string;
  @ApiPropertyOptional({ ...INSTANT_SCHEMA }) endsAt?: string;
  @ApiPropertyOptional({ type: PhaseWindowsDto }) phases?: PhaseWindowsDto;
}
export class LadderRungDto {
  @ApiProperty({ enum: RUNGS }) rung!: string;
  @ApiProperty({ description: 'ISO-8601 duration relative to the deadline or window end', example: '-P7D' }) offset!: string;
}
export class CalendarPlanDto {
  @ApiPropertyOptional({ enum: DAY_COUNTS }) count?: string;
  @ApiPropertyOptional({ type: [String], example: ['2013-10-01'] }) holidays?: string[];
  @ApiPropertyOptional({ type: [String], description: 'weekend days that are worked (调休)', example: ['2013-09-22'] }) workdays?: string[];
  @ApiPropertyOptional({ example: '+08:00' }) utcOffset?: string;
}
export class PlanDto {
  @ApiPropertyOptional({ type: [BatchPlanDto] }) batches?: BatchPlanDto[];
  @ApiPropertyOptional({ description: 'public disclosure window of a task book (公示)', example: 'P7D' }) disclosure?: string;
  @ApiPropertyOptional({ type: [LadderRungDto] }) ladder?: LadderRungDto[];
  @ApiPropertyOptional({ type: [LadderRungDto] }) windowLadder?: LadderRungDto[];
  @ApiPropertyOptional({ type: CalendarPlanDto }) calendar?: CalendarPlanDto;
}

export class CreateCampaignDto {
  @ApiProperty({ maxLength: LIMITS.name })
  @IsString()
  @IsNotBlank()
  @MaxLength(LIMITS.name)
  name!: string;

  @ApiPropertyOptional({ description: 'anchor of the default calendar (default now)' })
  @Optional()
  @IsIsoTime()
  startsAt?: string;

  @ApiPropertyOptional({ type: PlanDto, description: 'every part optional; what is left out takes the default of DOMAIN.md' })
  @Optional()
  @IsObject()
  plan?: PlanInput;
}

export class CampaignCreatedDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: CAMPAIGN_STATUSES }) status!: string;
  @ApiProperty({ type: PlanDto, description: 'the fully resolved plan' }) plan!: PlanDto;
}

export class PhaseCountsDto {
  @ApiProperty() P1!: number;
  @ApiProperty() P2!: number;
  @ApiProperty() P3!: number;
  @ApiProperty() DONE!: number;
  @ApiPropertyOptional({ description: 'enrolled units whose batch has not opened' }) waiting?: number;
}
export class CardCountsDto {
  @ApiProperty() yellow!: number;
  @ApiProperty() red!: number;
}
export class DashboardDto {
  @ApiProperty({
    type: 'object',
    description: 'units per batch ("1", "2") and phase',
    additionalProperties: { $ref: getSchemaPath(PhaseCountsDto) },
  })
  byBatch!: Record<BatchKey, PhaseCountsDto>;
  @ApiProperty({ type: CardCountsDto }) cards!: CardCountsDto;
  @ApiProperty() referrals!: number;
  @ApiProperty() overdueItems!: number;
}
export class CampaignCountsDto extends DashboardDto {
  @ApiProperty({ description: 'enrolled units' }) units!: number;
}
/** As the stuck-run detector last saw the campaign's workflow (GET /api/audit/stuck-runs lists every stuck run). */
export class StalledDto {
  @ApiProperty({ type: 'integer', description: 'attempts of the workflow task so far (each one failed or timed out)' }) attempts!: number;
  @ApiPropertyOptional({ description: 'why its task fails: a WorkflowTaskFailedCause, or WORKFLOW_TASK_TIMED_OUT' }) cause?: string;
  @ApiPropertyOptional({ format: 'date-time', description: 'when the stuck-run detector first saw it stuck' }) since?: string;
  @ApiPropertyOptional({ format: 'date-time', description: 'when the detector last saw it stuck: the answer is as fresh as that' })
  seenAt?: string;
  @ApiPropertyOptional({ format: 'date-time', description: 'when the failing task was first scheduled (when known)' }) scheduledAt?: string;
}
export class CampaignDto extends CampaignCreatedDto {
  @ApiProperty({
    enum: [...CAMPAIGN_STATUSES, 'stalled'],
    description: 'stalled: started, but its workflow task fails on every attempt (see stalled; metric massline_campaigns_stalled)',
  })
  override status!: string;
  @ApiPropertyOptional({ type: StalledDto }) stalled?: StalledDto;
  @ApiProperty({ format: 'date-time' }) startsAt!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) startedAt!: string | null;
  @ApiProperty({ description: 'listed on the public pages (公示)' }) public!: boolean;
  @ApiProperty({ type: CampaignCountsDto }) counts!: CampaignCountsDto;
}
export class StartCampaignQueryDto {
  @ApiPropertyOptional({
    enum: ['true', 'false'],
    description: 'list it on the public pages from its start (default true)',
    default: 'true',
  })
  @Optional()
  @IsIn(['true', 'false'])
  public?: 'true' | 'false';
}
export class PublicationDto {
  @ApiProperty({ description: 'listed on the public pages (公示); a draft is never listed' })
  @IsBoolean()
  public!: boolean;
}
export class PublicationStateDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() public!: boolean;
}
export class CampaignStartedDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: ['running'] }) status!: 'running';
  @ApiProperty() workflowId!: string;
}

export class CreateGroupDto {
  @ApiProperty({ maxLength: LIMITS.name })
  @IsString()
  @IsNotBlank()
  @MaxLength(LIMITS.name)
  name!: string;
}
export class GroupDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) campaignId!: string;
  @ApiProperty() name!: string;
}
export class GroupListDto {
  @ApiProperty({ type: [GroupDto] }) items!: GroupDto[];
  @ApiProperty({ type: 'integer' }) total!: number;
}

export class EnrolUnitDto {
  @ApiProperty({ maxLength: LIMITS.code })
  @IsString()
  @Pattern(UNIT_CODE_PATTERN, '$property must be 1 to 64 letters, digits, dots, dashes or underscores')
  code!: string;

  @ApiProperty({ maxLength: LIMITS.name })
  @IsString()
  @IsNotBlank()
  @MaxLength(LIMITS.name)
  name!: string;

  @ApiProperty({ enum: UNIT_KINDS })
  @IsIn(UNIT_KINDS)
  kind!: UnitKind;

  @ApiProperty({ enum: UNIT_LEVELS })
  @IsIn(UNIT_LEVELS)
  level!: UnitLevel;

  @ApiPropertyOptional({ enum: BATCHES, description: 'default: from kind and level' })
  @Optional()
  @IsIn(BATCHES)
  batch?: Batch;

  @ApiPropertyOptional({ maxLength: LIMITS.code })
  @Optional()
  @IsString()
  @Pattern(UNIT_CODE_PATTERN, '$property must be 1 to 64 letters, digits, dots, dashes or underscores')
  parentCode?: string;

  @ApiProperty({ format: 'uuid', description: 'a supervisory group of this campaign' })
  @IsUUID()
  groupId!: string;
}

export class EnrolUnitsDto {
  @ApiProperty({ type: [EnrolUnitDto], maxItems: LIMITS.bulkUnits, minItems: 1 })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(LIMITS.bulkUnits)
  @EachIsObject()
  @ValidateNested({ each: true })
  @Type(() => EnrolUnitDto)
  units!: EnrolUnitDto[];
}

export class EnrolResultDto {
  @ApiProperty() code!: string;
  @ApiPropertyOptional({ format: 'uuid' }) id?: string;
  @ApiProperty({ enum: ENROLMENT_OUTCOMES }) status!: EnrolmentOutcome;
  @ApiPropertyOptional() error?: string;
  @ApiPropertyOptional({ description: 'the rule that refused it (enrol.code-twice, enrol.group-unknown, …)' }) rule?: string;
  @ApiPropertyOptional({ type: 'object', additionalProperties: true, description: 'the values it was refused with' }) params?: Record<
    string,
    unknown
  >;
}
export class EnrolResultsDto {
  @ApiProperty({ type: [EnrolResultDto] }) results!: EnrolResultDto[];
}

export class UnitListQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: BATCHES })
  @Optional()
  @Type(() => Number)
  @IsInt()
  @IsIn(BATCHES)
  batch?: Batch;

  @ApiPropertyOptional({ enum: PHASES })
  @Optional()
  @IsIn(PHASES)
  phase?: Phase;

  @ApiPropertyOptional({ enum: CARDS })
  @Optional()
  @IsIn(CARDS)
  card?: Card;

  @ApiPropertyOptional({ format: 'uuid' })
  @Optional()
  @IsUUID()
  groupId?: string;

  @ApiPropertyOptional({ maxLength: 100, description: 'part of the code or the name (case-insensitive)' })
  @Optional()
  @IsString()
  @MaxLength(100)
  q?: string;

  @ApiPropertyOptional({ enum: UNIT_SORTS, default: 'code' })
  @Optional()
  @IsIn(UNIT_SORTS)
  sort?: UnitSort;

  @ApiPropertyOptional({ enum: SORT_ORDERS, default: 'asc' })
  @Optional()
  @IsIn(SORT_ORDERS)
  order?: SortOrder;
}

export class UnitListEntryDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() code!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: UNIT_KINDS }) kind!: string;
  @ApiProperty({ enum: UNIT_LEVELS }) level!: string;
  @ApiProperty({ enum: BATCHES }) batch!: number;
  @ApiProperty({ format: 'uuid' }) groupId!: string;
  @ApiProperty({ description: "its supervisory group's name" }) groupName!: string;
  @ApiProperty({ enum: PHASES, nullable: true, description: 'null while the unit waits for its batch to open' }) phase!: string | null;
  @ApiProperty({ enum: BATCH_STATUSES }) status!: string;
  @ApiProperty({ enum: CARDS }) card!: string;
  @ApiProperty({ type: WindowDto, nullable: true }) window!: WindowDto | null;
  @ApiProperty({ type: [String] }) unmetGates!: string[];
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) updatedAt!: string | null;
}
export class UnitListDto {
  @ApiProperty({ type: [UnitListEntryDto] }) items!: UnitListEntryDto[];
  @ApiProperty() total!: number;
}
