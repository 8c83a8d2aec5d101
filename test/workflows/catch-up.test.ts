// Ladders and disclosures catching up after the worker (or the database) was away, on the run's dev server in
// real time (the time-skipping server holds its clock still while a workflow task waits for a worker, so it
// cannot let rungs come due with no worker running). Plans are compressed to seconds.
import { randomUUID } from 'node:crypto';
import Long from 'long';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { createActivities, outboxChannel, webhookChannel } from '../../activities';
import { notificationDeliveryWorkflowId } from '../../libs/temporal/src';
import { itemId as makeItemId, itemWorkflowId, resolvePlan, unitWorkflowId, type ItemView, type UnitView } from '../../libs/domain/src';
import { createActivityRepositories } from '../../libs/persistence/src';
import { rectificationItemWorkflow, unitLifecycleWorkflow } from '../../workflows';
import {
  approveTransitionUpdate,
  carryOverUpdate,
  decideExtensionUpdate,
  itemStateQuery,
  requestExtensionUpdate,
  requestTransitionUpdate,
  unitStateQuery,
  type ItemWorkflowInput,
} from '../../libs/contracts/src';
import { testServices } from '../support';
import { admitUpdate, approve, doc, meetP2Gate, meetP3Gate, publishTaskBook, up } from './drive';
import { actors, iso, setUpWorkflowTests, type WorkflowTestContext } from './helpers';
import { eventually } from '../support/eventually';
import { withHistoryOnFailure } from '../support/history-outline';
import { compressedPlan } from '../api/plans';
import { ifSet } from '../support/if-set';

// Guards, not expectations: on a loaded machine a restarted worker may wait out a task timeout first.
jest.setTimeout(300_000);
const PATIENCE = 120_000;

let t: WorkflowTestContext;
let connection: Connection;
let native: NativeConnection;
let client: Client;
beforeAll(async () => {
  t = await setUpWorkflowTests('catch-up');
  const { address, namespace } = testServices().temporal;
  connection = await Connection.connect({ address });
  native = await NativeConnection.connect({ address });
  client = new Client({ connection, namespace });
});
afterAll(async () => {
  await ifSet(connection)?.close();
  await ifSet(native)?.close();
  await ifSet(t)?.teardown();
});

const started: string[] = [];
afterEach(async () => {
  await Promise.all(
    started.splice(0).map((id) =>
      client.workflow
        .getHandle(id)
        .terminate('test over')
        .catch(() => undefined),
    ),
  );
});

/** A worker on the dev server with the real activities, until `fn` settles. A new worker has nothing cached: a restart replays. */
async function runWorker<T>(taskQueue: string, fn: () => Promise<T>): Promise<T> {
  const worker = await Worker.create({
    connection: native,
    namespace: testServices().temporal.namespace,
    taskQueue,
    workflowBundle: t.bundle,
    maxCachedWorkflows: 10,
    activities: createActivities({
      ...createActivityRepositories(t.dataSource),
      temporal: { client, taskQueue },
      channels: [outboxChannel()],
    }),
  });
  return worker.runUntil(fn());
}

/** The drive helpers read the clock from an environment: here it is the real one. */
const realClock = { currentTimeMs: () => Promise.resolve(Date.now()) } as unknown as Parameters<typeof meetP3Gate>[0];

/**
 * Whether the ladder reached the rung due at `dueMs` only after that moment — as the workflow decides it, at the
 * clock of the workflow task in which it reached the rung (its WorkflowTaskStarted moment): on a loaded machine an
 * item's first task, or the record of the rung before, may end after a rung a few seconds away, which then fires
 * at once, late. Read from the history: the ladder always starts the rung's timer there, for `dueMs − now`, or
 * 1 ms when the moment has passed; a timer that ends exactly at `dueMs` was started in time.
 */
