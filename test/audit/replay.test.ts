// Replay of a selection of histories — by campaign (visibility), by ids — against a workflow bundle: clean
// histories replay, a non-deterministic change is caught with the workflow id and the diverging event named.
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker, type WorkflowBundle } from '@temporalio/worker';
import { temporal } from '@temporalio/proto';
import { bundleWorkflows, describeReplayError, replaySelection, visibilityQuery, type ReplayProgress } from '../../libs/audit/src';
import { campaignIdKey } from '../../libs/contracts/src';
import { testServices } from '../support';
import { exerciseActivities } from './fixtures/workflows/exercise-activities';
import { eventually } from '../support/eventually';
import { ifSet } from '../support/if-set';

describe('replaying histories', () => {
  const campaignId = `audit-replay-${randomUUID()}`;
  const taskQueue = `audit-replay-${randomUUID()}`;
  const ids = [0, 1, 2].map((i) => `audit-replay-${i}-${randomUUID()}`);
  let connection: Connection;
  let client: Client;
  let nativeConnection: NativeConnection;
  let current: WorkflowBundle;
  let changed: WorkflowBundle;
  const startedAt = new Date();

  beforeAll(async () => {
    const { temporal } = testServices();
    connection = await Connection.connect({ address: temporal.address });
    client = new Client({ connection, namespace: temporal.namespace });
    nativeConnection = await NativeConnection.connect({ address: temporal.address });
    [current, changed] = await Promise.all([
      bundleWorkflows(require.resolve('./fixtures/workflows/exercise')),
      bundleWorkflows(require.resolve('./fixtures/workflows/exercise-changed')),
    ]);
    const worker = await Worker.create({
      connection: nativeConnection,
      namespace: temporal.namespace,
      taskQueue,
      workflowBundle: current,
      activities: exerciseActivities,
    });
    await worker.runUntil(async () => {
      await Promise.all(
        ids.map(async (workflowId) => {
          const handle = await client.workflow.start('exerciseWorkflow', {
            taskQueue,
            workflowId,
            args: [1],
            typedSearchAttributes: [{ key: campaignIdKey, value: campaignId }],
          });
          await handle.executeUpdate('note', { args: [{ actor: { id: 'p-1', role: 'unit' }, text: workflowId }] });
          await handle.signal('poke', 'stop');
          await handle.result();
        }),
      );
    });
    // Visibility is eventually consistent: wait until the campaign's workflows are listed.
    await eventually(
      async () => ((await client.workflow.count(visibilityQuery({ campaignId }))).count === ids.length ? true : undefined),
      'visibility',
    );
  });

  afterAll(async () => {
    await ifSet(connection)?.close();
    await ifSet(nativeConnection)?.close();
  });

  it('replays a campaign found by its search attribute against the code that wrote it', async () => {
    const seen: number[] = [];
    const result = await replaySelection({
      client,
      selection: { campaignId },
      bundle: current,
      onProgress: (p: ReplayProgress) => void seen.push(p.replayed),
    });
    expect(result.total).toBe(ids.length);
    expect(result.replayed).toBe(ids.length);
    expect(result.failures).toEqual([]);
    expect(result.events).toBeGreaterThan(ids.length * 10);
    expect(seen).toEqual([0, 1, 2, 3]);
  });

  it('catches a non-deterministic change, naming each workflow and its first diverging event', async () => {
    const result = await replaySelection({ client, selection: { workflowIds: [ids[0], ids[2]] }, bundle: changed });
    expect(result.total).toBe(2);
    expect(result.failures.map((f) => f.workflowId).sort()).toEqual([ids[0], ids[2]].sort());
    for (const f of result.failures) {
      expect(f.kind).toBe('nondeterminism');
      expect(f.eventId).toBeGreaterThan(0);
      expect(f.eventType).toMatch(/^[A-Z][A-Za-z]+$/);
      expect(f.error).toContain('Nondeterminism');
      expect(f.error).toContain(`first diverging event: ${f.eventId} ${f.eventType}`);
    }
  });

  it('selects by close time, alone or with a campaign', async () => {
    const inRange = await replaySelection({
      client,
      selection: { campaignId, closedAfter: startedAt.toISOString(), closedBefore: new Date(Date.now() + 60_000).toISOString() },
      bundle: current,
    });
    expect(inRange.total).toBe(ids.length);
    expect(inRange.failures).toEqual([]);
    const before = await replaySelection({ client, selection: { campaignId, closedBefore: startedAt.toISOString() }, bundle: current });
    expect(before.total).toBe(0);
    // A range alone is limited to massline's workflow types; the server accepts the query.
    await expect(client.workflow.count(visibilityQuery({ closedAfter: startedAt.toISOString() }))).resolves.toBeDefined();
  });

  it('reports a history that cannot be fetched as a failure of that workflow, not of the job', async () => {
    const missing = `audit-replay-missing-${randomUUID()}`;
    const result = await replaySelection({ client, selection: { workflowIds: [ids[1], missing] }, bundle: current });
    expect(result.total).toBe(2);
    expect(result.failures).toHaveLength(1);
    expect(result.failures[0]).toMatchObject({ workflowId: missing, kind: 'fetch-error' });
  });
});

