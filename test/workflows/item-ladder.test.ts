// The escalation ladder of rectification items (DOMAIN.md "Deadlines and escalation"), on the time-skipping
// test server with the real activities: each rung is checked in the workflow's state and in PostgreSQL.
import { randomUUID } from 'node:crypto';
import type { WorkflowHandle } from '@temporalio/client';
import {
  defaultCalendar,
  DEFAULT_LADDER,
  itemId as makeItemId,
  itemWorkflowId,
  unitWorkflowId,
  type CalendarPlan,
  type ItemView,
} from '../../libs/domain/src';
import {
  carryOverUpdate,
  decideExtensionUpdate,
  itemStateQuery,
  reportProgressUpdate,
  requestExtensionUpdate,
  submitCompletionUpdate,
  unitStateQuery,
  verifyItemUpdate,
  type ItemWorkflowInput,
} from '../../libs/contracts/src';
import { rectificationItemWorkflow, unitLifecycleWorkflow } from '../../workflows';
import { approve, closeItemsAndFinish, meetP2Gate, meetP3Gate, publishTaskBook, up } from './drive';
import {
  actors,
  DAY,
  HOUR,
  iso,
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
  t = await setUpWorkflowTests('item-ladder');
});
afterAll(async () => {
  await ifSet(t)?.teardown();
});

async function startItem(taskQueue: string, deadlineMs: number, over: Partial<ItemWorkflowInput> = {}) {
  const ids = { campaignId: randomUUID(), unitId: randomUUID(), groupId: randomUUID(), otherGroupId: randomUUID() };
  const id = makeItemId(ids.unitId, 1);
  const input: ItemWorkflowInput = {
    campaignId: ids.campaignId,
    unitId: ids.unitId,
    itemId: id,
    groupId: ids.groupId,
    measure: doc('Cut meetings by a third'),
    owner: '张三',
    problemIds: ['problem-1'],
    deadline: iso(deadlineMs),
    plan: { ladder: [...DEFAULT_LADDER], calendar: defaultCalendar() },
    // No unit runs in these tests: the item's reports to it are dropped (and logged).
    parentWorkflowId: unitWorkflowId(ids.unitId),
    ...over,
  };
  const handle = await t.env.client.workflow.start(rectificationItemWorkflow, { taskQueue, workflowId: itemWorkflowId(id), args: [input] });
  return { handle, input, cast: actors(ids) };
}

const escalationRows = (
  itemId: string,
): Promise<Array<{ key: string; rung: string; deadline: Date; fired_at: Date; recipients: string[] }>> =>
  t.dataSource.query('SELECT key, rung, deadline, fired_at, recipients FROM escalations WHERE item_id = $1 ORDER BY fired_at, key', [
    itemId,
  ]);

async function rungsFired(handle: WorkflowHandle, n: number): Promise<ItemView> {
  return eventually(async () => {
    const v = await handle.query(itemStateQuery);
    return v.rungs.length >= n && v;
  }, `${n} rungs`);
}