async function reachedLate(handle: WorkflowHandle, dueMs: number): Promise<boolean> {
  const events = (await handle.fetchHistory()).events ?? [];
  const ms = (t: { seconds?: Long | number | null; nanos?: number | null } | null | undefined) =>
    Number(t?.seconds ?? 0) * 1000 + Math.floor((t?.nanos ?? 0) / 1e6);
  const byId = new Map(events.map((e) => [Number(e.eventId), e]));
  const timers = events.flatMap((e) => {
    const a = e.timerStartedEventAttributes;
    if (!a) return [];
    const completed = byId.get(Number(a.workflowTaskCompletedEventId))?.workflowTaskCompletedEventAttributes;
    const startedAt = ms(byId.get(Number(completed?.startedEventId))?.eventTime);
    return [{ startedAt, endsAt: startedAt + ms(a.startToFireTimeout) }];
  });
  if (timers.some((t) => t.endsAt === dueMs)) return false;
  if (timers.some((t) => t.endsAt - t.startedAt === 1 && t.startedAt >= dueMs)) return true;
  throw new Error(`no timer in ${handle.workflowId}'s history for the rung due ${iso(dueMs)}`);
}

/**
 * Whether the ladder records a fired rung as late: it reached the rung only after its moment, or the rung fired once
 * its subject had stopped — the office's decision (carrying the item, replacing its deadline, the unit leaving the
 * phase) applied in the same task or before. The workflow records that decision's moment and the rung's `firedAt`
 * at its tasks' clock, so the one is at or before the other exactly then. Which task of the next worker took the
 * decision and which the rung's timer is the server's to say: the test reads it, as the ladder did.
 */
async function recordedLate(
  handle: WorkflowHandle,
  r: { dueAt?: string; firedAt: string },
  stoppedAt: string | undefined,
): Promise<boolean> {
  // (A ladder that reached the rung stopped already starts no timer for it: the condition holds at once.)
  if (stoppedAt !== undefined && Date.parse(stoppedAt) <= Date.parse(r.firedAt)) return true;
  return reachedLate(handle, Date.parse(r.dueAt!));
}

/** Waits until the clock passes `ms` (the moment rungs come due). */
const until = (ms: number, what: string) => eventually(() => Date.now() > ms, what, ms - Date.now() + PATIENCE);

const LADDER = [
  { rung: 'reminder' as const, offset: '-PT2S' },
  { rung: 'yellow' as const, offset: 'PT0S' },
  { rung: 'red' as const, offset: 'PT3S' },
  { rung: 'referral' as const, offset: 'PT60S' },
];

async function startItem(
  taskQueue: string,
  deadlineMs: number,
): Promise<{ handle: WorkflowHandle; input: ItemWorkflowInput; cast: ReturnType<typeof actors> }> {
  const ids = { campaignId: randomUUID(), unitId: randomUUID(), groupId: randomUUID(), otherGroupId: randomUUID() };
  const input: ItemWorkflowInput = {
    campaignId: ids.campaignId,
    unitId: ids.unitId,
    itemId: makeItemId(ids.unitId, 1),
    groupId: ids.groupId,
    measure: doc('Cut meetings by a third'),
    owner: '张三',
    problemIds: ['problem-1'],
    deadline: iso(deadlineMs),
    plan: { ladder: LADDER, calendar: { count: 'calendar-days', holidays: [], workdays: [] } },
    // No unit runs here: the item's reports to it are refused (and logged).
    parentWorkflowId: unitWorkflowId(ids.unitId),
  };
  const handle = await client.workflow.start(rectificationItemWorkflow, {
    taskQueue,
    workflowId: itemWorkflowId(input.itemId),
    args: [input],
  });
  started.push(handle.workflowId);
  return { handle, input, cast: actors(ids) };
}

// A run that stops answering (e.g. no longer replays) fails with its history's outline: a CI log is all there is.
const rungsOf = async (handle: WorkflowHandle, n: number): Promise<ItemView> =>
  withHistoryOnFailure(handle, () =>
    eventually(
      async () => {
        const v = await handle.query(itemStateQuery);
        return v.rungs.length >= n && v;
      },
      `${n} rungs`,
      PATIENCE,
    ),
  );

