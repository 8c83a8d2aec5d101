// Shared DTO pieces: limits, the error body, pagination.
import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional, ApiResponse } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, Max, Min } from 'class-validator';
import { Optional } from './validation';
import { FIELD_LIMITS, LIMITS as STATE_LIMITS } from '../../../../libs/domain/src';

/** Upper bounds of free text, so no single request can carry an unbounded payload into a workflow history. */
export const LIMITS = {
  ...FIELD_LIMITS,
  bulkUnits: 10_000,
  taskBookItems: STATE_LIMITS.taskBookItems,
  idList: 100,
  goals: STATE_LIMITS.goalsPerProgramme,
  pageSize: 500,
} as const;

/** A v4-style uuid (ids of campaigns, groups, units, principals, measures, programmes). */
/** A report's form: JSON for programs, HTML for people (a printable page). */
export const REPORT_FORMATS = ['json', 'html'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (v: unknown): v is string => typeof v === 'string' && UUID.test(v);

export class ErrorResponseDto {
  @ApiProperty({ example: 409 }) statusCode!: number;
  @ApiProperty({ example: 'Conflict' }) error!: string;
  @ApiProperty({ example: 'gate to P2 not met: gate.P2.study-record (rule: gate.P2.study-record)' }) message!: string;
  @ApiPropertyOptional({
    type: 'array',
    items: { type: 'object', additionalProperties: true },
    description: 'For 400: one entry per field `{field, problems}`; for 409: the rule and unmet gates',
  })
  details?: Array<Record<string, unknown>>;
}

export const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: 'Malformed or invalid input (a body, parameter or header): names the field',
  405: 'The path does not answer this method (Allow lists the ones it does)',
  401: 'Missing or unknown bearer token',
  403: 'The caller may see the object but not do this: its role, or who acts for whom (the message names the rule)',
  404: "Unknown id, or an object outside the caller's scope (answered alike, so that scope discloses nothing)",
  409: 'The request breaks a lifecycle rule (names the rule or the unmet gates), or conflicts with an earlier one (e.g. an Idempotency-Key used for another request)',
  413: 'Body too large',
  429: 'Rate limit of the public channel reached (Retry-After says when to come back)',
  503: 'Database or workflow engine unavailable: retry later (a decision answered 503 may still be applied: repeat it with the same Idempotency-Key)',
};

/** Documents the error answers a route may give, all in the one error shape. */
export const ApiErrors = (...statuses: number[]) =>
  applyDecorators(...statuses.map((status) => ApiResponse({ status, description: ERROR_DESCRIPTIONS[status], type: ErrorResponseDto })));

export class PageQueryDto {
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 1_000_000, default: 1 })
  @Optional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  page?: number;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: LIMITS.pageSize, default: 50 })
  @Optional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(LIMITS.pageSize)
  pageSize?: number;
}

/** A GET of one unit, item or programme: read your own writes. */
export class ReadQueryDto {
  @ApiPropertyOptional({
    type: 'integer',
    minimum: 0,
    maximum: 2_147_483_647,
    description:
      'Wait (at most 5 s) until the read model shows at least this version — the `version` a decision answered with. ' +
      'Past that, 503 with Retry-After: the decision stands, its view is not projected yet.',
  })
  @Optional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(2_147_483_647)
  minVersion?: number;
}

export const pageOf = (q: PageQueryDto) => {
  const pageSize = q.pageSize ?? 50;
  const page = q.page ?? 1;
  return { offset: (page - 1) * pageSize, limit: pageSize };
};
