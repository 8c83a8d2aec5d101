// Detection of stuck runs: runs whose workflow task keeps failing (a nondeterminism error, a workflow that
// throws, a task no worker finishes). Nothing is reset here — a stuck run is named, in PostgreSQL, on the API's
// /metrics and /health/ready and at GET /api/audit/stuck-runs, and left for an operator (`massline audit reset`).
//
// One detector runs at a time across every worker process (a PostgreSQL advisory lock; a worker that dies
// lets go of it with its connection). A pass lists the task queue's open massline runs through visibility, page
// by page, and describes each at a bounded rate: a run whose pending workflow task has reached the configured
// attempt is read from its history (the last WorkflowTaskFailed's cause and message) — and, when that record
// does not say why (the engine records only a task's first failure), replayed once with this worker's build.
// Rows of runs that move again are cleared, and swept a week later.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { WorkflowBundle } from '@temporalio/worker';
import type { DataSource } from 'typeorm';
import {
  diagnoseByReplay,
  fetchJsonHistory,
  NONDETERMINISM_CAUSE,
  recordedTaskFailure,
  type StuckRunDiagnosis,
} from '../../../libs/audit/src';
import { ALL_WORKFLOW_TYPES } from '../../../libs/contracts/src';
import { PgStuckRunRepository, SessionLocks, type StuckRun, type StuckRunRepository } from '../../../libs/persistence/src';

/** The session lock held by the one detector running. */
export const STUCK_RUN_DETECTOR_LOCK = 'massline-stuck-run-detector';
/** A pass starts at most this often (start to start); a longer pass is followed by the next at once. */
export const STUCK_RUN_PASS_INTERVAL_MS = 30_000;
/** A cleared row is kept this long (who was stuck, when, why), then swept. */
export const CLEARED_STUCK_RUNS_KEPT_MS = 7 * 24 * 3_600_000;
/** Replays a pass may make to diagnose runs whose recorded failure does not say why (each costs CPU). */
export const REPLAYS_PER_PASS = 5;
/** Runs listed per visibility page. */
export const LIST_PAGE_SIZE = 1_000;
/** Describe calls in flight at once (the rate bounds them first). */
const DESCRIBES_IN_FLIGHT = 8;
/** Runs this detector has replayed already, remembered so that each is replayed once (bounded). */
const REPLAYED_REMEMBERED = 10_000;

export type DetectorLog = (level: 'info' | 'warn', message: string, meta: Record<string, unknown>) => void;

export interface StuckRunDetectorOptions {
  client: Client;
  dataSource: DataSource;
  namespace: string;
  /** The task queue whose runs are swept (every massline run is on it). */
  taskQueue: string;
  /** Who runs the pass (the worker's identity), recorded with it. */
  identity: string;
  /** A run is stuck once its pending workflow task reaches this attempt. */
  attempts: number;
  describesPerSecond: number;
  /** The build running now, to replay runs whose recorded failure does not say why; none: no replay. */
  bundle?: WorkflowBundle;
  /** Workflow types swept (default: massline's). */
  workflowTypes?: string[];
  passIntervalMs?: number;
  clearedKeptMs?: number;
  log?: DetectorLog;
}

export interface PassResult {
  runsChecked: number;
  stuck: number;
  newlyStuck: StuckRun[];
  cleared: number;
  swept: number;
  durationMs: number;
  /** Stopped before the list was done: nothing was cleared as unseen. */
  interrupted: boolean;
}

const quote = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

/** Spaces calls so that at most `perSecond` start in any second. */
class Pace {
  private next = 0;
  constructor(private readonly perSecond: number) {}
  async take(signal: AbortSignal): Promise<void> {
    const now = Date.now();
    const at = Math.max(now, this.next);
    this.next = at + 1000 / this.perSecond;
    if (at > now) await sleep(at - now, undefined, { signal }).catch(() => undefined);
  }
}

export class StuckRunDetector {
  readonly runs: StuckRunRepository;
  private readonly stopping = new AbortController();
  private loop?: Promise<void>;
  private lock?: SessionLocks;
  private readonly replayed = new Set<string>();

