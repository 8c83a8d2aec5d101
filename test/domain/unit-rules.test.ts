// The unit's lifecycle rules as pure functions (the workflow's validators and handlers call exactly these).
import {
  applyAddOpinion,
  applyAddProblem,
  applyAddRecord,
  applyAnswerObjection,
  applyDecideTransition,
  applyFileObjection,
  applyItemReport,
  applyMeetingAttendance,
  applyMeetingHeld,
  applyPublishTaskBook,
  applyRequestTransition,
  applyScheduleMeeting,
  applySetTaskBook,
  applyTaskBookEffective,
  applyWindowRung,
  windowLadderStoppedAt,
  checkAddOpinion,
  checkAddRecord,
  checkAnswerObjection,
  checkDecideTransition,
  checkFileObjection,
  checkMeetingAttendance,
  checkPublishTaskBook,
  checkRequestTransition,
  checkSetTaskBook,
  defaultPlan,
  DomainError,
  latestDeadline,
  newUnitState,
  taskBookReady,
  type Actor,
  type DocRef,
  type Ctx,
  type UnitState,
} from '../../libs/domain/src';
import { doc } from '../support/texts';

const plan = defaultPlan('2013-07-08T00:00:00+08:00');
const T0 = Date.parse('2013-07-08T00:00:00+08:00');
const HOUR = 3_600_000;
const unit: Actor = { id: 'p-unit', role: 'unit', unitId: 'u1' };
const otherUnit: Actor = { id: 'p-unit-2', role: 'unit', unitId: 'u2' };
const sup: Actor = { id: 'p-sup', role: 'supervisor', groupId: 'g1' };
const otherSup: Actor = { id: 'p-sup-2', role: 'supervisor', groupId: 'g2' };
const citizen: Actor = { id: 'public:1', role: 'public' };

let now = T0;
const ctx = (): Ctx => ({ now, plan });
const fresh = () => newUnitState({ campaignId: 'c', unitId: 'u1', code: 'U1', name: 'Unit 1', batch: 1, groupId: 'g1' }, plan, T0);

function refusal(fn: () => unknown): DomainError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(DomainError);
    return e as DomainError;
  }
  throw new Error('expected a refusal');
}

function toP2(s: UnitState) {
  applyAddRecord(s, { actor: unit, kind: 'study', title: 'study' }, ctx());
  applyAddRecord(s, { actor: unit, kind: 'solicitation-report', title: 'report' }, ctx());
  applyAddOpinion(s, { actor: citizen, text: doc('opinion') }, ctx());
  const t = applyRequestTransition(s, { actor: unit, to: 'P2' }, ctx());
  applyDecideTransition(s, { actor: sup, transitionId: t.id, approve: true, comment: 'ok' }, ctx());
}

beforeEach(() => {
  now = T0;
});

describe('who may act on a unit', () => {
  it('unit actions only by a unit principal of this unit', () => {
    const s = fresh();
    const e = refusal(() => checkAddRecord(s, { actor: otherUnit, kind: 'study', title: 't' }));
    expect(e.code).toBe('FORBIDDEN');
    expect(e.details.rule).toBe('actor.unit-scope');
    expect(e.message).toContain('p-unit-2');
    expect(refusal(() => checkAddRecord(s, { actor: sup, kind: 'study', title: 't' })).details.rule).toBe('actor.unit-only');
  });

  it('opinions only through the public channel', () => {
    expect(refusal(() => checkAddOpinion(fresh(), { actor: unit, text: doc('x') })).details.rule).toBe('actor.public-channel');
  });

  it('a unit cannot decide its own transition', () => {
    const s = fresh();
    toP2(s);
    const e = refusal(() => checkDecideTransition(s, { actor: unit, transitionId: 'transition-1', approve: true, comment: '' }));
    expect(e.code).toBe('FORBIDDEN');
    expect(e.details.rule).toBe('transition.no-self-approval');
    expect(e.message).toContain('p-unit');
  });

  it('a supervisor of another group is refused', () => {
    const s = fresh();
    applyAddRecord(s, { actor: unit, kind: 'study', title: 'study' }, ctx());
    applyAddRecord(s, { actor: unit, kind: 'solicitation-report', title: 'report' }, ctx());
    applyAddOpinion(s, { actor: citizen, text: doc('opinion') }, ctx());
    const t = applyRequestTransition(s, { actor: unit, to: 'P2' }, ctx());
    const e = refusal(() => checkDecideTransition(s, { actor: otherSup, transitionId: t.id, approve: true, comment: 'ok' }));
    expect(e.code).toBe('FORBIDDEN');
    expect(e.details.rule).toBe('actor.supervisor-group');
    expect(e.message).toContain('p-sup-2');
  });
});