describe('the ladder of one deadline', () => {
  it('fires reminder (−7d), yellow (deadline), red (+14d) and referral (+30d) at their virtual times, each exactly once, in the workflow and in PostgreSQL', () =>
    t.withWorker(async (tq) => {
      const now = await t.env.currentTimeMs();
      const deadline = now + 10 * DAY;
      const { handle, input } = await startItem(tq, deadline);
      const wfId = handle.workflowId;

      const expected = [
        ['reminder', deadline - 7 * DAY, 'none'],
        ['yellow', deadline, 'yellow'],
        ['red', deadline + 14 * DAY, 'red'],
        ['referral', deadline + 30 * DAY, 'red'],
      ] as const;
      for (const [i, [rung, at, card]] of expected.entries()) {
        const before = await t.env.currentTimeMs();
        await t.env.sleep(at - before - HOUR);
        expect((await handle.query(itemStateQuery)).rungs).toHaveLength(i);
        await t.env.sleep(2 * HOUR);
        const v = await rungsFired(handle, i + 1);
        const fired = v.rungs[i];
        expect(fired).toMatchObject({ rung, deadline: input.deadline, key: `${wfId}:${input.deadline}:${rung}` });
        // Fired by its timer, at (not before) its moment; not marked late.
        expect(Date.parse(fired.dueAt!)).toBe(at);
        expect(Date.parse(fired.firedAt)).toBeGreaterThanOrEqual(at);
        expect(fired.late).toBeUndefined();
        expect(v.card).toBe(card);
      }
      const v = await handle.query(itemStateQuery);
      expect(v.rungs.map((r) => r.to)).toEqual([
        [`responsible-person:${input.owner}`, `unit-head:${input.unitId}`],
        [`unit-head:${input.unitId}`, `group:${input.groupId}`],
        ['office'],
        ['discipline-inspection'],
      ]);

      // PostgreSQL: one escalation per key, its notifications queued and sent, and one measure proposed.
      const rows = await eventually(async () => {
        const r = await escalationRows(input.itemId);
        return r.length === 4 && r;
      }, 'four escalation rows');
      expect(rows.map((r) => r.key)).toEqual(expected.map(([rung]) => `${wfId}:${input.deadline}:${rung}`));
      rows.forEach((r, i) => expect(r.fired_at.getTime()).toBe(Date.parse(v.rungs[i].firedAt)));
      const sent = await eventually(async () => {
        const n = await t.dataSource.query(
          `SELECT status, count(*)::int AS n FROM notifications WHERE escalation_key LIKE $1 GROUP BY status`,
          [`${wfId}:%`],
        );
        return n.length === 1 && n[0].status === 'sent' && n;
      }, 'notifications sent');
      expect(sent[0].n).toBe(6); // 2 + 2 + 1 + 1 recipients, outbox channel
      const measures = await eventually(async () => {
        const m = await t.dataSource.query('SELECT kind, status, proposal_key FROM measures WHERE item_id = $1', [input.itemId]);
        return m.length > 0 && m;
      }, 'measure proposed');
      expect(measures).toEqual([{ kind: 'referral', status: 'proposed', proposal_key: `${wfId}:${input.deadline}:referral` }]);

      // Nothing fires twice, however long the item stays open.
      await t.env.sleep(60 * DAY);
      expect((await handle.query(itemStateQuery)).rungs).toHaveLength(4);
      expect(await escalationRows(input.itemId)).toHaveLength(4);
      await saveHistory(handle, 'item-full-ladder');
    }));

  it('a rung whose moment has passed when the ladder starts fires at once, in order; nothing is skipped', () =>
    t.withWorker(async (tq) => {
      const now = await t.env.currentTimeMs();
      const deadline = now - 20 * DAY;
      const { handle, input } = await startItem(tq, deadline);
      const v = await rungsFired(handle, 3);
      expect(v.rungs.map((r) => r.rung)).toEqual(['reminder', 'yellow', 'red']);
      // Caught up at once, each marked late; its moment is recorded beside it.
      for (const r of v.rungs) {
        expect(r.late).toBe(true);
        expect(Date.parse(r.firedAt)).toBeGreaterThanOrEqual(now);
        expect(Date.parse(r.dueAt!)).toBeLessThan(now);
      }
      expect(v.card).toBe('red');
      await t.env.sleep(10 * DAY + HOUR);
      const after = await rungsFired(handle, 4);
      expect(after.rungs[3].rung).toBe('referral');
      expect(Date.parse(after.rungs[3].dueAt!)).toBe(deadline + 30 * DAY);
      expect(Date.parse(after.rungs[3].firedAt)).toBeGreaterThanOrEqual(deadline + 30 * DAY);
      expect(after.rungs[3].late).toBeUndefined();
      expect(await eventually(async () => (await escalationRows(input.itemId)).length === 4, 'rows')).toBe(true);
      await saveHistory(handle, 'item-ladder-started-late');
    }));

  it('each rung fires once across a worker restart: a new worker replays the history and carries on', () =>
    t.withEnv(async (env) => {
      const taskQueue = `item-restart-${randomUUID()}`;
      const deadline = (await env.currentTimeMs()) + 10 * DAY;
      let started!: Awaited<ReturnType<typeof startItem>>;
      // No workflow cache on the first worker: its tasks are not bound to it (sticky), as after a crash once the
      // server has given up on it; on the test server that give-up would wait on virtual time, which a pending
      // task keeps still.
      const first = await t.createWorker(taskQueue, { maxCachedWorkflows: 0 });
      await first.runUntil(async () => {
        started = await startItem(taskQueue, deadline);
        await env.sleep(10 * DAY + HOUR);
        await rungsFired(started.handle, 2);
      });
      // The first worker is gone (its cache with it); a second one picks the workflow up from its history.
      const second = await t.createWorker(taskQueue);
      await second.runUntil(async () => {
        await env.sleep(31 * DAY);
        const v = await rungsFired(started.handle, 4);
        expect(v.rungs.map((r) => r.rung)).toEqual(['reminder', 'yellow', 'red', 'referral']);
        const rows = await eventually(async () => {
          const r = await escalationRows(started.input.itemId);
          return r.length === 4 && r;
        }, 'four rows');
        expect(new Set(rows.map((r) => r.key)).size).toBe(4);
      });
    }));
});

