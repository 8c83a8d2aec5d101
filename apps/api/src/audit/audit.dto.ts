import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsBoolean, IsIn, IsString } from 'class-validator';
import { IsIsoTime, Pattern, Optional } from '../common/validation';
import { PageQueryDto } from '../common/dto';
import { REPLAY_FAILURE_KINDS, REPLAY_JOB_STATUSES, RESET_ROLES, STUCK_RUN_SOURCES } from '../../../../libs/persistence/src';
import { MISMATCH_SOURCES, TIMELINE_OUTCOMES, TIMELINE_SOURCES } from '../../../../libs/audit/src';
import { REPORT_FORMATS, type ReportFormat } from '../common/dto';

/** Unit ids, item ids (`<unit>.item-<n>`) and workflow ids (`massline-…`). */
const WORKFLOW_REF = '^[A-Za-z0-9._:-]{1,200}$';
const UUID_PATTERN = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';
export const MAX_REPLAY_IDS = 10_000;

export class ReplayRequestDto {
  @ApiPropertyOptional({ description: 'Replays every workflow of the campaign (by its MasslineCampaign search attribute), every run' })
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
  @ApiProperty({
    example:
      '[TMPRL1100] Nondeterminism error: Timer machine does not handle this event: HistoryEvent(id: 5, UpsertWorkflowSearchAttributes) (first diverging event: 5 UpsertWorkflowSearchAttributes)',
  })
  error!: string;
  @ApiPropertyOptional({ example: 5, description: 'First event of the history the current code disagrees with' }) eventId?: number;
  @ApiPropertyOptional({ example: 'UpsertWorkflowSearchAttributes' }) eventType?: string;
  @ApiProperty({ enum: REPLAY_FAILURE_KINDS }) kind!: string;
}

export class ReplayJobDto {
  @ApiProperty() id!: string;
  @ApiProperty({ enum: REPLAY_JOB_STATUSES, description: '`failed`: the job itself could not run (see error), not a divergence' })
  status!: string;
  @ApiProperty({ description: 'Histories selected' }) total!: number;
  @ApiProperty({ description: 'Histories replayed so far' }) replayed!: number;
  @ApiProperty({
    type: [ReplayFailureDto],
    description: 'Every history the current code does not replay, whoever wrote it: each divergence is a failure',
  })
  failures!: ReplayFailureDto[];
  @ApiPropertyOptional() error?: string;
  @ApiProperty({ type: Object }) request!: Record<string, unknown>;
  @ApiProperty() requestedBy!: string;
  @ApiProperty() createdAt!: string;
  @ApiPropertyOptional() finishedAt?: string;
}

export class StuckRunDto {
  @ApiProperty() workflowId!: string;
  @ApiProperty({ description: 'The run whose workflow task keeps failing' }) runId!: string;
  @ApiProperty({ example: 'rectificationItemWorkflow' }) workflowType!: string;
  @ApiProperty({ type: 'integer', description: 'Attempt of its pending workflow task when last seen' }) attempt!: number;
  @ApiProperty({
    example: 'WORKFLOW_TASK_FAILED_CAUSE_NON_DETERMINISTIC_ERROR',
    description: "The last WorkflowTaskFailed event's cause (WORKFLOW_TASK_TIMED_OUT for a task no worker answered in time)",
  })
  cause!: string;
  @ApiProperty({ description: "The failure's message" }) message!: string;
  @ApiProperty({
    enum: STUCK_RUN_SOURCES,
    description: "`history`: the failure the run's history records; `replay`: a replay with the worker's build found it",
  })
  source!: string;
  @ApiPropertyOptional({ type: 'integer', description: 'The WorkflowTaskFailed (or TimedOut) event that says so' }) failedEventId?: number;
  @ApiPropertyOptional({ type: 'integer', description: 'First event the current build disagrees with (nondeterminism)' })
  divergingEventId?: number;
  @ApiPropertyOptional({
    type: 'integer',
    description: 'The WorkflowTaskCompleted event `massline audit reset … --to last-good` resets to',
  })
  lastGoodEventId?: number;
  @ApiProperty() firstSeenAt!: string;
  @ApiProperty() lastSeenAt!: string;
  @ApiPropertyOptional({ description: 'When it was seen moving again (or closed); absent while stuck' }) clearedAt?: string;
}

