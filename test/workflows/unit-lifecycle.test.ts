// The rules of a unit's lifecycle (DOMAIN.md "A unit's lifecycle"), one test per rule, on the time-skipping
// test server with the real activities writing to PostgreSQL.
import type { WorkflowHandle } from '@temporalio/client';
import { unitWorkflowId, itemWorkflowId } from '../../libs/domain/src';
import {
  addOpinionUpdate,
  addProblemUpdate,
  addRecordUpdate,
  answerObjectionUpdate,
  approveTransitionUpdate,
  fileObjectionUpdate,
  itemStateQuery,
  meetingAttendanceUpdate,
  meetingHeldUpdate,
  publishTaskBookUpdate,
  requestTransitionUpdate,
  scheduleMeetingUpdate,
  setTaskBookUpdate,
  unitStateQuery,
  type UnitWorkflowInput,
} from '../../libs/contracts/src';
import { unitLifecycleWorkflow } from '../../workflows';
import { approve, closeItemsAndFinish, meetP2Gate, meetP3Gate, publishTaskBook, up, upUnchecked } from './drive';
import {
  actors,
  DAY,
  HOUR,
  iso,
  looseUnit,
  planAtNow,
  refusalOf,
  saveHistory,
  setUpWorkflowTests,
  type WorkflowTestContext,
  entriesOf,
} from './helpers';
import { eventually } from '../support/eventually';
import { doc } from '../support/texts';
import { ifSet } from '../support/if-set';

let t: WorkflowTestContext;
beforeAll(async () => {
  t = await setUpWorkflowTests('unit-lifecycle');
});
afterAll(async () => {
  await ifSet(t)?.teardown();
});

async function startUnit(taskQueue: string, over: Partial<UnitWorkflowInput> = {}) {
  const ids = looseUnit();
  const plan = await planAtNow(t.env);
  const input: UnitWorkflowInput = {
    campaignId: ids.campaignId,
    unitId: ids.unitId,
    code: `HZ-${ids.unitId.slice(0, 4)}`,
    name: 'Municipal finance bureau',
    batch: 1,
    groupId: ids.groupId,
    plan,
    ...over,
  };
  const handle = await t.env.client.workflow.start(unitLifecycleWorkflow, {
    taskQueue,
    workflowId: unitWorkflowId(input.unitId),
    args: [input],
  });
  return { handle, input, cast: actors(ids), ids };
}

const stateOf = (h: WorkflowHandle) => h.query(unitStateQuery);

