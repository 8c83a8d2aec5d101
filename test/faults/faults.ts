// Faults on a running `massline up`, each done to the real processes by pid and recorded with the moment it
// began and the moment the system was back:
// - worker: SIGKILL (or SIGTERM); massline up starts it again; back when the new worker polls the task queue.
// - temporal: the dev server stopped (SIGTERM) or killed (SIGKILL); massline up starts it again on the same
//   SQLite file; back when it serves the namespace and a worker polls it again.
// - postgres frozen: SIGSTOP to the server and every backend for a while, then SIGCONT (massline up supervises
//   exits, and a stopped process has not exited: it does not fight this); back at SIGCONT.
// - postgres restarted: SIGINT (fast shutdown, as `pg_ctl stop -m fast`); massline up starts it again; back when
//   it answers.
// - api: SIGKILL while requests are in flight; massline up starts it again; back when /health/live answers.
// massline up gives up on a piece that crashes 5 times within 120 s, so a kill waits until that piece has
// crashed at most twice in the last 125 s.
import * as fs from 'fs';
import { Client } from 'pg';
import { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { CRASH_WINDOW_MS } from '../../apps/cli/src/supervisor';
import type { RunningMassline } from '../support/massline-up';
import { sleep } from '../support/massline-up';
import type { Outage } from './ledger';

export type FaultName = 'worker' | 'temporal-stop' | 'temporal-kill' | 'postgres-freeze' | 'postgres-restart' | 'api';

/** A small seeded generator (mulberry32), so that a run's fault schedule can be replayed from its seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z';
  } catch {
    return false;
  }
}

/** The pids whose parent is `pid` (PostgreSQL's backends and auxiliary processes). */
function childrenOf(pid: number): number[] {
  const found: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (Number(/PPid:\s+(\d+)/.exec(fs.readFileSync(`/proc/${entry}/status`, 'utf8'))?.[1]) === pid) found.push(Number(entry));
    } catch {
      /* gone */
    }
  }
  return found;
}

export interface FaultLog {
  (line: string): void;
}

export class FaultInjector {
  readonly outages: Outage[] = [];
  private connection?: Connection;
  private frozen: number[] = [];

  constructor(
    private readonly up: RunningMassline,
    private readonly log: FaultLog,
    private readonly opts: { namespace: string; taskQueue: string; inFlight: () => number; patienceMs?: number },
  ) {}

  private get patience(): number {
    return this.opts.patienceMs ?? 300_000;
  }

  private async until<T>(what: string, probe: () => T | undefined | Promise<T | undefined>): Promise<T> {
    const deadline = Date.now() + this.patience;
    for (;;) {
      try {
        const v = await probe();
        if (v !== undefined) return v;
      } catch {
        /* not yet */
      }
      if (Date.now() > deadline) throw new Error(`fault suite: timed out waiting for ${what}`);
      await sleep(100);
    }
  }

  /** Crashes of `name` that massline up counted in its window (its own lines say so). */
  private crashesOf(name: string, sinceMs: number): number {
    return this.up.lines().filter((l) => l.at >= sinceMs && l.text.includes(`] ${name} exited unexpectedly`)).length;
  }

  /** Waits until killing `name` once more cannot make massline up give up on it. */
  private async crashBudget(name: string): Promise<void> {
    await this.until(`room in ${name}'s crash budget`, () =>
      this.crashesOf(name, Date.now() - CRASH_WINDOW_MS - 5_000) <= 2 ? true : undefined,
    );
  }

  private currentPid(name: string): number | undefined {
    try {
      const pid = this.up.pid(name);
      return processAlive(pid) ? pid : undefined;
    } catch {
      return undefined;
    }
  }

  /** A pid of `name` other than `old`, alive. */
  private restarted(name: string, old: number): Promise<number> {
    return this.until(`massline up to start ${name} again`, () => {
      const pid = this.currentPid(name);
      return pid !== undefined && pid !== old ? pid : undefined;
    });
  }

  private async temporalConnection(): Promise<Connection> {
    this.connection ??= await Connection.connect({ address: this.up.temporalAddress, connectTimeout: 2_000 });
    return this.connection;
  }

  /** Whether the worker process `pid` polls the workflow task queue (its SDK identity is `<pid>@<host>`). */
  private async polls(pid: number): Promise<boolean> {
    const connection = await this.temporalConnection();
    const { pollers } = await connection.withDeadline(Date.now() + 3_000, () =>
      connection.workflowService.describeTaskQueue({
        namespace: this.opts.namespace,
        taskQueue: { name: this.opts.taskQueue },
        taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
      }),
    );
    return pollers.some((p) => p.identity?.startsWith(`${pid}@`));
  }

  private async workerPolling(): Promise<number> {
    return this.until('a worker polling the task queue', async () => {
      const pid = this.currentPid('worker');
      return pid !== undefined && (await this.polls(pid)) ? pid : undefined;
    });
  }

  private record(o: Outage): Outage {
    this.outages.push(o);
    this.log(`${o.what} ${o.how}: back after ${((o.to - o.from) / 1000).toFixed(1)} s`);
    return o;
  }

