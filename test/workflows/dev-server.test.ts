// What needs the real Temporal server (the run's dev server, real time): lists by typed search attribute (the
// time-skipping test server has no visibility API), and the campaign continuing as new while its units move.
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { createActivities, outboxChannel } from '../../activities';
import { campaignWorkflowId, resolvePlan, unitWorkflowId } from '../../libs/domain/src';
import { createActivityRepositories } from '../../libs/persistence/src';
import { campaignWorkflow } from '../../workflows';
import { campaignStateQuery, unitStateQuery } from '../../libs/contracts/src';
import { testServices } from '../support';
import { approve, meetP2Gate } from './drive';
import { actors, enrol, saveHistory, setUpWorkflowTests, type WorkflowTestContext } from './helpers';
import { eventually } from '../support/eventually';
import { ifSet } from '../support/if-set';

let t: WorkflowTestContext;
let connection: Connection;
let native: NativeConnection;
let client: Client;
beforeAll(async () => {
  t = await setUpWorkflowTests('search-attributes');
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

const at = (t0: number, s: number) => new Date(t0 + s * 1000).toISOString();

/** A worker on the dev server (real activities, the file's database), running while `fn` runs. */
async function withDevWorker<T>(fn: (taskQueue: string) => Promise<T>): Promise<T> {
  const taskQueue = `dev-server-${randomUUID()}`;
  const worker = await Worker.create({
    connection: native,
    namespace: testServices().temporal.namespace,
    taskQueue,
    workflowBundle: t.bundle,
    activities: createActivities({
      ...createActivityRepositories(t.dataSource),
      temporal: { client, taskQueue },
      channels: [outboxChannel()],
    }),
  });
  return worker.runUntil(fn(taskQueue));
}

it('units keep campaign, unit code, batch, phase and card current: lists by search attribute find them', () =>
  withDevWorker(async (taskQueue) => {
    const t0 = Date.now();
    // Batch 1's P1 window closes 6 s from now; the rest of the calendar lies hours ahead.
    const plan = resolvePlan(
      {
        batches: [
          {
            batch: 1,
            startsAt: at(t0, 0),
            endsAt: at(t0, 7200),
            phases: {
              P1: { startsAt: at(t0, 0), endsAt: at(t0, 6) },
              P2: { startsAt: at(t0, 6), endsAt: at(t0, 3600) },
              P3: { startsAt: at(t0, 3600), endsAt: at(t0, 7200) },
            },
          },
          {
            batch: 2,
            startsAt: at(t0, 7200),
            endsAt: at(t0, 9000),
            phases: {
              P1: { startsAt: at(t0, 7200), endsAt: at(t0, 7800) },
              P2: { startsAt: at(t0, 7800), endsAt: at(t0, 8400) },
              P3: { startsAt: at(t0, 8400), endsAt: at(t0, 9000) },
            },
          },
        ],
      },
      at(t0, 0),
    );
    const enrolled = await enrol(t.dataSource, plan, [
      { code: 'SA-1', batch: 1 },
      { code: 'SA-2', batch: 1 },
    ]);
    const [a, b] = enrolled.units;
    const ids = [campaignWorkflowId(enrolled.campaignId), unitWorkflowId(a.id), unitWorkflowId(b.id)];
    try {
      await client.workflow.start(campaignWorkflow, {
        taskQueue,
        workflowId: ids[0],
        args: [{ campaignId: enrolled.campaignId, name: 'SA', plan }],
      });
      const unitA = client.workflow.getHandle(ids[1]);
      await eventually(() => unitA.query(unitStateQuery).catch(() => undefined), 'unit A started');
      const cast = actors({ unitId: a.id, groupId: enrolled.groupId, otherGroupId: enrolled.otherGroupId });
      await meetP2Gate(unitA, cast);
      await approve(unitA, cast, 'P2');

      const list = async (query: string) => {
        const found: string[] = [];
        for await (const wf of client.workflow.list({ query: `MasslineCampaign = "${enrolled.campaignId}" AND ${query}` }))
          found.push(wf.workflowId);
        return found.sort();
      };
      const listed = (query: string, expected: string[]) =>
        eventually(
          async () => JSON.stringify(await list(query)) === JSON.stringify([...expected].sort()),
          `${query} → ${expected.join(', ')}`,
          20_000,
        );

      await listed('MasslineKind = "unit" AND MasslineBatch = 1', [ids[1], ids[2]]);
      await listed('MasslineKind = "unit" AND MasslinePhase = "P2"', [ids[1]]);
      await listed('MasslineUnitCode = "SA-2" AND MasslinePhase = "P1"', [ids[2]]);
      // Unit B is still in P1 when its window closes: yellow, findable by card.
      await listed('MasslineKind = "unit" AND MasslineCard = "yellow"', [ids[2]]);
      await listed('MasslineKind = "campaign"', [ids[0]]);
    } finally {
      await Promise.all(
        ids.map((id) =>
          client.workflow
            .getHandle(id)
            .terminate('test over')
            .catch(() => undefined),
        ),
      );
    }
  }));

it('the campaign never hears from its units (no hub): they move while its history holds only its own steps, and it continues as new carrying its opened batches', () =>
  withDevWorker(async (taskQueue) => {
    // Batch 1 open now with 3-second phases, batch 2 right after: the campaign polls the read model past the end.
    const t0 = Date.now();
    const plan = resolvePlan(
      {
        batches: [
          {
            batch: 1,
            startsAt: at(t0, 0),
            endsAt: at(t0, 9),
            phases: {
              P1: { startsAt: at(t0, 0), endsAt: at(t0, 3) },
              P2: { startsAt: at(t0, 3), endsAt: at(t0, 6) },
              P3: { startsAt: at(t0, 6), endsAt: at(t0, 9) },
            },
          },
          {
            batch: 2,
            startsAt: at(t0, 9),
            endsAt: at(t0, 18),
            phases: {
              P1: { startsAt: at(t0, 9), endsAt: at(t0, 12) },
              P2: { startsAt: at(t0, 12), endsAt: at(t0, 15) },
              P3: { startsAt: at(t0, 15), endsAt: at(t0, 18) },
            },
          },
        ],
        windowLadder: [{ rung: 'yellow', offset: 'PT0S' }],
      },
      at(t0, 0),
    );
    const units = Array.from({ length: 12 }, (_, i) => ({ code: `CN-${100 + i}`, batch: 1 as const }));
    const enrolled = await enrol(t.dataSource, plan, units);
    const ids = [campaignWorkflowId(enrolled.campaignId), ...enrolled.units.map((u) => unitWorkflowId(u.id))];
    const campaign = client.workflow.getHandle(ids[0]);
    try {
      await client.workflow.start(campaignWorkflow, {
        taskQueue,
        workflowId: ids[0],
        args: [{ campaignId: enrolled.campaignId, name: 'CAN', plan, historyLimit: 20 }],
      });
      const firstRun = (await campaign.describe()).runId;
      await eventually(
        async () =>
          (await t.dataSource.query(`SELECT count(*)::int AS n FROM unit_states WHERE campaign_id = $1`, [enrolled.campaignId]))[0].n ===
          12,
        'twelve units projected',
      );

      // A unit moves: the read model shows it; the campaign is not told.
      const unit = client.workflow.getHandle(ids[1]);
      const cast = actors({ unitId: enrolled.units[0].id, groupId: enrolled.groupId, otherGroupId: enrolled.otherGroupId });
      await meetP2Gate(unit, cast);
      await approve(unit, cast, 'P2');
      await eventually(
        async () =>
          (await t.dataSource.query(`SELECT phase FROM unit_states WHERE unit_id = $1`, [enrolled.units[0].id]))[0]?.phase === 'P2',
        'P2 projected',
      );

      // Past the last window the campaign polls the read model; its history stays small and it continues as new.
      // (It may also continue as new between the batches: the run after the last batch opened carries both.)
      await eventually(
        async () => (await campaign.describe()).runId !== firstRun && (await campaign.query(campaignStateQuery)).openedBatches.length === 2,
        'a new run with both batches opened',
        60_000,
      );
      expect((await campaign.query(campaignStateQuery)).openedBatches).toEqual([1, 2]);
      const first = await client.workflow.getHandle(ids[0], firstRun).fetchHistory();
      const events = first.events ?? [];
      expect(events.filter((e) => e.workflowExecutionSignaledEventAttributes)).toHaveLength(0);
      expect(events.length).toBeLessThan(60);
      // Across all its runs, each batch was opened once: a run never opens a batch its predecessor opened.
      const history = await campaign.fetchHistory();
      expect(history.events?.[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId).toBeTruthy();
      let opened = 0;
      for (let runId: string | null | undefined = (await campaign.describe()).runId; runId;) {
        const run = await client.workflow.getHandle(ids[0], runId).fetchHistory();
        opened += (run.events ?? []).filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'startBatchUnits').length;
        runId = run.events?.[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId;
      }
      expect(opened).toBe(2);
      await saveHistory(client.workflow.getHandle(ids[0], firstRun), 'campaign-continued-as-new-first-run');
      await saveHistory(campaign, 'campaign-continued-as-new-latest-run');
    } finally {
      await Promise.all(
        ids.map((id) =>
          client.workflow
            .getHandle(id)
            .terminate('test over')
            .catch(() => undefined),
        ),
      );
    }
  }));
