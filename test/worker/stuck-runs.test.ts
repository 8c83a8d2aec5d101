// A run stuck on a nondeterminism error, on the real dev server and PostgreSQL: the detector names it — in
// stuck_runs, on /metrics, in /health/ready and at GET /api/audit/stuck-runs — and no program resets it. An
// operator resets it with `massline audit reset`: the dry run changes nothing and lists what the reset would
// discard and reapply; the reset reapplies the later decision once and is recorded in the audit log; the same
// command again resets nothing. Replay reports the divergence as a failure. Two bundles given one build id
// (test/worker/fixtures/recovery-probe) make the divergence: v2 cannot replay a task v1 wrote.
import { randomUUID } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { Client, Connection, WorkflowUpdateFailedError } from '@temporalio/client';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Runtime, Worker, type WorkflowBundle } from '@temporalio/worker';
import {
  diagnoseByReplay,
  fetchHistories,
  fetchJsonHistory,
  NONDETERMINISM_CAUSE,
  performReset,
  planReset,
  replayHistories,
  resetConfirmation,
  resetRequestId,
  type JsonHistory,
} from '../../libs/audit/src';
import { PgStuckRunRepository } from '../../libs/persistence/src';
import { StuckRunDetector, type StuckRunDetectorOptions } from '../../apps/worker/src/stuck-runs';
import { createMasslineWorker } from '../../apps/worker/src';
import { apiContextOf } from '../../apps/api/src/main';
import { runAudit } from '../../apps/cli/src/audit';
import { OFFICE_TOKEN, startApi, type ApiUnderTest } from '../api/harness';
import { testServices } from '../support';
import { quietBundlerLogger } from '../workflows/helpers';
import { eventually } from '../support/eventually';
import { ifSet } from '../support/if-set';

const probe = (v: 'v1' | 'v2') => require.resolve(`./fixtures/recovery-probe/${v}`);
const PROBE_TYPE = 'recoveryProbeWorkflow';
const BUILD = 'probe-build';
const NDE = NONDETERMINISM_CAUSE;

let api: ApiUnderTest;
let connection: Connection;
let native: NativeConnection;
let client: Client;
let v1: WorkflowBundle;
let v2: WorkflowBundle;
let stuckRuns: PgStuckRunRepository;
let auditorToken: string;
const detectors: StuckRunDetector[] = [];
/** Workflows this file started, and calls left waiting on them: ended before the connection closes. */
const started: string[] = [];
const pending: Array<Promise<unknown>> = [];

beforeAll(async () => {
  try {
    Runtime.install({ logger: new DefaultLogger('ERROR') });
  } catch {
    // installed already in this process
  }
  api = await startApi();
  const { address, namespace } = testServices().temporal;
  connection = await Connection.connect({ address });
  client = new Client({ connection, namespace });
  native = await NativeConnection.connect({ address });
  stuckRuns = new PgStuckRunRepository(apiContextOf(api.app).dataSource);
  [v1, v2] = await Promise.all([
    bundleWorkflowCode({ workflowsPath: probe('v1'), logger: quietBundlerLogger }),
    bundleWorkflowCode({ workflowsPath: probe('v2'), logger: quietBundlerLogger }),
  ]);
  const auditor = await api.call('POST', '/api/principals', { token: OFFICE_TOKEN, body: { name: 'auditor', role: 'auditor' } });
  expect(auditor.status).toBe(201);
  auditorToken = auditor.body.token;
});
afterAll(async () => {
  for (const d of detectors) await d.stop();
  const c = ifSet(client);
  if (c)
    await Promise.all(
      started.map((id) =>
        c.workflow
          .getHandle(id)
          .terminate('test done')
          .catch(() => undefined),
      ),
    );
  await Promise.all(pending);
  await ifSet(native)?.close();
  await ifSet(connection)?.close();
  await ifSet(api)?.close();
});

const taskQueue = () => api.config.temporal.taskQueue;

