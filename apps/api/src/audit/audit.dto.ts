import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsBoolean, IsIn, IsString } from 'class-validator';
import { IsIsoTime, Pattern, Optional } from '../common/validation';
import { RECOVERY_VERDICTS } from '../../../../libs/persistence/src';

/** Unit ids, item ids (`<unit>.item-<n>`) and workflow ids (`massline-…`). */
const WORKFLOW_REF = '^[A-Za-z0-9._:-]{1,200}$';
const UUID_PATTERN = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';
export const MAX_REPLAY_IDS = 10_000;

export class ReplayRequestDto {
  @ApiPropertyOptional({ description: "Replays every workflow of the campaign (by its MasslineCampaign search attribute), every run" })
  @Optional()
  @IsString()
  @Pattern(UUID_PATTERN, '$property must be a campaign id (uuid)')
  campaignId?: string;

  @ApiPropertyOptional({ type: [String], maxItems: MAX_REPLAY_IDS, description: 'Unit ids, item ids or workflow ids (latest run of each)' })
  @Optional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_REPLAY_IDS)
  @IsString({ each: true })
  @Pattern(WORKFLOW_REF, '$property must hold unit, item or workflow ids', true)
  workflowIds?: string[];

  @ApiPropertyOptional({ example: '2014-01-01T00:00:00+08:00', description: 'Workflows closed at or after this time' })
  @Optional()
  @IsIsoTime()
  closedAfter?: string;

  @ApiPropertyOptional({ example: '2014-08-01T00:00:00+08:00', description: 'Workflows closed at or before this time' })
  @Optional()
  @IsIsoTime()
  closedBefore?: string;
}

export class ReplayFailureDto {
  @ApiProperty() workflowId!: string;
  @ApiPropertyOptional() runId?: string;
  @ApiProperty({ example: '[TMPRL1100] Nondeterminism error: Timer machine does not handle this event: HistoryEvent(id: 5, UpsertWorkflowSearchAttributes) (first diverging event: 5 UpsertWorkflowSearchAttributes)' })
  error!: string;
  @ApiPropertyOptional({ example: 5, description: 'First event of the history the current code disagrees with' }) eventId?: number;
  @ApiPropertyOptional({ example: 'UpsertWorkflowSearchAttributes' }) eventType?: string;
  @ApiProperty({ enum: ['nondeterminism', 'replay-error', 'fetch-error'] }) kind!: string;
  @ApiPropertyOptional({
    enum: ['ended by recovery', 'written by this build'],
    description: "On `sdkDefects` only: why the divergence is the SDK's, not the code's",
  })
  because?: string;
}

export class ReplayJobDto {
  @ApiProperty() id!: string;
  @ApiProperty({ enum: ['running', 'done', 'failed'], description: '`failed`: the job itself could not run (see error), not a divergence' })
  status!: string;
  @ApiProperty({ description: 'Histories selected' }) total!: number;
  @ApiProperty({ description: 'Histories replayed so far' }) replayed!: number;
  @ApiProperty({ type: [ReplayFailureDto] }) failures!: ReplayFailureDto[];
  @ApiProperty({
    type: [ReplayFailureDto],
    description:
      "Divergences that are the SDK's, not the code's, listed apart from failures: runs that recovery ended by a reset (the run that replaced each one is replayed too), and runs whose diverging task was written by the very build replaying them",
  })
  sdkDefects!: ReplayFailureDto[];
  @ApiPropertyOptional() error?: string;
  @ApiProperty({ type: Object }) request!: Record<string, unknown>;
  @ApiProperty() requestedBy!: string;
  @ApiProperty() createdAt!: string;
  @ApiPropertyOptional() finishedAt?: string;
}

export class WorkflowRecoveryDto {
  @ApiProperty() workflowId!: string;
  @ApiProperty({ description: 'The run that was stuck' }) runId!: string;
  @ApiPropertyOptional({ enum: RECOVERY_VERDICTS, description: 'Absent while a worker is still deciding; `closed`: the run had ended, nothing to resume' })
  verdict?: string;
  @ApiPropertyOptional({ description: 'Why it was reset or left to people' }) reason?: string;
  @ApiPropertyOptional({ description: "The engine's nondeterminism error" }) failure?: string;
  @ApiPropertyOptional({ type: 'integer', description: 'First event the replay disagreed with' }) divergingEventId?: number;
  @ApiPropertyOptional({ type: 'integer', description: 'The WorkflowTaskCompleted event the run was reset to' }) resetEventId?: number;
  @ApiPropertyOptional({ description: 'The run the reset made' }) newRunId?: string;
  @ApiProperty({ description: 'The worker that acted' }) claimedBy!: string;
  @ApiProperty() claimedAt!: string;
  @ApiPropertyOptional() settledAt?: string;
}

