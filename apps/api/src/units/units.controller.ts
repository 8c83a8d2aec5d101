import { Body, Controller, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiAcceptedResponse, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Access, CurrentCaller, CurrentPrincipal } from '../auth/decorators';
import type { Principal, PublicCaller } from '../auth/principal';
import { ApiErrors, PageQueryDto, ReadQueryDto } from '../common/dto';
import { UuidParam, WorkflowIdParam } from '../common/params';
import {
  AcceptedIdDto,
  AddOpinionDto,
  AddProblemDto,
  AddRecordDto,
  AnswerDto,
  AttendanceDto,
  CreatedIdDto,
  DecisionDto,
  DecisionResultDto,
  DisclosureDto,
  FileObjectionDto,
  MeetingHeldDto,
  MeetingValidityDto,
  MeetingViewDto,
  PendingDto,
  RequestTransitionDto,
  ScheduleMeetingDto,
  SetTaskBookDto,
  TaskBookItemsDto,
  UnitViewDto,
} from './units.dto';
import { ContactErasedDto, EntryPageDto } from './entries.dto';
import { UnitsService, type UnitList } from './units.service';

const unitId = () => new UuidParam('unit');

@ApiTags('lifecycle')
@Controller('api/units')
export class UnitsController {
  constructor(private readonly service: UnitsService) {}

  @Get(':id')
  @Access('unit.read')
  @ApiOperation({
    summary: "A unit's state as its workflow last projected it (read model; a unit not started yet shows status waiting)",
    description: 'Answers while no worker runs; `projectedAt` says how fresh the view is. `minVersion` reads your own write.',
  })
  @ApiOkResponse({ type: UnitViewDto })
  @ApiErrors(401, 403, 404, 503)
  get(@CurrentPrincipal() p: Principal, @Param('id', unitId()) id: string, @Query() q: ReadQueryDto) {
    return this.service.get(p, id, q.minVersion);
  }

  // ---------- what the unit accumulates, page by page (oldest first) ----------

  @Get(':id/records')
  @Access('unit.read')
  @ApiOperation({ summary: "The unit's records (study, investigation, solicitation report, comparison-check, rule), with their texts" })
  @ApiOkResponse({ type: EntryPageDto })
  @ApiErrors(400, 401, 403, 404)
  listRecords(@CurrentPrincipal() p: Principal, @Param('id', unitId()) id: string, @Query() q: PageQueryDto) {
    return this.list(p, id, 'records', q);
  }

  @Get(':id/opinions')
  @Access('unit.read')
  @ApiOperation({ summary: "Opinions received from the public; a citizen's contact is shown to the office only" })
  @ApiOkResponse({ type: EntryPageDto })
  @ApiErrors(400, 401, 403, 404)
  listOpinions(@CurrentPrincipal() p: Principal, @Param('id', unitId()) id: string, @Query() q: PageQueryDto) {
    return this.list(p, id, 'opinions', q);
  }

  @Post(':id/opinions/:oid/contact-erasure')
  @HttpCode(200)
  @Access('unit.opinion-contact.erase')
  @ApiOperation({ summary: 'Erase the contact a citizen left with an opinion (PIPL); the opinion and the audit trail stay' })
  @ApiOkResponse({ type: ContactErasedDto })
  @ApiErrors(401, 403, 404, 409)
  eraseContact(
    @CurrentPrincipal() p: Principal,
    @Param('id', unitId()) id: string,
    @Param('oid', new WorkflowIdParam('opinion')) oid: string,
  ) {
    return this.service.eraseContact(p, id, oid);
  }

  @Get(':id/problems')
  @Access('unit.read')
  @ApiOperation({ summary: 'The problem inventory, with sources and categories' })
  @ApiOkResponse({ type: EntryPageDto })
  @ApiErrors(400, 401, 403, 404)
  listProblems(@CurrentPrincipal() p: Principal, @Param('id', unitId()) id: string, @Query() q: PageQueryDto) {
    return this.list(p, id, 'problems', q);
  }