/** A detector over the probe's runs on the API's task queue and database (v2 stands for the build running now). */
function detector(over: Partial<StuckRunDetectorOptions> = {}): StuckRunDetector {
  const d = new StuckRunDetector({
    client,
    dataSource: apiContextOf(api.app).dataSource,
    namespace: testServices().temporal.namespace,
    taskQueue: taskQueue(),
    identity: 'detector-test',
    attempts: 2,
    describesPerSecond: 50,
    bundle: v2,
    workflowTypes: [PROBE_TYPE],
    ...over,
  });
  detectors.push(d);
  return d;
}

async function withWorker<T>(o: { bundle: WorkflowBundle; identity: string }, fn: () => Promise<T>): Promise<T> {
  const worker = await Worker.create({
    connection: native,
    namespace: testServices().temporal.namespace,
    taskQueue: taskQueue(),
    workflowBundle: o.bundle,
    identity: o.identity,
    // Unversioned: the build id only names the build in the history, the same for both bundles.
    workerDeploymentOptions: { version: { deploymentName: 'recovery-probe', buildId: BUILD }, useWorkerVersioning: false },
    stickyQueueScheduleToStartTimeout: '1s',
  });
  return worker.runUntil(fn());
}

/**
 * Runs `fn` while the massline worker — with v2 for the build running now — polls the task queue, its stuck-run
 * detection passing every 250 ms over the probe's runs.
 */
async function asMasslineWorker<T>(fn: () => Promise<T>): Promise<T> {
  const massline = await createMasslineWorker({
    config: api.config,
    client,
    nativeConnection: native,
    dataSource: apiContextOf(api.app).dataSource,
    workflowBundle: v2,
    identity: 'probe-c',
    stuckRuns: { passIntervalMs: 250, workflowTypes: [PROBE_TYPE] },
  });
  const running = massline.run();
  try {
    return await fn();
  } finally {
    massline.shutdown();
    await running;
  }
}

/** Sends a note (an Update), again with the same id until the run takes it. */
async function note(workflowId: string, text: string): Promise<number> {
  const handle = client.workflow.getHandle(workflowId);
  return eventually(
    async () => {
      try {
        return await handle.executeUpdate<number, [string]>('note', { args: [text], updateId: `note-${text}` });
      } catch (error) {
        if (error instanceof WorkflowUpdateFailedError) throw error;
        return undefined;
      }
    },
    `note ${text} taken`,
    90_000,
  );
}

/** Two workers of v1 write the notes "first" and "second"; v2 cannot replay the task that took "second". */
async function probeWithTwoNotes(): Promise<{ workflowId: string; runId: string }> {
  // A massline- id: `massline audit` takes it as a workflow id as it stands.
  const workflowId = `massline-probe-${randomUUID()}`;
  started.push(workflowId);
  const handle = await client.workflow.start(PROBE_TYPE, { workflowId, taskQueue: taskQueue(), workflowExecutionTimeout: '10 minutes' });
  await withWorker({ bundle: v1, identity: 'probe-a' }, () => note(workflowId, 'first'));
  await withWorker({ bundle: v1, identity: 'probe-b' }, () => note(workflowId, 'second'));
  return { workflowId, runId: handle.firstExecutionRunId };
}

/** `massline audit …` in this process, with the API's configuration in its environment. */
async function massline(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out = new PassThrough();
  const err = new PassThrough();
  const chunks = { out: [] as Buffer[], err: [] as Buffer[] };
  out.on('data', (c: Buffer) => chunks.out.push(c));
  err.on('data', (c: Buffer) => chunks.err.push(c));
  const env = {
    TEMPORAL_ADDRESS: api.config.temporal.address,
    TEMPORAL_NAMESPACE: api.config.temporal.namespace,
    DATABASE_URL: api.config.database.url,
    LOG_LEVEL: 'error',
    PATH: process.env.PATH,
  };
  const code = await runAudit(argv, { out, err, env });
  return { code, out: Buffer.concat(chunks.out).toString('utf8'), err: Buffer.concat(chunks.err).toString('utf8') };
}

const runsOf = async (workflowId: string) => {
  const runs: Array<{ runId: string; status: string }> = [];
  for await (const info of client.workflow.list({ query: `WorkflowId = '${workflowId}'` }))
    runs.push({ runId: info.runId, status: info.status.name });
  return runs;
};
/**
 * Where the note "second" sits in the run's history (the ids move with how the engine batched the tasks): the
 * task that took it (last-good), its acceptance (reapplied by a reset) and its completion (where v2 diverges).
 */
