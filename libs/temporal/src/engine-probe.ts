// Whether the workflow engine can take a decision now, asked the cheap way: each call below exercises one part
// of the engine, so that a readiness answer names the part that is down. Used by the API's /health/ready (and
// its fail-fast on engine calls) and by `massline up` while it boots a cluster.
//   frontend  GetSystemInfo                                  answered by the frontend alone
//   history   DescribeWorkflowExecution of an id never used   the frontend asks the history shard that owns it
//   matching  DescribeTaskQueue of the task queue            the frontend asks the matching partition
//   worker    the same answer's pollers                      a worker polled the workflow task queue lately
import { isGrpcServiceError, type Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';

export type EnginePart = 'frontend' | 'history' | 'matching' | 'worker';
/** `up`, or `down: <why>` for each part. */
export type EngineChecks = Record<EnginePart, string>;

export interface EngineProbeOptions {
  namespace: string;
  taskQueue: string;
  /** Deadline of each call (the calls run side by side). */
  timeoutMs?: number;
  /**
   * A poller counts while its last poll began this recently. A polling worker renews its long poll at least
   * every ~70 s (the server holds a poll for a minute); a killed worker stays listed for minutes.
   */
  pollerFreshMs?: number;
  now?: () => number;
}

/** An id no workflow uses: asking for it reaches a history shard and comes back NOT_FOUND. */
export const HEALTH_PROBE_WORKFLOW_ID = '__massline_health_probe__';
export const DEFAULT_POLLER_FRESH_MS = 90_000;

/** gRPC status codes (the numbers are part of the gRPC protocol). */
const GRPC_STATUS = [
  'OK',
  'CANCELLED',
  'UNKNOWN',
  'INVALID_ARGUMENT',
  'DEADLINE_EXCEEDED',
  'NOT_FOUND',
  'ALREADY_EXISTS',
  'PERMISSION_DENIED',
  'RESOURCE_EXHAUSTED',
  'FAILED_PRECONDITION',
  'ABORTED',
  'OUT_OF_RANGE',
  'UNIMPLEMENTED',
  'INTERNAL',
  'UNAVAILABLE',
  'DATA_LOSS',
  'UNAUTHENTICATED',
];
const NOT_FOUND = 5;

type ProbeConnection = Pick<Connection, 'workflowService' | 'withDeadline'>;

const reason = (err: unknown): string => {
  if (isGrpcServiceError(err)) {
    const name = GRPC_STATUS[err.code] ?? String(err.code);
    return `${name}: ${err.details || err.message}`;
  }
  return err instanceof Error ? err.message : String(err);
};
const down = (why: string) => `down: ${why}`.slice(0, 300);
const isNamespaceNotFound = (err: unknown) => /namespace .* (is )?not found/i.test(reason(err));

/** Runs the probes side by side; never rejects. */
export async function probeEngine(connection: ProbeConnection, opts: EngineProbeOptions): Promise<EngineChecks> {
  const timeoutMs = opts.timeoutMs ?? 2_500;
  const fresh = opts.pollerFreshMs ?? DEFAULT_POLLER_FRESH_MS;
  const now = opts.now ?? Date.now;
  const call = <T>(fn: () => Promise<T>) => connection.withDeadline(now() + timeoutMs, fn);

  const frontend = call(() => connection.workflowService.getSystemInfo({})).then(
    () => 'up',
    (err) => down(reason(err)),
  );
  const history = call(() =>
    connection.workflowService.describeWorkflowExecution({
      namespace: opts.namespace,
      execution: { workflowId: HEALTH_PROBE_WORKFLOW_ID },
    }),
  ).then(
    () => 'up',
    (err) => {
      // NOT_FOUND for the workflow is the history shard's answer; for the namespace it is the frontend's.
      if (isGrpcServiceError(err) && err.code === NOT_FOUND && !isNamespaceNotFound(err)) return 'up';
      return down(reason(err));
    },
  );
  const taskQueue = call(() =>
    connection.workflowService.describeTaskQueue({
      namespace: opts.namespace,
      taskQueue: { name: opts.taskQueue, kind: temporal.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
      taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
    }),
  ).then(
    (answer) => ({ ok: true as const, answer }),
    (err: unknown) => ({ ok: false as const, err }),
  );
  const [frontendCheck, historyCheck, tq] = await Promise.all([frontend, history, taskQueue]);
  let matching: string;
  let worker: string;
  if (tq.ok) {
    matching = 'up';
    const seen = (tq.answer.pollers ?? []).map((p) => (p.lastAccessTime ? timestampMs(p.lastAccessTime) : 0));
    const latest = seen.length ? Math.max(...seen) : undefined;
    if (latest === undefined) worker = down(`no worker polls task queue ${opts.taskQueue}`);
    else if (now() - latest > fresh)
      worker = down(`no worker has polled task queue ${opts.taskQueue} in the last ${Math.round(fresh / 1000)} s`);
    else worker = 'up';
  } else {
    matching = down(reason(tq.err));
    worker = down('unknown: the task queue cannot be described');
  }
  return { frontend: frontendCheck, history: historyCheck, matching, worker };
}

function timestampMs(ts: { seconds?: unknown; nanos?: number | null }): number {
  const seconds = ts.seconds as number | { toNumber(): number } | null | undefined;
  const s = typeof seconds === 'number' ? seconds : seconds && typeof seconds === 'object' ? seconds.toNumber() : 0;
  return s * 1000 + Math.floor((ts.nanos ?? 0) / 1e6);
}

/** Whether the checks say the engine itself (not the worker) cannot run a call now. */
export function engineDown(checks: EngineChecks): string | undefined {
  const parts = (['frontend', 'history', 'matching'] as const).filter((p) => checks[p] !== 'up');
  return parts.length ? parts.map((p) => `${p} ${checks[p]}`).join('; ') : undefined;
}