describe('gates (DOMAIN.md: each phase closed by a gate and a supervisor approval)', () => {
  it('gate.P2.*: refused while a study record, an opinion or the solicitation report is missing; passes when met', () =>
    t.withWorker(async (tq) => {
      const { handle, cast } = await startUnit(tq);
      const r0 = await refusalOf(up(handle, requestTransitionUpdate, { actor: cast.unit, to: 'P2' }));
      expect(r0.code).toBe('RULE_VIOLATION');
      expect(r0.details.unmetGates).toEqual(['gate.P2.study-record', 'gate.P2.opinion', 'gate.P2.solicitation-report']);
      expect(r0.message).toContain('gate.P2.study-record');
      expect(r0.message).toContain(cast.unit.id);

      await up(handle, addRecordUpdate, { actor: cast.unit, kind: 'study', title: 'study' });
      expect((await refusalOf(up(handle, requestTransitionUpdate, { actor: cast.unit, to: 'P2' }))).details.unmetGates).toEqual([
        'gate.P2.opinion',
        'gate.P2.solicitation-report',
      ]);
      await up(handle, addOpinionUpdate, { actor: cast.citizen, text: doc('listen more') });
      expect((await refusalOf(up(handle, requestTransitionUpdate, { actor: cast.unit, to: 'P2' }))).details.unmetGates).toEqual([
        'gate.P2.solicitation-report',
      ]);
      await up(handle, addRecordUpdate, { actor: cast.unit, kind: 'solicitation-report', title: 'report' });

      const decided = await approve(handle, cast, 'P2');
      expect(decided).toEqual({ status: 'approved', version: expect.any(Number) });
      // The answer carries the version the decision produced.
      expect(await stateOf(handle)).toMatchObject({ phase: 'P2', version: decided.version });
    }));

  it('gate.P3.*: refused without a problem, comparison-check materials or a valid meeting; passes when met', () =>
    t.withWorker(async (tq) => {
      const { handle, cast } = await startUnit(tq);
      await meetP2Gate(handle, cast);
      await approve(handle, cast, 'P2');
      const r0 = await refusalOf(up(handle, requestTransitionUpdate, { actor: cast.unit, to: 'P3' }));
      expect(r0.details.unmetGates).toEqual(['gate.P3.problem', 'gate.P3.comparison-check', 'gate.P3.valid-meeting']);
      await up(handle, addProblemUpdate, { actor: cast.unit, title: 'Too many meetings', source: 'self', category: 'formalism' });
      await up(handle, addRecordUpdate, { actor: cast.unit, kind: 'comparison-check', title: 'materials' });
      expect((await refusalOf(up(handle, requestTransitionUpdate, { actor: cast.unit, to: 'P3' }))).details.unmetGates).toEqual([
        'gate.P3.valid-meeting',
      ]);
      await meetP3Gate(t.env, handle, cast);
      expect(await approve(handle, cast, 'P3')).toEqual({ status: 'approved', version: expect.any(Number) });
      expect((await stateOf(handle)).phase).toBe('P3');
    }));

  it('gate.DONE.*: refused until the task book is effective, every item closed and a rule recorded; passes when met', () =>
    t.withWorker(async (tq) => {
      const { handle, cast } = await startUnit(tq);
      await meetP2Gate(handle, cast);
      await approve(handle, cast, 'P2');
      await meetP3Gate(t.env, handle, cast);
      await approve(handle, cast, 'P3');
      expect((await refusalOf(up(handle, requestTransitionUpdate, { actor: cast.unit, to: 'DONE' }))).details.unmetGates).toEqual([
        'gate.DONE.task-book-effective',
        'gate.DONE.items-closed',
        'gate.DONE.rule-recorded',
      ]);
      const now = await t.env.currentTimeMs();
      const { itemIds } = await publishTaskBook(t.env, handle, cast, [now + 30 * DAY]);
      await t.env.sleep(7 * DAY + HOUR);
      await eventually(async () => (await stateOf(handle)).taskBook?.status === 'effective', 'task book effective');
      expect((await refusalOf(up(handle, requestTransitionUpdate, { actor: cast.unit, to: 'DONE' }))).details.unmetGates).toEqual([
        'gate.DONE.items-closed',
        'gate.DONE.rule-recorded',
      ]);
      await eventually(
        async () =>
          t.env.client.workflow
            .getHandle(itemWorkflowId(itemIds[0]))
            .query(itemStateQuery)
            .catch(() => undefined),
        'item workflow',
      );
      await closeItemsAndFinish(t.env.client, handle, cast, itemIds);
      await eventually(async () => (await stateOf(handle)).unmetGates.length === 0, 'unit sees its items closed');
      expect(await approve(handle, cast, 'DONE')).toEqual({ status: 'approved', version: expect.any(Number) });
      const final = await handle.result();
      expect(final).toMatchObject({ phase: 'DONE', status: 'done', card: 'none' });
      await saveHistory(handle, 'unit-full-lifecycle');
      await saveHistory(t.env.client.workflow.getHandle(itemWorkflowId(itemIds[0])), 'item-closed-before-deadline');
    }));
});