function secondNote(h: JsonHistory): { lastGood: number; accepted: number; diverging: number; completedTasks: number[] } {
  const id = (e: JsonHistory['events'][number]) => Number(e.eventId);
  const accepted = h.events.find(
    (e) =>
      (e.workflowExecutionUpdateAcceptedEventAttributes as { protocolInstanceId?: string } | undefined)?.protocolInstanceId ===
      'note-second',
  )!;
  const completedTasks = h.events.filter((e) => e.eventType === 'EVENT_TYPE_WORKFLOW_TASK_COMPLETED').map(id);
  const diverging = h.events.find(
    (e) =>
      (e.workflowExecutionUpdateCompletedEventAttributes as { acceptedEventId?: string } | undefined)?.acceptedEventId === accepted.eventId,
  )!;
  return {
    lastGood: completedTasks.filter((t) => t < id(accepted)).pop()!,
    accepted: id(accepted),
    diverging: id(diverging),
    completedTasks,
  };
}
const eventTypes = (h: JsonHistory) => h.events.map((e) => e.eventType.replace('EVENT_TYPE_', ''));
const resetFailures = (h: JsonHistory) =>
  h.events.filter(
    (e) => (e.workflowTaskFailedEventAttributes as { cause?: string } | undefined)?.cause === 'WORKFLOW_TASK_FAILED_CAUSE_RESET_WORKFLOW',
  );