describe('closing, extensions and carry-over', () => {
  it('closing stops the ladder at once (销号): no rung after the verification', () =>
    t.withWorker(async (tq) => {
      const now = await t.env.currentTimeMs();
      const { handle, input, cast } = await startItem(tq, now + 10 * DAY);
      await t.env.sleep(4 * DAY);
      await rungsFired(handle, 1);
      await up(handle, reportProgressUpdate, { actor: cast.unit, note: doc('Halfway'), evidenceUri: 'https://example.org/e1' });
      expect((await refusalOf(up(handle, verifyItemUpdate, { actor: cast.supervisor, accept: true, comment: 'early' }))).details.rule).toBe(
        'item.verification-submitted',
      );
      await up(handle, submitCompletionUpdate, { actor: cast.unit, evidence: doc('Minutes of the last quarter') });
      // Sent back once, then accepted.
      expect(await up(handle, verifyItemUpdate, { actor: cast.supervisor, accept: false, comment: 'Evidence missing' })).toMatchObject({
        status: 'open',
      });
      await up(handle, submitCompletionUpdate, { actor: cast.unit, evidence: doc('Minutes, with attendance') });
      expect(
        (await refusalOf(up(handle, verifyItemUpdate, { actor: cast.otherSupervisor, accept: true, comment: 'x' }))).details.rule,
      ).toBe('actor.supervisor-group');
      const closed = await up(handle, verifyItemUpdate, { actor: cast.supervisor, accept: true, comment: 'Verified' });
      expect(closed).toMatchObject({ status: 'closed', card: 'none' });
      const result = await handle.result();
      expect(result.rungs.map((r) => r.rung)).toEqual(['reminder']);
      await t.env.sleep(60 * DAY);
      expect((await escalationRows(input.itemId)).map((r) => r.rung)).toEqual(['reminder']);
      const row = await eventually(async () => {
        const r = await t.dataSource.query('SELECT status, version FROM item_states WHERE item_id = $1', [input.itemId]);
        return r[0]?.status === 'closed' && r[0];
      }, 'closed projection');
      expect(row.version).toBe(result.version);
      await saveHistory(handle, 'item-verified-after-rejection');
    }));

  it('an approved extension sets a new deadline and restarts the ladder; rungs already fired stay', () =>
    t.withWorker(async (tq) => {
      const now = await t.env.currentTimeMs();
      const first = now + 10 * DAY;
      const second = now + 40 * DAY;
      const { handle, input, cast } = await startItem(tq, first);
      await t.env.sleep(10 * DAY + HOUR);
      expect((await rungsFired(handle, 2)).card).toBe('yellow');

      const ext = await up(handle, requestExtensionUpdate, {
        actor: cast.unit,
        newDeadline: iso(second),
        reason: doc('Waiting on the district'),
      });
      expect(
        (await refusalOf(up(handle, decideExtensionUpdate, { actor: cast.unit, extensionId: ext.id, approve: true, comment: 'self' })))
          .details.rule,
      ).toBe('extension.no-self-approval');
      expect(
        (
          await refusalOf(
            up(handle, decideExtensionUpdate, { actor: cast.otherSupervisor, extensionId: ext.id, approve: true, comment: 'x' }),
          )
        ).details.rule,
      ).toBe('actor.supervisor-group');
      const decided = await up(handle, decideExtensionUpdate, {
        actor: cast.supervisor,
        extensionId: ext.id,
        approve: true,
        comment: 'Reasonable',
      });
      // The answer carries the version the decision produced: the view shows it.
      const afterDecision = await handle.query(itemStateQuery);
      expect(decided).toEqual({ status: 'approved', deadline: iso(second), version: afterDecision.version });
      expect(afterDecision).toMatchObject({ deadline: iso(second), card: 'none' });

      // The first deadline's red (day 24) never fires; the second deadline's whole ladder does.
      await t.env.sleep(second + 30 * DAY + HOUR - (await t.env.currentTimeMs()));
      const v = await rungsFired(handle, 6);
      expect(v.rungs.map((r) => [r.rung, r.deadline])).toEqual([
        ['reminder', iso(first)],
        ['yellow', iso(first)],
        ['reminder', iso(second)],
        ['yellow', iso(second)],
        ['red', iso(second)],
        ['referral', iso(second)],
      ]);
      expect(Date.parse(v.rungs[4].dueAt!)).toBe(second + 14 * DAY);
      expect(Date.parse(v.rungs[4].firedAt)).toBeGreaterThanOrEqual(second + 14 * DAY);
      const [extension] = await entriesOf(t.dataSource, input.itemId, 'extension');
      expect(extension).toMatchObject({
        status: 'approved',
        reason: doc('Waiting on the district'),
        decided: { actorId: cast.supervisor.id, role: 'supervisor', comment: 'Reasonable' },
      });
      const rows = await eventually(async () => {
        const r = await escalationRows(input.itemId);
        return r.length === 6 && r;
      }, 'six rows');
      expect(new Set(rows.map((r) => r.key)).size).toBe(6);
      await saveHistory(handle, 'item-extension-restarts-ladder');
    }));

  it('a ladder held up on a rung`s record while the deadline is replaced twice fires every rung that came due, once each, in order, never before due', () =>
    t.withEnv(async (env) => {
      // What the fault suite met: the worker recording a rung was killed, so its record was retried only after its
      // timeout; meanwhile two extensions were approved, and the middle deadline's reminder came due while it stood.
      const taskQueue = `item-held-${randomUUID()}`;
      const MINUTE = 60_000;
      const ladder = [
        { rung: 'reminder', offset: '-PT2M' },
        { rung: 'yellow', offset: 'PT0S' },
        { rung: 'red', offset: 'PT2M' },
      ] as const;
      const calendar: CalendarPlan = { count: 'calendar-days', holidays: [], workdays: [] };
      const d0 = (await env.currentTimeMs()) + MINUTE; // its reminder is already due: it fires at once
      let letGo!: () => void;
      const released = new Promise<void>((resolve) => (letGo = resolve));
      let heldAttempts = 0;
      const worker = await t.createWorker(taskQueue, {
        around: (real) => ({
          ...real,
          async recordEscalation(input) {
            if (input.key.endsWith(`:${iso(d0)}:reminder`)) {
              heldAttempts++;
              await released;
            }
            return real.recordEscalation(input);
          },
        }),
      });
      await worker.runUntil(async () => {
        const { handle, input, cast } = await startItem(taskQueue, d0, { plan: { ladder: [...ladder], calendar } });
        await eventually(() => heldAttempts > 0, 'the first reminder`s record held up');

        // D1, with its reminder due 30 s after it is set; replaced by D2 a minute later (the record still held).
        const extend = async (newDeadline: number) => {
          const ext = await up(handle, requestExtensionUpdate, {
            actor: cast.unit,
            newDeadline: iso(newDeadline),
            reason: doc('Waiting on the district'),
          });
          await up(handle, decideExtensionUpdate, { actor: cast.supervisor, extensionId: ext.id, approve: true, comment: 'Reasonable' });
          return Date.parse((await handle.query(itemStateQuery)).deadlineSince);
        };
        const d1 = (await env.currentTimeMs()) + 2 * MINUTE + 30_000;
        const d1Since = await extend(d1);
        await env.sleep(MINUTE);
        const d2 = (await env.currentTimeMs()) + 60 * MINUTE;
        const d2Since = await extend(d2);
        // The middle deadline's reminder came due while it stood; its yellow did not.
        expect(d1 - 2 * MINUTE).toBeGreaterThanOrEqual(d1Since);
        expect(d1 - 2 * MINUTE).toBeLessThan(d2Since);
        expect(d1).toBeGreaterThan(d2Since);
        expect((await handle.query(itemStateQuery)).rungs.map((r) => r.rung)).toEqual(['reminder']);
        expect(heldAttempts).toBeGreaterThan(1); // the held record was retried meanwhile, as after a lost worker

        letGo();
        await env.sleep(d2 + 2 * MINUTE + MINUTE - (await env.currentTimeMs()));
        // Once D2's last rung has fired, every rung due before it has (the ladder walks in order).
        const v = await eventually(async () => {
          const view = await handle.query(itemStateQuery);
          return view.rungs.some((r) => r.rung === 'red' && Date.parse(r.deadline) === d2) && view;
        }, 'the last deadline`s red');
        const expected: Array<[string, number, number]> = [
          ['reminder', d0, d0 - 2 * MINUTE],
          ['reminder', d1, d1 - 2 * MINUTE],
          ['reminder', d2, d2 - 2 * MINUTE],
          ['yellow', d2, d2],
          ['red', d2, d2 + 2 * MINUTE],
        ];
        expect(v.rungs.map((r) => [r.rung, Date.parse(r.deadline), Date.parse(r.dueAt!)])).toEqual(expected);
        // Late only where the ladder reached the rung after its moment: the two rungs behind the held record.
        expect(v.rungs.map((r) => r.late ?? false)).toEqual([true, true, false, false, false]);
        for (const r of v.rungs) expect(Date.parse(r.firedAt)).toBeGreaterThanOrEqual(Date.parse(r.dueAt!));
        const firedAts = v.rungs.map((r) => Date.parse(r.firedAt));
        expect([...firedAts].sort((a, b) => a - b)).toEqual(firedAts);

        // PostgreSQL: one escalation per rung (the held record's retries wrote once), each at its recorded moment.
        const rows = await eventually(async () => {
          const r = await escalationRows(input.itemId);
          return r.length >= 5 && r;
        }, 'five escalation rows');
        expect(rows.map((r) => r.key)).toEqual(v.rungs.map((r) => r.key));
        expect(new Set(rows.map((r) => r.key)).size).toBe(5);
        rows.forEach((r, i) => expect(r.fired_at.getTime()).toBe(Date.parse(v.rungs[i].firedAt)));
        await saveHistory(handle, 'item-ladder-walks-every-deadline');
      });
    }));

  it('carry-over into a long-term rule is decided by the office and stops the ladder', () =>
    t.withWorker(async (tq) => {
      const now = await t.env.currentTimeMs();
      const { handle, input, cast } = await startItem(tq, now + 3 * DAY);
      await rungsFired(handle, 1); // the reminder was already due
      expect((await refusalOf(up(handle, carryOverUpdate, { actor: cast.supervisor, rule: doc('r'), comment: 'c' }))).details.rule).toBe(
        'actor.office-only',
      );
      const carried = await up(handle, carryOverUpdate, {
        actor: cast.office,
        rule: doc('Standing rules on official receptions'),
        comment: 'Needs a long-term mechanism',
      });
      expect(carried).toMatchObject({
        status: 'carried',
        carriedInto: { rule: doc('Standing rules on official receptions'), actorId: cast.office.id },
      });
      await handle.result();
      await t.env.sleep(40 * DAY);
      expect((await escalationRows(input.itemId)).map((r) => r.rung)).toEqual(['reminder']);
      await saveHistory(handle, 'item-carried-over');
    }));
});