  constructor(private readonly o: StuckRunDetectorOptions) {
    this.runs = new PgStuckRunRepository(o.dataSource);
  }

  /** The visibility query of a pass: the task queue's open runs of the swept types. */
  get query(): string {
    const types = this.o.workflowTypes ?? ALL_WORKFLOW_TYPES;
    return `ExecutionStatus = 'Running' AND TaskQueue = ${quote(this.o.taskQueue)} AND WorkflowType IN (${types.map(quote).join(', ')})`;
  }

  /** Runs passes in the background while this detector holds the lock (tries for it every interval otherwise). */
  start(): void {
    this.loop ??= this.run();
  }

  /** Stops after the call in flight, lets go of the lock. */
  async stop(): Promise<void> {
    this.stopping.abort();
    await this.loop;
    await this.releaseLock();
  }

  /** Whether this detector holds the lock now (the one detector running). */
  get holdsLock(): boolean {
    return this.lock !== undefined;
  }

  private log(level: 'info' | 'warn', message: string, meta: Record<string, unknown>): void {
    this.o.log?.(level, message, meta);
  }

  private async run(): Promise<void> {
    const interval = this.o.passIntervalMs ?? STUCK_RUN_PASS_INTERVAL_MS;
    while (!this.stopping.signal.aborted) {
      const began = Date.now();
      try {
        if (await this.takeLock()) await this.pass();
      } catch (error) {
        this.log('warn', 'stuck-run detection pass failed; trying again at the next', { error: String(error) });
        await this.checkLock();
      }
      await sleep(Math.max(0, began + interval - Date.now()), undefined, { signal: this.stopping.signal }).catch(() => undefined);
    }
  }

  private async takeLock(): Promise<boolean> {
    if (this.lock) return this.checkLock();
    const locks = new SessionLocks(this.o.dataSource);
    try {
      if (await locks.tryLock(STUCK_RUN_DETECTOR_LOCK)) {
        this.lock = locks;
        this.log('info', 'stuck-run detection runs in this worker', { identity: this.o.identity });
        return true;
      }
    } catch (error) {
      this.log('warn', 'could not ask for the stuck-run detection lock', { error: String(error) });
    }
    await locks.release().catch(() => undefined);
    return false;
  }

  /** The lock lives as long as its connection: a broken one (PostgreSQL restarted) lost it. */
  private async checkLock(): Promise<boolean> {
    if (await this.lock?.alive()) return true;
    this.lock = undefined;
    return false;
  }

  private async releaseLock(): Promise<void> {
    const lock = this.lock;
    this.lock = undefined;
    if (!lock) return;
    await lock.unlock(STUCK_RUN_DETECTOR_LOCK).catch(() => undefined);
    await lock.release().catch(() => undefined);
  }