describe('who decides', () => {
  it('transition.no-self-approval: a unit cannot decide its own transition', () =>
    t.withWorker(async (tq) => {
      const { handle, cast } = await startUnit(tq);
      await meetP2Gate(handle, cast);
      const tr = await up(handle, requestTransitionUpdate, { actor: cast.unit, to: 'P2' });
      const r = await refusalOf(
        up(handle, approveTransitionUpdate, { actor: cast.unit, transitionId: tr.id, approve: true, comment: 'self' }),
      );
      expect(r.code).toBe('FORBIDDEN');
      expect(r.details.rule).toBe('transition.no-self-approval');
      expect(r.message).toContain(cast.unit.id);
      expect((await stateOf(handle)).pendingTransition?.status).toBe('pending');
    }));

  it('actor.supervisor-group: a supervisor of another group is refused', () =>
    t.withWorker(async (tq) => {
      const { handle, cast } = await startUnit(tq);
      await meetP2Gate(handle, cast);
      const tr = await up(handle, requestTransitionUpdate, { actor: cast.unit, to: 'P2' });
      const r = await refusalOf(
        up(handle, approveTransitionUpdate, { actor: cast.otherSupervisor, transitionId: tr.id, approve: true, comment: 'not mine' }),
      );
      expect(r.code).toBe('FORBIDDEN');
      expect(r.details.rule).toBe('actor.supervisor-group');
      expect(r.message).toContain(cast.otherSupervisor.id);
      // The assigned group can reject, with a reason; the unit stays in P1 and may ask again.
      expect(
        await up(handle, approveTransitionUpdate, {
          actor: cast.supervisor,
          transitionId: tr.id,
          approve: false,
          comment: 'report too thin',
        }),
      ).toEqual({ status: 'rejected', version: expect.any(Number) });
      const v = await stateOf(handle);
      expect(v.phase).toBe('P1');
      expect(v.pendingTransition).toBeUndefined();
      // The request's own projection (pending) may be in before the decision's: wait for the decision.
      const decided = await eventually(async () => {
        const [entry] = await entriesOf<{ status: string; decided: object }>(t.dataSource, v.id, 'transition');
        return entry.status !== 'pending' && entry;
      }, 'the decision projected');
      expect(decided).toMatchObject({
        status: 'rejected',
        decided: { actorId: cast.supervisor.id, role: 'supervisor', comment: 'report too thin' },
      });
    }));

  it('actor.unit-scope: a unit acts for itself only; the office and auditors do not act for it', () =>
    t.withWorker(async (tq) => {
      const { handle, cast } = await startUnit(tq);
      for (const actor of [cast.otherUnit, cast.office, cast.auditor, cast.supervisor]) {
        const r = await refusalOf(up(handle, addRecordUpdate, { actor, kind: 'study', title: 'x' }));
        expect(r.code).toBe('FORBIDDEN');
        expect(r.message).toContain(actor.id);
      }
      expect((await stateOf(handle)).counts.records.study).toBe(0);
    }));

  it('every accepted change carries actor id, role, time (workflow clock) and comment', () =>
    t.withWorker(async (tq) => {
      const { handle, cast } = await startUnit(tq);
      await t.env.sleep(3 * HOUR);
      const at = await t.env.currentTimeMs();
      await up(handle, addRecordUpdate, { actor: cast.unit, kind: 'study', title: 'study', comment: 'first session' });
      const [rec] = await entriesOf<{ at: string }>(t.dataSource, (await stateOf(handle)).id, 'record');
      expect(rec).toMatchObject({ actorId: cast.unit.id, role: 'unit', comment: 'first session' });
      expect(Math.abs(Date.parse(rec.at) - at)).toBeLessThan(60_000);
    }));
});

