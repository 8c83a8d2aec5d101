// Recovery of a run stuck on a nondeterminism error, on the real dev server and PostgreSQL: the failing
// task is heard from the SDK core's own log line, the run is reset to just before the task it cannot replay,
// the decision accepted after that point is reapplied once, and the workflow goes on. Two bundles given one
// build id stand in for the SDK's defect (the same build writing a task it cannot replay); given two build
// ids, the same divergence is a code change, and the run is left to people.
import { randomUUID } from 'node:crypto';
import { Client, Connection, WorkflowUpdateFailedError } from '@temporalio/client';
import { bundleWorkflowCode, DefaultLogger, makeTelemetryFilterString, NativeConnection, Runtime, Worker, type WorkflowBundle } from '@temporalio/worker';
import { endedByRecovery, fetchHistories, fetchJsonHistory, RECOVERY_RESET_REASON, replayBuildId, replayHistories, type JsonHistory } from '../../libs/audit/src';
import { createDataSource, PgWorkflowRecoveryRepository, runMigrations, type WorkflowRecovery } from '../../libs/persistence/src';
import { StuckRunRecovery, watchingLogger } from '../../apps/worker/src/recovery';
import { WorkflowGateway } from '../../apps/api/src/workflow/workflow-gateway';
import { AuditLogRepository } from '../../apps/api/src/repositories/audit-log.repository';
import { ApiMetrics } from '../../apps/api/src/common/metrics';
import { JsonLogger } from '../../apps/api/src/common/logger';
import { defineQuery } from '@temporalio/workflow';
import { createTestDatabase, testServices, type TestDatabase } from '../support';
import { quietBundlerLogger, waitFor } from '../workflows/helpers';
import type { DataSource } from 'typeorm';

const probe = (v: 'v1' | 'v2') => require.resolve(`./fixtures/recovery-probe/${v}`);
let db: TestDatabase;
let dataSource: DataSource;
let connection: Connection;
let native: NativeConnection;
let client: Client;
let v1: WorkflowBundle;
let v2: WorkflowBundle;
let recoveries: PgWorkflowRecoveryRepository;
/** Where the core's failing-task lines go: the recovery of the worker under test. */
let onStuckRun: (runId: string, failure: string) => void = () => undefined;
const heard: string[] = [];

beforeAll(async () => {
  Runtime.install({
    logger: watchingLogger(new DefaultLogger('ERROR'), (runId, failure) => {
      heard.push(runId);
      onStuckRun(runId, failure);
    }),
    telemetryOptions: { logging: { forward: {}, filter: makeTelemetryFilterString({ core: 'WARN', other: 'ERROR' }) } },
  });
  db = await createTestDatabase('recovery');
  await runMigrations({ url: db.url });
  dataSource = createDataSource({ url: db.url });
  await dataSource.initialize();
  recoveries = new PgWorkflowRecoveryRepository(dataSource);
  const { address, namespace } = testServices().temporal;
  connection = await Connection.connect({ address });
  client = new Client({ connection, namespace });
  native = await NativeConnection.connect({ address });
  [v1, v2] = await Promise.all([
    bundleWorkflowCode({ workflowsPath: probe('v1'), logger: quietBundlerLogger }),
    bundleWorkflowCode({ workflowsPath: probe('v2'), logger: quietBundlerLogger }),
  ]);
});
afterAll(async () => {
  await native?.close();
  await connection?.close();
  await dataSource?.destroy();
  await db?.drop();
});

async function withWorker<T>(o: { bundle: WorkflowBundle; identity: string; buildId: string; taskQueue: string }, fn: (w: Worker) => Promise<T>): Promise<T> {
  const worker = await Worker.create({
    connection: native,
    namespace: testServices().temporal.namespace,
    taskQueue: o.taskQueue,
    workflowBundle: o.bundle,
    identity: o.identity,
    buildId: o.buildId,
    stickyQueueScheduleToStartTimeout: '1s',
  });
  return worker.runUntil(fn(worker));
}

/** A recovery as the worker "probe-c" of build `buildId` runs it. */
const recoveryOf = (buildId: string) =>
  new StuckRunRecovery({ client, namespace: testServices().temporal.namespace, recoveries, identity: 'probe-c', buildId, log: () => undefined });

/** Runs `fn` while a v2 worker of the recovery's build polls and the core's failing-task lines reach the recovery. */
async function asWorkerC<T>(recovery: StuckRunRecovery, taskQueue: string, fn: () => Promise<T>): Promise<T> {
  onStuckRun = (id, failure) => recovery.notice(id, failure);
  try {
    return await withWorker({ bundle: v2, identity: 'probe-c', buildId: recovery.buildId, taskQueue }, fn);
  } finally {
    onStuckRun = () => undefined;
  }
}

