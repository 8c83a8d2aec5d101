// Typed search attributes kept current by the workflows, listed through the visibility API. The time-skipping
// test server has no visibility API, so this runs on the run's Temporal dev server, in real time, with a plan
// compressed to seconds.
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { createActivities, outboxChannel } from '../../activities';
import { campaignWorkflowId, resolvePlan, unitWorkflowId } from '../../libs/domain/src';
import { createActivityRepositories } from '../../libs/persistence/src';
import { campaignWorkflow } from '../../workflows';
import { unitStateQuery } from '../../workflows/definitions';
import { testServices } from '../support';
import { approve, meetP2Gate } from './drive';
import { actors, enrol, setUpWorkflowTests, waitFor, type WorkflowTestContext } from './helpers';

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
  await connection?.close();
  await native?.close();
  await t?.teardown();
});

const at = (t0: number, s: number) => new Date(t0 + s * 1000).toISOString();

it('units keep campaign, unit code, batch, phase and card current: lists by search attribute find them', async () => {
  const taskQueue = `search-attributes-${randomUUID()}`;
  const t0 = Date.now();
  // Batch 1's P1 window closes 6 s from now; the rest of the calendar lies hours ahead.
  const plan = resolvePlan(
    {
      batches: [
        { batch: 1, startsAt: at(t0, 0), endsAt: at(t0, 7200), phases: { P1: { startsAt: at(t0, 0), endsAt: at(t0, 6) }, P2: { startsAt: at(t0, 6), endsAt: at(t0, 3600) }, P3: { startsAt: at(t0, 3600), endsAt: at(t0, 7200) } } },
        { batch: 2, startsAt: at(t0, 7200), endsAt: at(t0, 9000), phases: { P1: { startsAt: at(t0, 7200), endsAt: at(t0, 7800) }, P2: { startsAt: at(t0, 7800), endsAt: at(t0, 8400) }, P3: { startsAt: at(t0, 8400), endsAt: at(t0, 9000) } } },
      ],
    },
    at(t0, 0),
  );
  const enrolled = await enrol(t.dataSource, plan, [
    { code: 'SA-1', batch: 1 },
    { code: 'SA-2', batch: 1 },
  ]);
  const [a, b] = enrolled.units;
  const worker = await Worker.create({
    connection: native,
    namespace: testServices().temporal.namespace,
    taskQueue,
    workflowBundle: t.bundle,
    activities: createActivities({ ...createActivityRepositories(t.dataSource), temporal: { client, taskQueue }, channels: [outboxChannel()] }),
  });
  const ids = [campaignWorkflowId(enrolled.campaignId), unitWorkflowId(a.id), unitWorkflowId(b.id)];
  await worker.runUntil(async () => {
    try {
      await client.workflow.start(campaignWorkflow, { taskQueue, workflowId: ids[0], args: [{ campaignId: enrolled.campaignId, name: 'SA', plan }] });
      const unitA = client.workflow.getHandle(ids[1]);
      await waitFor(() => unitA.query(unitStateQuery).catch(() => undefined), 'unit A started');
      const cast = actors({ unitId: a.id, groupId: enrolled.groupId, otherGroupId: enrolled.otherGroupId });
      await meetP2Gate(unitA, cast);
      await approve(unitA, cast, 'P2');

      const list = async (query: string) => {
        const found: string[] = [];
        for await (const wf of client.workflow.list({ query: `MasslineCampaign = "${enrolled.campaignId}" AND ${query}` })) found.push(wf.workflowId);
        return found.sort();
      };
      const eventually = (query: string, expected: string[]) =>
        waitFor(async () => JSON.stringify(await list(query)) === JSON.stringify([...expected].sort()), `${query} → ${expected.join(', ')}`, 20_000);

      await eventually('MasslineKind = "unit" AND MasslineBatch = 1', [ids[1], ids[2]]);
      await eventually('MasslineKind = "unit" AND MasslinePhase = "P2"', [ids[1]]);
      await eventually('MasslineUnitCode = "SA-2" AND MasslinePhase = "P1"', [ids[2]]);
      // Unit B is still in P1 when its window closes: yellow, findable by card.
      await eventually('MasslineKind = "unit" AND MasslineCard = "yellow"', [ids[2]]);
      await eventually('MasslineKind = "campaign"', [ids[0]]);
    } finally {
      await Promise.all(ids.map((id) => client.workflow.getHandle(id).terminate('test over').catch(() => undefined)));
    }
  });
});
