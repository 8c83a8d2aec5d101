import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsString, MaxLength } from 'class-validator';
import { CARDS, DECISIONS, ITEM_STATUSES, RUNGS } from '../../../../libs/domain/src';
import { LIMITS } from '../common/dto';
import { IsIsoTime, IsNotBlank, Pattern, URI_PATTERN, Optional } from '../common/validation';
import { ItemCountsDto } from '../units/entries.dto';
import { DECISION_VERSION, PROJECTED_AT } from '../units/units.dto';

export class ProgressDto {
  @ApiProperty({ maxLength: LIMITS.text })
  @IsString()
  @IsNotBlank()
  @MaxLength(LIMITS.text)
  note!: string;

  @ApiPropertyOptional({ maxLength: LIMITS.uri })
  @Optional()
  @IsString()
  @MaxLength(LIMITS.uri)
  @Pattern(URI_PATTERN, '$property must be a URI')
  evidenceUri?: string;
}

export class CompletionDto {
  @ApiProperty({ maxLength: LIMITS.text })
  @IsString()
  @IsNotBlank()
  @MaxLength(LIMITS.text)
  evidence!: string;
}

export class VerificationDto {
  @ApiProperty({ description: 'true closes the item (销号); false sends it back to open' })
  @IsBoolean()
  accept!: boolean;

  @ApiProperty({ maxLength: LIMITS.comment })
  @IsString()
  @IsNotBlank()
  @MaxLength(LIMITS.comment)
  comment!: string;
}

export class ExtensionRequestDto {
  @ApiProperty()
  @IsIsoTime()
  newDeadline!: string;

  @ApiProperty({ maxLength: LIMITS.comment })
  @IsString()
  @IsNotBlank()
  @MaxLength(LIMITS.comment)
  reason!: string;
}

export class CarryOverDto {
  @ApiProperty({ maxLength: LIMITS.title, description: 'the long-term rule the item is carried into (建章立制)' })
  @IsString()
  @IsNotBlank()
  @MaxLength(LIMITS.title)
  rule!: string;

  @ApiProperty({ maxLength: LIMITS.comment })
  @IsString()
  @IsNotBlank()
  @MaxLength(LIMITS.comment)
  comment!: string;
}

export class FiredRungDto {
  @ApiProperty({ enum: RUNGS }) rung!: string;
  @ApiProperty({ format: 'date-time' }) firedAt!: string;
  @ApiProperty({ format: 'date-time', description: 'the deadline the rung belongs to' }) deadline!: string;
  @ApiPropertyOptional({ type: [String] }) to?: string[];
  @ApiPropertyOptional({ type: 'integer', description: 'the plan version whose ladder computed it (absent: version 1)' })
  planVersion?: number;
}

export class ItemViewDto {
  @ApiProperty() id!: string;
  @ApiProperty({ format: 'uuid' }) unitId!: string;
  @ApiProperty() measure!: string;
  @ApiProperty() owner!: string;
  @ApiProperty({ format: 'date-time' }) deadline!: string;
  @ApiProperty({ enum: ITEM_STATUSES }) status!: string;
  @ApiProperty({ enum: CARDS }) card!: string;
  @ApiProperty({ type: [FiredRungDto], description: 'every rung fired, across every deadline the item has had' }) rungs!: FiredRungDto[];
  @ApiProperty({ type: [String] }) problemIds!: string[];
  @ApiProperty({
    type: ItemCountsDto,
    description: 'the entries themselves: GET /api/items/{itemId}/progress, /extensions, /verifications',
  })
  counts!: ItemCountsDto;
  @ApiProperty({ description: 'monotonic; a decision on the item answers with the version it produced' }) version!: number;
  @ApiPropertyOptional({
    type: 'integer',
    description: 'the plan version its ladder runs on (absent: version 1, the plan the campaign started with)',
  })
  planVersion?: number;
  @ApiPropertyOptional({ type: String, format: 'date-time', nullable: true, description: PROJECTED_AT }) projectedAt?: string | null;
}

export class ExtensionDecisionResultDto {
  @ApiProperty({ enum: DECISIONS }) status!: string;
  @ApiProperty({ format: 'date-time', description: 'the deadline in force after the decision' }) deadline!: string;
  @ApiProperty({ description: DECISION_VERSION }) version!: number;
}