  /** SIGKILL, or SIGTERM (the worker stops gracefully: in-flight tasks finish, its sticky queue is given up). */
  async killWorker(signal: 'SIGKILL' | 'SIGTERM' = 'SIGKILL'): Promise<Outage> {
    await this.crashBudget('worker');
    const pid = await this.workerPolling();
    const from = Date.now();
    process.kill(pid, signal);
    await this.restarted('worker', pid);
    await this.workerPolling();
    return this.record({ what: 'worker', how: `${signal} (pid ${pid})`, from, to: Date.now() });
  }

  async stopTemporal(signal: 'SIGTERM' | 'SIGKILL'): Promise<Outage> {
    await this.crashBudget('temporal');
    const pid = this.currentPid('temporal');
    if (pid === undefined) throw new Error('no Temporal dev server to stop');
    const from = Date.now();
    process.kill(pid, signal);
    await this.restarted('temporal', pid);
    await this.until('Temporal serving again', async () => {
      const connection = await this.temporalConnection();
      await connection.withDeadline(Date.now() + 3_000, () =>
        connection.workflowService.describeNamespace({ namespace: this.opts.namespace }),
      );
      return true;
    });
    await this.workerPolling();
    return this.record({
      what: 'temporal',
      how: signal === 'SIGTERM' ? 'stopped (SIGTERM), restarted on its file' : 'killed (SIGKILL), restarted on its file',
      from,
      to: Date.now(),
    });
  }

  async freezePostgres(ms: number): Promise<Outage> {
    const postmaster = this.currentPid('postgres');
    if (postmaster === undefined) throw new Error('no PostgreSQL to freeze');
    const from = Date.now();
    // The server first, so that it starts no new backend meanwhile; then every process it started.
    this.frozen = [postmaster];
    process.kill(postmaster, 'SIGSTOP');
    for (const pid of childrenOf(postmaster)) {
      try {
        process.kill(pid, 'SIGSTOP');
        this.frozen.push(pid);
      } catch {
        /* gone */
      }
    }
    const processes = this.frozen.length;
    try {
      await sleep(ms); // the outage itself: it lasts this long whatever the rest does
    } finally {
      this.thaw();
    }
    return this.record({
      what: 'postgres',
      how: `frozen ${Math.round(ms / 1000)} s (SIGSTOP, ${processes} processes)`,
      from,
      to: Date.now(),
    });
  }

  /** SIGCONT to what freezePostgres stopped (also on the way out of a failing test). */
  thaw(): void {
    for (const pid of this.frozen.splice(0).reverse()) {
      try {
        process.kill(pid, 'SIGCONT');
      } catch {
        /* gone */
      }
    }
  }

  async restartPostgres(): Promise<Outage> {
    await this.crashBudget('postgres');
    const pid = this.currentPid('postgres');
    if (pid === undefined) throw new Error('no PostgreSQL to stop');
    const from = Date.now();
    process.kill(pid, 'SIGINT');
    await this.restarted('postgres', pid);
    await this.until('PostgreSQL answering again', async () => {
      const client = new Client({ connectionString: this.up.databaseUrl, connectionTimeoutMillis: 2_000 });
      client.on('error', () => undefined);
      try {
        await client.connect();
        await client.query('SELECT 1');
        return true;
      } finally {
        await client.end().catch(() => undefined);
      }
    });
    return this.record({ what: 'postgres', how: 'stopped (fast shutdown), restarted', from, to: Date.now() });
  }

  /** SIGKILL to the API once at least `minInFlight` requests are under way (or after a while, with what there is). */
  async killApi(minInFlight: number): Promise<Outage> {
    await this.crashBudget('api');
    const pid = this.currentPid('api');
    if (pid === undefined) throw new Error('no API to kill');
    const waitUntil = Date.now() + 30_000;
    while (this.opts.inFlight() < minInFlight && Date.now() < waitUntil) await sleep(20);
    const inFlight = this.opts.inFlight();
    const from = Date.now();
    process.kill(pid, 'SIGKILL');
    await this.restarted('api', pid);
    await this.until('the API answering again', async () =>
      (await fetch(`${this.up.apiUrl()}/health/live`)).status === 200 ? true : undefined,
    );
    return this.record({ what: 'api', how: `SIGKILL with ${inFlight} requests in flight`, from, to: Date.now() });
  }

  async run(fault: FaultName, o: { pgFreezeMs: number; apiMinInFlight: number; workerSignal?: 'SIGKILL' | 'SIGTERM' }): Promise<Outage> {
    switch (fault) {
      case 'worker':
        return this.killWorker(o.workerSignal);
      case 'temporal-stop':
        return this.stopTemporal('SIGTERM');
      case 'temporal-kill':
        return this.stopTemporal('SIGKILL');
      case 'postgres-freeze':
        return this.freezePostgres(o.pgFreezeMs);
      case 'postgres-restart':
        return this.restartPostgres();
      case 'api':
        return this.killApi(o.apiMinInFlight);
    }
  }

  async close(): Promise<void> {
    this.thaw();
    await this.connection?.close().catch(() => undefined);
  }
}
