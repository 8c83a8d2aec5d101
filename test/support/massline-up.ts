// `massline up` as a user runs it (the compiled CLI), for the tests that run the whole system — test/cluster
// (--cluster) and test/faults (the dev server): started on free ports in a data folder of its own, its processes
// found through the state file it keeps, its output collected line by line with the moment each line came, and
// stopped by Ctrl-C.
import { spawn, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { freePort, waitForExit } from '../../apps/cli/src/embedded/process';
import { MAX_CLUSTER_GRPC_PORT } from '../../libs/config/src';

export const root = path.resolve(__dirname, '..', '..');
export const cliMain = path.join(root, 'dist', 'apps', 'cli', 'src', 'main.js');

export interface UpPorts {
  /** The first API; API i listens on api + i. */
  api: number;
  /** The dev server, or the cluster's frontend. */
  temporal: number;
  ui: number;
  pg: number;
  /** The first worker's engine metrics; worker i exports on metrics + i. */
  metrics: number;
  /** --cluster only: the other Temporal services. */
  history?: number;
  matching?: number;
  temporalWorker?: number;
}

export interface RunningMassline {
  child: ChildProcess;
  dataDir: string;
  /** Where massline up keeps its state, logs and office token: dataDir, or data/cluster under it. */
  stateDir: string;
  ports: UpPorts;
  env: Record<string, string>;
  output(): string;
  /** Every line massline up printed, with the moment it was read. */
  lines(): ReadonlyArray<{ at: number; text: string }>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Milliseconds from the spawn to "massline is up". */
  bootMs: number;
  /** pid of a child by its name in the state file (postgres, temporal, worker, api, frontend, worker-1, …). */
  pid(name: string): number;
  children(): Array<{ name: string; pid: number }>;
  apiUrl(i?: number): string;
  /** postgres:// URL of massline's database on the embedded PostgreSQL. */
  databaseUrl: string;
  temporalAddress: string;
  stop(): Promise<number | null>;
}

export function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

/**
 * A free port below Temporal's limit for cluster ports (membership = gRPC − 300 must fit a SMALLINT), with its
 * membership port free too. The OS's own ephemeral ports are above that limit, so these are picked at random.
 */
async function freePortPair(taken: Set<number>): Promise<number> {
  for (;;) {
    const p = 10_300 + Math.floor(Math.random() * (MAX_CLUSTER_GRPC_PORT - 10_300));
    if (taken.has(p) || taken.has(p - 300) || !(await canListen(p)) || !(await canListen(p - 300))) continue;
    taken.add(p);
    taken.add(p - 300);
    return p;
  }
}

/** `count` consecutive free ports (for the APIs: PORT, PORT + 1, …). */
export async function freeRun(count: number, taken: Set<number> = new Set()): Promise<number> {
  for (;;) {
    const first = await freePort();
    const run = Array.from({ length: count }, (_, i) => first + i);
    if (run.some((p) => taken.has(p) || p > 65535)) continue;
    let ok = true;
    for (const p of run.slice(1)) {
      ok = await canListen(p);
      if (!ok) break;
    }
    if (ok) {
      for (const p of run) taken.add(p);
      return first;
    }
  }
}

export interface StartOptions {
  cluster?: boolean;
  workers?: number;
  apis?: number;
  env?: Record<string, string>;
  timeoutMs?: number;
  /** Prefix of the temporary data folder. */
  dataDirPrefix?: string;
}

export async function startMasslineUp(opts: StartOptions = {}): Promise<RunningMassline> {
  const cluster = opts.cluster ?? false;
  const workers = opts.workers ?? (cluster ? 2 : 1);
  const apis = opts.apis ?? (cluster ? 2 : 1);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), opts.dataDirPrefix ?? (cluster ? 'massline-cluster-' : 'massline-up-')));
  fs.chmodSync(dataDir, 0o755); // PostgreSQL runs as `postgres` when we are root: it must pass through
  const taken = new Set<number>();
  const ports: UpPorts = cluster
    ? {
        api: await freeRun(apis, taken),
        temporal: await freePortPair(taken),
        history: await freePortPair(taken),
        matching: await freePortPair(taken),
        temporalWorker: await freePortPair(taken),
        ui: await freeRun(1, taken),
        pg: await freeRun(1, taken),
        metrics: await freeRun(workers, taken),
      }
    : {
        api: await freeRun(apis, taken),
        temporal: await freeRun(1, taken),
        ui: await freeRun(1, taken),
        pg: await freeRun(1, taken),
        metrics: await freeRun(workers, taken),
      };
  const unset = ['DATABASE_URL', 'TEMPORAL_ADDRESS', 'MASSLINE_ADMIN_TOKEN', 'PORT', ...(cluster ? ['TEMPORAL_CLI'] : [])];
  const base = Object.fromEntries(Object.entries(process.env).filter(([key]) => !unset.includes(key)));
  const env: Record<string, string> = {
    MASSLINE_DATA_DIR: dataDir,
    HOST: '127.0.0.1',
    PORT: String(ports.api),
    MASSLINE_TEMPORAL_PORT: String(ports.temporal),
    MASSLINE_TEMPORAL_UI_PORT: String(ports.ui),
    MASSLINE_PG_PORT: String(ports.pg),
    MASSLINE_WORKER_METRICS_PORT: String(ports.metrics),
    ...(cluster
      ? {
          MASSLINE_TEMPORAL_HISTORY_PORT: String(ports.history),
          MASSLINE_TEMPORAL_MATCHING_PORT: String(ports.matching),
          MASSLINE_TEMPORAL_WORKER_PORT: String(ports.temporalWorker),
        }
      : {}),
    ...opts.env,
  };
  const started = Date.now();
  const args = ['up', ...(cluster ? ['--cluster'] : []), '--workers', String(workers), '--apis', String(apis)];
  const child = spawn(process.execPath, [cliMain, ...args], { cwd: root, env: { ...base, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const lines: Array<{ at: number; text: string }> = [];
  let partial = '';
  const take = (d: Buffer) => {
    const text = d.toString();
    out += text;
    partial += text;
    const parts = partial.split('\n');
    partial = parts.pop()!;
    const at = Date.now();
    for (const line of parts) lines.push({ at, text: line });
  };
  child.stdout.on('data', take);
  child.stderr.on('data', take);
  const exited = waitForExit(child);
  const stateDir = cluster ? path.join(dataDir, 'cluster') : dataDir;
  const stateFile = path.join(stateDir, 'massline-up.json');
  const children = () => (JSON.parse(fs.readFileSync(stateFile, 'utf8')) as { children: Array<{ name: string; pid: number }> }).children;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
    return (await exited).code;
  };
  const deadline = Date.now() + (opts.timeoutMs ?? 300_000);
  while (!out.includes('massline is up')) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`massline ${args.join(' ')} exited early:\n${out}`);
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`massline ${args.join(' ')} was not up in time:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    child,
    dataDir,
    stateDir,
    ports,
    env,
    output: () => out,
    lines: () => lines,
    exited,
    bootMs: Date.now() - started,
    children,
    pid: (name) => {
      const found = children().find((c) => c.name === name);
      if (!found) throw new Error(`no ${name} in ${stateFile}`);
      return found.pid;
    },
    apiUrl: (i = 0) => `http://127.0.0.1:${ports.api + i}`,
    databaseUrl: `postgres://massline:massline@127.0.0.1:${ports.pg}/massline`,
    temporalAddress: `127.0.0.1:${ports.temporal}`,
    stop,
  };
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Runs `fn` over `items`, `n` at a time. */
export async function inPool<T>(items: T[], n: number, fn: (item: T, i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: n }, async () => {
      while (next < items.length) {
        const i = next++;
        await fn(items[i], i);
      }
    }),
  );
}

/** Rows as an aligned plain-text table (the first row is the header). */
export const table = (rows: Array<Array<string | number>>): string => {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => String(r[i]).length)));
  return rows
    .map((r) =>
      r
        .map((c, i) => String(c).padEnd(widths[i]))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
};
