// The agenda's actions as the API would send them: the same Updates, with the same actors, to the same
// workflows. Only the transport differs from a live campaign (the engine's client, not HTTP).
import type { Client, WorkflowHandle } from '@temporalio/client';
import { itemId, itemWorkflowId, unitWorkflowId, type Actor } from '../../../../libs/domain/src';
import { docRefOf } from '../../../../libs/persistence/src';
import type { SimAction } from '../../../../libs/simulation/src';
import {
  addOpinionUpdate,
  addProblemUpdate,
  addRecordUpdate,
  answerObjectionUpdate,
  approveTransitionUpdate,
  decideExtensionUpdate,
  fileObjectionUpdate,
  meetingAttendanceUpdate,
  meetingHeldUpdate,
  publishTaskBookUpdate,
  requestExtensionUpdate,
  requestTransitionUpdate,
  scheduleMeetingUpdate,
  setTaskBookUpdate,
  submitCompletionUpdate,
  verifyItemUpdate,
} from '../../../../libs/contracts/src';

/** The texts a simulated campaign writes (stored in the scratch database like the API stores them). */
export const SIMULATED_TEXTS = {
  opinion: '会议太多,下基层太少 — too many meetings, too few visits',
  description: '文山会海,调研走过场 — meetings upon meetings, visits for show',
  minutes: '专题民主生活会记录:批评与自我批评 — minutes: criticism and self-criticism',
  measure: '精简会议文件,领导班子每月下基层 — fewer meetings and documents; the leadership visits the grassroots monthly',
  objection: '整改措施不够具体 — the measure is not specific enough',
  answer: '已补充时间表和责任人 — a timetable and the persons responsible were added',
  reason: '涉及跨部门协调,需要更多时间 — needs coordination across departments',
  evidence: '会议数量减少三分之一,附会议台账 — meetings down by a third; the register is attached',
} as const;

const ref = (t: keyof typeof SIMULATED_TEXTS) => docRefOf(SIMULATED_TEXTS[t]);

export interface SimulatedUnit {
  id: string;
  code: string;
  groupId: string;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** The people of one unit: its staff, a supervisor of its group, a citizen. */
export function castOf(unit: SimulatedUnit) {
  return {
    unit: { id: `unit-staff-${unit.code}`, role: 'unit', unitId: unit.id, name: `staff of ${unit.code}` } as Actor,
    supervisor: { id: `supervisor-${unit.groupId}`, role: 'supervisor', groupId: unit.groupId, name: 'supervisor' } as Actor,
    citizen: { id: `public:simulated-${unit.code}`, role: 'public' } as Actor,
  };
}

type Cast = ReturnType<typeof castOf>;
type ActionOf<K extends SimAction['kind']> = Extract<SimAction, { kind: K }>;

export class WorkflowDriver {
  constructor(private readonly client: Client) {}

  private update<R>(handle: WorkflowHandle, def: { name: string }, args: object): Promise<R> {
    // By name: the simulator drives every Update with its own payloads; the workflow's validator checks them.
    return handle.executeUpdate<R, [object]>(def.name, { args: [args] });
  }

  /**
   * How the run `a` acts on has ended, if it has (e.g. failed: it no longer replayed), for the error of an action
   * that found it ended; '' while it runs.
   */
  async endOf(unit: SimulatedUnit, a: SimAction): Promise<string> {
    const id = 'item' in a ? itemWorkflowId(itemId(unit.id, a.item)) : unitWorkflowId(unit.id);
    const handle = this.client.workflow.getHandle(id);
    const { status } = await handle.describe();
    if (status.name === 'RUNNING') return '';
    const failure = await handle.result().then(
      () => '',
      (e: unknown) => `: ${e instanceof Error ? ((e.cause as Error | undefined)?.message ?? e.message) : String(e)}`,
    );
    return `; its workflow ${id} is ${status.name}${failure}`;
  }

