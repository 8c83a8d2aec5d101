import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsBoolean, IsIn, IsString, MaxLength, ValidateNested } from 'class-validator';
import {
  BATCH_STATUSES,
  BATCHES,
  CARDS,
  DECISIONS,
  ITEM_STATUSES,
  LIMITS as DOMAIN_LIMITS,
  MEETING_STATUSES,
  type Phase,
  PHASES,
  PROBLEM_CATEGORIES,
  PROBLEM_SOURCES,
  type ProblemCategory,
  type ProblemSource,
  RECORD_KINDS,
  type RecordKind,
  REQUEST_STATUSES,
  TASK_BOOK_STATUSES,
  TRANSITION_TARGETS,
} from '../../../../libs/domain/src';
import { LIMITS } from '../common/dto';
import { IsIsoTime, IsNotBlank, EachIsObject, Pattern, URI_PATTERN, Optional } from '../common/validation';

/** Ids minted by the workflows (problems, items). */
const WORKFLOW_ID_PATTERN = '^[A-Za-z0-9._:-]{1,160}$';
import { WindowDto } from '../campaigns/campaigns.dto';
import { CountsDto, ObjectionCountsDto } from './entries.dto';

/** What a decision's `version` means, said once for every answer that carries it. */
export const DECISION_VERSION =
  "the version of the unit's (or item's, or programme's) view this decision produced: `GET …?minVersion=` reads it back";
/** What a read's `projectedAt` means. */
export const PROJECTED_AT =
  'when the read model took this view from the workflow (null: not started yet); a GET answers from the read model, also while no worker runs';

export class AddRecordDto {
  @ApiProperty({ enum: RECORD_KINDS })
  @IsIn(RECORD_KINDS)
  kind!: RecordKind;

  @ApiProperty({ maxLength: LIMITS.title })
  @IsString()
  @IsNotBlank()
  @MaxLength(LIMITS.title)
  title!: string;

  @ApiPropertyOptional({ maxLength: LIMITS.text })
  @Optional()
  @IsString()
  @MaxLength(LIMITS.text)
  body?: string;

  @ApiPropertyOptional({ maxLength: LIMITS.uri, example: 'https://files.example/study-2013-07.pdf' })
  @Optional()
  @IsString()
  @MaxLength(LIMITS.uri)
  @Pattern(URI_PATTERN, '$property must be a URI')
  attachmentUri?: string;
}

export class AddOpinionDto {
  @ApiProperty({ maxLength: LIMITS.text })
  @IsString()
  @IsNotBlank()
  @MaxLength(LIMITS.text)
  text!: string;

  @ApiPropertyOptional({ maxLength: LIMITS.name, description: 'how to reach the citizen, if they wish' })
  @Optional()
  @IsString()
  @MaxLength(LIMITS.name)
  contact?: string;
}

export class AddProblemDto {
  @ApiProperty({ maxLength: LIMITS.title })
  @IsString()
  @IsNotBlank()
  @MaxLength(LIMITS.title)
  title!: string;

  @ApiPropertyOptional({ maxLength: LIMITS.text })
  @Optional()
  @IsString()
  @MaxLength(LIMITS.text)
  description?: string;

  @ApiProperty({ enum: PROBLEM_SOURCES, description: '群众提 / 自己找 / 上级点 / 互相帮' })
  @IsIn(PROBLEM_SOURCES)
  source!: ProblemSource;

  @ApiProperty({ enum: PROBLEM_CATEGORIES, description: 'the "four winds" (四风) or other' })
  @IsIn(PROBLEM_CATEGORIES)
  category!: ProblemCategory;
}

export class ScheduleMeetingDto {
  @ApiProperty()
  @IsIsoTime()
  scheduledAt!: string;

  @ApiProperty({ maxLength: LIMITS.title })
  @IsString()
  @IsNotBlank()
  @MaxLength(LIMITS.title)
  location!: string;
}

export class AttendanceDto {
  @ApiProperty()
  @IsIsoTime()
  arrivedAt!: string;

  @ApiProperty()
  @IsIsoTime()
  leftAt!: string;
}

export class MeetingHeldDto {
  @ApiProperty()
  @IsIsoTime()
  startedAt!: string;

  @ApiProperty()
  @IsIsoTime()
  endedAt!: string;

  @ApiProperty({ maxLength: LIMITS.minutes })
  @IsString()
  @IsNotBlank()
  @MaxLength(LIMITS.minutes)
  minutes!: string;
}