describe('phases and gates', () => {
  it('a transition request with unmet gates is refused, listing them', () => {
    const e = refusal(() => checkRequestTransition(fresh(), { actor: unit, to: 'P2' }));
    expect(e.code).toBe('RULE_VIOLATION');
    expect(e.details.unmetGates).toEqual(['gate.P2.study-record', 'gate.P2.opinion', 'gate.P2.solicitation-report']);
  });

  it('only the next phase can be requested', () => {
    expect(refusal(() => checkRequestTransition(fresh(), { actor: unit, to: 'P3' })).details.rule).toBe('transition.next-phase');
  });

  it('approval moves the phase at once, before the next window opens; the window follows the phase', () => {
    const s = fresh();
    toP2(s);
    expect(s.view.phase).toBe('P2');
    expect(s.view.window).toEqual(plan.batches[0].phases.P2);
    const decided = s.changes.filter((c) => c.kind === 'transition').at(-1)!;
    expect(decided).toMatchObject({
      id: 'transition-1',
      data: { status: 'approved', decided: { actorId: 'p-sup', role: 'supervisor', comment: 'ok' } },
    });
    expect(s.view.pendingTransition).toBeUndefined();
    expect(s.view.phaseSince).toBe(new Date(now).toISOString());
  });

  it("a phase window's ladder stops when the unit left that phase, not at a later move", () => {
    const s = fresh();
    expect(windowLadderStoppedAt(s, 'P1')).toBeUndefined();
    now = T0 + HOUR;
    toP2(s);
    expect([windowLadderStoppedAt(s, 'P1'), windowLadderStoppedAt(s, 'P2')]).toEqual([T0 + HOUR, undefined]);
    // On to P3 (the apply step alone; its gates are checked above): P1's ladder, perhaps still catching up, stopped
    // an hour after the start, not now.
    now = T0 + 2 * HOUR;
    const t = applyRequestTransition(s, { actor: unit, to: 'P3' }, ctx());
    applyDecideTransition(s, { actor: sup, transitionId: t.id, approve: true, comment: 'ok' }, ctx());
    expect([windowLadderStoppedAt(s, 'P1'), windowLadderStoppedAt(s, 'P2'), windowLadderStoppedAt(s, 'P3')]).toEqual([
      T0 + HOUR,
      T0 + 2 * HOUR,
      undefined,
    ]);
  });

  it('record kinds belong to their phase', () => {
    const s = fresh();
    expect(refusal(() => checkAddRecord(s, { actor: unit, kind: 'comparison-check', title: 't' })).details.rule).toBe(
      'record.comparison-check.phase',
    );
    expect(refusal(() => checkAddRecord(s, { actor: unit, kind: 'rule', title: 't' })).details.rule).toBe('record.rule.phase');
  });

  it('every accepted change is stamped with actor id, role, time and comment', () => {
    const s = fresh();
    now = T0 + HOUR;
    applyAddRecord(s, { actor: unit, kind: 'study', title: 'study', body: doc('what was studied'), comment: 'why' }, ctx());
    expect(s.changes).toEqual([
      {
        kind: 'record',
        id: 'record-1',
        seq: 1,
        rev: 2,
        at: new Date(T0 + HOUR).toISOString(),
        data: {
          id: 'record-1',
          kind: 'study',
          title: 'study',
          body: doc('what was studied'),
          actorId: 'p-unit',
          role: 'unit',
          at: new Date(T0 + HOUR).toISOString(),
          comment: 'why',
        },
      },
    ]);
    expect(s.view.counts.records.study).toBe(1);
    expect(s.view.version).toBe(2);
  });

  it('texts arrive as stored-text references; a comment longer than a line must be one too', () => {
    const s = fresh();
    expect(
      refusal(() =>
        checkAddRecord(s, { actor: unit, kind: 'study', title: 't', body: 'plain text' as unknown as DocRef /* a client's wrong shape */ }),
      ).details.field,
    ).toBe('body');
    expect(refusal(() => checkAddRecord(s, { actor: unit, kind: 'study', title: 't', comment: 'x'.repeat(201) })).details.field).toBe(
      'comment',
    );
    expect(() => checkAddRecord(s, { actor: unit, kind: 'study', title: 't', comment: doc('x'.repeat(201)) })).not.toThrow();
    expect(
      refusal(() => checkAddRecord(s, { actor: unit, kind: 'study', title: 't', body: { digest: 'f'.repeat(64), chars: 5_001 } })).details
        .field,
    ).toBe('body');
  });
});