export class WorkflowRecoveryPageDto {
  @ApiProperty({ type: [WorkflowRecoveryDto] }) items!: WorkflowRecoveryDto[];
  @ApiProperty({ type: 'integer' }) total!: number;
}

export class ReplayAcceptedDto {
  @ApiProperty() id!: string;
}

export class ReconcileRequestDto {
  @ApiProperty()
  @IsString()
  @Pattern(UUID_PATTERN, '$property must be a campaign id (uuid)')
  campaignId!: string;
}

export class MismatchDto {
  @ApiPropertyOptional() unitId?: string;
  @ApiPropertyOptional() itemId?: string;
  @ApiProperty() workflowId!: string;
  @ApiProperty({ example: 'phase', description: 'Column of the read model, or `view.<path>` inside the stored view' }) field!: string;
  @ApiProperty({ description: 'What PostgreSQL holds' }) projection!: unknown;
  @ApiProperty({ description: 'What the workflow holds (query, or its history when closed)' }) history!: unknown;
  @ApiProperty({ enum: ['query', 'history', 'engine'] }) source!: string;
}

export class InFlightDto {
  @ApiPropertyOptional() unitId?: string;
  @ApiPropertyOptional() itemId?: string;
  @ApiProperty() workflowId!: string;
  @ApiProperty() projectionVersion!: number;
  @ApiProperty() workflowVersion!: number;
}

export class ReconciliationDto {
  @ApiProperty() campaignId!: string;
  @ApiProperty({ description: 'Workflows checked (units and items)' }) checked!: number;
  @ApiProperty({ type: [MismatchDto] }) mismatches!: MismatchDto[];
  @ApiProperty({ type: [InFlightDto], description: 'Rows behind only because a projection is still being delivered' }) inFlight!: InFlightDto[];
}

export class LabelDto {
  @ApiProperty({ example: 'Transition approved' }) en!: string;
  @ApiProperty({ example: '批准环节转换' }) zh!: string;
}

export class TimelineEntryDto {
  @ApiProperty({ example: '2013-09-02T01:30:00.000Z' }) at!: string;
  @ApiProperty({ description: 'Principal id, public:<digest> for a citizen, system for the engine' }) actor!: string;
  @ApiProperty({ example: 'supervisor' }) role!: string;
  @ApiPropertyOptional() actorName?: string;
  @ApiProperty({ example: 'approveTransition', description: 'Update or signal name (workflows/definitions.ts), or the engine\'s own action' }) action!: string;
  @ApiProperty({ type: LabelDto }) label!: LabelDto;
  @ApiPropertyOptional({ description: 'The reason given (why)' }) comment?: string;
  @ApiProperty({ type: Object }) detail!: Record<string, unknown>;
  @ApiProperty({ enum: ['accepted', 'refused', 'recorded'] }) outcome!: string;
  @ApiPropertyOptional({ description: 'Rule that refused the call' }) rule?: string;
  @ApiPropertyOptional({ type: 'object', additionalProperties: true, description: 'The values the rule refused with (its refusal as data)' })
  params?: Record<string, unknown>;
  @ApiProperty({ enum: ['history', 'audit-log'] }) source!: string;
  @ApiProperty() workflowId!: string;
  @ApiPropertyOptional() eventId?: number;
  @ApiPropertyOptional() itemId?: string;
}

const toBoolean = ({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value);

export class TimelineQueryDto {
  @ApiPropertyOptional({ description: "Merge in the timelines of the unit's rectification items" })
  @Optional()
  @Transform(toBoolean)
  @IsBoolean()
  includeItems?: boolean;
}

export class HistoryQueryDto {
  @ApiPropertyOptional({ description: 'A run of the unit workflow (default: the latest; earlier runs are named by each run\'s continuedExecutionRunId)' })
  @Optional()
  @IsString()
  @Pattern(UUID_PATTERN, '$property must be a run id (uuid)')
  runId?: string;
}

export class DossierQueryDto {
  @ApiPropertyOptional({ enum: ['json', 'html'], default: 'json', description: '`html`: a printable page' })
  @Optional()
  @IsIn(['json', 'html'])
  format?: 'json' | 'html';
}