export class RequestTransitionDto {
  @ApiProperty({ enum: TRANSITION_TARGETS })
  @IsIn(TRANSITION_TARGETS)
  to!: Exclude<Phase, 'P1'>;

  @ApiPropertyOptional({ maxLength: LIMITS.comment })
  @Optional()
  @IsString()
  @MaxLength(LIMITS.comment)
  comment?: string;
}

export class DecisionDto {
  @ApiProperty()
  @IsBoolean()
  approve!: boolean;

  @ApiProperty({ maxLength: LIMITS.comment, description: 'why (kept in the history)' })
  @IsString()
  @IsNotBlank()
  @MaxLength(LIMITS.comment)
  comment!: string;
}

export class TaskBookItemDto {
  @ApiProperty({ type: [String], maxItems: LIMITS.idList, description: 'ids of the problems this item rectifies' })
  @IsArray()
  @ArrayMaxSize(LIMITS.idList)
  @IsString({ each: true })
  @Pattern(WORKFLOW_ID_PATTERN, '$property must hold problem ids', true)
  problemIds!: string[];

  @ApiProperty({ maxLength: DOMAIN_LIMITS.titleChars, description: 'the measure, in a line or a short paragraph' })
  @IsString()
  @IsNotBlank()
  @MaxLength(DOMAIN_LIMITS.titleChars)
  measure!: string;

  @ApiProperty({ maxLength: LIMITS.name, description: 'the responsible person' })
  @IsString()
  @IsNotBlank()
  @MaxLength(LIMITS.name)
  owner!: string;

  @ApiProperty()
  @IsIsoTime()
  deadline!: string;
}

export class SetTaskBookDto {
  @ApiProperty({ maxLength: LIMITS.name, description: 'the unit head who signs (一把手负责制)' })
  @IsString()
  @IsNotBlank()
  @MaxLength(LIMITS.name)
  signedBy!: string;

  @ApiProperty({ type: [TaskBookItemDto], minItems: 1, maxItems: LIMITS.taskBookItems })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(LIMITS.taskBookItems)
  @EachIsObject()
  @ValidateNested({ each: true })
  @Type(() => TaskBookItemDto)
  items!: TaskBookItemDto[];
}

export class FileObjectionDto {
  @ApiProperty({ maxLength: LIMITS.text })
  @IsString()
  @IsNotBlank()
  @MaxLength(LIMITS.text)
  text!: string;

  @ApiPropertyOptional({ description: 'the item objected to' })
  @Optional()
  @IsString()
  @Pattern(WORKFLOW_ID_PATTERN, '$property must be an item id')
  itemId?: string;
}

export class AnswerDto {
  @ApiProperty({ maxLength: LIMITS.text })
  @IsString()
  @IsNotBlank()
  @MaxLength(LIMITS.text)
  text!: string;
}

// ---------- responses ----------

export class CreatedIdDto {
  @ApiProperty() id!: string;
  @ApiProperty({ description: DECISION_VERSION }) version!: number;
}
export class AcceptedIdDto {
  @ApiProperty() id!: string;
  @ApiProperty({ enum: ['accepted'] }) status!: 'accepted';
}
export class PendingDto {
  @ApiProperty() id!: string;
  @ApiProperty({ enum: ['pending'] }) status!: 'pending';
  @ApiProperty({ description: DECISION_VERSION }) version!: number;
}
export class DecisionResultDto {
  @ApiProperty({ enum: DECISIONS }) status!: 'approved' | 'rejected';
  @ApiProperty({ description: DECISION_VERSION }) version!: number;
}
export class MeetingValidityDto {
  @ApiProperty() valid!: boolean;
  @ApiPropertyOptional() reason?: string;
  @ApiProperty({ description: DECISION_VERSION }) version!: number;
}
export class DisclosureDto {
  @ApiProperty({ format: 'date-time' }) disclosureEndsAt!: string;
  @ApiProperty({ description: DECISION_VERSION }) version!: number;
}