describe('the meeting', () => {
  it('attendance is attested by the assigned group only, and not before it is over', () => {
    const s = fresh();
    toP2(s);
    applyScheduleMeeting(s, { actor: unit, scheduledAt: new Date(T0 + HOUR).toISOString(), location: 'hall' }, ctx());
    const args = { arrivedAt: new Date(T0 + HOUR).toISOString(), leftAt: new Date(T0 + 3 * HOUR).toISOString() };
    expect(refusal(() => checkMeetingAttendance(s, { actor: otherSup, ...args }, ctx())).details.rule).toBe('actor.supervisor-group');
    expect(refusal(() => checkMeetingAttendance(s, { actor: sup, ...args }, ctx())).details.rule).toBe('meeting.attendance-in-future');
    now = T0 + 4 * HOUR;
    expect(() => checkMeetingAttendance(s, { actor: sup, ...args }, ctx())).not.toThrow();
  });

  it('a meeting without full attendance is recorded invalid and reconvened', () => {
    const s = fresh();
    toP2(s);
    applyScheduleMeeting(s, { actor: unit, scheduledAt: new Date(T0 + HOUR).toISOString(), location: 'hall' }, ctx());
    now = T0 + 4 * HOUR;
    applyMeetingAttendance(
      s,
      { actor: sup, arrivedAt: new Date(T0 + 2 * HOUR).toISOString(), leftAt: new Date(T0 + 3 * HOUR).toISOString() },
      ctx(),
    );
    const verdict = applyMeetingHeld(
      s,
      { actor: unit, startedAt: new Date(T0 + HOUR).toISOString(), endedAt: new Date(T0 + 3 * HOUR).toISOString(), minutes: doc('m') },
      ctx(),
    );
    expect(verdict.valid).toBe(false);
    expect(s.view.unmetGates).toContain('gate.P3.valid-meeting');
    applyScheduleMeeting(s, { actor: unit, scheduledAt: new Date(T0 + 5 * HOUR).toISOString(), location: 'hall' }, ctx());
    // The earlier meeting stays on record as an entry; the unit keeps only the current one and the count.
    const meetings = s.changes.filter((c) => c.kind === 'meeting');
    expect(meetings.map((m) => [m.id, (m.data as { valid?: boolean }).valid])).toEqual([
      ['meeting-1', undefined],
      ['meeting-1', undefined],
      ['meeting-1', false],
      ['meeting-2', undefined],
    ]);
    expect(s.view.meeting!.id).toBe('meeting-2');
    expect(s.view.counts.meetings).toBe(2);
    expect(s.view.validMeeting).toBe(false);
  });
});