describe('phases', () => {
  it('approval moves the phase at once, before the next window opens; the read model follows', () =>
    t.withWorker(async (tq) => {
      const { handle, cast, input } = await startUnit(tq);
      await meetP2Gate(handle, cast);
      await approve(handle, cast, 'P2');
      const v = await stateOf(handle);
      expect(v.phase).toBe('P2');
      expect(Date.parse(v.window!.startsAt)).toBeGreaterThan(await t.env.currentTimeMs());
      const row = await eventually(async () => {
        const rows = await t.dataSource.query('SELECT phase, version FROM unit_states WHERE unit_id = $1', [input.unitId]);
        return rows[0]?.phase === 'P2' && rows[0];
      }, 'projection of P2');
      expect(row.version).toBe(v.version);
    }));

  it('record.<kind>.phase: records belong to their phase (no rule before P3, no comparison-check in P1)', () =>
    t.withWorker(async (tq) => {
      const { handle, cast } = await startUnit(tq);
      expect((await refusalOf(up(handle, addRecordUpdate, { actor: cast.unit, kind: 'rule', title: 'x' }))).details.rule).toBe(
        'record.rule.phase',
      );
      expect(
        (await refusalOf(up(handle, addProblemUpdate, { actor: cast.unit, title: 'x', source: 'self', category: 'other' }))).details.rule,
      ).toBe('problem.phase');
    }));

  it('invalid input is refused naming the field, and changes nothing', () =>
    t.withWorker(async (tq) => {
      const { handle, cast } = await startUnit(tq);
      const before = await stateOf(handle);
      const r = await refusalOf(upUnchecked(handle, addRecordUpdate, { actor: cast.unit, kind: 'poem', title: 'x' }));
      expect(r).toMatchObject({ code: 'INVALID_INPUT', details: { field: 'kind' } });
      expect((await refusalOf(up(handle, addRecordUpdate, { actor: cast.unit, kind: 'study', title: '' }))).details.field).toBe('title');
      expect((await stateOf(handle)).version).toBe(before.version);
    }));
});