const noteName = 'note';
/** Sends a note, again with the same update id while the run is being reset (the engine aborts it on the old run). */
async function note(workflowId: string, text: string): Promise<number> {
  const handle = client.workflow.getHandle(workflowId);
  return waitFor(
    async () => {
      try {
        return await handle.executeUpdate<number, [string]>(noteName, { args: [text], updateId: `note-${text}` });
      } catch (error) {
        if (error instanceof WorkflowUpdateFailedError) throw error;
        return undefined;
      }
    },
    `note ${text} taken`,
    90_000,
  );
}

/** Two workers of v1 write the notes "first" and "second" (the second one's task by a newly arrived worker). */
async function probeWithTwoNotes(taskQueue: string, buildId: string): Promise<{ workflowId: string; runId: string }> {
  const workflowId = `recovery-probe-${randomUUID()}`;
  const handle = await client.workflow.start('recoveryProbeWorkflow', { workflowId, taskQueue, workflowExecutionTimeout: '10 minutes' });
  await withWorker({ bundle: v1, identity: 'probe-a', buildId, taskQueue }, () => note(workflowId, 'first'));
  await withWorker({ bundle: v1, identity: 'probe-b', buildId, taskQueue }, () => note(workflowId, 'second'));
  return { workflowId, runId: handle.firstExecutionRunId };
}

const settledRow = (runId: string) =>
  waitFor(async () => (await recoveries.list(0, 100)).items.find((r: WorkflowRecovery) => r.runId === runId && r.settledAt), `recovery of ${runId} settled`, 90_000);

const eventTypes = (h: JsonHistory) => h.events.map((e) => e.eventType.replace('EVENT_TYPE_', ''));

