// Recovery of runs stuck on a nondeterminism error the SDK itself wrote (libs/audit/src/recovery.ts decides).
// The worker hears of such a run from the SDK's own log line ("Failing workflow task", or "Failing legacy
// query request" for a run no task has woken since; run id and failure),
// claims the run in PostgreSQL so that one worker acts, reads its history and either resets it to just before
// the task it cannot replay — the engine reapplies the signals and decisions accepted after it, and the
// activities are idempotent by workflow id and step, so nothing is done twice — or records why it is left
// to people. Either way the run is in workflow_recoveries, and each step is logged.
import { createHash } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { LogEntry, Logger } from '@temporalio/worker';
import Long from 'long';
import { diagnoseStuckRun, fetchJsonHistory, RECOVERY_RESET_REASON, type StuckRunDiagnosis } from '../../../libs/audit/src';
import type { WorkflowRecoveryRepository } from '../../../libs/persistence/src';

/** A claim of a worker that died before it settled the run may be taken again after this long. */
export const RECOVERY_CLAIM_STALE_MS = 60_000;

/**
 * Runs this worker has seen settled (by itself or another worker), remembered so that their next failing
 * tasks — a run left to people keeps failing, as do many after a bad deploy — cost no visibility list and no
 * claim. Bounded: the oldest are forgotten first, and cost one claim (refused) when heard of again.
 */
export const SETTLED_RUNS_REMEMBERED = 10_000;

export interface StuckRunRecoveryDeps {
  client: Client;
  namespace: string;
  recoveries: WorkflowRecoveryRepository;
  /** This worker's identity (who claimed) and build id (what replays). */
  identity: string;
  buildId: string;
  log: (level: 'info' | 'warn', message: string, meta: Record<string, unknown>) => void;
}

export interface RecoveryOutcome {
  workflowId: string;
  runId: string;
  diagnosis: StuckRunDiagnosis;
  newRunId?: string;
}

/** The core's lines for a replay that failed: a workflow task, or a query of a run no task woke since. */
const FAILING_REPLAY = new Set(['Failing workflow task', 'Failing legacy query request']);

/** A core line saying a run failed to replay with a nondeterminism error: its run id and the failure, or undefined. */
export function stuckRunOf(entry: Pick<LogEntry, 'message' | 'meta'>): { runId: string; failure: string } | undefined {
  if (!FAILING_REPLAY.has(entry.message)) return undefined;
  const meta = entry.meta ?? {};
  // Forwarded entries carry the core's fields in camelCase (runId); its console output spells them run_id.
  const runId = meta.runId ?? meta.run_id;
  const failure = String(meta.failure ?? '');
  return typeof runId === 'string' && /Nondeterminism/i.test(failure) ? { runId, failure } : undefined;
}

/** A logger that tells `onStuckRun` of every run the core fails to replay on nondeterminism, and logs on through `inner`. */
export function watchingLogger(inner: Logger, onStuckRun: (runId: string, failure: string) => void): Logger {
  const watch = (message: string, meta?: Record<string, unknown>) => {
    const stuck = stuckRunOf({ message, meta });
    if (stuck) onStuckRun(stuck.runId, stuck.failure);
  };
  return {
    log: (level, message, meta) => {
      watch(message, meta);
      inner.log(level, message, meta);
    },
    trace: (message, meta) => inner.trace(message, meta),
    debug: (message, meta) => inner.debug(message, meta),
    info: (message, meta) => inner.info(message, meta),
    warn: (message, meta) => {
      watch(message, meta);
      inner.warn(message, meta);
    },
    error: (message, meta) => inner.error(message, meta),
  };
}