describe('describeReplayError', () => {
  it('names the event of the engine message', () => {
    const err = Object.assign(
      new Error(
        'Replay failed with a nondeterminism error. Details: Failure { failure: Some(Failure { message: "[TMPRL1100] Nondeterminism error: Activity machine does not handle this event: HistoryEvent(id: 27, TimerStarted)", source: "" }) }',
      ),
      { name: 'DeterminismViolationError' },
    );
    expect(describeReplayError(err)).toEqual({
      kind: 'nondeterminism',
      eventId: 27,
      eventType: 'TimerStarted',
      error:
        '[TMPRL1100] Nondeterminism error: Activity machine does not handle this event: HistoryEvent(id: 27, TimerStarted) (first diverging event: 27 TimerStarted)',
    });
  });

  it('names the marker of a patch the code no longer asks for (the engine names only the change)', () => {
    const patchData = (id: string) => ({
      'patch-data': {
        payloads: [{ metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.from(JSON.stringify({ id, deprecated: false })) }],
      },
    });
    // fromObject takes the event ids as numbers, as a history's JSON may.
    const history = temporal.api.history.v1.History.fromObject({
      events: [
        { eventId: 1, eventType: 1 },
        { eventId: 5, markerRecordedEventAttributes: { markerName: 'core_patch', details: patchData('another-change') } },
        { eventId: 6, markerRecordedEventAttributes: { markerName: 'core_patch', details: patchData('clock-independent-commands') } },
      ],
    });
    const err = new Error(
      '[TMPRL1100] Nondeterminism error: Non-deprecated patch marker encountered for change clock-independent-commands, but there is no corresponding change command!',
    );
    expect(describeReplayError(err, history)).toEqual({
      kind: 'nondeterminism',
      eventId: 6,
      eventType: 'MarkerRecorded',
      error: `${err.message} (first diverging event: 6 MarkerRecorded)`,
    });
    // Without the history, the message is kept as the engine wrote it.
    expect(describeReplayError(err)).toEqual({ kind: 'nondeterminism', error: err.message });
  });

  it('keeps other errors whole', () => {
    expect(describeReplayError(new Error('no such workflow type'))).toEqual({ kind: 'replay-error', error: 'no such workflow type' });
  });
});

describe('visibilityQuery', () => {
  it('selects by campaign, by close time (massline types only), or both', () => {
    expect(visibilityQuery({ campaignId: "c'1" })).toBe("MasslineCampaign = 'c\\'1'");
    expect(visibilityQuery({ closedAfter: '2014-01-01T00:00:00+08:00' })).toBe(
      "ExecutionStatus != 'Running' AND CloseTime >= '2013-12-31T16:00:00.000Z' AND WorkflowType IN ('campaignWorkflow', 'unitLifecycleWorkflow', 'rectificationItemWorkflow', 'programmeWorkflow', 'notificationDeliveryWorkflow', 'planRolloutWorkflow')",
    );
    expect(visibilityQuery({ workflowIds: ['a'] })).toBeUndefined();
  });
});