describe('recovery of a run stuck on a nondeterminism error', () => {
  it('resets the run to before the task its own build cannot replay; the later decision is reapplied once and the workflow goes on', async () => {
    const taskQueue = `recovery-${randomUUID()}`;
    const { workflowId, runId } = await probeWithTwoNotes(taskQueue, 'probe-build-1');
    const recovery = recoveryOf('probe-build-1');
    const result = await asWorkerC(recovery, taskQueue, async () => {
      await note(workflowId, 'third');
      await note(workflowId, 'done');
      const out = await client.workflow.getHandle(workflowId).result();
      await recovery.settled();
      return out;
    });
    // Each note once ("second", reapplied, may finish after "third": it waits on a timer in v2).
    expect(result[0]).toBe('first');
    expect([...result].sort()).toEqual(['done', 'first', 'second', 'third']);
    expect(heard).toContain(runId);

    const row = await settledRow(runId);
    expect(row).toMatchObject({ workflowId, verdict: 'reset', claimedBy: 'probe-c' });
    const old = (await fetchJsonHistory(client, workflowId, runId))!;
    expect(endedByRecovery(old)).toBe(true);
    // The reset point is the task probe-b completed with the note "second"; the replay diverged right after it.
    const resetEvent = old.events.find((e) => Number(e.eventId) === row.resetEventId)!;
    expect(resetEvent.eventType).toBe('EVENT_TYPE_WORKFLOW_TASK_COMPLETED');
    expect((resetEvent.workflowTaskCompletedEventAttributes as { identity: string }).identity).toBe('probe-b');
    expect(row.divergingEventId).toBeGreaterThan(row.resetEventId!);
    expect(row.failure).toMatch(/Nondeterminism/);

    const current = (await fetchJsonHistory(client, workflowId))!;
    const types = eventTypes(current);
    expect(row.newRunId).toBeDefined();
    const resetFailure = current.events.find(
      (e) => e.eventType === 'EVENT_TYPE_WORKFLOW_TASK_FAILED' && (e.workflowTaskFailedEventAttributes as { cause: string }).cause === 'WORKFLOW_TASK_FAILED_CAUSE_RESET_WORKFLOW',
    )!;
    expect(((resetFailure.workflowTaskFailedEventAttributes as { failure: { message: string } }).failure.message)).toContain(RECOVERY_RESET_REASON);
    // "second" came back once, as reapplied; "third" and "done" were taken by the new run.
    expect(types.filter((t) => t === 'WORKFLOW_EXECUTION_UPDATE_ADMITTED')).toHaveLength(1);
    expect(types[types.length - 1]).toBe('WORKFLOW_EXECUTION_COMPLETED');
    // The replay lists the old run apart from failures; the new run follows from the code that runs it.
    const replay = await replayHistories(fetchHistories(client, [{ workflowId, runId }, { workflowId, runId: row.newRunId }]), { bundle: v2 });
    expect(replay.failures).toEqual([]);
    expect(replay.sdkDefects).toEqual([expect.objectContaining({ workflowId, runId, eventId: row.divergingEventId, kind: 'nondeterminism', because: 'ended by recovery' })]);
    expect(replay.replayed).toBe(2);
    // A second notice of the same run changes nothing: it is settled, and the worker remembers it so.
    expect(recovery.isSettled(runId)).toBe(true);
    await expect(recovery.recover(runId)).resolves.toBeUndefined();
    expect((await recoveries.list(0, 100)).items.filter((r) => r.runId === runId)).toHaveLength(1);
  });

  it('resets a run no task has woken since, when a query of it fails to replay', async () => {
    const taskQueue = `recovery-${randomUUID()}`;
    const { workflowId, runId } = await probeWithTwoNotes(taskQueue, 'probe-build-2');
    const recovery = recoveryOf('probe-build-2');
    await asWorkerC(recovery, taskQueue, async () => {
      // Only reads: the first ones fail (the replay diverges), then the reset run answers.
      const notes = await waitFor(
        async () => {
          try {
            // The reset run takes the reapplied note "second" in its first task (after a 1 ms timer in v2).
            const read = await client.workflow.getHandle(workflowId).query<string[]>('notes');
            return read.length >= 2 ? read : undefined;
          } catch {
            return undefined;
          }
        },
        'the notes readable again',
        90_000,
      );
      expect(notes).toEqual(['first', 'second']);
      await recovery.settled();
    });
    const row = await settledRow(runId);
    expect(row).toMatchObject({ workflowId, verdict: 'reset' });
    const old = (await fetchJsonHistory(client, workflowId, runId))!;
    // No workflow task had failed: the query's failure named the run.
    expect(old.events.some((e) => e.eventType === 'EVENT_TYPE_WORKFLOW_TASK_FAILED')).toBe(false);
    expect(endedByRecovery(old)).toBe(true);
    await client.workflow.getHandle(workflowId).terminate('test done');
  });

  it('finds a completed run its build cannot replay closed (nothing to resume); the API reads it from its result', async () => {
    const taskQueue = `recovery-${randomUUID()}`;
    const { workflowId, runId } = await probeWithTwoNotes(taskQueue, 'probe-build-3');
    await withWorker({ bundle: v1, identity: 'probe-b', buildId: 'probe-build-3', taskQueue }, async () => {
      await note(workflowId, 'done');
      await client.workflow.getHandle(workflowId).result();
    });
    const recovery = recoveryOf('probe-build-3');
    const gateway = new WorkflowGateway(client, new AuditLogRepository(dataSource), new ApiMetrics(async () => [], false), new JsonLogger('error', () => undefined));
    const notesQuery = defineQuery<string[]>('notes');
    await asWorkerC(recovery, taskQueue, async () => {
      // The query replays the whole history with v2, which diverges: it cannot be answered.
      await expect(gateway.query(notesQuery, workflowId)).rejects.toThrow(/Nondeterminism/);
      // The workflow's state is its result: read without a replay.
      expect(await gateway.state(notesQuery, workflowId)).toEqual(['first', 'second', 'done']);
      await settledRow(runId);
      await recovery.settled();
    });
    expect(await settledRow(runId)).toMatchObject({ workflowId, verdict: 'closed', reason: expect.stringMatching(/the run has closed/) });
    expect((await client.workflow.getHandle(workflowId).describe()).runId).toBe(runId);
  });

  it('knows the build id a worker running a bundle gets, as the replay computes it', async () => {
    const worker = await Worker.create({ connection: native, namespace: testServices().temporal.namespace, taskQueue: `recovery-${randomUUID()}`, workflowBundle: v1 });
    expect(worker.options.buildId).toBe(replayBuildId(v1));
    expect(replayBuildId(v2)).not.toBe(replayBuildId(v1));
    await worker.runUntil(Promise.resolve());
  });

  it('leaves a run whose diverging task another build wrote (a code change), says why, and resets nothing', async () => {
    const taskQueue = `recovery-${randomUUID()}`;
    const { workflowId, runId } = await probeWithTwoNotes(taskQueue, 'probe-build-old');
    const recovery = recoveryOf('probe-build-new');
    await asWorkerC(recovery, taskQueue, async () => {
      // The note waits on a run that cannot move: sent without waiting for its answer.
      void client.workflow
        .getHandle(workflowId)
        .executeUpdate(noteName, { args: ['third'], updateId: 'note-third' })
        .catch(() => undefined);
      await settledRow(runId);
      await recovery.settled();
    });
    const row = await settledRow(runId);
    expect(row).toMatchObject({ workflowId, verdict: 'left' });
    expect(row.reason).toMatch(/another build \(probe-build-old\): the code changed/);
    expect(row.newRunId).toBeUndefined();
    const description = await client.workflow.getHandle(workflowId).describe();
    expect(description.runId).toBe(runId);
    expect(description.status.name).toBe('RUNNING');
    await client.workflow.getHandle(workflowId).terminate('test done');
  });
});