/**
 * An item whose reminder fired on a first worker, which then stopped: no worker runs while its yellow (deadline) and
 * red (+3 s) rungs come due, and the office carries it over meanwhile — held by the server, so the next worker's
 * first task carries the decision and the fired timers.
 */
async function carriedWhileAway(prefix: string) {
  const taskQueue = `${prefix}-${randomUUID()}`;
  const deadline = Date.now() + 5_000;
  let item!: Awaited<ReturnType<typeof startItem>>;
  await runWorker(taskQueue, async () => {
    item = await startItem(taskQueue, deadline);
    await rungsOf(item.handle, 1);
  });
  await until(deadline + 4_000, 'yellow and red due');
  const carried = await admitUpdate(client, item.handle, carryOverUpdate, {
    actor: item.cast.office,
    rule: doc('Standing rules on receptions'),
    comment: 'long-term',
  });
  return { taskQueue, deadline, item, carried };
}

describe('a ladder catching up after the worker was away', () => {
  it('rungs that came due while the item was open fire, late, although it was carried over before the ladder caught up; later ones are skipped', async () => {
    const { taskQueue, deadline, item, carried } = await carriedWhileAway('catch-up');
    await runWorker(taskQueue, async () => {
      expect((await carried.outcome).status).toBe('carried');
      const v = await rungsOf(item.handle, 3);
      expect(v.rungs.map((r) => [r.rung, r.late ?? false])).toEqual([
        ['reminder', await recordedLate(item.handle, v.rungs[0], v.finalAt)],
        ['yellow', await recordedLate(item.handle, v.rungs[1], v.finalAt)],
        ['red', await recordedLate(item.handle, v.rungs[2], v.finalAt)],
      ]);
      expect(v.rungs.map((r) => Date.parse(r.dueAt!))).toEqual([deadline - 2_000, deadline, deadline + 3_000]);
      expect(v.rungs.every((r) => Date.parse(r.firedAt) >= Date.parse(r.dueAt!))).toBe(true);
      expect(v.card).toBe('none');
      // The item has ended: its referral (+60 s) can never come.
      expect((await item.handle.result()).rungs).toHaveLength(3);
      const rows = await eventually(
        async () => {
          const r = await t.dataSource.query('SELECT rung FROM escalations WHERE item_id = $1 ORDER BY fired_at, rung', [
            item.input.itemId,
          ]);
          return r.length === 3 && r;
        },
        'three escalations',
        PATIENCE,
      );
      expect(rows.map((r: { rung: string }) => r.rung)).toEqual(['reminder', 'yellow', 'red']);
    });
  });

  it('rungs of a replaced deadline that came due before the extension was approved fire, late; the new deadline runs its own ladder', async () => {
    const taskQueue = `catch-up-ext-${randomUUID()}`;
    const deadline = Date.now() + 5_000;
    const next = deadline + 20_000;
    let item!: Awaited<ReturnType<typeof startItem>>;
    let extensionId = '';
    await runWorker(taskQueue, async () => {
      item = await startItem(taskQueue, deadline);
      await rungsOf(item.handle, 1);
      extensionId = (await up(item.handle, requestExtensionUpdate, { actor: item.cast.unit, newDeadline: iso(next), reason: doc('flood') }))
        .id;
    });
    await until(deadline + 4_000, 'yellow and red of the first deadline due');
    const decided = await admitUpdate(client, item.handle, decideExtensionUpdate, {
      actor: item.cast.supervisor,
      extensionId,
      approve: true,
      comment: 'granted',
    });
    await runWorker(taskQueue, async () => {
      await decided.outcome;
      const v = await rungsOf(item.handle, 3);
      // The first deadline stopped when the extension was approved (the new deadline's start).
      const replacedAt = v.deadlineSince;
      expect(v.rungs.slice(0, 3).map((r) => [r.rung, r.deadline, r.late ?? false])).toEqual([
        ['reminder', iso(deadline), await recordedLate(item.handle, v.rungs[0], replacedAt)],
        ['yellow', iso(deadline), await recordedLate(item.handle, v.rungs[1], replacedAt)],
        ['red', iso(deadline), await recordedLate(item.handle, v.rungs[2], replacedAt)],
      ]);
      // Late rungs of the replaced deadline do not card the item: its deadline is the new one.
      expect(v).toMatchObject({ deadline: iso(next), card: 'none' });
      await until(next + 500, 'the new deadline');
      const after = await rungsOf(item.handle, 5);
      expect(after.rungs.slice(3).map((r) => [r.rung, r.deadline, r.late ?? false])).toEqual([
        ['reminder', iso(next), await reachedLate(item.handle, next - 2_000)],
        ['yellow', iso(next), await reachedLate(item.handle, next)],
      ]);
    });
  });
});

