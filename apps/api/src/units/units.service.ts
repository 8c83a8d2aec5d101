// A unit's lifecycle over HTTP: every decision is a Temporal Update on the unit's workflow, sent with the
// actor of the principal so the history records who; scopes are checked here before the workflow is asked.
import {
  notFound,
  ruleViolation,
  unitWorkflowId,
  type Actor,
  type Phase,
  type UnitView,
} from '../../../../libs/domain/src';
import {
  addOpinionUpdate,
  addProblemUpdate,
  addRecordUpdate,
  answerObjectionUpdate,
  approveTransitionUpdate,
  fileObjectionUpdate,
  meetingAttendanceUpdate,
  meetingHeldUpdate,
  publishTaskBookUpdate,
  requestTransitionUpdate,
  scheduleMeetingUpdate,
  setTaskBookUpdate,
  unitStateQuery,
} from '../../../../workflows/definitions';
import type { UpdateDefinition } from '@temporalio/common';
import { AccessPolicy } from '../auth/access-policy';
import { actorOf, type Caller, type Principal, type PublicCaller } from '../auth/principal';
import type { CampaignsRepository } from '../repositories/campaigns.repository';
import type { UnitRecord, UnitsRepository } from '../repositories/units.repository';
import type { WorkflowGateway } from '../workflow/workflow-gateway';
import type { MeetingPresence } from './presence';
import type {
  AddOpinionDto,
  AddProblemDto,
  AddRecordDto,
  AttendanceDto,
  DecisionDto,
  FileObjectionDto,
  MeetingHeldDto,
  RequestTransitionDto,
  ScheduleMeetingDto,
  SetTaskBookDto,
} from './units.dto';

export class UnitsService {
  constructor(
    private readonly units: UnitsRepository,
    private readonly campaigns: CampaignsRepository,
    private readonly workflows: WorkflowGateway,
    /** Supervisors' attested intervals across units (全程参与: one room at a time). */
    private readonly presence?: MeetingPresence,
  ) {}

  async mustFind(id: string): Promise<UnitRecord> {
    const unit = await this.units.findById(id);
    if (!unit) throw notFound('unit', id);
    return unit;
  }

  /** Read from the workflow itself; a unit whose batch has not opened answers from its enrolment. */
  async get(by: Principal, id: string): Promise<UnitView> {
    const unit = await this.mustFind(id);
    AccessPolicy.canRead(by, unit);
    return this.view(unit);
  }

  async view(unit: UnitRecord): Promise<UnitView> {
    const live = await this.workflows.query(unitStateQuery, unitWorkflowId(unit.id));
    if (live) return live;
    const campaign = await this.campaigns.findById(unit.campaignId);
    const batch = campaign?.plan.batches.find((b) => b.batch === unit.batch);
    return {
      id: unit.id,
      campaignId: unit.campaignId,
      code: unit.code,
      name: unit.name,
      batch: unit.batch,
      groupId: unit.groupId,
      phase: 'P1',
      status: 'waiting',
      card: 'none',
      window: batch ? { ...batch.phases.P1 } : null,
      unmetGates: [],
      transitions: [],
      records: [],
      opinions: [],
      problems: [],
      windowRungs: [],
      version: 0,
      updatedAt: campaign?.createdAt ?? new Date(0).toISOString(),
    };
  }

  addRecord(by: Principal, id: string, dto: AddRecordDto) {
    return this.asUnit(by, id, 'add records', addRecordUpdate, 'POST /api/units/:id/records', { ...dto });
  }

  async addOpinion(caller: PublicCaller, id: string, dto: AddOpinionDto) {
    const r = await this.asPublic(caller, id, addOpinionUpdate, 'POST /api/units/:id/opinions', { ...dto });
    return { id: r.id, status: 'accepted' as const };
  }

  addProblem(by: Principal, id: string, dto: AddProblemDto) {
    return this.asUnit(by, id, 'add problems', addProblemUpdate, 'POST /api/units/:id/problems', { ...dto });
  }

  scheduleMeeting(by: Principal, id: string, dto: ScheduleMeetingDto) {
    return this.asUnit(by, id, 'schedule the meeting', scheduleMeetingUpdate, 'POST /api/units/:id/meeting', { ...dto });
  }