describe('the special democratic life meeting (专题民主生活会)', () => {
  it('meeting.full-attendance: without a member of the group present from start to end it is recorded invalid and must be reconvened', () =>
    t.withWorker(async (tq) => {
      const { handle, cast } = await startUnit(tq);
      await meetP2Gate(handle, cast);
      await approve(handle, cast, 'P2');
      await up(handle, addProblemUpdate, { actor: cast.unit, title: 'p', source: 'superior', category: 'bureaucratism' });
      await up(handle, addRecordUpdate, { actor: cast.unit, kind: 'comparison-check', title: 'materials' });
      const now = await t.env.currentTimeMs();
      const start = now - 5 * HOUR;
      const end = now - 2 * HOUR;
      await up(handle, scheduleMeetingUpdate, { actor: cast.unit, scheduledAt: iso(start), location: 'hall' });
      // Attestation by the wrong group is refused outright; the right group's member left an hour early.
      expect(
        (await refusalOf(up(handle, meetingAttendanceUpdate, { actor: cast.otherSupervisor, arrivedAt: iso(start), leftAt: iso(end) })))
          .details.rule,
      ).toBe('actor.supervisor-group');
      await up(handle, meetingAttendanceUpdate, { actor: cast.supervisor, arrivedAt: iso(start), leftAt: iso(end - HOUR) });
      const verdict = await up(handle, meetingHeldUpdate, {
        actor: cast.unit,
        startedAt: iso(start),
        endedAt: iso(end),
        minutes: doc('m'),
      });
      expect(verdict.valid).toBe(false);
      expect(verdict.reason).toMatch(/meeting\.full-attendance/);
      expect((await refusalOf(up(handle, requestTransitionUpdate, { actor: cast.unit, to: 'P3' }))).details.unmetGates).toEqual([
        'gate.P3.valid-meeting',
      ]);

      // Reconvened with full attendance: valid, and the invalid one stays on record.
      await up(handle, scheduleMeetingUpdate, { actor: cast.unit, scheduledAt: iso(now - HOUR * 1.5), location: 'hall' });
      await up(handle, meetingAttendanceUpdate, {
        actor: cast.supervisor,
        arrivedAt: iso(now - 1.5 * HOUR),
        leftAt: iso(now - 0.5 * HOUR),
      });
      expect(
        await up(handle, meetingHeldUpdate, {
          actor: cast.unit,
          startedAt: iso(now - 1.5 * HOUR),
          endedAt: iso(now - 0.5 * HOUR),
          minutes: doc('m2'),
        }),
      ).toEqual({ valid: true, version: expect.any(Number) });
      const v = await stateOf(handle);
      expect(v.meeting).toMatchObject({
        id: 'meeting-2',
        valid: true,
        scheduledBy: { actorId: cast.unit.id, role: 'unit' },
        heldBy: { actorId: cast.unit.id, role: 'unit' },
      });
      expect(v.meeting!.attendance[0]).toMatchObject({ supervisorId: cast.supervisor.id, groupId: cast.supervisor.groupId });
      expect(v.counts.meetings).toBe(2);
      // The read model catches up with the last decision (the meeting held) a moment later.
      const meetings = await eventually(async () => {
        const m = await entriesOf<{ id: string; valid?: boolean }>(t.dataSource, v.id, 'meeting', 2);
        return m[1].valid !== undefined && m;
      }, 'meeting-2 projected as held');
      expect(meetings.map((m) => [m.id, m.valid])).toEqual([
        ['meeting-1', false],
        ['meeting-2', true],
      ]);
      expect(await approve(handle, cast, 'P3')).toEqual({ status: 'approved', version: expect.any(Number) });
      await saveHistory(handle, 'unit-meeting-reconvened');
    }));

  it('meeting.held-in-future: a meeting cannot be recorded before it ends, nor attested before it is over', () =>
    t.withWorker(async (tq) => {
      const { handle, cast } = await startUnit(tq);
      await meetP2Gate(handle, cast);
      await approve(handle, cast, 'P2');
      const now = await t.env.currentTimeMs();
      await up(handle, scheduleMeetingUpdate, { actor: cast.unit, scheduledAt: iso(now + HOUR), location: 'hall' });
      expect(
        (
          await refusalOf(
            up(handle, meetingAttendanceUpdate, { actor: cast.supervisor, arrivedAt: iso(now + HOUR), leftAt: iso(now + 3 * HOUR) }),
          )
        ).details.rule,
      ).toBe('meeting.attendance-in-future');
      expect(
        (
          await refusalOf(
            up(handle, meetingHeldUpdate, {
              actor: cast.unit,
              startedAt: iso(now + HOUR),
              endedAt: iso(now + 3 * HOUR),
              minutes: doc('m'),
            }),
          )
        ).details.rule,
      ).toBe('meeting.held-in-future');
    }));
});