describe('task book and disclosure', () => {
  function inP3(): UnitState {
    const s = fresh();
    toP2(s);
    applyAddProblem(s, { actor: unit, title: 'p', source: 'masses', category: 'formalism' }, ctx());
    s.view.phase = 'P3'; // the P3 gate is tested above; here only the task book matters
    return s;
  }

  it('is set only in P3', () => {
    const s = fresh();
    toP2(s);
    applyAddProblem(s, { actor: unit, title: 'p', source: 'masses', category: 'formalism' }, ctx());
    const items = [{ problemIds: ['problem-1'], measure: doc('m'), owner: 'o', deadline: '2013-12-01T00:00:00+08:00' }];
    expect(refusal(() => checkSetTaskBook(s, { actor: unit, signedBy: 'head', items }, ctx())).details.rule).toBe('taskbook.phase');
  });

  it('items link known problems and have future deadlines', () => {
    const s = inP3();
    const bad = [{ problemIds: ['problem-9'], measure: doc('m'), owner: 'o', deadline: '2013-12-01T00:00:00+08:00' }];
    expect(refusal(() => checkSetTaskBook(s, { actor: unit, signedBy: 'head', items: bad }, ctx())).details.field).toBe(
      'items[0].problemIds[0]',
    );
    const past = [{ problemIds: ['problem-1'], measure: doc('m'), owner: 'o', deadline: '2013-07-01T00:00:00+08:00' }];
    expect(refusal(() => checkSetTaskBook(s, { actor: unit, signedBy: 'head', items: past }, ctx())).details.field).toBe(
      'items[0].deadline',
    );
  });

  it("item deadlines lie within a year and a day of the campaign's last batch end", () => {
    const s = inP3();
    const far = [{ problemIds: ['problem-1'], measure: doc('m'), owner: 'o', deadline: '2099-12-01T00:00:00+08:00' }];
    const e = refusal(() => checkSetTaskBook(s, { actor: unit, signedBy: 'head', items: far }, ctx()));
    expect(e.details.field).toBe('items[0].deadline');
    expect(e.message).toContain(latestDeadline(plan).at);
    const justIn = [{ problemIds: ['problem-1'], measure: doc('m'), owner: 'o', deadline: latestDeadline(plan).at }];
    expect(() => checkSetTaskBook(s, { actor: unit, signedBy: 'head', items: justIn }, ctx())).not.toThrow();
  });

  it('cannot change once published; objections only inside the disclosure window; effective when answered and elapsed', () => {
    const s = inP3();
    const items = [{ problemIds: ['problem-1'], measure: doc('m'), owner: 'o', deadline: '2013-12-01T00:00:00+08:00' }];
    expect(refusal(() => checkFileObjection(s, { actor: citizen, text: doc('x') }, ctx())).details.rule).toBe(
      'objection.disclosure-window',
    );
    const r = applySetTaskBook(s, { actor: unit, signedBy: 'head', items }, ctx());
    expect(r.items[0].id).toBe('u1.item-1');
    expect(r.items[0].status).toBe('pending');
    const { disclosureEndsAt } = applyPublishTaskBook(s, { actor: unit, comment: 'signed by the secretary' }, ctx());
    expect(disclosureEndsAt).toBe('2013-07-15T00:00:00+08:00');
    expect(s.view.taskBook).toMatchObject({
      setBy: { actorId: 'p-unit', role: 'unit' },
      publishedBy: { actorId: 'p-unit', role: 'unit', comment: 'signed by the secretary' },
    });
    expect(refusal(() => checkSetTaskBook(s, { actor: unit, signedBy: 'head', items }, ctx())).details.rule).toBe('taskbook.published');
    expect(refusal(() => checkPublishTaskBook(s, { actor: unit })).details.rule).toBe('taskbook.published');
    applyFileObjection(s, { actor: citizen, text: doc('too vague') }, ctx());
    now = Date.parse(disclosureEndsAt);
    expect(refusal(() => checkFileObjection(s, { actor: citizen, text: doc('late') }, ctx())).details.rule).toBe(
      'objection.disclosure-window',
    );
    expect(taskBookReady(s, now)).toBe(false);
    expect(s.view.taskBook!.objectionCounts).toEqual({ filed: 1, unanswered: 1 });
    expect(refusal(() => checkAnswerObjection(s, { actor: otherUnit, objectionId: 'objection-1', text: doc('a') })).details.rule).toBe(
      'actor.unit-scope',
    );
    expect(refusal(() => checkAnswerObjection(s, { actor: unit, objectionId: 'objection-7', text: doc('a') })).code).toBe('NOT_FOUND');
    applyAnswerObjection(s, { actor: unit, objectionId: 'objection-1', text: doc('a') }, ctx());
    expect(refusal(() => checkAnswerObjection(s, { actor: unit, objectionId: 'objection-1', text: doc('again') })).details.rule).toBe(
      'objection.answered-once',
    );
    expect(s.changes.filter((c) => c.kind === 'objection').map((c) => Object.keys(c.data as object))).toEqual([
      ['id', 'text', 'actorId', 'role', 'at'],
      ['answer'],
    ]);
    expect(taskBookReady(s, now)).toBe(true);
    applyTaskBookEffective(s, ctx());
    expect(s.view.taskBook!.items[0].status).toBe('open');
  });
});

describe('cards', () => {
  it('the unit shows the worst of its phase-window card and its unclosed items', () => {
    const s = fresh();
    s.view.phase = 'P3';
    s.view.taskBook = {
      signedBy: 'h',
      status: 'effective',
      objectionCounts: { filed: 0, unanswered: 0 },
      items: [
        { id: 'u1.item-1', problemIds: [], measure: doc('m'), owner: 'o', deadline: 'd', status: 'open', card: 'none' },
        { id: 'u1.item-2', problemIds: [], measure: doc('m'), owner: 'o', deadline: 'd', status: 'open', card: 'none' },
      ],
    };
    applyWindowRung(s, { rung: 'yellow', firedAt: 'x', deadline: 'd', to: [], phase: 'P3' }, ctx());
    expect(s.view.card).toBe('yellow');
    applyItemReport(s, { itemId: 'u1.item-2', status: 'open', card: 'red' }, ctx());
    expect(s.view.card).toBe('red');
    applyItemReport(s, { itemId: 'u1.item-2', status: 'closed', card: 'none' }, ctx());
    expect(s.view.card).toBe('yellow');
  });

  it('a late rung of a window the unit has left is listed under that phase and cards nothing (the old rule carded it)', () => {
    const s = fresh();
    s.view.phase = 'P3';
    applyWindowRung(s, { rung: 'yellow', firedAt: 'x', deadline: 'd', to: [], late: true, phase: 'P2' }, ctx());
    expect(s.view.windowRungs.map((r) => [r.phase, r.rung])).toEqual([['P2', 'yellow']]);
    expect(s.view.card).toBe('none');
    applyWindowRung(s, { rung: 'red', firedAt: 'x', deadline: 'd', to: [], late: true, phase: 'P2' }, ctx(), { cardsLeftPhase: true });
    expect(s.view.card).toBe('red');
  });
});
