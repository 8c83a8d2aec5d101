// A decision's request id travels with it into the workflow history, in the Update's header, and on in the header
// of the projection activity it causes, whose log lines name the request.
// The history replays with the interceptors the workers run, as the audit's replays bundle them.
import { randomUUID } from 'node:crypto';
import { defaultPayloadConverter } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { bundleWorkflowCode, Runtime, Worker, type WorkflowBundle } from '@temporalio/worker';
import { bundleWorkflows, diagnoseByReplay, fetchJsonHistory, replayHistories } from '../../libs/audit/src';
import { workflowSinks } from '../../libs/temporal/src/workflow-bundle';
import { apiContextOf } from '../../apps/api/src/main';
import { createMasslineWorker } from '../../apps/worker/src/worker';
import { TRACING_PATCH } from '../../libs/temporal/src/workflow-interceptors';
import { unitWorkflowId } from '../../libs/domain/src';
import { requestIdOf } from '../../libs/temporal/src/request-id';
import { startApi, workflowBundle, type ApiUnderTest } from '../api/harness';
import { eventually } from '../support/eventually';
import { buildWorld, type World } from '../api/world';
import { ifSet } from '../support/if-set';

const EventType = temporal.api.enums.v1.EventType;
const quiet = {
  log: () => undefined,
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

let api: ApiUnderTest;
let world: World;

beforeAll(async () => {
  api = await startApi({ worker: true });
  world = await buildWorld(api);
});

afterAll(async () => {
  await ifSet(api)?.close();
});

type Event = temporal.api.history.v1.IHistoryEvent;
/** The activity type an event schedules, else undefined. */
const scheduledActivity = (e: Event): string | undefined => e.activityTaskScheduledEventAttributes?.activityType?.name ?? undefined;

it('carries the request id in the Update and on to the projection it causes, and replays with the interceptors (only)', async () => {
  const requestId = `decision-${randomUUID()}`;
  const decided = await api.call('POST', `/api/units/${world.unitA}/records`, {
    token: world.tokens.unitA,
    headers: { 'x-request-id': requestId },
    body: { kind: 'study', title: 'Study of the eight rules' },
  });
  expect(decided.status).toBe(201);

  const handle = apiContextOf(api.app).temporal.workflow.getHandle(unitWorkflowId(world.unitA));
  const { history, accepted } = await eventually(async () => {
    const history = await handle.fetchHistory();
    const events = history.events ?? [];
    const accepted = events.findIndex((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED);
    const projected = events.slice(accepted + 1).some((e) => scheduledActivity(e) === 'projectUnit');
    return accepted >= 0 && projected ? { history, accepted } : undefined;
  }, 'the projection after the decision');
  const events = history.events!;

  // The Update carries the request id of the HTTP call...
  const update = events[accepted].workflowExecutionUpdateAcceptedEventAttributes!.acceptedRequest!.input!;
  expect(update.name).toBe('addRecord');
  expect(requestIdOf(update.header?.fields ?? undefined)).toBe(requestId);
  // ...and on to the projection it causes: an activity the deciding task schedules (workflows/projection.ts), its
  // header carrying the same request id, so the activity's log lines name the request.
  const completedAfter = events.findIndex((e, i) => i > accepted && e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED);
  const projection = events.findIndex((e, i) => i > accepted && scheduledActivity(e) === 'projectUnit');
  expect(projection).toBeGreaterThan(accepted);
  expect(completedAfter === -1 || projection > completedAfter).toBe(true);
  expect(requestIdOf(events[projection].activityTaskScheduledEventAttributes!.header?.fields ?? undefined)).toBe(requestId);
  expect(events.filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_local_activity')).toEqual([]);

  // It replays with the workers' interceptors, as the audit's replay bundles them. Without them it would not: their
  // span ends an Update's handler a few microtasks later, which the history records (behind an SDK flag).
  await Worker.runReplayHistory({ workflowBundle: await workflowBundle(), sinks: workflowSinks() }, history, handle.workflowId);
  await expect(replayHistories([{ workflowId: handle.workflowId, history }], { bundle: await bundleWorkflows() })).resolves.toMatchObject({
    failures: [],
  });
  // The stuck-run detector's diagnosis replays it too, with the tracing interceptors' sink registered: an
  // unregistered one logs "Workflow referenced an unregistered external sink" at each span.
  const json = await fetchJsonHistory(apiContextOf(api.app).temporal, handle.workflowId);
  if (!json) throw new Error('no history to diagnose');
  const logged = jest.spyOn(Runtime.instance().logger, 'log');
  try {
    expect(await diagnoseByReplay(handle.workflowId, json, await workflowBundle())).toBeUndefined();
    expect(logged.mock.calls.filter(([level]) => level === 'ERROR').map(([, message]) => message)).toEqual([]);
  } finally {
    logged.mockRestore();
  }
  const plain: WorkflowBundle = await bundleWorkflowCode({ workflowsPath: require.resolve('../../workflows'), logger: quiet });
  await expect(Worker.runReplayHistory({ workflowBundle: plain }, history, handle.workflowId)).rejects.toThrow(/Nondeterminism/);
});

it('lets a run written before tracing go on with it: the run records the patch where it first met it, and replays', async () => {
  const plain: WorkflowBundle = await bundleWorkflowCode({ workflowsPath: require.resolve('../../workflows'), logger: quiet });
  const before = await startApi();
  try {
    const run = async (workflowBundle: WorkflowBundle) => {
      const worker = await createMasslineWorker({ config: before.config, workflowBundle, dataSource: apiContextOf(before.app).dataSource });
      const running = worker.run();
      return async () => {
        worker.shutdown();
        await running;
      };
    };
    // A worker of the build before: its runs know nothing of the interceptors.
    let stop = await run(plain);
    const w = await buildWorld(before);
    const record = (title: string) =>
      before.call('POST', `/api/units/${w.unitA}/records`, {
        token: w.tokens.unitA,
        headers: { 'x-request-id': `r-${randomUUID()}` },
        body: { kind: 'study', title },
      });
    expect((await record('before the upgrade')).status).toBe(201);
    await stop();
    // The build with them takes over the same runs (a fresh worker: it replays what the old one wrote).
    stop = await run(await workflowBundle());
    expect((await record('after the upgrade')).status).toBe(201);
    await stop();

    const handle = apiContextOf(before.app).temporal.workflow.getHandle(unitWorkflowId(w.unitA));
    const history = await handle.fetchHistory();
    const events = history.events!;
    const updates = events.flatMap((e, i) => (e.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED ? [i] : []));
    const patchOf = (e: Event) => {
      const payload = e.markerRecordedEventAttributes?.details?.['patch-data']?.payloads?.[0];
      return payload ? defaultPayloadConverter.fromPayload<{ id?: string }>(payload).id : undefined;
    };
    const marker = events.findIndex((e) => patchOf(e) === TRACING_PATCH);
    expect(updates).toHaveLength(2);
    // The patch is written after the first decision (the old build's), by the new build.
    expect(marker).toBeGreaterThan(updates[0]);
    await expect(replayHistories([{ workflowId: handle.workflowId, history }], { bundle: await bundleWorkflows() })).resolves.toMatchObject(
      { failures: [] },
    );
  } finally {
    await before.close();
  }
});

it("a traced Update ends when its handler does: an approval's answer comes before the timer it cancels, live and in replay", async () => {
  // The approval moves the unit to P2; its P1 window's ladder timer is cancelled in the same workflow task. Temporal's
  // own span wrapper ended the handler a few microtasks later only where an SDK flag (not always recorded) said so,
  // so the live run answered after the cancellation and a replay before it: a nondeterminism error.
  const U = `/api/units/${world.unitB}`;
  const as = (token: string) => (method: string, path: string, body?: unknown) => api.call(method, path, { token, body });
  const unit = as(world.tokens.unitB);
  expect((await unit('POST', `${U}/records`, { kind: 'study', title: 'Study' })).status).toBe(201);
  expect((await api.call('POST', `${U}/opinions`, { body: { text: 'Fewer meetings' } })).status).toBe(202);
  expect((await unit('POST', `${U}/records`, { kind: 'solicitation-report', title: 'Report' })).status).toBe(201);
  const transition = await unit('POST', `${U}/transitions`, { to: 'P2' });
  expect(transition.status).toBe(201);
  const approved = await as(world.tokens.supB)('POST', `${U}/transitions/${transition.body.id}/decision`, {
    approve: true,
    comment: 'P1 gate met',
  });
  expect(approved.status).toBe(200);

  const handle = apiContextOf(api.app).temporal.workflow.getHandle(unitWorkflowId(world.unitB));
  const history = await eventually(async () => {
    const h = await handle.fetchHistory();
    return h.events?.some((e) => e.eventType === EventType.EVENT_TYPE_TIMER_CANCELED) ? h : undefined;
  }, 'the P1 window timer cancelled');
  const events = history.events!;
  const names = (e: Event) => e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.name;
  const accepted = events.findIndex((e) => names(e) === 'approveTransition');
  const updateId = events[accepted].workflowExecutionUpdateAcceptedEventAttributes!.protocolInstanceId;
  const completed = events.findIndex((e) => e.workflowExecutionUpdateCompletedEventAttributes?.meta?.updateId === updateId);
  const cancelled = events.findIndex((e, i) => i > accepted && e.eventType === EventType.EVENT_TYPE_TIMER_CANCELED);
  expect(completed).toBeGreaterThan(accepted);
  expect(completed).toBeLessThan(cancelled);
  await expect(replayHistories([{ workflowId: handle.workflowId, history }], { bundle: await bundleWorkflows() })).resolves.toMatchObject({
    failures: [],
  });
});