  /** One pass over the open runs (the loop calls it while holding the lock; tests and the bench call it directly). */
  async pass(): Promise<PassResult> {
    const { client, namespace, identity, attempts } = this.o;
    const started = new Date();
    await this.runs.passStarted(identity, started);
    // The runs stuck at the last pass: the only rows a run seen moving can clear.
    const wasStuck = await this.runs.stuckIndex();
    const pace = new Pace(this.o.describesPerSecond);
    const signal = this.stopping.signal;
    const result: PassResult = { runsChecked: 0, stuck: 0, newlyStuck: [], cleared: 0, swept: 0, durationMs: 0, interrupted: false };
    const moved: string[] = [];
    let replays = 0;

    const check = async (workflowId: string, runId: string, workflowType: string): Promise<void> => {
      let described: temporal.api.workflowservice.v1.DescribeWorkflowExecutionResponse;
      try {
        described = await client.workflowService.describeWorkflowExecution({ namespace, execution: { workflowId, runId } });
      } catch (error) {
        if ((error as { code?: number }).code === 5) {
          if (wasStuck.has(runId)) moved.push(runId);
          return;
        }
        throw error;
      }
      result.runsChecked++;
      const running =
        described.workflowExecutionInfo?.status === temporal.api.enums.v1.WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING;
      const attempt = described.pendingWorkflowTask?.attempt ?? 0;
      if (!running || attempt < attempts) {
        if (wasStuck.has(runId)) moved.push(runId);
        return;
      }
      result.stuck++;
      const known = wasStuck.get(runId);
      const rediagnose =
        known &&
        known.cause !== NONDETERMINISM_CAUSE &&
        known.source === 'history' &&
        this.o.bundle &&
        !this.replayed.has(runId) &&
        replays < REPLAYS_PER_PASS;
      if (known && !rediagnose) {
        await this.runs.seenAgain(runId, attempt);
        return;
      }
      const history = await fetchJsonHistory(client, workflowId, runId);
      if (!history) return;
      let diagnosis: StuckRunDiagnosis | undefined = recordedTaskFailure(history);
      if (diagnosis?.cause !== NONDETERMINISM_CAUSE && this.o.bundle && !this.replayed.has(runId) && replays < REPLAYS_PER_PASS) {
        replays++;
        this.remember(runId);
        diagnosis = (await diagnoseByReplay(workflowId, history, this.o.bundle)) ?? diagnosis;
      }
      const found = diagnosis ?? {
        cause: 'UNKNOWN',
        message: 'its history records no failure of the pending workflow task',
        source: 'history' as const,
      };
      const sighting = { workflowId, runId, workflowType, attempt, ...found };
      await this.runs.seen(sighting);
      if (!known) {
        const row = { ...sighting, firstSeenAt: new Date().toISOString(), lastSeenAt: new Date().toISOString() };
        result.newlyStuck.push(row);
        this.log('warn', 'stuck run: its workflow task keeps failing; left for an operator (massline audit reset)', {
          workflowId,
          runId,
          attempt,
          cause: found.cause,
          message: found.message.slice(0, 500),
          ...(found.lastGoodEventId !== undefined ? { lastGoodEventId: found.lastGoodEventId } : {}),
        });
      }
    };

    const inFlight = new Set<Promise<void>>();
    const failures: unknown[] = [];
    let nextPageToken: Uint8Array | undefined;
    do {
      const page = await client.workflowService.listWorkflowExecutions({
        namespace,
        query: this.query,
        pageSize: LIST_PAGE_SIZE,
        nextPageToken,
      });
      for (const info of page.executions ?? []) {
        if (signal.aborted) break;
        await pace.take(signal);
        const p = check(info.execution?.workflowId ?? '', info.execution?.runId ?? '', info.type?.name ?? '')
          .catch((error: unknown) => void failures.push(error))
          .finally(() => inFlight.delete(p));
        inFlight.add(p);
        if (inFlight.size >= DESCRIBES_IN_FLIGHT) await Promise.race(inFlight);
      }
      nextPageToken = page.nextPageToken?.length ? page.nextPageToken : undefined;
    } while (nextPageToken && !signal.aborted);
    await Promise.all(inFlight);
    result.interrupted = signal.aborted;
    if (failures.length) throw new Error(`${failures.length} runs could not be checked, e.g. ${String(failures[0])}`);

    result.cleared = await this.runs.moved(moved);
    // Rows of runs no longer listed as open (closed, reset, gone) were not seen by this pass.
    if (!result.interrupted) result.cleared += await this.runs.clearUnseenSince(started);
    result.swept = await this.runs.sweep(new Date(Date.now() - (this.o.clearedKeptMs ?? CLEARED_STUCK_RUNS_KEPT_MS)));
    result.durationMs = Date.now() - started.getTime();
    await this.runs.passFinished(identity, { runsChecked: result.runsChecked, stuck: result.stuck, durationMs: result.durationMs });
    return result;
  }

  private remember(runId: string): void {
    this.replayed.add(runId);
    if (this.replayed.size > REPLAYED_REMEMBERED) this.replayed.delete(this.replayed.values().next().value!);
  }
}
