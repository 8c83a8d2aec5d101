import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsObject, IsString, MaxLength } from 'class-validator';
import { ACTIVE_PHASES, BATCHES, DAY_COUNTS, MOVE_SUBJECTS, RUNGS } from '../../../../libs/domain/src';
import { LIMITS } from '../common/dto';
import { IsNotBlank, Optional, Pattern } from '../common/validation';
import { LadderRungDto, WindowDto } from './campaigns.dto';

class PhaseWindowsChangeDto {
  @ApiPropertyOptional({ type: WindowDto }) P1?: WindowDto;
  @ApiPropertyOptional({ type: WindowDto }) P2?: WindowDto;
  @ApiPropertyOptional({ type: WindowDto }) P3?: WindowDto;
}
class BatchChangeDto {
  @ApiProperty({ enum: BATCHES }) batch!: number;
  @ApiPropertyOptional({ description: "the batch's end (when a moved window needs it); its opening cannot move once the campaign runs" })
  endsAt?: string;
  @ApiPropertyOptional({ type: PhaseWindowsChangeDto, description: `windows moved (${ACTIVE_PHASES.join(', ')}); what is left out stays` })
  phases?: PhaseWindowsChangeDto;
}
class DateEditDto {
  @ApiPropertyOptional({ type: [String], example: ['2014-04-07'] }) add?: string[];
  @ApiPropertyOptional({ type: [String] }) remove?: string[];
}
class CalendarChangeDto {
  @ApiPropertyOptional({ enum: DAY_COUNTS }) count?: string;
  @ApiPropertyOptional({ type: DateEditDto, description: 'holidays added or removed' }) holidays?: DateEditDto;
  @ApiPropertyOptional({ type: DateEditDto, description: 'swapped workdays (调休, weekend days worked) added or removed' })
  workdays?: DateEditDto;
}
export class PlanChangeDto {
  @ApiPropertyOptional({ type: [BatchChangeDto] }) batches?: BatchChangeDto[];
  @ApiPropertyOptional({ example: 'P10D', description: 'the disclosure period (公示): disclosures under way end by it too' })
  disclosure?: string;
  @ApiPropertyOptional({ type: [LadderRungDto], description: `the items' ladder (${RUNGS.join(', ')})` }) ladder?: LadderRungDto[];
  @ApiPropertyOptional({ type: [LadderRungDto] }) windowLadder?: LadderRungDto[];
  @ApiPropertyOptional({ type: CalendarChangeDto }) calendar?: CalendarChangeDto;
}

export class PlanChangePreviewDto {
  @ApiProperty({ type: PlanChangeDto, description: 'what changes; checked against the plan as a whole (the field is named)' })
  @IsObject()
  change!: Record<string, unknown>;

  @ApiPropertyOptional({
    type: [Number],
    enum: BATCHES,
    minItems: 1,
    maxItems: 2,
    description: 'the batches that take the change (default: every batch); the others stay on their version',
  })
  @Optional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(2)
  @IsIn(BATCHES, { each: true })
  batches?: Array<1 | 2>;
}

export class PlanChangeApplyDto extends PlanChangePreviewDto {
  @ApiProperty({ maxLength: LIMITS.comment, description: 'why the plan changes (kept with the version)' })
  @IsString()
  @IsNotBlank()
  @MaxLength(LIMITS.comment)
  reason!: string;

  @ApiProperty({ description: 'the digest of the preview the office confirmed; a change whose preview no longer holds is refused (409)' })
  @IsString()
  @Pattern('^[0-9a-f]{64}$', '$property must be the digest a preview gave')
  previewDigest!: string;
}