  @Get(':id/meetings')
  @Access('unit.read')
  @ApiOperation({ summary: 'Every special democratic life meeting scheduled, the reconvened ones included' })
  @ApiOkResponse({ type: EntryPageDto })
  @ApiErrors(400, 401, 403, 404)
  listMeetings(@CurrentPrincipal() p: Principal, @Param('id', unitId()) id: string, @Query() q: PageQueryDto) {
    return this.list(p, id, 'meetings', q);
  }

  @Get(':id/transitions')
  @Access('unit.read')
  @ApiOperation({ summary: 'Every transition requested, with its decision' })
  @ApiOkResponse({ type: EntryPageDto })
  @ApiErrors(400, 401, 403, 404)
  listTransitions(@CurrentPrincipal() p: Principal, @Param('id', unitId()) id: string, @Query() q: PageQueryDto) {
    return this.list(p, id, 'transitions', q);
  }

  @Get(':id/task-book/objections')
  @Access('unit.read')
  @ApiOperation({ summary: 'Objections filed during the disclosure, with their answers' })
  @ApiOkResponse({ type: EntryPageDto })
  @ApiErrors(400, 401, 403, 404)
  listObjections(@CurrentPrincipal() p: Principal, @Param('id', unitId()) id: string, @Query() q: PageQueryDto) {
    return this.list(p, id, 'objections', q);
  }

  private list(p: Principal, id: string, list: UnitList, q: PageQueryDto) {
    return this.service.list(p, id, list, q);
  }

  @Post(':id/records')
  @HttpCode(201)
  @Access('unit.records.add')
  @ApiOperation({ summary: 'Record a deliverable: study, investigation, solicitation report, comparison-check, rule' })
  @ApiCreatedResponse({ type: CreatedIdDto })
  @ApiErrors(400, 401, 403, 404, 409, 503)
  addRecord(@CurrentPrincipal() p: Principal, @Param('id', unitId()) id: string, @Body() dto: AddRecordDto) {
    return this.service.addRecord(p, id, dto);
  }

  @Post(':id/opinions')
  @HttpCode(202)
  @Access('unit.opinions.add')
  @ApiOperation({ summary: 'A citizen submits an opinion to a unit (public, rate-limited)' })
  @ApiAcceptedResponse({ type: AcceptedIdDto })
  @ApiErrors(400, 404, 409, 429, 503)
  addOpinion(@CurrentCaller() c: PublicCaller, @Param('id', unitId()) id: string, @Body() dto: AddOpinionDto) {
    return this.service.addOpinion(c, id, dto);
  }

  @Post(':id/problems')
  @HttpCode(201)
  @Access('unit.problems.add')
  @ApiOperation({ summary: 'Add a problem to the inventory, with its source and category' })
  @ApiCreatedResponse({ type: CreatedIdDto })
  @ApiErrors(400, 401, 403, 404, 409, 503)
  addProblem(@CurrentPrincipal() p: Principal, @Param('id', unitId()) id: string, @Body() dto: AddProblemDto) {
    return this.service.addProblem(p, id, dto);
  }

  @Post(':id/meeting')
  @HttpCode(201)
  @Access('unit.meeting.schedule')
  @ApiOperation({ summary: 'Schedule the special democratic life meeting (专题民主生活会)' })
  @ApiCreatedResponse({ type: MeetingViewDto })
  @ApiErrors(400, 401, 403, 404, 409, 503)
  scheduleMeeting(@CurrentPrincipal() p: Principal, @Param('id', unitId()) id: string, @Body() dto: ScheduleMeetingDto) {
    return this.service.scheduleMeeting(p, id, dto);
  }

  @Post(':id/meeting/attendance')
  @HttpCode(200)
  @Access('unit.meeting.attend')
  @ApiOperation({ summary: 'A supervisor of the assigned group attests presence (全程参与)' })
  @ApiOkResponse({ type: MeetingViewDto })
  @ApiErrors(400, 401, 403, 404, 409, 503)
  attendMeeting(@CurrentPrincipal() p: Principal, @Param('id', unitId()) id: string, @Body() dto: AttendanceDto) {
    return this.service.attendMeeting(p, id, dto);
  }