describe('working-day counting', () => {
  it('in working days the ladder skips weekends and holidays and counts swapped workdays', () =>
    t.withWorker(async (tq) => {
      // A Monday M at 10:00 China time, at least two weeks ahead; the week after it is a holiday week
      // (M+7…M+11) and the Saturday before that (M+5) is a swapped workday.
      const now = await t.env.currentTimeMs();
      const CST = 8 * HOUR;
      const localDay = (ms: number) => Math.floor((ms + CST) / DAY);
      let day = localDay(now) + 14;
      while (new Date(day * DAY).getUTCDay() !== 1) day++;
      const date = (d: number) => new Date(d * DAY).toISOString().slice(0, 10);
      const at = (d: number) => d * DAY - CST + 10 * HOUR;
      const calendar: CalendarPlan = {
        count: 'working-days',
        holidays: [7, 8, 9, 10, 11].map((k) => date(day + k)),
        workdays: [date(day + 5)],
        utcOffset: '+08:00',
      };
      const { handle } = await startItem(tq, at(day), { plan: { ladder: [...DEFAULT_LADDER], calendar } });
      // Counted by hand: −7 working days = Thu M−11; +14 = Thu M+24 (Sat M+5 worked, M+7…M+11 off); +30 = Fri M+46.
      const expected = [
        ['reminder', at(day - 11)],
        ['yellow', at(day)],
        ['red', at(day + 24)],
        ['referral', at(day + 46)],
      ];
      await t.env.sleep(at(day + 46) + HOUR - now);
      const v = await rungsFired(handle, 4);
      expect(v.rungs.map((r) => [r.rung, Date.parse(r.dueAt!)])).toEqual(expected);
      v.rungs.forEach((r, i) => expect(Date.parse(r.firedAt)).toBeGreaterThanOrEqual(expected[i][1] as number));
      await saveHistory(handle, 'item-working-day-ladder');
    }));
});