describe('a run stuck on a nondeterminism error', () => {
  let workflowId: string;
  let runId: string;
  let stuckHistory: JsonHistory;
  let at: ReturnType<typeof secondNote>;

  it('is detected and named by the table, the metric, readiness and the audit route, and no program resets it', async () => {
    ({ workflowId, runId } = await probeWithTwoNotes());
    at = secondNote((await fetchJsonHistory(client, workflowId, runId))!);
    await asMasslineWorker(async () => {
      // The note waits on a run that cannot move: sent without waiting for its answer.
      pending.push(
        client.workflow
          .getHandle(workflowId)
          .executeUpdate('note', { args: ['third'], updateId: 'note-third' })
          .catch(() => undefined),
      );
      const row = await eventually(async () => stuckRuns.get(runId), "the worker's detection to name the run", 90_000);
      expect(row).toMatchObject({
        workflowId,
        runId,
        workflowType: PROBE_TYPE,
        cause: NDE,
        source: 'history',
        divergingEventId: at.diverging,
        lastGoodEventId: at.lastGood,
      });
      expect(row.attempt).toBeGreaterThanOrEqual(2);
      expect(row.message).toMatch(
        new RegExp(`^\\[TMPRL1100\\] Nondeterminism error: .*HistoryEvent\\(id: ${at.diverging}, WorkflowExecutionUpdateCompleted\\)`),
      );
      expect(row.clearedAt).toBeUndefined();
      // Seen again by the next passes: the same episode (first seen kept).
      const again = await eventually(async () => {
        const r = (await stuckRuns.get(runId))!;
        return Date.parse(r.lastSeenAt) > Date.parse(row.lastSeenAt) && r;
      }, 'a later pass');
      expect(again.firstSeenAt).toBe(row.firstSeenAt);
      expect(again.clearedAt).toBeUndefined();

      // Readiness: still ready (a decision can be taken: v2 polls), the workflows check names the run.
      const ready = await eventually(
        async () => {
          const r = await api.call('GET', '/health/ready');
          return r.status === 200 && r;
        },
        'the API ready',
        30_000,
      );
      expect(Object.keys(ready.body.checks)).toEqual(['database', 'records', 'frontend', 'history', 'matching', 'worker', 'workflows']);
      expect(ready.body.checks.workflows).toMatch(
        new RegExp(
          `^stuck: 1 run whose workflow task keeps failing, left for an operator \\(massline audit reset\\): ${workflowId} \\(NON_DETERMINISTIC_ERROR, attempt \\d+, since ${row.firstSeenAt.replace(/[.]/g, '\\.')}\\)$`,
        ),
      );
      // The metric names it too (its value: the attempt), with the total.
      const metrics = String((await api.call('GET', '/metrics')).body);
      expect(metrics).toMatch(new RegExp(`^massline_workflow_stuck\\{workflow_id="${workflowId}",cause="${NDE}"\\} \\d+$`, 'm'));
      expect(metrics).toMatch(/^massline_workflows_stuck 1$/m);
      expect(Number(/^massline_stuck_run_last_pass_timestamp_seconds (\S+)$/m.exec(metrics)?.[1])).toBeGreaterThan(
        Date.parse(row.firstSeenAt) / 1000,
      );
      // The auditors' route lists it, with the detector's last pass.
      const page = await api.call('GET', '/api/audit/stuck-runs', { token: auditorToken });
      expect(page.status).toBe(200);
      expect(page.body).toMatchObject({
        total: 1,
        items: [{ workflowId, runId, cause: NDE, lastGoodEventId: at.lastGood, divergingEventId: at.diverging }],
        lastPass: { detector: 'probe-c', runsChecked: 1, stuck: 1 },
      });
      expect((await api.call('GET', '/api/audit/stuck-runs', { token: OFFICE_TOKEN })).status).toBe(200);

      // Nothing resets it: one run, still running, its history without a reset, no reset in the audit log.
      stuckHistory = (await fetchJsonHistory(client, workflowId, runId))!;
      expect(await runsOf(workflowId)).toEqual([{ runId, status: 'RUNNING' }]);
      expect(resetFailures(stuckHistory)).toEqual([]);
      expect((await api.call('GET', `/api/audit/resets?workflowId=${workflowId}`, { token: auditorToken })).body).toEqual({
        items: [],
        total: 0,
      });
    });
  });

  it('is diagnosed by a replay with the current build when its history records only a timeout (the first failure of its task)', async () => {
    const last = stuckHistory.events[stuckHistory.events.length - 1];
    expect(last.eventType).toBe('EVENT_TYPE_WORKFLOW_TASK_FAILED');
    const timedOut: JsonHistory = {
      events: [
        ...stuckHistory.events.slice(0, -1),
        {
          eventId: last.eventId,
          eventTime: last.eventTime,
          eventType: 'EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT',
          workflowTaskTimedOutEventAttributes: { timeoutType: 'TIMEOUT_TYPE_START_TO_CLOSE' },
        },
      ],
    };
    expect(await diagnoseByReplay(workflowId, timedOut, v2)).toMatchObject({
      cause: NDE,
      source: 'replay',
      divergingEventId: at.diverging,
      lastGoodEventId: at.lastGood,
    });
    // The build that wrote it replays it: no nondeterminism.
    expect(await diagnoseByReplay(workflowId, timedOut, v1)).toBeUndefined();
  });

  it('is reported by replay as a failure, like any divergence', async () => {
    const replay = await replayHistories(fetchHistories(client, [{ workflowId, runId }]), { bundle: v2 });
    expect(replay.failures).toEqual([expect.objectContaining({ workflowId, runId, kind: 'nondeterminism', eventId: at.diverging })]);
    expect(Object.keys(replay).sort()).toEqual(['events', 'failures', 'replayed', 'total']);
  });

  it('`massline audit reset --dry-run` changes nothing and lists what the reset would discard and reapply', async () => {
    const before = (await fetchJsonHistory(client, workflowId, runId))!;
    const dry = await massline('reset', workflowId, '--to', 'last-good', '--dry-run');
    expect(dry.err).toBe('');
    expect(dry.code).toBe(0);
    expect(dry.out).toContain(`${workflowId} run ${runId} (RUNNING, ${before.events.length} events)`);
    expect(dry.out).toContain(`its workflow task fails: ${NDE} at event ${before.events.length}: [TMPRL1100] Nondeterminism error:`);
    expect(dry.out).toContain(`reset to event ${at.lastGood} (last-good: before the first task the current build cannot replay)`);
    expect(dry.out).toMatch(
      new RegExp(
        `discards \\(1\\):\n {2}event ${at.lastGood} +workflow tasks +1 completed workflow task \\(from event ${at.lastGood} on\\)\n`,
      ),
    );
    expect(dry.out).toMatch(
      new RegExp(
        `reapplies \\(signals and Updates accepted after the point, given to the new run again\\) \\(1\\):\n {2}event ${at.accepted} +update +note \\(update note-second\\)`,
      ),
    );
    const confirmation = resetConfirmation({ runId, resetEventId: at.lastGood, historyLength: before.events.length });
    expect(dry.out).toContain(
      `dry run: nothing changed. To reset exactly this, run the same command with --confirm ${confirmation} --reason "…" instead of --dry-run`,
    );
    // Nothing changed: the same run, the same history length.
    expect((await fetchJsonHistory(client, workflowId, runId))!.events.length).toBe(before.events.length);
    expect(await runsOf(workflowId)).toEqual([{ runId, status: 'RUNNING' }]);

    const json = JSON.parse((await massline('reset', workflowId, '--to', String(at.lastGood), '--dry-run', '--json')).out);
    expect(json).toMatchObject({
      status: 'dry-run',
      confirmation,
      plan: {
        workflowId,
        runId,
        resetEventId: at.lastGood,
        requestId: resetRequestId(runId, at.lastGood),
        reapply: [{ eventId: at.accepted, kind: 'update' }],
      },
    });
  });

  it('refuses a reset to an event that is not a WorkflowTaskCompleted, naming the valid choices, one without a reason, and one whose plan the operator has not seen in a dry run (or that moved since)', async () => {
    const wrong = await massline('reset', workflowId, '--to', String(at.accepted), '--reason', 'try');
    expect(wrong.code).toBe(2);
    expect(wrong.err).toBe(
      `massline audit: --to ${at.accepted}: event ${at.accepted} is WORKFLOW_EXECUTION_UPDATE_ACCEPTED, not a WorkflowTaskCompleted; ` +
        `valid: last-good (event ${at.lastGood}), or a WorkflowTaskCompleted event: ${at.completedTasks.join(', ')} (${at.completedTasks.length} in all)\n`,
    );
    const noReason = await massline('reset', workflowId, '--to', 'last-good');
    expect(noReason.code).toBe(2);
    expect(noReason.err).toMatch(/a reset needs --reason/);
    // Only a plan the operator has seen: no dry run's code, or the code of another plan, resets nothing.
    const unseen = await massline('reset', workflowId, '--to', 'last-good', '--reason', 'no dry run');
    expect(unseen.code).toBe(2);
    expect(unseen.err).toMatch(/a reset needs --confirm <code>: run it with --dry-run first/);
    const events = (await fetchJsonHistory(client, workflowId, runId))!.events.length;
    const stale = resetConfirmation({ runId, resetEventId: at.lastGood, historyLength: events - 1 });
    const moved = await massline('reset', workflowId, '--to', 'last-good', '--confirm', stale, '--reason', 'an old dry run');
    expect(moved.code).toBe(2);
    expect(moved.err).toBe(
      `massline audit: --confirm ${stale} does not confirm this plan (${workflowId} run ${runId}, ${events} events, reset to event ${at.lastGood}): ` +
        'the run has moved since the dry run, or the dry run was of another reset point. Nothing was reset: run the dry run again.\n',
    );
    expect((await massline('reset', workflowId, '--to', 'last-good', '--dry-run', '--confirm', stale)).err).toMatch(
      /--confirm is for the reset itself/,
    );
    expect(await runsOf(workflowId)).toEqual([{ runId, status: 'RUNNING' }]);
  });

  it('is reset by the operator: the later decision is reapplied once, the workflow goes on, and the reset is in the audit log; the same command again resets nothing', async () => {
    const d = detector();
    await asMasslineWorker(async () => {
      const { confirmation } = JSON.parse((await massline('reset', workflowId, '--to', 'last-good', '--dry-run', '--json')).out);
      const reset = await massline(
        'reset',
        workflowId,
        '--to',
        'last-good',
        '--confirm',
        confirmation,
        '--reason',
        'v2 cannot replay the note "second"; its task runs again',
        '--by',
        'ops-anna',
      );
      expect(reset.err).toBe('');
      expect(reset.code).toBe(0);
      const newRunId = /reset: \S+ run \S+ → run (\S+), by ops-anna; recorded in the audit log \(entry \d+\)\./.exec(reset.out)?.[1];
      expect(newRunId).toBeDefined();

      // The new run takes the reapplied note "second", then "third" and "done": each note once.
      await note(workflowId, 'third');
      await note(workflowId, 'done');
      const result = await client.workflow.getHandle(workflowId).result();
      expect(result[0]).toBe('first');
      expect([...result].sort()).toEqual(['done', 'first', 'second', 'third']);
      const current = (await fetchJsonHistory(client, workflowId))!;
      expect(eventTypes(current).filter((t) => t === 'WORKFLOW_EXECUTION_UPDATE_ADMITTED')).toHaveLength(1);
      expect(resetFailures(current)).toHaveLength(1);
      expect((resetFailures(current)[0].workflowTaskFailedEventAttributes as { failure: { message: string } }).failure.message).toBe(
        'massline audit reset by ops-anna: v2 cannot replay the note "second"; its task runs again',
      );
      const old = (await fetchJsonHistory(client, workflowId, runId))!;
      expect(old.events[old.events.length - 1].eventType).toBe('EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED');
      expect((await runsOf(workflowId)).sort((a, b) => a.status.localeCompare(b.status))).toEqual([
        { runId: newRunId, status: 'COMPLETED' },
        { runId, status: 'TERMINATED' },
      ]);

      // Who, what, when, why.
      const resets = await api.call('GET', `/api/audit/resets?workflowId=${workflowId}`, { token: auditorToken });
      expect(resets.status).toBe(200);
      expect(resets.body).toMatchObject({
        total: 1,
        items: [
          {
            by: 'ops-anna',
            role: 'operator',
            workflowId,
            runId,
            newRunId,
            eventId: at.lastGood,
            reason: 'v2 cannot replay the note "second"; its task runs again',
            requestId: resetRequestId(runId, at.lastGood),
          },
        ],
      });
      expect(resets.body.items[0].detail).toMatchObject({
        to: 'last-good',
        cause: NDE,
        divergingEventId: at.diverging,
        reapplied: [{ eventId: at.accepted, kind: 'update' }],
      });
      expect(Date.parse(resets.body.items[0].at)).toBeGreaterThan(Date.parse(old.events[old.events.length - 2].eventTime));

      // Again: found done, nothing reset, nothing recorded twice.
      const again = await massline('reset', workflowId, '--to', 'last-good', '--reason', 'again', '--by', 'ops-anna');
      expect(again.code).toBe(0);
      expect(again.out).toBe(
        `${workflowId}: already reset — run ${runId} was reset to event ${at.lastGood} into run ${newRunId} by ops-anna at ${resets.body.items[0].at} (v2 cannot replay the note "second"; its task runs again). Nothing was reset now.\n`,
      );
      expect(await runsOf(workflowId)).toHaveLength(2);
      expect(resetFailures((await fetchJsonHistory(client, workflowId))!)).toHaveLength(1);
      expect((await api.call('GET', `/api/audit/resets?workflowId=${workflowId}`, { token: auditorToken })).body.total).toBe(1);

      // The detector clears the row: the run is no longer listed as open.
      const pass = await d.pass();
      expect(pass.stuck).toBe(0);
      expect((await stuckRuns.get(runId))!.clearedAt).toBeDefined();
      expect((await api.call('GET', '/health/ready')).body.checks.workflows).toBe('up');
      expect(String((await api.call('GET', '/metrics')).body)).toMatch(/^massline_workflows_stuck 0$/m);
      const cleared = await api.call('GET', '/api/audit/stuck-runs?includeCleared=true', { token: auditorToken });
      expect(cleared.body.items).toEqual([expect.objectContaining({ runId, clearedAt: expect.any(String) })]);
      expect((await api.call('GET', '/api/audit/stuck-runs', { token: auditorToken })).body).toMatchObject({ items: [], total: 0 });
      // Kept a while, then swept (here: kept no time at all).
      await detector({ clearedKeptMs: 0 }).pass();
      expect(await stuckRuns.get(runId)).toBeUndefined();
    });
  });
});