describe('a projection the database holds up while the ladder catches up', () => {
  it('is an activity retried until the row is free, whose completion the history holds: the run replays as it ran', async () => {
    const { taskQueue, item, carried } = await carriedWhileAway('catch-up-held');
    // The item's row stays locked (a long transaction) from before the worker is back until well past a workflow
    // task's timeout: the projections of the carry-over and of the late rungs wait for it while the rungs' records
    // complete — the interleaving in which a result applied at another point on replay would reorder the commands.
    const runner = t.dataSource.createQueryRunner();
    await runner.connect();
    await runner.startTransaction();
    try {
      await runner.query('SELECT 1 FROM item_states WHERE item_id = $1 FOR UPDATE', [item.input.itemId]);
      await runWorker(taskQueue, async () => {
        expect((await carried.outcome).status).toBe('carried');
        await rungsOf(item.handle, 3);
        await until(Date.now() + 12_000, 'the row held past a task timeout');
        await runner.rollbackTransaction();
        const done = await item.handle.result();
        expect(done.rungs).toHaveLength(3);
        const rows = await eventually(
          async () => {
            const r = await t.dataSource.query('SELECT status, version FROM item_states WHERE item_id = $1', [item.input.itemId]);
            return r[0]?.version === done.version && r;
          },
          'the final version projected',
          PATIENCE,
        );
        expect(rows).toEqual([{ status: 'carried', version: done.version }]);
      });
    } finally {
      if (runner.isTransactionActive) await runner.rollbackTransaction();
      await runner.release();
    }
    const history = await item.handle.fetchHistory();
    const events = history.events ?? [];
    // Every projection is an activity; nothing was written from a local activity, whose result is no event.
    expect(events.filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_local_activity')).toEqual([]);
    expect(events.filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'projectItem').length).toBeGreaterThan(1);
    await Worker.runReplayHistory({ workflowBundle: t.bundle }, history, item.handle.workflowId);
  });
});

/** A unit (its own campaign and groups) driven through P1 and P2 into P3, where its task book is due. */
async function unitInP3(taskQueue: string, disclosure: string, code: string) {
  const plan = resolvePlan(compressedPlan({ disclosure, phaseMs: 3_600_000 }), new Date().toISOString());
  const ids = { campaignId: randomUUID(), unitId: randomUUID(), groupId: randomUUID(), otherGroupId: randomUUID() };
  const cast = actors(ids);
  const unit = await client.workflow.start(unitLifecycleWorkflow, {
    taskQueue,
    workflowId: unitWorkflowId(ids.unitId),
    args: [{ campaignId: ids.campaignId, unitId: ids.unitId, code, name: `Unit ${code}`, batch: 1, groupId: ids.groupId, plan }],
  });
  started.push(unit.workflowId);
  await meetP2Gate(unit, cast);
  await approve(unit, cast, 'P2');
  await meetP3Gate(realClock, unit, cast);
  await approve(unit, cast, 'P3');
  return { unit, cast, ids };
}

