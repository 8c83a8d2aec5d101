// Replaying recorded histories against the current workflow code: the proof that every recorded decision
// still follows from the rules as coded, and the guard that a code change does not break old histories.
import * as path from 'path';
import type { Client } from '@temporalio/client';
import { Worker as Thread } from 'node:worker_threads';
import { temporal } from '@temporalio/proto';
import { bundleWorkflowCode, Worker, type WorkflowBundle } from '@temporalio/worker';
import type { History } from './history-json';
import type { ReplayFailure } from '../../persistence/src';
import { ALL_WORKFLOW_TYPES } from '../../contracts/src';
import { workflowBundleOptions, workflowSinks } from '../../temporal/src/workflow-bundle';

const HistoryProto = temporal.api.history.v1.History;

export interface ReplaySelection {
  campaignId?: string;
  workflowIds?: string[];
  /** ISO times: workflows closed in [closedAfter, closedBefore]. */
  closedAfter?: string;
  closedBefore?: string;
}

export interface ExecutionRef {
  workflowId: string;
  runId?: string;
}

export type { ReplayFailure };

export interface ReplayProgress {
  total: number;
  replayed: number;
  /** Every divergence, whoever wrote the task the code disagrees with: none is filed apart. */
  failures: ReplayFailure[];
  events: number;
}

/** Path of the current workflow code (workflows/index). */
export const currentWorkflowsPath = (): string => require.resolve(path.resolve(__dirname, '../../../workflows'));

const quote = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

/** The visibility query of a selection (campaign search attribute, close-time range), or undefined for ids only. */
export function visibilityQuery(selection: ReplaySelection): string | undefined {
  const parts: string[] = [];
  if (selection.campaignId) parts.push(`MasslineCampaign = ${quote(selection.campaignId)}`);
  if (selection.closedAfter || selection.closedBefore) {
    parts.push(`ExecutionStatus != 'Running'`);
    if (selection.closedAfter) parts.push(`CloseTime >= ${quote(new Date(selection.closedAfter).toISOString())}`);
    if (selection.closedBefore) parts.push(`CloseTime <= ${quote(new Date(selection.closedBefore).toISOString())}`);
    if (!selection.campaignId) parts.push(`WorkflowType IN (${ALL_WORKFLOW_TYPES.map(quote).join(', ')})`);
  }
  return parts.length ? parts.join(' AND ') : undefined;
}

/**
 * The executions of a selection. Explicit ids are taken as given (their latest run, no visibility delay);
 * a campaign or a date range is listed through visibility, every run (continued-as-new runs too).
 */
export async function listExecutions(client: Client, selection: ReplaySelection): Promise<ExecutionRef[]> {
  const seen = new Set<string>();
  const out: ExecutionRef[] = [];
  const add = (ref: ExecutionRef) => {
    const key = `${ref.workflowId}\u0000${ref.runId ?? ''}`;
    if (!seen.has(key)) {
      seen.add(key);
      out.push(ref);
    }
  };
  const query = visibilityQuery(selection);
  const ids = selection.workflowIds ?? [];
  if (query) {
    for await (const info of client.workflow.list({ query })) {
      if (ids.length && !ids.includes(info.workflowId)) continue;
      add({ workflowId: info.workflowId, runId: info.runId });
    }
  } else {
    for (const workflowId of ids) add({ workflowId });
  }
  return out;
}

/**
 * Bundles the workflow code once (webpack), with the interceptors the workers run (a history written with them
 * replays only with them); reuse the bundle for every history of a job.
 */
export async function bundleWorkflows(workflowsPath: string = currentWorkflowsPath()): Promise<WorkflowBundle> {
  const quiet = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} };
  return bundleWorkflowCode({ ...workflowBundleOptions(workflowsPath), logger: quiet });
}

/**
 * Names the first diverging event of a replay error. The engine's message reads e.g.
 * `[TMPRL1100] Nondeterminism error: Activity machine does not handle this event: HistoryEvent(id: 27, TimerStarted)`.
 */