describe('task book and public disclosure (公示)', () => {
  async function inP3(tq: string) {
    const started = await startUnit(tq);
    await meetP2Gate(started.handle, started.cast);
    await approve(started.handle, started.cast, 'P2');
    await meetP3Gate(t.env, started.handle, started.cast);
    await approve(started.handle, started.cast, 'P3');
    return started;
  }

  it('taskbook.phase: the task book is set only in P3', () =>
    t.withWorker(async (tq) => {
      const { handle, cast } = await startUnit(tq);
      const now = await t.env.currentTimeMs();
      const r = await refusalOf(
        up(handle, setTaskBookUpdate, {
          actor: cast.unit,
          signedBy: 'head',
          items: [{ problemIds: ['problem-1'], measure: doc('m'), owner: 'o', deadline: iso(now + 30 * DAY) }],
        }),
      );
      // No problem exists in P1 either: the input is refused first, naming the field.
      expect(r.code).toBe('INVALID_INPUT');
      await meetP2Gate(handle, cast);
      await approve(handle, cast, 'P2');
      await up(handle, addProblemUpdate, { actor: cast.unit, title: 'p', source: 'mutual', category: 'hedonism' });
      const r2 = await refusalOf(
        up(handle, setTaskBookUpdate, {
          actor: cast.unit,
          signedBy: 'head',
          items: [{ problemIds: ['problem-1'], measure: doc('m'), owner: 'o', deadline: iso(now + 30 * DAY) }],
        }),
      );
      expect(r2.details.rule).toBe('taskbook.phase');
    }));

  it('objection.disclosure-window: objections are refused before publishing and after the window; each needs an answer before the book takes effect', () =>
    t.withWorker(async (tq) => {
      const { handle, cast } = await inP3(tq);
      const now = await t.env.currentTimeMs();
      const view = await stateOf(handle);
      await up(handle, setTaskBookUpdate, {
        actor: cast.unit,
        signedBy: 'Secretary Li',
        items: [{ problemIds: ['problem-1'], measure: doc('fewer meetings'), owner: 'Zhang', deadline: iso(now + 40 * DAY) }],
      });
      const before = await refusalOf(up(handle, fileObjectionUpdate, { actor: cast.citizen, text: doc('vague') }));
      expect(before).toMatchObject({ code: 'RULE_VIOLATION', details: { rule: 'objection.disclosure-window' } });
      expect(before.message).toContain(cast.citizen.id);

      const { disclosureEndsAt } = await up(handle, publishTaskBookUpdate, { actor: cast.unit });
      expect(Date.parse(disclosureEndsAt) - now).toBeGreaterThanOrEqual(7 * DAY);
      expect(
        (
          await refusalOf(
            up(handle, setTaskBookUpdate, {
              actor: cast.unit,
              signedBy: 'x',
              items: [{ problemIds: ['problem-1'], measure: doc('m'), owner: 'o', deadline: iso(now + 40 * DAY) }],
            }),
          )
        ).details.rule,
      ).toBe('taskbook.published');
      const { id: objectionId } = await up(handle, fileObjectionUpdate, {
        actor: cast.citizen,
        text: doc('measure too vague'),
        itemId: view.id + '.item-1',
      });

      await t.env.sleep(7 * DAY + HOUR);
      const after = await refusalOf(up(handle, fileObjectionUpdate, { actor: cast.citizen, text: doc('late') }));
      expect(after.details.rule).toBe('objection.disclosure-window');
      // Disclosure elapsed, but one objection is unanswered: not effective, no item started.
      expect((await stateOf(handle)).taskBook!.status).toBe('disclosed');
      expect(
        (await refusalOf(up(handle, answerObjectionUpdate, { actor: cast.otherUnit, objectionId, text: doc('x') }))).details.rule,
      ).toBe('actor.unit-scope');

      await up(handle, answerObjectionUpdate, { actor: cast.unit, objectionId, text: doc('Meetings capped at one hour') });
      const v = await eventually(async () => {
        const s = await stateOf(handle);
        return s.taskBook!.status === 'effective' && s;
      }, 'task book effective');
      expect(v.taskBook!.items[0].status).toBe('open');
      const item = await eventually(
        () =>
          t.env.client.workflow
            .getHandle(itemWorkflowId(v.taskBook!.items[0].id))
            .query(itemStateQuery)
            .catch(() => undefined),
        'item workflow started',
      );
      expect(item).toMatchObject({ status: 'open', deadline: iso(now + 40 * DAY) });
      expect((await refusalOf(up(handle, answerObjectionUpdate, { actor: cast.unit, objectionId, text: doc('again') }))).details.rule).toBe(
        'objection.answered-once',
      );
      await saveHistory(handle, 'unit-disclosure-objection-answered');
    }));
});