describe('a task book whose disclosure ends while the unit is busy', () => {
  it('takes effect although its disclosure ended while the projection after publishing was held up by the database', async () => {
    const taskQueue = `catch-up-book-${randomUUID()}`;
    await runWorker(taskQueue, async () => {
      const { unit, cast, ids } = await unitInP3(taskQueue, 'PT2S', 'CU-1');
      // The database holds the unit's row locked (a long transaction) across the publication and past the
      // disclosure's end: the projection that follows the publication waits for it.
      const runner = t.dataSource.createQueryRunner();
      await runner.connect();
      await runner.startTransaction();
      let disclosureEndsAt = '';
      try {
        await eventually(
          async () => (await runner.query('SELECT 1 FROM unit_states WHERE unit_id = $1 FOR UPDATE', [ids.unitId])).length === 1,
          'the row locked',
        );
        ({ disclosureEndsAt } = await publishTaskBook(realClock, unit, cast, [Date.now() + 3_600_000]));
        await until(Date.parse(disclosureEndsAt) + 1_000, 'the disclosure over');
      } finally {
        await runner.rollbackTransaction();
        await runner.release();
      }
      const v = await eventually(
        async () => {
          const s: UnitView = await unit.query(unitStateQuery);
          return s.taskBook?.status === 'effective' && s;
        },
        'task book effective',
        PATIENCE,
      );
      expect(Date.parse(v.taskBook!.effectiveAt!)).toBeGreaterThanOrEqual(Date.parse(disclosureEndsAt));
      await eventually(
        () =>
          client.workflow
            .getHandle(itemWorkflowId(v.taskBook!.items[0].id))
            .query(itemStateQuery)
            .catch(() => undefined),
        'its item started',
      );
      started.push(itemWorkflowId(v.taskBook!.items[0].id));
    });
  });
});

describe('a phase window whose ladder catches up after the unit moved on', () => {
  it('records the late rung under the phase whose window it is, and does not card the unit in the phase it moved on to', async () => {
    const taskQueue = `catch-up-window-${randomUUID()}`;
    const now = Date.now();
    // The unit goes through P1 early; P2's window ends while no worker runs, and its approval to P3 waits for one.
    const base = compressedPlan({
      startsAt: now,
      windowLadder: [
        { rung: 'yellow', offset: 'PT0S' },
        { rung: 'red', offset: 'PT60S' },
      ],
    });
    base.batches[0].phases = {
      // P2 ends a minute on: after the first worker has stopped, even on a loaded machine.
      P1: { startsAt: iso(now), endsAt: iso(now + 60_000) },
      P2: { startsAt: iso(now + 60_000), endsAt: iso(now + 61_000) },
      P3: { startsAt: iso(now + 61_000), endsAt: iso(now + 3_600_000) },
    };
    const plan = resolvePlan(base, iso(now));
    const ids = { campaignId: randomUUID(), unitId: randomUUID(), groupId: randomUUID(), otherGroupId: randomUUID() };
    const cast = actors(ids);
    let unit!: WorkflowHandle;
    let transitionId = '';
    await runWorker(taskQueue, async () => {
      unit = await client.workflow.start(unitLifecycleWorkflow, {
        taskQueue,
        workflowId: unitWorkflowId(ids.unitId),
        args: [
          {
            campaignId: ids.campaignId,
            unitId: ids.unitId,
            code: 'CW-1',
            name: 'Window catch-up unit',
            batch: 1,
            groupId: ids.groupId,
            plan,
          },
        ],
      });
      started.push(unit.workflowId);
      await meetP2Gate(unit, cast);
      await approve(unit, cast, 'P2');
      await meetP3Gate(realClock, unit, cast);
      transitionId = (await up(unit, requestTransitionUpdate, { actor: cast.unit, to: 'P3', comment: 'meeting held' })).id;
    });
    const p2Ends = Date.parse(plan.batches[0].phases.P2.endsAt);
    await until(p2Ends + 2_000, 'the P2 window over');
    // The supervisor approves meanwhile: the approval and the window's timer reach the next worker together.
    const approved = await admitUpdate(client, unit, approveTransitionUpdate, {
      actor: cast.supervisor,
      transitionId,
      approve: true,
      comment: 'gate met for P3',
    });
    await runWorker(taskQueue, async () => {
      expect(await approved.outcome).toEqual({ status: 'approved', version: expect.any(Number) });
      // (On a slow machine the unit may have overrun P1 too: its rung is P1's, keyed so.)
      const ofP2 = (s: UnitView) => s.windowRungs.filter((r) => r.key === `${unit.workflowId}:P2:yellow`);
      const v = await eventually(
        async () => {
          const s: UnitView = await unit.query(unitStateQuery);
          return ofP2(s).length >= 1 && s;
        },
        'the P2 window`s yellow',
        PATIENCE,
      );
      // Due while the unit was still in P2 (the window ended before the approval): it fired as P2's — late when
      // the approval had moved the unit on by then, not when the first worker was still at work (a loaded machine).
      expect(ofP2(v).map((r) => [r.phase, r.rung, r.late ?? false, Date.parse(r.dueAt!)])).toEqual([
        ['P2', 'yellow', await recordedLate(unit, ofP2(v)[0], v.phaseSince), p2Ends],
      ]);
      expect(v.phase).toBe('P3');
      expect(Date.parse(v.phaseSince)).toBeGreaterThan(p2Ends);
      // P3 starts clean: the card earned in P2 does not follow the unit.
      expect(v.card).toBe('none');
      const rows = await eventually(
        async () => {
          const r = await t.dataSource.query(`SELECT phase, rung FROM escalations WHERE unit_id = $1 AND phase = 'P2'`, [ids.unitId]);
          return r.length === 1 && r;
        },
        'the escalation',
        PATIENCE,
      );
      expect(rows).toEqual([{ phase: 'P2', rung: 'yellow' }]);
    });
  });
});