export class PlanMoveDto {
  @ApiProperty({ enum: BATCHES }) batch!: number;
  @ApiProperty({ format: 'uuid' }) unitId!: string;
  @ApiProperty({ type: 'object', properties: { code: { type: 'string' }, name: { type: 'string' } } }) unit!: {
    code: string;
    name: string;
  };
  @ApiPropertyOptional() itemId?: string;
  @ApiPropertyOptional({ type: 'object', properties: { n: { type: 'integer' } } }) item?: { n: number };
  @ApiProperty({ enum: MOVE_SUBJECTS }) subject!: string;
  @ApiPropertyOptional({ enum: ACTIVE_PHASES }) phase?: string;
  @ApiProperty({ enum: [...RUNGS], nullable: true, description: 'null: the deadline itself' }) rung!: string | null;
  @ApiProperty({ description: 'its moment now (`never`: the new ladder adds the rung)' }) before!: string;
  @ApiProperty({ description: 'its moment after the change (`never`: the new ladder drops the rung)' }) after!: string;
  @ApiProperty({ description: 'its new moment has passed: it fires (or takes effect) at once' }) firesAtOnce!: boolean;
}

export class PlanChangePreviewResultDto {
  @ApiProperty({ description: 'confirm the change with this digest (POST …/plan-changes)' }) digest!: string;
  @ApiProperty({ format: 'uuid' }) campaignId!: string;
  @ApiProperty({ type: [Number] }) batches!: number[];
  @ApiProperty({ type: 'object', additionalProperties: { type: 'integer' }, description: 'the version each batch runs on now' })
  from!: Record<string, number>;
  @ApiProperty({ type: 'integer', description: 'the version the change would be' }) version!: number;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'the plan after the change' }) plan!: Record<string, unknown>;
  @ApiProperty({
    type: 'array',
    items: { type: 'object', additionalProperties: true },
    description: '{path, before, after} against the latest version',
  })
  diff!: unknown[];
  @ApiProperty() now!: string;
  @ApiProperty({ type: 'integer', description: 'every deadline and rung that moves (the list holds the first 1,000 by their new moment)' })
  total!: number;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'by batch: deadlines, rungs, firesAtOnce, units, items' })
  counts!: Record<string, unknown>;
  @ApiProperty({ type: [PlanMoveDto] }) moves!: PlanMoveDto[];
  @ApiProperty({
    type: 'array',
    items: { type: 'object', properties: { date: { type: 'string' }, before: { type: 'integer' }, after: { type: 'integer' } } },
  })
  days!: unknown[];
}

export class PlanChangeAppliedDto {
  @ApiProperty({ type: 'integer' }) version!: number;
  @ApiProperty({ type: [Number] }) batches!: number[];
  @ApiProperty() previewDigest!: string;
  @ApiProperty({ type: 'integer', description: 'live deadlines and rungs it moves' }) moves!: number;
  @ApiProperty({ type: 'object', properties: { workflowId: { type: 'string' } } }) rollout!: { workflowId: string };
}

export class PlanVersionDto {
  @ApiProperty({ type: 'integer' }) version!: number;
  @ApiProperty({ type: [Number], description: 'the batches that took it when it was applied' }) batches!: number[];
  @ApiProperty({ type: [Number], description: 'the batches running on it now' }) runningOn!: number[];
  @ApiPropertyOptional({ type: 'integer' }) basedOn?: number;
  @ApiProperty({
    type: 'array',
    items: { type: 'object', additionalProperties: true },
    description: '{path, before, after} against the version it was based on',
  })
  diff!: unknown[];
  @ApiPropertyOptional() reason?: string;
  @ApiPropertyOptional() previewDigest?: string;
  @ApiPropertyOptional({ description: 'the principal who applied it' }) createdBy?: string;
  @ApiPropertyOptional({ description: "that principal's name" }) createdByName?: string;
  @ApiProperty() createdAt!: string;
  @ApiPropertyOptional({
    type: 'object',
    properties: { units: { type: 'integer' }, items: { type: 'integer' }, doneAt: { type: 'string' } },
  })
  rollout?: Record<string, unknown>;
  @ApiProperty({ type: 'object', additionalProperties: true }) plan!: Record<string, unknown>;
}

export class PlanVersionListDto {
  @ApiProperty({ type: 'object', additionalProperties: { type: 'integer' }, description: 'the version each batch runs on' })
  current!: Record<string, number>;
  @ApiProperty({ type: [PlanVersionDto] }) items!: PlanVersionDto[];
}
