import { ApiProperty } from '@nestjs/swagger';

export class EntryPageDto {
  @ApiProperty({
    type: 'array',
    items: { type: 'object', additionalProperties: true },
    description: 'entries oldest first; texts are put back from the document store (the workflow history keeps their sha256)',
  })
  items!: object[];
  @ApiProperty() total!: number;
}

export class ContactErasedDto {
  @ApiProperty() id!: string;
  @ApiProperty({ format: 'date-time' }) contactErasedAt!: string;
}

export class CountsDto {
  @ApiProperty({ type: 'object', additionalProperties: { type: 'integer' }, description: 'records by kind' }) records!: Record<
    string,
    number
  >;
  @ApiProperty() opinions!: number;
  @ApiProperty() problems!: number;
  @ApiProperty({ description: 'meetings scheduled, the current one included' }) meetings!: number;
  @ApiProperty() transitions!: number;
}

export class ObjectionCountsDto {
  @ApiProperty() filed!: number;
  @ApiProperty() unanswered!: number;
}

export class ItemCountsDto {
  @ApiProperty() progress!: number;
  @ApiProperty() extensions!: number;
  @ApiProperty() verifications!: number;
}