describe('items and their unit', () => {
  it('an overdue item shows on its unit: the unit card is the worst of its window card and its unclosed items; closing clears it', () =>
    t.withWorker(async (tq) => {
      const ids = { campaignId: randomUUID(), unitId: randomUUID(), groupId: randomUUID(), otherGroupId: randomUUID() };
      const cast = actors(ids);
      const plan = await planAtNow(t.env);
      const unit = await t.env.client.workflow.start(unitLifecycleWorkflow, {
        taskQueue: tq,
        workflowId: unitWorkflowId(ids.unitId),
        args: [
          {
            campaignId: ids.campaignId,
            unitId: ids.unitId,
            code: 'HZ-900',
            name: 'Transport bureau',
            batch: 1,
            groupId: ids.groupId,
            plan,
          },
        ],
      });
      await meetP2Gate(unit, cast);
      await approve(unit, cast, 'P2');
      await meetP3Gate(t.env, unit, cast);
      await approve(unit, cast, 'P3');
      const now = await t.env.currentTimeMs();
      const { itemIds } = await publishTaskBook(t.env, unit, cast, [now + 10 * DAY, now + 60 * DAY]);
      // Disclosure ends at day 7; item 1 is due at day 10 and red at day 24.
      await t.env.sleep(10 * DAY + HOUR);
      const yellow = await eventually(async () => {
        const v = await unit.query(unitStateQuery);
        return v.card === 'yellow' && v;
      }, 'unit yellow');
      expect(yellow.taskBook!.items.map((i) => [i.status, i.card])).toEqual([
        ['open', 'yellow'],
        ['open', 'none'],
      ]);
      await t.env.sleep(14 * DAY);
      await eventually(async () => (await unit.query(unitStateQuery)).card === 'red', 'unit red');
      await closeItemsAndFinish(t.env.client, unit, cast, [itemIds[0]]);
      const cleared = await eventually(async () => {
        const v = await unit.query(unitStateQuery);
        return v.card === 'none' && v;
      }, 'unit card cleared');
      expect(cleared.taskBook!.items[0]).toMatchObject({ status: 'closed', card: 'none' });
      expect(cleared.unmetGates).toEqual(['gate.DONE.items-closed']);
      const row = await eventually(async () => {
        const r = await t.dataSource.query('SELECT card, version FROM unit_states WHERE unit_id = $1', [ids.unitId]);
        return r[0]?.version === cleared.version && r[0];
      }, 'projection');
      expect(row.card).toBe('none');
      await saveHistory(unit, 'unit-item-overdue-then-closed');
    }));
});
