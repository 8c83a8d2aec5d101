import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsUUID } from 'class-validator';
import { ESCALATION_SUBJECTS, type Rung, RUNGS } from '../../../../libs/domain/src';
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
  @ApiProperty({ enum: ESCALATION_SUBJECTS }) subject!: string;
  @ApiPropertyOptional() phase?: string;
  @ApiProperty({ enum: RUNGS }) rung!: string;
  @ApiProperty({ format: 'date-time' }) deadline!: string;
  @ApiProperty({ format: 'date-time' }) firedAt!: string;
  @ApiProperty({ type: [String], description: 'recipients, e.g. group:<id>, office, discipline-inspection' }) to!: string[];
  @ApiProperty({ description: 'a sentence in English, for logs and notices; the fields below word it in any language' }) summary!: string;
  @ApiProperty({ type: String, nullable: true, description: "the unit's code" }) unitCode!: string | null;
  @ApiProperty({ type: String, nullable: true, description: "the unit's name" }) unitName!: string | null;
  @ApiProperty({ type: String, nullable: true, description: "an item's responsible person (责任人), when the rung fired" }) owner!:
    string | null;
  @ApiProperty({ type: String, nullable: true, description: "an item's measure (整改措施), its text" }) measure!: string | null;
  @ApiProperty({ type: String, nullable: true, description: "a programme goal's programme" }) programmeName!: string | null;
  @ApiProperty({ type: String, nullable: true, description: "a programme goal's title" }) goalTitle!: string | null;
}
export class EscalationListDto {
  @ApiProperty({ type: [EscalationDto] }) items!: EscalationDto[];
  @ApiProperty() total!: number;
}