export function describeReplayError(error: unknown, history?: History): Pick<ReplayFailure, 'error' | 'eventId' | 'eventType' | 'kind'> {
  const raw = error instanceof Error ? error.message : String(error);
  // DeterminismViolationError lives in @temporalio/workflow, which is not loaded outside a workflow sandbox: match by name.
  const kind =
    (error as Error | undefined)?.name === 'DeterminismViolationError' || /nondetermin/i.test(raw) ? 'nondeterminism' : 'replay-error';
  const core = /\[TMPRL\d+\][^"]*/.exec(raw)?.[0] ?? /Nondeterminism error:[^"]*/.exec(raw)?.[0] ?? raw;
  const clean = core.replace(/\\"/g, '"').trim();
  const m = /HistoryEvent\(id: (\d+),?\s*([A-Za-z]+)?/.exec(raw) ?? /event(?:[ _]id)?[\s:#=]+(\d+)/i.exec(raw);
  // A patch marker the code no longer asks for is named by its change id only: the event is that marker.
  const patch = /patch marker encountered for change ([^\s,!]+)/.exec(raw)?.[1];
  const marker = !m && patch && history ? patchMarkerEvent(history, patch) : undefined;
  const eventId = m ? Number(m[1]) : marker;
  const eventType = m && m[2] ? m[2] : marker !== undefined ? 'MarkerRecorded' : undefined;
  const where = eventId !== undefined ? ` (first diverging event: ${eventId}${eventType ? ` ${eventType}` : ''})` : '';
  return { error: `${clean}${where}`, kind, ...(eventId !== undefined ? { eventId } : {}), ...(eventType ? { eventType } : {}) };
}

/** The id of the marker event that recorded `patchId` (a `patched()` call), if the history has one. */
export function patchMarkerEvent(history: History, patchId: string): number | undefined {
  for (const event of history.events ?? []) {
    const details = event.markerRecordedEventAttributes?.details;
    const data = details?.['patch-data']?.payloads?.[0]?.data;
    if (!data) continue;
    try {
      if ((JSON.parse(Buffer.from(data).toString('utf8')) as { id?: string }).id === patchId) return Number(event.eventId);
    } catch {
      // not a patch marker of the SDK's form
    }
  }
  return undefined;
}

export interface ReplayItem {
  workflowId: string;
  runId?: string;
  history: History;
}

export interface ReplayOptions {
  bundle: WorkflowBundle;
  /**
   * Replay workers run side by side, each in a worker thread of its own and taking the next history from the
   * shared source (each replays one history at a time), so that they use as many cores. Defaults to 1: one
   * replay worker, in this thread. The machine's cores bound what more can give.
   */
  concurrency?: number;
  /** Called after each history; `failure` is set when it diverged. */
  onResult?: (result: { workflowId: string; runId?: string; events: number; failure?: ReplayFailure }) => void | Promise<void>;
}

type Source = AsyncIterable<ReplayItem | ReplayFailure> | Iterable<ReplayItem | ReplayFailure>;

/** One iterator shared by several consumers: each `next()` hands out the following item exactly once. */
function shared(source: Source): () => Promise<IteratorResult<ReplayItem | ReplayFailure>> {
  const it: AsyncIterator<ReplayItem | ReplayFailure> | Iterator<ReplayItem | ReplayFailure> =
    Symbol.asyncIterator in source
      ? (source as AsyncIterable<ReplayItem | ReplayFailure>)[Symbol.asyncIterator]()
      : (source as Iterable<ReplayItem | ReplayFailure>)[Symbol.iterator]();
  let chain: Promise<unknown> = Promise.resolve();
  return () => {
    const next = chain.then(() => it.next());
    chain = next.catch(() => undefined);
    return next;
  };
}

/**
 * Replays histories in replay workers (runReplayHistories), collecting every failure with its workflow id
 * and first diverging event. A history that could not be fetched arrives as a failure and is passed through.
 */
export async function replayHistories(histories: Source, options: ReplayOptions): Promise<ReplayProgress> {
  const progress: ReplayProgress = { total: 0, replayed: 0, failures: [], events: 0 };
  const take = shared(histories);

  const record = async (workflowId: string, runId: string | undefined, events: number, failure?: ReplayFailure) => {
    progress.total++;
    progress.replayed++;
    progress.events += events;
    if (failure) progress.failures.push(failure);
    await options.onResult?.({ workflowId, runId, events, ...(failure ? { failure } : {}) });
  };

  async function pipeline(): Promise<void> {
    // The replayer answers with the workflow id only: remember what was fed, in order (one at a time).
    let current: ReplayItem | undefined;
    async function* feed(): AsyncGenerator<{ workflowId: string; history: History }> {
      for (;;) {
        const next = await take();
        if (next.done) return;
        const item = next.value;
        if ('kind' in item) {
          await record(item.workflowId, item.runId, 0, item);
          continue;
        }
        current = item;
        yield { workflowId: item.workflowId, history: item.history };
      }
    }
    for await (const result of Worker.runReplayHistories({ workflowBundle: options.bundle, sinks: workflowSinks() }, feed())) {
      const item = current;
      // The replayer answers only for what it was fed.
      if (!item) throw new Error('the replayer answered before it was given a history');
      const diverged = result.error
        ? { workflowId: item.workflowId, runId: item.runId ?? result.runId, ...describeReplayError(result.error, item.history) }
        : undefined;
      await record(item.workflowId, item.runId, item.history.events?.length ?? 0, diverged);
    }
  }

  const workers = Math.max(1, options.concurrency ?? 1);
  if (workers === 1) await pipeline();
  else await Promise.all(Array.from({ length: workers }, () => threadPipeline(options.bundle, take, record)));
  return progress;
}

/** Histories a replay thread holds at once: the next one is there when it finishes one. */
const THREAD_QUEUE = 2;

/** The next history (or fetch failure) from the source the replay workers share. */
type Take = () => Promise<IteratorResult<ReplayItem | ReplayFailure>>;

/** Counts one history as replayed, with its failure if it diverged or could not be fetched. */
type RecordResult = (workflowId: string, runId: string | undefined, events: number, failure?: ReplayFailure) => Promise<void>;

/**
 * One replay worker in a worker thread of its own: histories go to it encoded (transferred, not copied), and
 * its answers come back one per history, in order.
 */
async function threadPipeline(bundle: WorkflowBundle, take: Take, record: RecordResult): Promise<void> {
  const thread = startReplayThread(bundle);
  const inbox = listen(thread);
  const sent: ReplayItem[] = [];
  const feedOne = () => feedThread(thread, sent, take, record);
  try {
    let more = true;
    while (more && sent.length < THREAD_QUEUE) more = await feedOne();
    while (sent.length) {
      while (!inbox.answers.length && !inbox.failed && !inbox.done) await inbox.next();
      if (inbox.failed) throw inbox.failed;
      const answer = inbox.answers.shift();
      if (!answer) throw new Error('a replay thread ended before answering');
      const item = sent.shift();
      if (!item) throw new Error('a replay thread answered a history it was not sent');
      if (more) more = await feedOne();
      await record(item.workflowId, item.runId, item.history.events?.length ?? 0, threadDivergence(item, answer));
    }
  } finally {
    await stopThread(thread, inbox);
  }
}

/** The thread of one replay worker, given the bundle and the SDK's modules as the main thread resolved them. */
function startReplayThread(bundle: WorkflowBundle): Thread {
  return new Thread(REPLAY_THREAD, {
    eval: true,
    workerData: {
      bundle: 'code' in bundle ? { code: bundle.code } : bundle,
      modules: {
        worker: require.resolve('@temporalio/worker'),
        proto: require.resolve('@temporalio/proto'),
        otel: require.resolve('@temporalio/interceptors-opentelemetry'),
        traceBase: require.resolve('@opentelemetry/sdk-trace-base'),
        resources: require.resolve('@opentelemetry/resources'),
      },
    },
  });
}

/** A replay thread's answer to one history: its error, if the history diverged. */
interface ThreadAnswer {
  error?: string;
  name?: string;
}

/**
 * What a replay thread has said so far. Set by the thread's events (read as properties: the compiler cannot see
 * callbacks change locals).
 */
interface ThreadInbox {
  readonly answers: ThreadAnswer[];
  done: boolean;
  failed?: Error;
  /** Resolves at the thread's next answer, error or exit. */
  next(): Promise<void>;
}

function listen(thread: Thread): ThreadInbox {
  let wake: (() => void) | undefined;
  const inbox: ThreadInbox = { answers: [], done: false, next: () => new Promise<void>((resolve) => (wake = resolve)) };
  thread.on('message', (m: ThreadAnswer) => {
    inbox.answers.push(m);
    wake?.();
  });
  thread.on('error', (e) => {
    inbox.failed = e;
    wake?.();
  });
  thread.on('exit', () => {
    inbox.done = true;
    wake?.();
  });
  return inbox;
}

/**
 * Sends the thread the next history (fetch failures on the way are recorded, not sent); false when the source
 * has no more.
 */
async function feedThread(thread: Thread, sent: ReplayItem[], take: Take, record: RecordResult): Promise<boolean> {
  for (;;) {
    const next = await take();
    if (next.done) return false;
    const item = next.value;
    if ('kind' in item) {
      await record(item.workflowId, item.runId, 0, item);
      continue;
    }
    const bytes = HistoryProto.encode(item.history).finish();
    sent.push(item);
    thread.postMessage({ workflowId: item.workflowId, bytes }, [bytes.buffer as ArrayBuffer]);
    return true;
  }
}

/** The failure a thread's answer reports for a history, if it diverged. */
function threadDivergence(item: ReplayItem, answer: ThreadAnswer): ReplayFailure | undefined {
  const error = answer.error === undefined ? undefined : Object.assign(new Error(answer.error), { name: answer.name ?? 'Error' });
  return error
    ? { workflowId: item.workflowId, ...(item.runId ? { runId: item.runId } : {}), ...describeReplayError(error, item.history) }
    : undefined;
}

/**
 * Told it is over, the thread ends its replay worker and its runtime and exits; a thread that does not (it
 * failed) is stopped.
 */
async function stopThread(thread: Thread, inbox: ThreadInbox): Promise<void> {
  if (!inbox.done && !inbox.failed) {
    thread.postMessage({ end: true });
    const ended = new Promise<void>((resolve) => thread.once('exit', () => resolve()));
    await Promise.race([ended, new Promise((resolve) => setTimeout(resolve, THREAD_EXIT_MS).unref())]);
  }
  await thread.terminate();
}

/** How long a replay thread may take to close its runtime once told it is over. */
const THREAD_EXIT_MS = 5_000;

/**
 * The replay thread: a replay worker of the SDK fed from the thread's messages, answering each history with its
 * error (if it diverged). Plain JavaScript run with `eval`, so that it runs the same under ts-node and jest as
 * compiled; it requires the SDK by the paths the main thread resolved.
 */
const REPLAY_THREAD = `
const { parentPort, workerData } = require('node:worker_threads');
const { Worker, Runtime, DefaultLogger } = require(workerData.modules.worker);
const proto = require(workerData.modules.proto);
try { Runtime.install({ logger: new DefaultLogger('ERROR'), telemetryOptions: { logging: { filter: { core: 'ERROR', other: 'ERROR' }, forward: {} } } }); } catch {}
// The sinks of workflowSinks() (libs/temporal/src/workflow-bundle.ts) without a tracer: a replay exports nothing.
const { makeWorkflowExporter } = require(workerData.modules.otel);
const { NoopSpanProcessor } = require(workerData.modules.traceBase);
const { Resource } = require(workerData.modules.resources);
const sinks = { exporter: makeWorkflowExporter(new NoopSpanProcessor(), Resource.empty()) };
const queue = [];
let wake;
parentPort.on('message', (m) => { queue.push(m); if (wake) wake(); });
async function* feed() {
  for (;;) {
    while (!queue.length) await new Promise((resolve) => (wake = resolve));
    const m = queue.shift();
    if (m.end) return;
    yield { workflowId: m.workflowId, history: proto.temporal.api.history.v1.History.decode(m.bytes) };
  }
}
(async () => {
  for await (const result of Worker.runReplayHistories({ workflowBundle: workerData.bundle, sinks }, feed())) {
    parentPort.postMessage(result.error ? { error: String(result.error && result.error.message || result.error), name: result.error && result.error.name } : {});
  }
  await Runtime.instance().shutdown().catch(() => undefined);
  parentPort.close();
})().catch((e) => { throw e; });
`;

/**
 * Fetches histories with bounded concurrency, in order, ahead of the replayer. A history that cannot be
 * fetched becomes a failure rather than stopping the job.
 */
export async function* fetchHistories(client: Client, refs: ExecutionRef[], concurrency = 8): AsyncGenerator<ReplayItem | ReplayFailure> {
  const fetchOne = async (ref: ExecutionRef): Promise<ReplayItem | ReplayFailure> => {
    try {
      const history = await client.workflow.getHandle(ref.workflowId, ref.runId).fetchHistory();
      return { workflowId: ref.workflowId, runId: ref.runId, history };
    } catch (error) {
      return {
        workflowId: ref.workflowId,
        runId: ref.runId,
        error: `could not fetch history: ${error instanceof Error ? error.message : String(error)}`,
        kind: 'fetch-error',
      };
    }
  };
  const inFlight: Array<Promise<ReplayItem | ReplayFailure>> = [];
  let next = 0;
  while (next < refs.length && inFlight.length < concurrency) inFlight.push(fetchOne(refs[next++]));
  while (inFlight.length) {
    const first = inFlight.shift();
    if (!first) break;
    const item = await first;
    if (next < refs.length) inFlight.push(fetchOne(refs[next++]));
    yield item;
  }
}

export interface ReplaySelectionOptions {
  client: Client;
  selection: ReplaySelection;
  /** Defaults to the current workflow code; a bundle may be passed to reuse one. */
  bundle?: WorkflowBundle;
  workflowsPath?: string;
  fetchConcurrency?: number;
  /** Replay workers side by side (see ReplayOptions.concurrency). */
  concurrency?: number;
  /** After listing (replayed 0) and after every history. */
  onProgress?: (progress: ReplayProgress, last?: { workflowId: string; failure?: ReplayFailure }) => void | Promise<void>;
}

/** Lists a selection's executions, bundles the current workflow code once, fetches and replays every history. */
export async function replaySelection(options: ReplaySelectionOptions): Promise<ReplayProgress> {
  const refs = await listExecutions(options.client, options.selection);
  const live: ReplayProgress = { total: refs.length, replayed: 0, failures: [], events: 0 };
  await options.onProgress?.(live);
  if (!refs.length) return live;
  const bundle = options.bundle ?? (await bundleWorkflows(options.workflowsPath));
  const result = await replayHistories(fetchHistories(options.client, refs, options.fetchConcurrency), {
    bundle,
    concurrency: options.concurrency,
    onResult: async (r) => {
      live.replayed++;
      live.events += r.events;
      if (r.failure) live.failures.push(r.failure);
      await options.onProgress?.(live, { workflowId: r.workflowId, ...(r.failure ? { failure: r.failure } : {}) });
    },
  });
  return { ...result, total: refs.length };
}