/** Deterministic per run and reset point, so that the engine takes a repeated reset request once. */
const resetRequestId = (runId: string, eventId: number): string => {
  const h = createHash('sha256').update(`${runId}:${eventId}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
};

/** A set of at most `limit` keys; adding past it forgets the oldest. */
export class RecentSet {
  private readonly keys = new Set<string>();
  constructor(private readonly limit: number) {}
  has(key: string): boolean {
    return this.keys.has(key);
  }
  add(key: string): void {
    this.keys.delete(key);
    this.keys.add(key);
    if (this.keys.size > this.limit) this.keys.delete(this.keys.values().next().value!);
  }
  get size(): number {
    return this.keys.size;
  }
}

export class StuckRunRecovery {
  private readonly inFlight = new Map<string, Promise<RecoveryOutcome | undefined>>();
  private readonly settledRuns = new RecentSet(SETTLED_RUNS_REMEMBERED);

  constructor(private readonly deps: StuckRunRecoveryDeps) {}

  /** Called for every failing task or query (many per run): one recovery per run at a time, errors logged, retried at the next notice. */
  notice(runId: string, failure?: string): void {
    if (this.inFlight.has(runId) || this.settledRuns.has(runId)) return;
    const p = this.recover(runId, failure)
      .catch((error: unknown) => {
        this.deps.log('warn', 'could not recover a stuck run; trying again at its next failing task', { runId, error: String(error) });
        return undefined;
      })
      .finally(() => setTimeout(() => this.inFlight.delete(runId), 5_000).unref());
    this.inFlight.set(runId, p);
  }

  /** The build this recovery replays with (the worker's). */
  get buildId(): string {
    return this.deps.buildId;
  }

  /** Whether notices of the run are ignored now (it was settled). */
  isSettled(runId: string): boolean {
    return this.settledRuns.has(runId);
  }

  private remember(runId: string): void {
    this.settledRuns.add(runId);
  }

  /** Waits for the recoveries under way (tests, shutdown). */
  async settled(): Promise<void> {
    await Promise.all([...this.inFlight.values()]);
  }

  async recover(runId: string, reportedFailure?: string): Promise<RecoveryOutcome | undefined> {
    const { recoveries, identity } = this.deps;
    const workflowId = await this.workflowIdOf(runId);
    if (!workflowId) return undefined;
    const claim = await recoveries.claim(runId, workflowId, identity, RECOVERY_CLAIM_STALE_MS);
    if (claim !== 'claimed') {
      // Held by another worker: heard of again, it is tried again (that worker may die before it settles).
      if (claim === 'settled') this.remember(runId);
      return undefined;
    }
    const outcome = await this.decide(workflowId, runId, reportedFailure);
    this.remember(runId);
    return outcome;
  }

  private async decide(workflowId: string, runId: string, reportedFailure?: string): Promise<RecoveryOutcome> {
    const { client, namespace, recoveries, buildId, log } = this.deps;
    const history = await fetchJsonHistory(client, workflowId, runId);
    if (!history) throw new Error(`no history for ${workflowId} run ${runId}`);
    const diagnosis = diagnoseStuckRun(history, buildId, reportedFailure);
    if (diagnosis.verdict === 'closed') {
      await recoveries.settle(runId, { verdict: 'closed', reason: diagnosis.reason, failure: reportedFailure });
      log('warn', 'a closed run does not replay', { workflowId, runId, reason: diagnosis.reason });
      return { workflowId, runId, diagnosis };
    }
    if (diagnosis.verdict === 'leave') {
      await recoveries.settle(runId, { verdict: 'left', reason: diagnosis.reason, failure: diagnosis.failure, divergingEventId: diagnosis.divergingEventId });
      log('warn', 'stuck run left to people', { workflowId, runId, reason: diagnosis.reason, divergingEventId: diagnosis.divergingEventId });
      return { workflowId, runId, diagnosis };
    }
    const { runId: newRunId } = await client.workflowService.resetWorkflowExecution({
      namespace,
      workflowExecution: { workflowId, runId },
      reason: `${RECOVERY_RESET_REASON}; ${diagnosis.reason}`,
      workflowTaskFinishEventId: Long.fromNumber(diagnosis.resetEventId),
      requestId: resetRequestId(runId, diagnosis.resetEventId),
    });
    await recoveries.settle(runId, {
      verdict: 'reset',
      reason: diagnosis.reason,
      failure: diagnosis.failure,
      divergingEventId: diagnosis.divergingEventId,
      resetEventId: diagnosis.resetEventId,
      newRunId: newRunId ?? undefined,
    });
    log('warn', 'stuck run reset', { workflowId, runId, newRunId, resetEventId: diagnosis.resetEventId, divergingEventId: diagnosis.divergingEventId });
    return { workflowId, runId, diagnosis, ...(newRunId ? { newRunId } : {}) };
  }

  private async workflowIdOf(runId: string): Promise<string | undefined> {
    if (!/^[0-9a-f-]{36}$/i.test(runId)) return undefined;
    for await (const info of this.deps.client.workflow.list({ query: `RunId = '${runId}'` })) return info.workflowId;
    return undefined;
  }
}