export class StampDto {
  @ApiProperty() actorId!: string;
  @ApiProperty() role!: string;
  @ApiProperty({ format: 'date-time' }) at!: string;
  @ApiPropertyOptional() comment?: string;
}
export class AttendanceViewDto {
  @ApiProperty() supervisorId!: string;
  @ApiProperty() groupId!: string;
  @ApiProperty({ format: 'date-time' }) arrivedAt!: string;
  @ApiProperty({ format: 'date-time' }) leftAt!: string;
  @ApiProperty({ format: 'date-time' }) attestedAt!: string;
}
export class MeetingViewDto {
  @ApiProperty() id!: string;
  @ApiProperty({ format: 'date-time' }) scheduledAt!: string;
  @ApiProperty() location!: string;
  @ApiProperty({ enum: MEETING_STATUSES }) status!: string;
  @ApiProperty({ type: [AttendanceViewDto] }) attendance!: AttendanceViewDto[];
  @ApiPropertyOptional({ format: 'date-time' }) startedAt?: string;
  @ApiPropertyOptional({ format: 'date-time' }) endedAt?: string;
  @ApiPropertyOptional() minutes?: string;
  @ApiPropertyOptional() valid?: boolean;
  @ApiPropertyOptional() reason?: string;
  @ApiPropertyOptional({ description: `in a decision's answer: ${DECISION_VERSION}` }) version?: number;
}
export class TransitionViewDto {
  @ApiProperty() id!: string;
  @ApiProperty({ enum: PHASES }) from!: string;
  @ApiProperty({ enum: PHASES }) to!: string;
  @ApiProperty({ enum: REQUEST_STATUSES }) status!: string;
  @ApiProperty({ type: StampDto }) requested!: StampDto;
  @ApiPropertyOptional({ type: StampDto }) decided?: StampDto;
}
export class TaskBookItemViewDto {
  @ApiProperty() id!: string;
  @ApiProperty({ type: [String] }) problemIds!: string[];
  @ApiProperty() measure!: string;
  @ApiProperty() owner!: string;
  @ApiProperty({ format: 'date-time' }) deadline!: string;
  @ApiProperty({ enum: ITEM_STATUSES }) status!: string;
  @ApiPropertyOptional({ enum: CARDS }) card?: string;
}
export class TaskBookItemsDto {
  @ApiProperty({ type: [TaskBookItemViewDto] }) items!: TaskBookItemViewDto[];
  @ApiProperty({ description: DECISION_VERSION }) version!: number;
}
export class TaskBookViewDto {
  @ApiProperty() signedBy!: string;
  @ApiProperty({ type: [TaskBookItemViewDto] }) items!: TaskBookItemViewDto[];
  @ApiProperty({ enum: TASK_BOOK_STATUSES }) status!: string;
  @ApiPropertyOptional({ format: 'date-time' }) publishedAt?: string;
  @ApiPropertyOptional({ format: 'date-time' }) disclosureEndsAt?: string;
  @ApiPropertyOptional({ format: 'date-time' }) effectiveAt?: string;
  @ApiProperty({ type: ObjectionCountsDto, description: 'the objections themselves: GET /api/units/{id}/task-book/objections' })
  objectionCounts!: ObjectionCountsDto;
}
export class UnitViewDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) campaignId!: string;
  @ApiProperty() code!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: BATCHES }) batch!: number;
  @ApiProperty({ format: 'uuid' }) groupId!: string;
  @ApiProperty({ enum: PHASES, nullable: true, description: 'null while the unit waits for its batch to open' }) phase!: string | null;
  @ApiProperty({ format: 'date-time', description: 'when the unit entered its phase' }) phaseSince!: string;
  @ApiProperty({ enum: BATCH_STATUSES }) status!: string;
  @ApiProperty({ enum: CARDS }) card!: string;
  @ApiProperty({ type: WindowDto, nullable: true }) window!: WindowDto | null;
  @ApiProperty({ type: [String], description: 'gates of the next transition not yet met' }) unmetGates!: string[];
  @ApiPropertyOptional({ type: TransitionViewDto }) pendingTransition?: TransitionViewDto;
  @ApiProperty({ type: CountsDto, description: 'what the unit holds; the entries themselves are paged (GET /api/units/{id}/records, …)' })
  counts!: CountsDto;
  @ApiPropertyOptional({ type: MeetingViewDto }) meeting?: MeetingViewDto;
  @ApiProperty({ description: 'a meeting attested from start to end (全程参与) was held' }) validMeeting!: boolean;
  @ApiPropertyOptional({ type: TaskBookViewDto }) taskBook?: TaskBookViewDto;
  @ApiProperty({
    type: 'array',
    items: { type: 'object' },
    description: "the window's rungs fired; each records the plan version whose ladder computed it (planVersion; absent: version 1)",
  })
  windowRungs!: object[];
  @ApiProperty() version!: number;
  @ApiPropertyOptional({
    type: 'integer',
    description: 'the plan version the unit runs on (absent: version 1, the plan the campaign started with)',
  })
  planVersion?: number;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: PROJECTED_AT }) projectedAt!: string | null;
}
