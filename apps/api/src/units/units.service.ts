// A unit's lifecycle over HTTP: every decision is a Temporal Update on the unit's workflow, sent with the
// actor of the principal so the history records who; scopes are checked here before the workflow is asked.
// Texts are stored first (PostgreSQL, by digest) and the update carries their references; reads put them back.
import { randomUUID } from 'node:crypto';
import {
  DomainError,
  mayAccess,
  notFound,
  requireAccess,
  ruleViolation,
  unitWorkflowId,
  type Actor,
  type EntryKind,
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
} from '../../../../libs/contracts/src';
import { startUnitWorkflow } from '../../../../libs/temporal/src';
import type { UpdateDefinition } from '@temporalio/common';
import { onUnit } from '../auth/targets';
import { actorOf, type Caller, type Principal, type PublicCaller } from '../auth/principal';
import { pageOf, type PageQueryDto } from '../common/dto';
import type { TextSession, TextStore } from '../common/texts';
import type {
  CampaignsRepository,
  EntriesRepository,
  UnitRecord,
  UnitsRepository,
  ViewsRepository,
} from '../../../../libs/persistence/src';
import type { WorkflowGateway } from '../workflow/workflow-gateway';
import { sendDecision } from '../workflow/decide';
import { readAtLeast } from '../common/read-your-writes';
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

/** A refusal (4xx): the decision was not taken. Anything else (503) may still have been applied. */
const isRefusal = (err: unknown) => err instanceof DomainError;

/**
 * A unit as the API answers it: the compact view its workflow last projected, with its texts, or a unit still
 * waiting for its batch; `projectedAt` says when the read model took it (null: not started).
 */
export type UnitAnswer = Omit<UnitView, 'phase'> & { phase: Phase | null; projectedAt: string | null };

/** What a unit accumulates, listed page by page (GET /api/units/:id/<list>). */
export const UNIT_LISTS = {
  records: 'record',
  opinions: 'opinion',
  problems: 'problem',
  meetings: 'meeting',
  transitions: 'transition',
  objections: 'objection',
  'task-book-items': 'task-book-item',
} as const satisfies Record<string, EntryKind>;
export type UnitList = keyof typeof UNIT_LISTS;

