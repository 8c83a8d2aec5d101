import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsInt, IsObject, IsString, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import { BATCHES, type PlanInput, UNIT_KINDS, UNIT_LEVELS } from '../../../../libs/domain/src';
import {
  REPORT_LANGS,
  SEED_MAX_CHARS,
  SIMULATION_MAX_GROUPS,
  SIMULATION_MAX_UNITS,
  SIMULATION_STAGES,
  type ReportLang,
} from '../../../../libs/simulation/src';
import { SIMULATION_JOB_STATUSES } from '../../../../libs/persistence/src';
import { PlanDto } from '../campaigns/campaigns.dto';
import { LIMITS, PageQueryDto, REPORT_FORMATS, type ReportFormat } from '../common/dto';
import { IsIsoTime, IsNotBlank, Optional, Pattern } from '../common/validation';

const UUID_PATTERN = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';

export class SimulationUnitDto {
  @ApiProperty({ maxLength: LIMITS.code }) @IsString() @IsNotBlank() @MaxLength(LIMITS.code) code!: string;
  @ApiProperty({ maxLength: LIMITS.name }) @IsString() @IsNotBlank() @MaxLength(LIMITS.name) name!: string;
  @ApiProperty({ enum: UNIT_KINDS }) @IsIn(UNIT_KINDS) kind!: string;
  @ApiProperty({ enum: UNIT_LEVELS }) @IsIn(UNIT_LEVELS) level!: string;
  @ApiPropertyOptional({ enum: BATCHES, description: 'default: from kind and level' }) @Optional() @IsIn(BATCHES) batch?: number;
  @ApiProperty({ maxLength: LIMITS.name, description: 'the name of its supervisory group' })
  @IsString()
  @IsNotBlank()
  @MaxLength(LIMITS.name)
  group!: string;
}

export class CreateSimulationDto {
  @ApiPropertyOptional({
    description:
      'A live campaign: its plan and, unless `units` or `unitList` is given, its enrolment and groups (read only: nothing of it changes)',
  })
  @Optional()
  @IsString()
  @Pattern(UUID_PATTERN, '$property must be a campaign id (uuid)')
  campaignId?: string;

  @ApiPropertyOptional({
    type: PlanDto,
    description: 'A plan (without campaignId); what it leaves out takes the seed calendar anchored at startsAt',
  })
  @Optional()
  @IsObject()
  plan?: PlanInput;

  @ApiPropertyOptional({
    description: 'Anchor of the seed calendar (without campaignId); default 2013-07-08T00:00:00+08:00, the seed’s own',
  })
  @Optional()
  @IsIsoTime()
  startsAt?: string;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    maximum: SIMULATION_MAX_UNITS,
    description: "This many units in the seed's mix of kinds and levels",
  })
  @Optional()
  @IsInt()
  @Min(1)
  @Max(SIMULATION_MAX_UNITS)
  units?: number;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    maximum: SIMULATION_MAX_GROUPS,
    description: 'Supervisory groups for `units` (default one per 20 units)',
  })
  @Optional()
  @IsInt()
  @Min(1)
  @Max(SIMULATION_MAX_GROUPS)
  groups?: number;

  @ApiPropertyOptional({
    type: [SimulationUnitDto],
    minItems: 1,
    maxItems: SIMULATION_MAX_UNITS,
    description: 'The units, each naming its group (e.g. read from an enrolment file)',
  })
  @Optional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(SIMULATION_MAX_UNITS)
  @ValidateNested({ each: true })
  @Type(() => SimulationUnitDto)
  unitList?: SimulationUnitDto[];

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: 'The behaviour profile (README "Rehearsing a campaign"); what it leaves out takes the default',
  })
  @Optional()
  @IsObject()
  profile?: Record<string, unknown>;

  @ApiPropertyOptional({
    maxLength: SEED_MAX_CHARS,
    description: 'The same input and seed give the same report, byte for byte (default "1")',
  })
  @Optional()
  @IsString()
  @IsNotBlank()
  @MaxLength(SEED_MAX_CHARS)
  seed?: string;

  @ApiPropertyOptional({ maxLength: LIMITS.name, description: 'Name in the report (default: the campaign’s, or "rehearsal")' })
  @Optional()
  @IsString()
  @IsNotBlank()
  @MaxLength(LIMITS.name)
  name?: string;
}

export class SimulationAcceptedDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  /** Started at once when no other simulation runs, else queued behind it. */
  @ApiProperty({ enum: SIMULATION_JOB_STATUSES.filter((s) => s === 'queued' || s === 'running') }) status!: string;
}

export class SimulationProgressDto {
  @ApiPropertyOptional({ enum: SIMULATION_STAGES }) stage?: string;
  @ApiPropertyOptional({ description: 'what is being prepared (the test server, the database, the workflows)' }) note?: string;
  @ApiPropertyOptional({ description: 'the simulated moment (the plan’s own time)' }) at?: string;
  @ApiPropertyOptional() from?: string;
  @ApiPropertyOptional() to?: string;
  @ApiPropertyOptional({ type: 'integer' }) actionsDone?: number;
  @ApiPropertyOptional({ type: 'integer' }) actionsTotal?: number;
  @ApiPropertyOptional({ type: 'integer' }) elapsedMs?: number;
  @ApiPropertyOptional({ type: 'integer', description: 'estimated time left' }) etaMs?: number;
}

export class SimulationJobDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: SIMULATION_JOB_STATUSES }) status!: string;
  @ApiPropertyOptional({ format: 'uuid' }) campaignId?: string;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'what was asked: the source of the plan and the units, their number, the seed',
  })
  request!: Record<string, unknown>;
  @ApiProperty({ type: SimulationProgressDto }) progress!: SimulationProgressDto;
  @ApiPropertyOptional({ type: 'object', additionalProperties: true, description: "the report's totals, once done" }) totals?: Record<
    string,
    unknown
  >;
  @ApiPropertyOptional({ type: 'object', additionalProperties: true, description: 'wall time of each stage (ms)' }) stats?: Record<
    string,
    unknown
  >;
  @ApiPropertyOptional() error?: string;
  @ApiProperty() requestedBy!: string;
  @ApiProperty() createdAt!: string;
  @ApiPropertyOptional() startedAt?: string;
  @ApiPropertyOptional() finishedAt?: string;
}

export class SimulationJobPageDto {
  @ApiProperty({ type: [SimulationJobDto] }) items!: SimulationJobDto[];
  @ApiProperty() total!: number;
}

export class SimulationListQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'only the simulations of this campaign' })
  @Optional()
  @IsString()
  @Pattern(UUID_PATTERN, '$property must be a campaign id (uuid)')
  campaignId?: string;
}

export class SimulationReportQueryDto {
  @ApiPropertyOptional({ enum: REPORT_FORMATS, default: 'json' }) @Optional() @IsIn(REPORT_FORMATS) format?: ReportFormat;
  @ApiPropertyOptional({ enum: REPORT_LANGS, default: 'zh', description: 'language of the HTML report' })
  @Optional()
  @IsIn(REPORT_LANGS)
  lang?: ReportLang;
}