  /** Runs one action of `unit` (throws what the workflow refuses: an agenda that breaks a rule is a bug). */
  async act(unit: SimulatedUnit, a: SimAction): Promise<void> {
    const cast = castOf(unit);
    const u = this.client.workflow.getHandle(unitWorkflowId(unit.id));
    switch (a.kind) {
      case 'record':
        await this.update(u, addRecordUpdate, { actor: cast.unit, kind: a.recordKind, title: a.title });
        return;
      case 'opinion':
        await this.update(u, addOpinionUpdate, { actor: cast.citizen, text: ref('opinion') });
        return;
      case 'problem':
        await this.update(u, addProblemUpdate, {
          actor: cast.unit,
          title: `问题 ${a.seq}: 会风文风`,
          description: ref('description'),
          source: 'masses',
          category: 'formalism',
        });
        return;
      case 'pass':
        await this.pass(u, cast, a);
        return;
      case 'schedule-meeting':
        await this.update(u, scheduleMeetingUpdate, { actor: cast.unit, scheduledAt: iso(a.startedAt), location: '会议室' });
        return;
      case 'hold-meeting':
        await this.holdMeeting(u, cast, a);
        return;
      case 'task-book':
        await this.publishTaskBook(u, cast, a);
        return;
      case 'objection':
        await this.update(u, fileObjectionUpdate, { actor: cast.citizen, text: ref('objection') });
        return;
      case 'answer-objection':
        await this.update(u, answerObjectionUpdate, { actor: cast.unit, objectionId: `objection-${a.seq}`, text: ref('answer') });
        return;
      case 'extension':
      case 'extension-decision':
      case 'close':
        await this.actOnItem(this.client.workflow.getHandle(itemWorkflowId(itemId(unit.id, a.item))), cast, a);
        return;
    }
  }

  /** The unit asks to pass into the next phase; its supervisor approves. */
  private async pass(u: WorkflowHandle, cast: Cast, a: ActionOf<'pass'>): Promise<void> {
    await this.update(u, requestTransitionUpdate, { actor: cast.unit, to: a.to });
    await this.update(u, approveTransitionUpdate, {
      actor: cast.supervisor,
      transitionId: `transition-${a.seq}`,
      approve: true,
      comment: `gates met for ${a.to}`,
    });
  }

  /** The supervisor's attendance (if any), then the meeting recorded held. */
  private async holdMeeting(u: WorkflowHandle, cast: Cast, a: ActionOf<'hold-meeting'>): Promise<void> {
    const span = a.endedAt - a.startedAt;
    if (a.attendance !== 'none') {
      // Throughout: from before the start to after the end; partly: arrived after the start (invalid).
      const arrivedAt = a.attendance === 'throughout' ? a.startedAt - span / 10 : a.startedAt + span / 4;
      await this.update(u, meetingAttendanceUpdate, {
        actor: cast.supervisor,
        arrivedAt: iso(arrivedAt),
        leftAt: iso(a.endedAt + span / 10),
      });
    }
    await this.update(u, meetingHeldUpdate, {
      actor: cast.unit,
      startedAt: iso(a.startedAt),
      endedAt: iso(a.endedAt),
      minutes: ref('minutes'),
    });
  }

  /** The task book drafted with an item per deadline, then published. */
  private async publishTaskBook(u: WorkflowHandle, cast: Cast, a: ActionOf<'task-book'>): Promise<void> {
    await this.update(u, setTaskBookUpdate, {
      actor: cast.unit,
      signedBy: '党委书记',
      items: a.deadlines.map((d, i) => ({
        problemIds: Array.from({ length: a.problems }, (_, p) => `problem-${p + 1}`),
        measure: ref('measure'),
        owner: `责任人 ${i + 1}`,
        deadline: iso(d),
      })),
    });
    await this.update(u, publishTaskBookUpdate, { actor: cast.unit });
  }

  /** An item's extension asked or decided, or the item completed and verified. */
  private async actOnItem(item: WorkflowHandle, cast: Cast, a: ActionOf<'extension' | 'extension-decision' | 'close'>): Promise<void> {
    switch (a.kind) {
      case 'extension':
        await this.update(item, requestExtensionUpdate, { actor: cast.unit, newDeadline: iso(a.newDeadline), reason: ref('reason') });
        return;
      case 'extension-decision':
        await this.update(item, decideExtensionUpdate, {
          actor: cast.supervisor,
          extensionId: 'extension-1',
          approve: a.approve,
          comment: a.approve ? 'granted' : 'the deadline stands',
        });
        return;
      case 'close':
        await this.update(item, submitCompletionUpdate, { actor: cast.unit, evidence: ref('evidence') });
        await this.update(item, verifyItemUpdate, { actor: cast.supervisor, accept: true, comment: 'verified on site' });
        return;
    }
  }
}
