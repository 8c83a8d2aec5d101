import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsUUID } from 'class-validator';
import { RUNGS, type Rung } from '../../../../libs/domain/src';
import { PageQueryDto } from '../common/dto';
import { IsIsoTime, Optional } from '../common/validation';

export class EscalationQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ format: 'uuid' })
  @Optional()
  @IsUUID()
  campaignId?: string;

  @ApiPropertyOptional({ enum: RUNGS })
  @Optional()
  @IsIn(RUNGS)
  rung?: Rung;

  @ApiPropertyOptional({ description: 'fired at or after' })
  @Optional()
  @IsIsoTime()
  since?: string;
}

export class EscalationDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiPropertyOptional() itemId?: string;
  @ApiProperty({ format: 'uuid' }) unitId!: string;
  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: "null for a programme's goal defined without a campaign" })
  campaignId!: string | null;
  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: "the unit's supervisory group; null for a programme's goal" })
  groupId!: string | null;
  @ApiProperty({ enum: ['item', 'phase-window', 'programme-goal'] }) subject!: string;
  @ApiPropertyOptional() phase?: string;
  @ApiProperty({ enum: RUNGS }) rung!: string;
  @ApiProperty({ format: 'date-time' }) deadline!: string;
  @ApiProperty({ format: 'date-time' }) firedAt!: string;
  @ApiProperty({ type: [String], description: 'recipients, e.g. group:<id>, office, discipline-inspection' }) to!: string[];
  @ApiProperty() summary!: string;
}
export class EscalationListDto {
  @ApiProperty({ type: [EscalationDto] }) items!: EscalationDto[];
  @ApiProperty() total!: number;
}