export class StuckRunPassDto {
  @ApiProperty({ description: 'The worker that ran it' }) detector!: string;
  @ApiProperty() startedAt!: string;
  @ApiPropertyOptional({ description: 'When the last complete pass ended (before startedAt while a pass runs)' }) finishedAt?: string;
  @ApiProperty({ type: 'integer', description: 'Open runs described by the last complete pass' }) runsChecked!: number;
  @ApiProperty({ type: 'integer' }) stuck!: number;
  @ApiPropertyOptional({ type: 'integer' }) durationMs?: number;
}

export class StuckRunPageDto {
  @ApiProperty({ type: [StuckRunDto] }) items!: StuckRunDto[];
  @ApiProperty({ type: 'integer' }) total!: number;
  @ApiPropertyOptional({ type: StuckRunPassDto, description: "The detector's last pass over the open runs; absent before the first" })
  lastPass?: StuckRunPassDto;
}

const toBoolean = ({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value);

export class StuckRunQueryDto extends PageQueryDto {
  @ApiPropertyOptional({
    description: 'Also the runs that moved again since (kept a week), after the stuck ones, the latest cleared first',
  })
  @Optional()
  @Transform(toBoolean)
  @IsBoolean()
  includeCleared?: boolean;
}

export class WorkflowResetDto {
  @ApiProperty({ description: 'The audit log entry' }) id!: string;
  @ApiProperty() at!: string;
  @ApiProperty({ description: 'Who reset: the operator (`--by`, or their OS user), or the worker of the former automatic recovery' })
  by!: string;
  @ApiProperty({ enum: RESET_ROLES }) role!: string;
  @ApiProperty() workflowId!: string;
  @ApiProperty({ description: 'The run reset (the engine terminated it)' }) runId!: string;
  @ApiPropertyOptional({ description: 'The run the reset made' }) newRunId?: string;
  @ApiPropertyOptional({ type: 'integer', description: 'The WorkflowTaskCompleted event reset to' }) eventId?: number;
  @ApiProperty({ description: 'Why' }) reason!: string;
  @ApiPropertyOptional({ description: 'The request id the engine took the reset with (derived from the run and the event)' })
  requestId?: string;
  @ApiProperty({ type: Object, description: 'What was recorded with it: the diagnosis, what the reset discarded and reapplied' })
  detail!: Record<string, unknown>;
}

export class WorkflowResetPageDto {
  @ApiProperty({ type: [WorkflowResetDto] }) items!: WorkflowResetDto[];
  @ApiProperty({ type: 'integer' }) total!: number;
}

export class ResetQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: "One workflow's resets (a workflow id, `massline-…`)" })
  @Optional()
  @IsString()
  @Pattern(WORKFLOW_REF, '$property must be a workflow id')
  workflowId?: string;
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
  @ApiProperty({ enum: MISMATCH_SOURCES }) source!: string;
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
  @ApiProperty({ type: [InFlightDto], description: 'Rows behind only because a projection is still being delivered' })
  inFlight!: InFlightDto[];
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
  @ApiProperty({
    example: 'approveTransition',
    description: "Update or signal name (libs/contracts/src/messages.ts), or the engine's own action",
  })
  action!: string;
  @ApiProperty({ type: LabelDto }) label!: LabelDto;
  @ApiPropertyOptional({ description: 'The reason given (why)' }) comment?: string;
  @ApiProperty({ type: Object }) detail!: Record<string, unknown>;
  @ApiProperty({ enum: TIMELINE_OUTCOMES }) outcome!: string;
  @ApiPropertyOptional({ description: 'Rule that refused the call' }) rule?: string;
  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: 'The values the rule refused with (its refusal as data)',
  })
  params?: Record<string, unknown>;
  @ApiProperty({ enum: TIMELINE_SOURCES }) source!: string;
  @ApiProperty() workflowId!: string;
  @ApiPropertyOptional() eventId?: number;
  @ApiPropertyOptional() itemId?: string;
}

export class TimelineQueryDto {
  @ApiPropertyOptional({ description: "Merge in the timelines of the unit's rectification items" })
  @Optional()
  @Transform(toBoolean)
  @IsBoolean()
  includeItems?: boolean;
}

export class HistoryQueryDto {
  @ApiPropertyOptional({
    description: "A run of the unit workflow (default: the latest; earlier runs are named by each run's continuedExecutionRunId)",
  })
  @Optional()
  @IsString()
  @Pattern(UUID_PATTERN, '$property must be a run id (uuid)')
  runId?: string;
}

export class DossierQueryDto {
  @ApiPropertyOptional({ enum: REPORT_FORMATS, default: 'json', description: '`html`: a printable page' })
  @Optional()
  @IsIn(REPORT_FORMATS)
  format?: ReportFormat;
}