describe('a notification receiver that is down', () => {
  it('holds up no ladder: every rung fires at its moment while its notices retry on their own workflows, delivered once the receiver is back', async () => {
    const taskQueue = `catch-up-notices-${randomUUID()}`;
    // A webhook that refuses everything until told otherwise, counting what it is sent.
    let up = false;
    const received: string[] = [];
    const server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        received.push(String(req.headers['idempotency-key']));
        res.statusCode = up ? 204 : 503;
        res.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/notices`;
    const worker = await Worker.create({
      connection: native,
      namespace: testServices().temporal.namespace,
      taskQueue,
      workflowBundle: t.bundle,
      activities: createActivities({
        ...createActivityRepositories(t.dataSource),
        temporal: { client, taskQueue },
        channels: [outboxChannel(), webhookChannel({ url, timeoutMs: 2_000 })],
      }),
    });
    try {
      await worker.runUntil(async () => {
        // The reminder 6 s on, the yellow 8 s: a loaded machine may reach the reminder late (and records it so).
        const deadline = Date.now() + 8_000;
        const item = await startItem(taskQueue, deadline);
        const v = await rungsOf(item.handle, 3);
        // Each rung reached as its timer came due, though every notice so far was refused: late only where the
        // record of the rung before it ended after its moment (a loaded machine), never held up by a notice.
        expect(v.rungs.map((r) => [r.rung, r.late ?? false])).toEqual([
          ['reminder', await reachedLate(item.handle, deadline - 2_000)],
          ['yellow', await reachedLate(item.handle, deadline)],
          ['red', await reachedLate(item.handle, deadline + 3_000)],
        ]);
        // Each rung's record starts its delivery, which keeps retrying while the receiver refuses.
        const deliveries = await Promise.all(
          v.rungs.map((r) =>
            eventually(
              () =>
                client.workflow
                  .getHandle(notificationDeliveryWorkflowId(r.key!))
                  .describe()
                  .catch(() => undefined),
              `delivery of ${r.rung}`,
              PATIENCE,
            ),
          ),
        );
        expect(deliveries.map((d) => d.status.name)).toEqual(['RUNNING', 'RUNNING', 'RUNNING']);
        expect(received.length).toBeGreaterThanOrEqual(3);
        // The receiver is back: each notice is delivered, once per recipient, and its delivery ends.
        up = true;
        for (const r of v.rungs)
          expect(await client.workflow.getHandle(notificationDeliveryWorkflowId(r.key!)).result()).toEqual({ delivered: r.to.length });
        const rows = await t.dataSource.query(
          `SELECT channel, status FROM notifications WHERE escalation_key = ANY($1) AND channel = 'webhook'`,
          [v.rungs.map((r) => r.key)],
        );
        expect(rows.every((r: { status: string }) => r.status === 'sent')).toBe(true);
        expect(rows).toHaveLength(v.rungs.reduce((n, r) => n + r.to.length, 0));
      });
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

describe('a unit reset (as an operator resets one) to before its items started', () => {
  it('starts none of them again: an item that completed meanwhile keeps its one run, and its report back is reapplied', async () => {
    const taskQueue = `catch-up-reset-${randomUUID()}`;
    await runWorker(taskQueue, async () => {
      const { unit, cast } = await unitInP3(taskQueue, 'PT1S', 'CR-1');
      await publishTaskBook(realClock, unit, cast, [Date.now() + 3_600_000]);
      const v = await eventually(
        async () => {
          const s: UnitView = await unit.query(unitStateQuery);
          return s.taskBook?.status === 'effective' && s;
        },
        'task book effective',
        PATIENCE,
      );
      const itemWf = itemWorkflowId(v.taskBook!.items[0].id);
      started.push(itemWf);
      const item = await eventually(
        async () =>
          (await client.workflow
            .getHandle(itemWf)
            .query(itemStateQuery)
            .catch(() => undefined))
            ? client.workflow.getHandle(itemWf)
            : undefined,
        'its item started',
      );
      // The item ends (carried over by the office) and reports back to its unit.
      await up(item, carryOverUpdate, { actor: cast.office, rule: doc('Standing rules on receptions'), comment: 'long-term' });
      await item.result();
      await eventually(async () => (await unit.query<UnitView>(unitStateQuery)).taskBook!.items[0].status === 'carried', 'the unit told');

      // Reset the unit to the task that started the item, as an operator would (massline audit reset) if that task did not replay.
      const history = (await unit.fetchHistory()).events ?? [];
      const initiated = history.find((e) => e.startChildWorkflowExecutionInitiatedEventAttributes)!;
      const taskId = Number(initiated.startChildWorkflowExecutionInitiatedEventAttributes!.workflowTaskCompletedEventId);
      const { runId: newRunId } = await client.workflowService.resetWorkflowExecution({
        namespace: testServices().temporal.namespace,
        workflowExecution: { workflowId: unit.workflowId },
        reason: 'test: a reset to before the items started',
        workflowTaskFinishEventId: Long.fromNumber(taskId),
        requestId: randomUUID(),
      });
      const reset = client.workflow.getHandle(unit.workflowId, newRunId);
      const refused = await eventually(
        async () => {
          const events = (await reset.fetchHistory()).events ?? [];
          return events.find((e) => e.startChildWorkflowExecutionFailedEventAttributes);
        },
        'the new run to try the start',
        PATIENCE,
      );
      expect(refused.startChildWorkflowExecutionFailedEventAttributes!.workflowId).toBe(itemWf);
      // One run of the item, ever; the unit (new run) knows it carried, from the report the engine reapplied.
      const runs: string[] = [];
      for await (const info of client.workflow.list({ query: `WorkflowId = '${itemWf}'` })) runs.push(info.status.name);
      expect(runs).toEqual(['COMPLETED']);
      const after = await eventually(
        async () => {
          const s: UnitView = await reset.query(unitStateQuery);
          return s.taskBook?.items[0].status === 'carried' && s;
        },
        'the new run to know the item carried',
        PATIENCE,
      );
      expect(after.taskBook!.status).toBe('effective');
    });
  });
});