describe('a reset whose audit record was not written (the command died between the two)', () => {
  it('is recorded by the same command run again, which resets nothing', async () => {
    const { workflowId, runId } = await probeWithTwoNotes();
    await asMasslineWorker(async () => {
      pending.push(
        client.workflow
          .getHandle(workflowId)
          .executeUpdate('note', { args: ['third'], updateId: 'note-third' })
          .catch(() => undefined),
      );
      await eventually(async () => stuckRuns.get(runId), 'the run named stuck', 90_000);
    });
    // The engine reset the run, the audit log heard nothing of it.
    const history = (await fetchJsonHistory(client, workflowId, runId))!;
    const plan = planReset({ workflowId, runId, status: 'RUNNING', history, to: 'last-good' });
    const newRunId = await performReset(client, testServices().temporal.namespace, plan, { by: 'ops-ben', reason: 'first try' });
    expect((await api.call('GET', `/api/audit/resets?workflowId=${workflowId}`, { token: auditorToken })).body.total).toBe(0);

    const again = await massline(
      'reset',
      workflowId,
      '--to',
      'last-good',
      '--reason',
      'the reset of 10:02, recorded now',
      '--by',
      'ops-ben',
    );
    expect(again.code).toBe(0);
    expect(again.out).toBe(
      `${workflowId}: already reset — run ${runId} was reset to event ${plan.resetEventId} into run ${newRunId}; recorded in the audit log now. Nothing was reset now.\n`,
    );
    const resets = (await api.call('GET', `/api/audit/resets?workflowId=${workflowId}`, { token: auditorToken })).body;
    expect(resets).toMatchObject({
      total: 1,
      items: [
        {
          by: 'ops-ben',
          runId,
          newRunId,
          eventId: plan.resetEventId,
          reason: 'the reset of 10:02, recorded now',
          requestId: plan.requestId,
          detail: { recordedOnRepeat: true },
        },
      ],
    });
    expect(await runsOf(workflowId)).toHaveLength(2);
  });
});