export class UnitsService {
  constructor(
    private readonly units: UnitsRepository,
    private readonly campaigns: CampaignsRepository,
    private readonly workflows: WorkflowGateway,
    private readonly texts: TextStore,
    private readonly entries: EntriesRepository,
    private readonly views: ViewsRepository,
    private readonly taskQueue: string,
    /** Supervisors' attested intervals across units (全程参与: one room at a time). */
    private readonly presence?: MeetingPresence,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async mustFind(id: string): Promise<UnitRecord> {
    const unit = await this.units.findById(id);
    if (!unit) throw notFound('unit', id);
    return unit;
  }

  /**
   * Read from the read model (never from the workflow); a unit its campaign has not started yet answers from its
   * enrolment. With `minVersion`, waits briefly until the read model has that version (read your own writes).
   */
  async get(by: Principal, id: string, minVersion?: number): Promise<UnitAnswer> {
    // The enrolment and the view in one query; only a read waiting for a version asks again.
    const found = await this.views.unitWithEnrolment(id);
    if (!found) throw notFound('unit', id);
    const { unit } = found;
    requireAccess(by, 'unit.read', onUnit(unit));
    const reached = minVersion === undefined || (found.projected?.version ?? 0) >= minVersion;
    const projected = reached ? found.projected : await readAtLeast(() => this.views.unit(unit.id), minVersion, `unit ${unit.code}`);
    return this.texts.hydrate(await this.answer(unit, projected));
  }

  /** The unit's view as last projected (texts as references), with its task book's items. */
  async view(unit: UnitRecord, minVersion?: number): Promise<UnitAnswer> {
    return this.answer(unit, await readAtLeast(() => this.views.unit(unit.id), minVersion, `unit ${unit.code}`));
  }

  private async answer(unit: UnitRecord, projected: Awaited<ReturnType<ViewsRepository['unit']>>): Promise<UnitAnswer> {
    if (projected) {
      const { taskBook, ...header } = projected.view;
      if (!taskBook) return { ...header, projectedAt: projected.projectedAt };
      const { itemCount: _count, ...book } = taskBook;
      return { ...header, taskBook: { ...book, items: await this.views.taskBookItems(unit.id) }, projectedAt: projected.projectedAt };
    }
    const campaign = await this.campaigns.findById(unit.campaignId);
    const batch = campaign?.plan.batches.find((b) => b.batch === unit.batch);
    // Not started: no phase is claimed until the batch opens and the unit's workflow has projected its view.
    return {
      id: unit.id,
      campaignId: unit.campaignId,
      code: unit.code,
      name: unit.name,
      batch: unit.batch,
      groupId: unit.groupId,
      phase: null,
      phaseSince: batch?.startsAt ?? campaign?.startsAt ?? new Date(0).toISOString(),
      status: 'waiting',
      card: 'none',
      window: batch ? { ...batch.phases.P1 } : null,
      unmetGates: [],
      counts: {
        records: { study: 0, investigation: 0, 'solicitation-report': 0, 'comparison-check': 0, rule: 0 },
        opinions: 0,
        problems: 0,
        meetings: 0,
        transitions: 0,
      },
      validMeeting: false,
      windowRungs: [],
      version: 0,
      updatedAt: campaign?.createdAt ?? new Date(0).toISOString(),
      projectedAt: null,
    };
  }

  /** One page of what the unit accumulated, oldest first, with its texts; a contact is shown to the office only. */
  async list(by: Principal, id: string, list: UnitList, q: PageQueryDto) {
    const unit = await this.mustFind(id);
    requireAccess(by, 'unit.read', onUnit(unit));
    const { offset, limit } = pageOf(q);
    const page = await this.entries.list(unit.id, UNIT_LISTS[list], offset, limit);
    if (list === 'opinions') page.items = await this.withContacts(by, unit, page.items as Array<{ contactRef?: string }>);
    return this.texts.hydrate(page);
  }

  /** Erases the contact a citizen left with an opinion (PIPL); the opinion and the history stay as they are. */
  async eraseContact(by: Principal, id: string, opinionId: string) {
    const unit = await this.mustFind(id);
    requireAccess(by, 'unit.opinion-contact.erase', onUnit(unit));
    const opinion = (await this.entries.get(unit.id, 'opinion', opinionId)) as { contactRef?: string } | undefined;
    if (!opinion) throw notFound('opinion', opinionId);
    if (!opinion.contactRef) throw ruleViolation('opinion.no-contact', `opinion ${opinionId} was left without a contact`);
    const erased = await this.entries.eraseContact(opinion.contactRef, unit.id, by.id);
    if (!erased) throw notFound('contact of opinion', opinionId);
    return { id: opinionId, contactErasedAt: erased.erasedAt };
  }

  private async withContacts(by: Principal, unit: UnitRecord, items: Array<{ contactRef?: string }>) {
    const refs = items.map((o) => o.contactRef).filter((r): r is string => !!r);
    const seesContacts = mayAccess(by, 'unit.opinion-contact.read', onUnit(unit));
    const contacts = seesContacts ? await this.entries.contacts(refs) : undefined;
    return items.map(({ contactRef, ...o }) => {
      if (!contactRef) return o;
      if (!seesContacts) return { ...o, hasContact: true };
      const c = contacts?.get(contactRef);
      return { ...o, hasContact: true, contact: c?.contact ?? null, ...(c?.erasedAt ? { contactErasedAt: c.erasedAt } : {}) };
    });
  }

  async addRecord(by: Principal, id: string, dto: AddRecordDto) {
    const unit = await this.mustFind(id);
    const authorize = () => requireAccess(by, 'unit.records.add', onUnit(unit));
    return this.send(by, unit, addRecordUpdate, 'POST /api/units/:id/records', dto, authorize, async (texts) => ({
      kind: dto.kind,
      title: dto.title,
      ...(dto.body != null ? { body: await texts.doc(dto.body) } : {}),
      ...(dto.attachmentUri != null ? { attachmentUri: dto.attachmentUri } : {}),
    }));
  }

  async addOpinion(caller: PublicCaller, id: string, dto: AddOpinionDto) {
    const unit = await this.mustFind(id);
    // The contact stays in PostgreSQL; the history carries only a random reference to it. A refused opinion
    // leaves no contact behind.
    const contact: { ref: string; text: string } | undefined = dto.contact ? { ref: randomUUID(), text: dto.contact } : undefined;
    try {
      const r = await this.send(
        caller,
        unit,
        addOpinionUpdate,
        'POST /api/units/:id/opinions',
        { text: dto.text },
        undefined,
        async (texts) => {
          if (contact) await this.entries.saveContact(contact.ref, unit.id, contact.text);
          return { text: await texts.doc(dto.text), ...(contact ? { contactRef: contact.ref } : {}) };
        },
      );
      return { id: r.id, status: 'accepted' as const };
    } catch (err) {
      if (contact && isRefusal(err)) await this.entries.deleteContact(contact.ref);
      throw err;
    }
  }

  async addProblem(by: Principal, id: string, dto: AddProblemDto) {
    const unit = await this.mustFind(id);
    const authorize = () => requireAccess(by, 'unit.problems.add', onUnit(unit));
    return this.send(by, unit, addProblemUpdate, 'POST /api/units/:id/problems', dto, authorize, async (texts) => ({
      title: dto.title,
      ...(dto.description != null ? { description: await texts.doc(dto.description) } : {}),
      source: dto.source,
      category: dto.category,
    }));
  }

  async scheduleMeeting(by: Principal, id: string, dto: ScheduleMeetingDto) {
    const unit = await this.mustFind(id);
    const authorize = () => requireAccess(by, 'unit.meeting.schedule', onUnit(unit));
    const meeting = await this.send(by, unit, scheduleMeetingUpdate, 'POST /api/units/:id/meeting', dto, authorize, () => ({
      scheduledAt: dto.scheduledAt,
      location: dto.location,
    }));
    return this.texts.hydrate(meeting);
  }

  async attendMeeting(by: Principal, id: string, dto: AttendanceDto) {
    const unit = await this.mustFind(id);
    const route = 'POST /api/units/:id/meeting/attendance';
    const supervises = () => requireAccess(by, 'unit.meeting.attend', onUnit(unit));
    const attendance = () => ({ arrivedAt: dto.arrivedAt, leftAt: dto.leftAt });
    // 全程参与 across units: the supervisor's other attested intervals are checked as part of the authorization.
    const view = this.presence
      ? await this.presence.attest(by, unit, dto, (overlapCheck) => {
          const authorize = async () => {
            supervises();
            await overlapCheck();
          };
          return this.send(by, unit, meetingAttendanceUpdate, route, dto, authorize, attendance);
        })
      : await this.send(by, unit, meetingAttendanceUpdate, route, dto, supervises, attendance);
    return this.texts.hydrate(view);
  }

  async meetingHeld(by: Principal, id: string, dto: MeetingHeldDto) {
    const unit = await this.mustFind(id);
    const authorize = () => requireAccess(by, 'unit.meeting.held', onUnit(unit));
    return this.send(by, unit, meetingHeldUpdate, 'POST /api/units/:id/meeting/held', dto, authorize, async (texts) => ({
      startedAt: dto.startedAt,
      endedAt: dto.endedAt,
      minutes: await texts.doc(dto.minutes),
    }));
  }

  async requestTransition(by: Principal, id: string, dto: RequestTransitionDto) {
    const unit = await this.mustFind(id);
    const authorize = () => requireAccess(by, 'unit.transition.request', onUnit(unit));
    return this.send(by, unit, requestTransitionUpdate, 'POST /api/units/:id/transitions', dto, authorize, async (texts) => {
      const comment = await texts.comment(dto.comment);
      return { to: dto.to as Phase, ...(comment !== undefined ? { comment } : {}) };
    });
  }

  async decideTransition(by: Principal, id: string, transitionId: string, dto: DecisionDto) {
    const unit = await this.mustFind(id);
    const authorize = () => requireAccess(by, 'unit.transition.decide', onUnit(unit));
    const route = 'POST /api/units/:id/transitions/:tid/decision';
    const request = { transitionId, approve: dto.approve, comment: dto.comment };
    return this.send(by, unit, approveTransitionUpdate, route, request, authorize, async (texts) => {
      const comment = await texts.comment(dto.comment);
      return { transitionId, approve: dto.approve, ...(comment !== undefined ? { comment } : {}) };
    });
  }

  async setTaskBook(by: Principal, id: string, dto: SetTaskBookDto) {
    const unit = await this.mustFind(id);
    const authorize = () => requireAccess(by, 'unit.task-book.set', onUnit(unit));
    const book = await this.send(by, unit, setTaskBookUpdate, 'PUT /api/units/:id/task-book', dto, authorize, async (texts) => {
      const measures = await texts.docs(dto.items.map((i) => i.measure));
      return {
        signedBy: dto.signedBy,
        items: dto.items.map((i, k) => ({ problemIds: i.problemIds, measure: measures[k], owner: i.owner, deadline: i.deadline })),
      };
    });
    return this.texts.hydrate(book);
  }

  async publishTaskBook(by: Principal, id: string) {
    const unit = await this.mustFind(id);
    const authorize = () => requireAccess(by, 'unit.task-book.publish', onUnit(unit));
    return this.send(by, unit, publishTaskBookUpdate, 'POST /api/units/:id/task-book/publish', {}, authorize, () => ({}));
  }

  async fileObjection(caller: PublicCaller, id: string, dto: FileObjectionDto) {
    const unit = await this.mustFind(id);
    const r = await this.send(
      caller,
      unit,
      fileObjectionUpdate,
      'POST /api/units/:id/task-book/objections',
      dto,
      undefined,
      async (texts) => ({
        text: await texts.doc(dto.text),
        ...(dto.itemId != null ? { itemId: dto.itemId } : {}),
      }),
    );
    return { id: r.id, status: 'accepted' as const };
  }

  async answerObjection(by: Principal, id: string, objectionId: string, text: string) {
    const unit = await this.mustFind(id);
    const authorize = () => requireAccess(by, 'unit.objections.answer', onUnit(unit));
    const route = 'POST /api/units/:id/task-book/objections/:oid/answer';
    return this.send(by, unit, answerObjectionUpdate, route, { objectionId, text }, authorize, async (texts) => ({
      objectionId,
      text: await texts.doc(text),
    }));
  }

  // ---------- the workflow ----------

  /**
   * Starts the unit's workflow (idempotently, by its deterministic id) when its campaign runs and its batch has
   * opened, so that the unit takes calls from the moment its batch opens, before the campaign's start reaches it.
   */
  async startIfOpened(unit: UnitRecord): Promise<boolean> {
    const campaign = await this.campaigns.findById(unit.campaignId);
    if (!campaign || campaign.status !== 'running') return false;
    const batch = campaign.plan.batches.find((b) => b.batch === unit.batch);
    if (!batch || Date.parse(batch.startsAt) > this.now().getTime()) return false;
    await this.workflows.counted('startUnit', () =>
      startUnitWorkflow(
        this.workflows.client,
        {
          campaignId: campaign.id,
          unitId: unit.id,
          code: unit.code,
          name: unit.name,
          batch: unit.batch,
          groupId: unit.groupId,
          plan: campaign.plan,
        },
        this.taskQueue,
      ),
    );
    return true;
  }

  /**
   * Sends one decision. Role and scope were checked by the caller (so that a refusal names the rule before any
   * text is stored); the workflow's validator checks the lifecycle rules.
   */
  private async send<Ret, A extends object>(
    caller: Caller,
    unit: UnitRecord,
    def: UpdateDefinition<Ret, [A & { actor: Actor }]>,
    route: string,
    request: object,
    authorize: (() => unknown) | undefined,
    build: (texts: TextSession) => Promise<A> | A,
  ): Promise<Ret> {
    const actor = actorOf(caller);
    const workflowId = unitWorkflowId(unit.id);
    const ctx = {
      actor,
      route,
      unitId: unit.id,
      startIfMissing: () => this.startIfOpened(unit),
      whenNotRunning: () =>
        ruleViolation('unit.running', `unit ${unit.id} is not running: its batch has not opened yet, or its lifecycle has ended`),
    };
    return sendDecision(this.workflows, this.texts, { def, workflowId, request, ctx: { ...ctx, authorize }, build });
  }
}
