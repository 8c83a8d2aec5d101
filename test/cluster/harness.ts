// `massline up --cluster` as a user runs it (the compiled CLI), for test/cluster: started on free ports in a data
// folder of its own, its processes found through the state file it keeps, its output collected, stopped by Ctrl-C.
import { spawn, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { freePort, waitForExit } from '../../apps/cli/src/embedded/process';
import { MAX_CLUSTER_GRPC_PORT } from '../../libs/config/src';

export const root = path.resolve(__dirname, '..', '..');
export const cliMain = path.join(root, 'dist', 'apps', 'cli', 'src', 'main.js');

export interface ClusterPorts {
  api: number;
  frontend: number;
  history: number;
  matching: number;
  worker: number;
  ui: number;
  pg: number;
}

export interface RunningCluster {
  child: ChildProcess;
  dataDir: string;
  /** data/cluster under dataDir. */
  clusterDir: string;
  ports: ClusterPorts;
  env: Record<string, string>;
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Milliseconds from the spawn to "massline is up". */
  bootMs: number;
  /** pid of a child by its name in the state file (frontend, history, worker-1, api-2, …). */
  pid(name: string): number;
  children(): Array<{ name: string; pid: number }>;
  apiUrl(i: number): string;
  stop(): Promise<number | null>;
}

function canListen(port: number): Promise<boolean> {
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
async function freeRun(count: number, taken: Set<number>): Promise<number> {
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

export async function startCluster(opts: { workers: number; apis: number; env?: Record<string, string>; timeoutMs?: number }): Promise<RunningCluster> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'massline-cluster-'));
  fs.chmodSync(dataDir, 0o755);
  const taken = new Set<number>();
  const ports: ClusterPorts = {
    api: await freeRun(opts.apis, taken),
    frontend: await freePortPair(taken),
    history: await freePortPair(taken),
    matching: await freePortPair(taken),
    worker: await freePortPair(taken),
    ui: await freeRun(1, taken),
    pg: await freeRun(1, taken),
  };
  const base = { ...process.env };
  for (const key of ['DATABASE_URL', 'TEMPORAL_ADDRESS', 'MASSLINE_ADMIN_TOKEN', 'PORT', 'TEMPORAL_CLI']) delete base[key];
  const env: Record<string, string> = {
    MASSLINE_DATA_DIR: dataDir,
    HOST: '127.0.0.1',
    PORT: String(ports.api),
    MASSLINE_TEMPORAL_PORT: String(ports.frontend),
    MASSLINE_TEMPORAL_HISTORY_PORT: String(ports.history),
    MASSLINE_TEMPORAL_MATCHING_PORT: String(ports.matching),
    MASSLINE_TEMPORAL_WORKER_PORT: String(ports.worker),
    MASSLINE_TEMPORAL_UI_PORT: String(ports.ui),
    MASSLINE_PG_PORT: String(ports.pg),
    ...opts.env,
  };
  const started = Date.now();
  const child = spawn(process.execPath, [cliMain, 'up', '--cluster', '--workers', String(opts.workers), '--apis', String(opts.apis)], {
    cwd: root,
    env: { ...base, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = waitForExit(child);
  const clusterDir = path.join(dataDir, 'cluster');
  const stateFile = path.join(clusterDir, 'massline-up.json');
  const children = () => (JSON.parse(fs.readFileSync(stateFile, 'utf8')) as { children: Array<{ name: string; pid: number }> }).children;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
    return (await exited).code;
  };
  const deadline = Date.now() + (opts.timeoutMs ?? 300_000);
  while (!out.includes('massline is up')) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`massline up --cluster exited early:\n${out}`);
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`massline up --cluster was not up in time:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    child,
    dataDir,
    clusterDir,
    ports,
    env,
    output: () => out,
    exited,
    bootMs: Date.now() - started,
    children,
    pid: (name) => {
      const found = children().find((c) => c.name === name);
      if (!found) throw new Error(`no ${name} in ${stateFile}`);
      return found.pid;
    },
    apiUrl: (i) => `http://127.0.0.1:${ports.api + i}`,
    stop,
  };
}

/** Resident memory of a process, and — for PostgreSQL — the proportional share of it and its backends. */
export function memoryOf(pid: number, withChildren = false): { rssMb: number; pssMb?: number; processes: number } {
  const kb = (file: string, field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(fs.readFileSync(file, 'utf8'))?.[1] ?? 0);
  const rssMb = kb(`/proc/${pid}/status`, 'VmRSS') / 1024;
  if (!withChildren) return { rssMb, processes: 1 };
  const pids = [pid];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const ppid = Number(/PPid:\s+(\d+)/.exec(fs.readFileSync(`/proc/${entry}/status`, 'utf8'))?.[1]);
      if (ppid === pid) pids.push(Number(entry));
    } catch {
      /* gone */
    }
  }
  let pss = 0;
  for (const p of pids) {
    try {
      pss += kb(`/proc/${p}/smaps_rollup`, 'Pss');
    } catch {
      /* gone */
    }
  }
  return { rssMb, pssMb: pss / 1024, processes: pids.length };
}

export const table = (rows: Array<Array<string | number>>): string => {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => String(r[i]).length)));
  return rows.map((r) => r.map((c, i) => String(c).padEnd(widths[i])).join('  ')).join('\n');
};