describe('the detector', () => {
  it('runs in one worker at a time; another takes over when it stops', async () => {
    const a = detector({ identity: 'detector-a', passIntervalMs: 100 });
    const b = detector({ identity: 'detector-b', passIntervalMs: 100 });
    a.start();
    b.start();
    const holder = await eventually(() => (a.holdsLock ? a : b.holdsLock ? b : undefined), 'one detector to hold the lock');
    const other = holder === a ? b : a;
    const pass = await eventually(async () => {
      const last = await stuckRuns.lastPass();
      return last?.finishedAt ? last : undefined;
    }, 'a pass');
    expect(pass.detector).toBe(holder === a ? 'detector-a' : 'detector-b');
    expect(other.holdsLock).toBe(false);
    await holder.stop();
    await eventually(() => other.holdsLock, 'the other detector to take over');
    await eventually(
      async () => (await stuckRuns.lastPass())?.detector === (other === a ? 'detector-a' : 'detector-b'),
      'a pass by the other',
    );
    await other.stop();
  });

  it('describes the open runs at the rate it is given, at most', async () => {
    // Twelve open runs no worker takes (their first task waits): a pass at 20 describes per second takes ≥ 11/20 s.
    const ids = Array.from({ length: 12 }, () => `rate-probe-${randomUUID()}`);
    started.push(...ids);
    await Promise.all(
      ids.map((workflowId) =>
        client.workflow.start(PROBE_TYPE, { workflowId, taskQueue: taskQueue(), workflowExecutionTimeout: '10 minutes' }),
      ),
    );
    const d = detector({ describesPerSecond: 20 });
    const pass = await eventually(async () => {
      const p = await d.pass();
      return p.runsChecked >= 12 && p;
    }, 'the runs listed');
    expect(pass.durationMs).toBeGreaterThanOrEqual(Math.floor(((pass.runsChecked - 1) * 1000) / 20));
  });
});
