// The massline worker: the workflows of workflows/ and the activities of activities/ on one task queue.
// createMasslineWorker builds whatever it is not given (connections, data source, channels) and closes
// only what it built.
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, NativeConnection, Runtime, Worker, type Logger, type WorkflowBundle } from '@temporalio/worker';
import { OpenTelemetryActivityInboundInterceptor, OpenTelemetryActivityOutboundInterceptor } from '@temporalio/interceptors-opentelemetry';
import type { Resource } from '@opentelemetry/resources';
import type { SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { WORKFLOW_INTERCEPTOR_MODULES, workflowBundleOptions, workflowSinks } from '../../../libs/temporal/src/workflow-bundle';
import type { DataSource } from 'typeorm';
import { createActivities, channelsFromConfig, type Clock, type NotifierChannel } from '../../../activities';
import type { MasslineConfig } from '../../../libs/config/src';
import { createActivityRepositories, createDataSource, type ActivityFailureRepository } from '../../../libs/persistence/src';
import { decisionLogging } from './activity-interceptors';
import { failureTracking } from './failure-tracking';
import { StuckRunDetector, type StuckRunDetectorOptions } from './stuck-runs';

/**
 * The workflows' entry module: workflows/index.ts under ts (jest, ts-node) and dist/workflows/index.js when
 * compiled — the relative path from this file is the same in both trees.
 */
export function resolveWorkflowsPath(): string {
  return require.resolve('../../../workflows');
}

export { WORKFLOW_INTERCEPTOR_MODULES };

/** The workflows as the worker bundles them, interceptors included (for a worker given a prebuilt bundle). */
export const bundleMasslineWorkflows = (logger?: Logger): Promise<WorkflowBundle> =>
  bundleWorkflowCode({ ...workflowBundleOptions(resolveWorkflowsPath()), ...(logger ? { logger } : {}) });

/** How long a workflow task waits on a worker's sticky queue before it may go to any worker. */
export const STICKY_QUEUE_SCHEDULE_TO_START = '3s';

export interface MasslineWorkerOptions {
  config: MasslineConfig;
  /** Worker connection; made from config.temporal.address when absent (and closed by close()). */
  nativeConnection?: NativeConnection;
  /** Client the startBatchUnits activity starts unit workflows with; made when absent. */
  client?: Client;
  /** Made from config.database when absent; must have the migrations applied. */
  dataSource?: DataSource;
  /** Notifier channels; from config.notifier when absent (outbox, plus the webhook if configured). */
  channels?: NotifierChannel[];
  clock?: Clock;
  /** Defaults to config.temporal.taskQueue. */
  taskQueue?: string;
  /** A prebuilt bundle (tests build it once per file), else the workflows at workflowsPath are bundled. */
  workflowBundle?: WorkflowBundle;
  workflowsPath?: string;
  identity?: string;
  /** Told when the worker's own bookkeeping (e.g. recording a failing activity) fails. */
  onInternalError?: (what: string, error: unknown) => void;
  /** Told, while a shutdown takes longer than SHUTDOWN_REPORT_EVERY_MS, what it still waits for (each time again). */
  onSlowShutdown?: (waitingFor: ShutdownProgress) => void;
  /** How often that is (default SHUTDOWN_REPORT_EVERY_MS). */
  shutdownReportEveryMs?: number;
  /**
   * Stuck-run detection (apps/worker/src/stuck-runs.ts): where it logs (default: nowhere), and overrides of its
   * pace for tests; `false` runs none in this worker.
   */
  stuckRuns?:
    | false
    | (Pick<StuckRunDetectorOptions, 'log' | 'passIntervalMs' | 'workflowTypes'> &
        Partial<Pick<StuckRunDetectorOptions, 'attempts' | 'describesPerSecond'>>);
  /**
   * Where the workflows' spans go (the process's tracing, libs/telemetry): the workflow sandbox hands them to this
   * span processor through a sink. Without it they are dropped; the activities' spans go to the process's tracer.
   */
  tracing?: { spanProcessor: SpanProcessor; resource: Resource };
}

export interface MasslineWorker {
  worker: Worker;
  taskQueue: string;
  /** Names the runs whose workflow task keeps failing (one detector at a time across workers); resets nothing. */
  stuckRuns?: StuckRunDetector;
  /** Runs until shutdown() (or a shutdown signal), then closes what the worker opened. */
  run(): Promise<void>;
  /** Asks the worker to stop polling and finish what it is running. */
  shutdown(): void;
  /** Closes what createMasslineWorker opened itself; for a worker that was never run. */
  close(): Promise<void>;
}

/** What a worker runs on: what it was given, else its own (each registered in `opened`, to be closed). */
interface Connections {
  dataSource: DataSource;
  client: Client;
  nativeConnection: NativeConnection;
}

async function connect(options: MasslineWorkerOptions, opened: Array<() => Promise<void>>): Promise<Connections> {
  const { config } = options;
  let dataSource = options.dataSource;
  if (!dataSource) {
    const own = createDataSource(config, { applicationName: 'massline-worker' });
    await own.initialize();
    opened.push(() => own.destroy());
    dataSource = own;
  }
  let client = options.client;
  if (!client) {
    const connection = await Connection.connect({ address: config.temporal.address });
    opened.push(() => connection.close());
    client = new Client({ connection, namespace: config.temporal.namespace });
  }
  let nativeConnection = options.nativeConnection;
  if (!nativeConnection) {
    const own = await NativeConnection.connect({ address: config.temporal.address });
    opened.push(() => own.close());
    nativeConnection = own;
  }
  return { dataSource, client, nativeConnection };
}

/** The Temporal worker: the workflows of the bundle and the activities, with their interceptors and the workflows' sinks. */
function createTemporalWorker(
  options: MasslineWorkerOptions,
  o: {
    nativeConnection: NativeConnection;
    taskQueue: string;
    workflowBundle: WorkflowBundle;
    activities: ReturnType<typeof createActivities>;
    activityFailures: ActivityFailureRepository;
  },
): Promise<Worker> {
  const { config } = options;
  return Worker.create({
    connection: o.nativeConnection,
    namespace: config.temporal.namespace,
    taskQueue: o.taskQueue,
    workflowBundle: o.workflowBundle,
    activities: o.activities,
    interceptors: {
      // Outermost first: the activity's span, then its request id and trace on its log lines, then failure tracking.
      activity: [
        (ctx) => ({
          inbound: new OpenTelemetryActivityInboundInterceptor(ctx),
          outbound: new OpenTelemetryActivityOutboundInterceptor(ctx),
        }),
        decisionLogging,
        failureTracking(o.activityFailures, options.onInternalError),
      ],
    },
    sinks: workflowSinks(options.tracing),
    ...(options.identity ? { identity: options.identity } : {}),
    maxConcurrentActivityTaskExecutions: config.worker.maxConcurrentActivities,
    maxConcurrentWorkflowTaskExecutions: config.worker.maxConcurrentWorkflowTasks,
    maxCachedWorkflows: config.worker.maxCachedWorkflows,
    // For 10 s after a worker dies, the server still sends its cached workflows' tasks to its sticky queue,
    // where they wait this long before any worker may take them (the SDK's 10 s held rungs up that long).
    stickyQueueScheduleToStartTimeout: STICKY_QUEUE_SCHEDULE_TO_START,
    // Long enough for an in-flight projection or notification to finish on SIGTERM.
    shutdownGraceTime: '10s',
  });
}

/** The bundle given, else the workflows bundled here rather than by Worker.create: the stuck-run detector replays with the very same build. */
async function workflowBundleOf(options: MasslineWorkerOptions): Promise<WorkflowBundle> {
  return (
    options.workflowBundle ??
    bundleWorkflowCode({ ...workflowBundleOptions(options.workflowsPath ?? resolveWorkflowsPath()), logger: Runtime.instance().logger })
  );
}

/** How often a shutdown that has not finished says what it waits for. */
export const SHUTDOWN_REPORT_EVERY_MS = 10_000;

/** What a stopping worker still waits for: the SDK's state and its work in flight, and how long it has stopped. */
export interface ShutdownProgress {
  state: string;
  stoppingForMs: number;
  workflowActivations: number;
  activities: number;
  localActivities: number;
  cachedWorkflows: number;
  /** Whether the SDK worker has stopped and the stuck-run detector's pass is what remains. */
  stuckRunDetector: boolean;
}

/**
 * Reports a shutdown's progress every SHUTDOWN_REPORT_EVERY_MS from the moment the SDK worker leaves RUNNING (by
 * shutdown() or a signal) until `done()`: a shutdown that hangs then names what holds it, in the log.
 */
function watchShutdown(worker: Worker, report: (p: ShutdownProgress) => void, everyMs: number): { detectorStopping(): void; done(): void } {
  let since: number | undefined;
  let detector = false;
  let reports = 1;
  const timer = setInterval(() => {
    if (since === undefined) {
      if (worker.getState() !== 'RUNNING') since = Date.now();
      return;
    }
    const stoppingForMs = Date.now() - since;
    if (stoppingForMs < everyMs * reports) return;
    reports++;
    const status = worker.getStatus();
    report({
      state: worker.getState(),
      stoppingForMs,
      workflowActivations: status.numInFlightWorkflowActivations,
      activities: status.numInFlightNonLocalActivities,
      localActivities: status.numInFlightLocalActivities,
      cachedWorkflows: status.numCachedWorkflows,
      stuckRunDetector: detector,
    });
  }, everyMs / 10);
  timer.unref();
  return {
    detectorStopping: () => {
      detector = true;
      since ??= Date.now();
    },
    done: () => clearInterval(timer),
  };
}

/** The worker with its detector: run() runs both, then closes what was opened. */
function masslineWorker(
  worker: Worker,
  taskQueue: string,
  stuckRuns: StuckRunDetector | undefined,
  close: () => Promise<void>,
  shutdownReport?: { onSlowShutdown: (waitingFor: ShutdownProgress) => void; everyMs: number },
): MasslineWorker {
  return {
    worker,
    taskQueue,
    ...(stuckRuns ? { stuckRuns } : {}),
    run: async () => {
      stuckRuns?.start();
      const watch = shutdownReport ? watchShutdown(worker, shutdownReport.onSlowShutdown, shutdownReport.everyMs) : undefined;
      try {
        await worker.run();
      } finally {
        watch?.detectorStopping();
        await stuckRuns?.stop();
        await close();
        watch?.done();
      }
    },
    shutdown: () => {
      if (worker.getState() === 'RUNNING') worker.shutdown();
    },
    close,
  };
}

export async function createMasslineWorker(options: MasslineWorkerOptions): Promise<MasslineWorker> {
  const { config } = options;
  const taskQueue = options.taskQueue ?? config.temporal.taskQueue;
  const opened: Array<() => Promise<void>> = [];
  const close = async () => {
    for (const closeOne of opened.splice(0).reverse()) await closeOne().catch(() => undefined);
  };
  try {
    const { dataSource, client, nativeConnection } = await connect(options, opened);
    const repositories = createActivityRepositories(dataSource);
    const activities = createActivities({
      ...repositories,
      temporal: { client, taskQueue },
      channels: options.channels ?? channelsFromConfig(config),
      clock: options.clock,
    });
    const workflowBundle = await workflowBundleOf(options);
    const worker = await createTemporalWorker(options, {
      nativeConnection,
      taskQueue,
      workflowBundle,
      activities,
      activityFailures: repositories.activityFailures,
    });
    const stuckRuns =
      options.stuckRuns === false
        ? undefined
        : new StuckRunDetector({
            client,
            dataSource,
            namespace: config.temporal.namespace,
            taskQueue,
            identity: worker.options.identity,
            attempts: config.stuckRuns.attempts,
            describesPerSecond: config.stuckRuns.describesPerSecond,
            bundle: workflowBundle,
            ...options.stuckRuns,
          });
    const { onSlowShutdown, shutdownReportEveryMs = SHUTDOWN_REPORT_EVERY_MS } = options;
    return masslineWorker(worker, taskQueue, stuckRuns, close, onSlowShutdown && { onSlowShutdown, everyMs: shutdownReportEveryMs });
  } catch (error) {
    await close();
    throw error;
  }
}