  @Post(':id/meeting/held')
  @HttpCode(200)
  @Access('unit.meeting.held')
  @ApiOperation({ summary: 'Record the meeting as held; valid only with attendance covering it start to end' })
  @ApiOkResponse({ type: MeetingValidityDto })
  @ApiErrors(400, 401, 403, 404, 409, 503)
  meetingHeld(@CurrentPrincipal() p: Principal, @Param('id', unitId()) id: string, @Body() dto: MeetingHeldDto) {
    return this.service.meetingHeld(p, id, dto);
  }

  @Post(':id/transitions')
  @HttpCode(201)
  @Access('unit.transition.request')
  @ApiOperation({ summary: 'Request the transition to the next phase; 409 lists the unmet gates' })
  @ApiCreatedResponse({ type: PendingDto })
  @ApiErrors(400, 401, 403, 404, 409, 503)
  requestTransition(@CurrentPrincipal() p: Principal, @Param('id', unitId()) id: string, @Body() dto: RequestTransitionDto) {
    return this.service.requestTransition(p, id, dto);
  }

  @Post(':id/transitions/:tid/decision')
  @HttpCode(200)
  @Access('unit.transition.decide')
  @ApiOperation({ summary: 'A supervisor of the assigned group approves or rejects a transition' })
  @ApiOkResponse({ type: DecisionResultDto })
  @ApiErrors(400, 401, 403, 404, 409, 503)
  decideTransition(
    @CurrentPrincipal() p: Principal,
    @Param('id', unitId()) id: string,
    @Param('tid', new WorkflowIdParam('transition')) tid: string,
    @Body() dto: DecisionDto,
  ) {
    return this.service.decideTransition(p, id, tid, dto);
  }

  @Put(':id/task-book')
  @HttpCode(200)
  @Access('unit.task-book.set')
  @ApiOperation({ summary: 'Set the rectification task book (整改任务书) while in P3 and unpublished' })
  @ApiOkResponse({ type: TaskBookItemsDto })
  @ApiErrors(400, 401, 403, 404, 409, 503)
  setTaskBook(@CurrentPrincipal() p: Principal, @Param('id', unitId()) id: string, @Body() dto: SetTaskBookDto) {
    return this.service.setTaskBook(p, id, dto);
  }

  @Post(':id/task-book/publish')
  @HttpCode(200)
  @Access('unit.task-book.publish')
  @ApiOperation({ summary: 'Publish the task book; its disclosure window (公示) starts' })
  @ApiOkResponse({ type: DisclosureDto })
  @ApiErrors(401, 403, 404, 409, 503)
  publishTaskBook(@CurrentPrincipal() p: Principal, @Param('id', unitId()) id: string) {
    return this.service.publishTaskBook(p, id);
  }

  @Post(':id/task-book/objections')
  @HttpCode(202)
  @Access('unit.objections.file')
  @ApiOperation({ summary: 'A citizen objects to a disclosed task book (public, rate-limited); 409 outside the window' })
  @ApiAcceptedResponse({ type: AcceptedIdDto })
  @ApiErrors(400, 404, 409, 429, 503)
  fileObjection(@CurrentCaller() c: PublicCaller, @Param('id', unitId()) id: string, @Body() dto: FileObjectionDto) {
    return this.service.fileObjection(c, id, dto);
  }

  @Post(':id/task-book/objections/:oid/answer')
  @HttpCode(200)
  @Access('unit.objections.answer')
  @ApiOperation({ summary: 'The unit answers an objection' })
  @ApiOkResponse({ type: CreatedIdDto })
  @ApiErrors(400, 401, 403, 404, 409, 503)
  answerObjection(
    @CurrentPrincipal() p: Principal,
    @Param('id', unitId()) id: string,
    @Param('oid', new WorkflowIdParam('objection')) oid: string,
    @Body() dto: AnswerDto,
  ) {
    return this.service.answerObjection(p, id, oid, dto.text);
  }
}