  async attendMeeting(by: Principal, id: string, dto: AttendanceDto) {
    const unit = await this.mustFind(id);
    const route = 'POST /api/units/:id/meeting/attendance';
    const supervises = () => AccessPolicy.supervises(by, unit, 'attest meeting attendance');
    if (!this.presence) return this.send(by, unit, meetingAttendanceUpdate, route, { ...dto }, supervises);
    return this.presence.attest(by, unit, dto, (overlapCheck) =>
      this.send(by, unit, meetingAttendanceUpdate, route, { ...dto }, async () => {
        supervises();
        await overlapCheck();
      }),
    );
  }

  meetingHeld(by: Principal, id: string, dto: MeetingHeldDto) {
    return this.asUnit(by, id, 'record the meeting', meetingHeldUpdate, 'POST /api/units/:id/meeting/held', { ...dto });
  }

  requestTransition(by: Principal, id: string, dto: RequestTransitionDto) {
    return this.asUnit(by, id, 'request transitions', requestTransitionUpdate, 'POST /api/units/:id/transitions', {
      to: dto.to as Phase,
      ...(dto.comment !== undefined ? { comment: dto.comment } : {}),
    });
  }

  decideTransition(by: Principal, id: string, transitionId: string, dto: DecisionDto) {
    return this.asSupervisor(by, id, 'decide transitions', approveTransitionUpdate, 'POST /api/units/:id/transitions/:tid/decision', {
      transitionId,
      approve: dto.approve,
      comment: dto.comment,
    });
  }

  setTaskBook(by: Principal, id: string, dto: SetTaskBookDto) {
    return this.asUnit(by, id, 'set the task book', setTaskBookUpdate, 'PUT /api/units/:id/task-book', {
      signedBy: dto.signedBy,
      items: dto.items.map((i) => ({ problemIds: i.problemIds, measure: i.measure, owner: i.owner, deadline: i.deadline })),
    });
  }

  publishTaskBook(by: Principal, id: string) {
    return this.asUnit(by, id, 'publish the task book', publishTaskBookUpdate, 'POST /api/units/:id/task-book/publish', {});
  }

  async fileObjection(caller: PublicCaller, id: string, dto: FileObjectionDto) {
    const r = await this.asPublic(caller, id, fileObjectionUpdate, 'POST /api/units/:id/task-book/objections', { ...dto });
    return { id: r.id, status: 'accepted' as const };
  }

  answerObjection(by: Principal, id: string, objectionId: string, text: string) {
    return this.asUnit(by, id, 'answer objections', answerObjectionUpdate, 'POST /api/units/:id/task-book/objections/:oid/answer', {
      objectionId,
      text,
    });
  }

  // ---------- the three kinds of caller ----------

  private async asUnit<Ret, A extends object>(
    by: Principal,
    id: string,
    what: string,
    def: UpdateDefinition<Ret, [A & { actor: Actor }]>,
    route: string,
    args: A,
  ): Promise<Ret> {
    const unit = await this.mustFind(id);
    return this.send(by, unit, def, route, args, () => AccessPolicy.actsFor(by, unit, what));
  }

  private async asSupervisor<Ret, A extends object>(
    by: Principal,
    id: string,
    what: string,
    def: UpdateDefinition<Ret, [A & { actor: Actor }]>,
    route: string,
    args: A,
  ): Promise<Ret> {
    const unit = await this.mustFind(id);
    return this.send(by, unit, def, route, args, () => AccessPolicy.supervises(by, unit, what));
  }

  private async asPublic<Ret, A extends object>(
    caller: PublicCaller,
    id: string,
    def: UpdateDefinition<Ret, [A & { actor: Actor }]>,
    route: string,
    args: A,
  ): Promise<Ret> {
    const unit = await this.mustFind(id);
    return this.send(caller, unit, def, route, args);
  }

  private send<Ret, A extends object>(
    caller: Caller,
    unit: UnitRecord,
    def: UpdateDefinition<Ret, [A & { actor: Actor }]>,
    route: string,
    args: A,
    authorize?: () => void | Promise<void>,
  ) {
    const actor = actorOf(caller);
    return this.workflows.update(def, unitWorkflowId(unit.id), { ...args, actor } as A & { actor: Actor }, {
      actor,
      route,
      unitId: unit.id,
      authorize,
      whenNotRunning: () =>
        ruleViolation('unit.running', `unit ${unit.id} is not running: its batch has not opened yet, or its lifecycle has ended`),
    });
  }
}