describe('phase-window escalation', () => {
  it('a unit still in its phase when the window ends gets yellow to its group, and red to the office 14 days later, each once', () =>
    t.withWorker(async (tq) => {
      const { handle, input, cast } = await startUnit(tq);
      const wfId = unitWorkflowId(input.unitId);
      const p1End = Date.parse(input.plan.batches[0].phases.P1.endsAt);
      const now = await t.env.currentTimeMs();

      await t.env.sleep(p1End - now - HOUR);
      expect((await stateOf(handle)).card).toBe('none');
      await t.env.sleep(2 * HOUR);
      const yellow = await eventually(async () => {
        const v = await stateOf(handle);
        return v.card === 'yellow' && v;
      }, 'yellow card');
      expect(yellow.windowRungs).toEqual([
        expect.objectContaining({
          rung: 'yellow',
          phase: 'P1',
          deadline: input.plan.batches[0].phases.P1.endsAt,
          to: [`unit-head:${input.unitId}`, `group:${input.groupId}`],
        }),
      ]);
      // Due at the window's end, reached by its timer (not late), and recorded no earlier than due.
      const [y] = yellow.windowRungs;
      expect([Date.parse(y.dueAt!), y.late ?? false, Date.parse(y.firedAt) >= p1End]).toEqual([p1End, false, true]);

      await t.env.sleep(14 * DAY);
      const red = await eventually(async () => {
        const v = await stateOf(handle);
        return v.card === 'red' && v;
      }, 'red card');
      expect(red.windowRungs.map((r) => r.rung)).toEqual(['yellow', 'red']);
      const r = red.windowRungs[1];
      expect([Date.parse(r.dueAt!), r.late ?? false, Date.parse(r.firedAt) >= p1End + 14 * DAY]).toEqual([p1End + 14 * DAY, false, true]);
      const rows = await eventually(async () => {
        const r = await t.dataSource.query(
          `SELECT key, rung, subject, phase, recipients FROM escalations WHERE unit_id = $1 ORDER BY fired_at`,
          [input.unitId],
        );
        return r.length === 2 && r;
      }, 'two escalation rows');
      expect(rows.map((r: { key: string }) => r.key)).toEqual([`${wfId}:P1:yellow`, `${wfId}:P1:red`]);
      expect(rows[1]).toMatchObject({ subject: 'phase-window', phase: 'P1', recipients: ['office'] });

      // Approval clears the window card: P2 starts clean.
      await meetP2Gate(handle, cast);
      await approve(handle, cast, 'P2');
      expect((await stateOf(handle)).card).toBe('none');
      await t.env.sleep(10 * DAY);
      expect((await t.dataSource.query('SELECT count(*)::int AS n FROM escalations WHERE unit_id = $1', [input.unitId]))[0].n).toBe(2);
      await saveHistory(handle, 'unit-window-overrun-yellow-red');
    }));
});

describe('continue-as-new', () => {
  it('a long history continues as new with its whole state', () =>
    t.withWorker(async (tq) => {
      const { handle, cast } = await startUnit(tq, { historyLimit: 40 });
      const firstRun = (await handle.describe()).runId;
      for (let i = 0; i < 12; i++) await up(handle, addOpinionUpdate, { actor: cast.citizen, text: doc(`opinion ${i}`) });
      await eventually(async () => (await handle.describe()).runId !== firstRun, 'a new run');
      const fresh = t.env.client.workflow.getHandle(handle.workflowId);
      await up(fresh, addRecordUpdate, { actor: cast.unit, kind: 'study', title: 'after the new run' });
      const v = await fresh.query(unitStateQuery);
      expect(v.counts.opinions).toBe(12);
      expect(v.counts.records.study).toBe(1);
      const opinions = await entriesOf<{ id: string; text: unknown }>(t.dataSource, v.id, 'opinion', 12);
      expect(opinions[11]).toMatchObject({ id: 'opinion-12', text: doc('opinion 11') });
      await saveHistory(t.env.client.workflow.getHandle(handle.workflowId, firstRun), 'unit-continued-as-new-first-run');
      await saveHistory(fresh, 'unit-continued-as-new-next-run');
    }));
});
