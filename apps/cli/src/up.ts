// `massline up`: the whole system on one machine. Starts what is not given from outside — the Temporal dev
// server (state in data/temporal/temporal.db, Web UI on) unless TEMPORAL_ADDRESS is set, embedded PostgreSQL
// (data/postgres) unless DATABASE_URL is set — applies the migrations, then runs the workers and the APIs as
// child processes and says where everything is. `--cluster` runs Temporal as it runs past one machine instead:
// the server on PostgreSQL, its four services as separate processes (data under data/cluster/).
// Once up, a child that crashes is started again (see supervisor.ts); Ctrl-C stops everything, newest first.
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as path from 'path';
import * as readline from 'readline';
import { Connection } from '@temporalio/client';
import { prettyFactory } from 'pino-pretty';
import { temporal } from '@temporalio/proto';
import { ConfigError, loadConfig, MAX_CLUSTER_GRPC_PORT, MasslineConfig } from '../../../libs/config/src';
import { otlpTracesUrl } from '../../../libs/telemetry/src/tracing';
import { databaseUrl, EMBEDDED_DATABASE, runMigrations } from '../../../libs/persistence/src/data-source';
import {
  ClusterLayout,
  ClusterTools,
  DYNAMIC_CONFIG_FILE,
  ensureNamespaceServed,
  forgetStaleMembers,
  membershipPort,
  setupSchemas,
  spawnService,
  spawnUi,
  TEMPORAL_DATABASES,
  TEMPORAL_SERVICES,
  waitForFrontend,
  writeClusterConfig,
} from './cluster/temporal-cluster';
import { openPrivateLog, privateDir, privateLogDir } from './data-dir';
import { ensureDatabase, postgresDataDir, startEmbeddedPostgres } from './embedded/postgres';
import { startTemporalDevServer, waitForTemporal } from './embedded/temporal-dev-server';
import { hasExited, portInUse, tailOfFile, waitUntil } from './embedded/process';
import { ChildSpec, CRASH_LIMIT, CRASH_WINDOW_MS, Supervised, Supervisor } from './supervisor';

/** The folder holding package.json of massline (up.ts runs from apps/cli/src or from dist/apps/cli/src). */
export function projectRoot(from = __dirname): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg) && (JSON.parse(fs.readFileSync(pkg, 'utf8')) as { name?: unknown }).name === 'massline') return dir;
    if (path.dirname(dir) === dir) throw new Error(`cannot find the massline project above ${from}`);
  }
}

/** Compiled entry point of an app (`apps/<name>/src/main.js` in dist/). */
function compiledMain(root: string, app: 'worker' | 'api'): string {
  return path.join(root, 'dist', 'apps', app, 'src', 'main.js');
}

const say = (line = '') => process.stdout.write(`${line}\n`);
/** A path as a user reads it best: relative inside the working folder, absolute outside it. */
const shown = (p: string): string => {
  const rel = path.relative(process.cwd(), p);
  return rel === '' ? '.' : rel.startsWith('..') ? p : rel;
};
const note = (line: string) => process.stdout.write(`[massline] ${line}\n`);
const seconds = (since: number) => `${((Date.now() - since) / 1000).toFixed(1)} s`;

/** What a running `massline up` records, so a second one can tell it is running (or clean up after a crash). */
interface UpState {
  pid: number;
  startedAt: string;
  mode: 'dev' | 'cluster';
  /** `marker`: a string on the child's command line or in its environment that shows it is ours. */
  children: Array<{ name: string; pid: number; marker: string }>;
  apiUrl: string;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  try {
    // A zombie (exited, not yet reaped) answers kill(0) but is gone.
    return fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z';
  } catch {
    return true;
  }
}

/** The state file of an earlier run; one that is unreadable, or written by something else, counts as none. */
function readState(file: string): UpState | undefined {
  let state: unknown;
  try {
    state = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
  return isUpState(state) ? state : undefined;
}

function isUpState(value: unknown): value is UpState {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Partial<Record<keyof UpState, unknown>>;
  return (
    typeof v.pid === 'number' &&
    Array.isArray(v.children) &&
    v.children.every(
      (c: unknown) =>
        typeof c === 'object' &&
        c !== null &&
        typeof (c as { pid?: unknown }).pid === 'number' &&
        typeof (c as { name?: unknown }).name === 'string' &&
        typeof (c as { marker?: unknown }).marker === 'string',
    )
  );
}

/** Whether `pid` is recognisably a process of ours: `marker` (a data path) on its command line or in its env. */
function isOurs(pid: number, marker: string): boolean {
  for (const file of ['cmdline', 'environ']) {
    try {
      const text = fs.readFileSync(`/proc/${pid}/${file}`, 'utf8').split('\0');
      if (marker && text.some((part) => part === marker || part.includes(marker))) return true;
    } catch {
      /* no /proc or not readable: not provably ours */
    }
  }
  return false;
}

/**
 * Processes of a previous `massline up` that died without stopping its children (killed by pid, once they are
 * recognised as ours), newest first; SIGKILL for those still there after a grace period.
 */
async function stopLeftovers(state: UpState): Promise<string[]> {
  const ours = state.children.filter((c) => processAlive(c.pid) && isOurs(c.pid, c.marker)).reverse();
  for (const child of ours) {
    try {
      process.kill(child.pid, child.name === 'postgres' ? 'SIGINT' : 'SIGTERM');
    } catch {
      /* gone meanwhile */
    }
  }
  const deadline = Date.now() + 20_000;
  while (ours.some((c) => processAlive(c.pid)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  for (const child of ours) if (processAlive(child.pid)) process.kill(child.pid, 'SIGKILL');
  return ours.map((c) => `${c.name} (pid ${c.pid})`);
}

interface PortUse {
  port: number;
  key: string;
  what: string;
}

async function assertPortsFree(ports: PortUse[], host = '127.0.0.1'): Promise<void> {
  const problems: string[] = [];
  const seen = new Map<number, PortUse>();
  for (const p of ports) {
    const other = seen.get(p.port);
    if (other) problems.push(`port ${p.port} is both ${other.what} (${other.key}) and ${p.what} (${p.key}): move one`);
    seen.set(p.port, p);
    if (p.port < 1 || p.port > 65535) problems.push(`${p.what} would be on port ${p.port}: set ${p.key} to another port`);
  }
  for (const p of ports)
    if (p.port >= 1 && p.port <= 65535 && (await portInUse(p.port, host)))
      problems.push(`port ${p.port} (${p.what}) is in use: set ${p.key} to another port`);
  if (problems.length) throw new UpError(problems.join('\n'));
}

class UpError extends Error {}

function getStatus(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { timeout: 5000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'];

/** Whether a log line is shown in the terminal: plain lines always; JSON logs from warn up (all with `verbose`). */
function shownInTerminal(line: string, verbose: boolean): boolean {
  if (verbose || !line.startsWith('{')) return true;
  try {
    const level = (JSON.parse(line) as { level?: unknown }).level;
    const rank = typeof level === 'number' ? (level >= 40 ? 3 : 2) : LEVELS.indexOf(String(level).toLowerCase());
    return rank < 0 || rank >= 3;
  } catch {
    return true;
  }
}

/** A JSON log line as a person reads it (pino-pretty, on one line); other lines as they are. */
const pretty = (() => {
  const format = prettyFactory({
    // Undefined, not false, when the output is not a terminal (whatever the types say).
    colorize: (process.stdout as { isTTY?: boolean }).isTTY === true,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname,service,instance',
    messageKey: 'msg',
    singleLine: true,
  });
  return (line: string): string => {
    if (!line.startsWith('{')) return line;
    try {
      return format(line).replace(/\n$/, '');
    } catch {
      return line;
    }
  };
})();

/**
 * Runs a compiled app as a child: its whole output goes to its log file (owner-only), as the JSON lines it
 * writes, and plain lines and warnings to the terminal too, readable.
 */
function runApp(name: string, main: string, env: NodeJS.ProcessEnv, logFile: string, verbose: boolean): ChildProcess {
  const log = fs.createWriteStream('', { fd: openPrivateLog(logFile) });
  const child = spawn(process.execPath, [main], { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const prefix = `${name.padEnd(8)} | `;
  let open = 2;
  for (const stream of [child.stdout, child.stderr]) {
    readline
      .createInterface({ input: stream })
      .on('line', (line) => {
        log.write(`${line}\n`);
        if (shownInTerminal(line, verbose)) process.stdout.write(`${prefix}${pretty(line)}\n`);
      })
      .on('close', () => {
        if (--open === 0) log.end();
      });
  }
  return child;
}

export interface UpArgs {
  verbose: boolean;
  cluster: boolean;
  workers: number;
  apis: number;
  help: boolean;
}

/** The most workers or APIs `massline up` runs on one machine. */
export const MAX_REPLICAS = 16;

export function parseUpArgs(argv: string[]): UpArgs | { error: string } {
  const args: UpArgs = { verbose: false, cluster: false, workers: 0, apis: 0, help: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] =
      arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    switch (flag) {
      case '--verbose':
      case '-v':
        args.verbose = true;
        break;
      case '--cluster':
        args.cluster = true;
        break;
      case '--help':
      case '-h':
        args.help = true;
        break;
      case '--workers':
      case '--apis': {
        const raw = inline ?? argv.at(++i);
        const n = Number(raw);
        if (raw === undefined || !Number.isInteger(n) || n < 1 || n > MAX_REPLICAS)
          return { error: `${flag} needs a whole number from 1 to ${MAX_REPLICAS}, got ${raw === undefined ? 'nothing' : `"${raw}"`}` };
        if (flag === '--workers') args.workers = n;
        else args.apis = n;
        break;
      }
      default:
        return { error: `unknown option "${arg}" (massline up --help lists them)` };
    }
  }
  // A cluster shows what a cluster is for: two of each unless told otherwise.
  args.workers ||= args.cluster ? 2 : 1;
  args.apis ||= args.cluster ? 2 : 1;
  return args;
}

const HELP = `massline up — start everything on this machine: Temporal, PostgreSQL (embedded), migrations, the workers and
the APIs. Ctrl-C stops it all; a worker or API (or any other part) that crashes is started again.
  --cluster      Temporal as it runs past one machine: the Temporal server on PostgreSQL, its frontend, history,
                 matching and worker services as separate processes, its Web UI; data under data/cluster/
                 (built once into the tool cache with Go; npm start -- --cluster does it with progress)
  --workers N    run N workers (default 1, with --cluster 2)
  --apis M       run M APIs on consecutive ports from PORT (default 1, with --cluster 2)
  --verbose      show every log line of the workers and the APIs (default: warnings, errors and plain lines;
                 everything is always in the logs folder)
Configured by environment variables; see the configuration table in README.md.`;

export interface UpOptions {
  env?: NodeJS.ProcessEnv;
  /** Resolves the Temporal CLI when TEMPORAL_CLI is not set (default: scripts/lib/tools.js, which may build it). */
  ensureTemporalCli?: () => Promise<string>;
  /** Resolves the cluster's server tools (default: scripts/lib/tools.js, which may build them). */
  ensureTemporalServer?: () => Promise<ClusterTools>;
  /** Entry points of the apps (default: their compiled mains in dist/). */
  mains?: { worker: string; api: string };
}

export async function up(argv: string[] = [], options: UpOptions = {}): Promise<number> {
  const parsed = parseUpArgs(argv);
  if ('error' in parsed) {
    note(parsed.error);
    return 2;
  }
  if (parsed.help) {
    say(HELP);
    return 0;
  }
  const plan = await planUp(parsed, options);
  if (typeof plan === 'number') return plan;
  return supervise(plan);
}

/** What `massline up` is about to run, checked before anything starts. */
interface UpPlan {
  args: UpArgs;
  options: UpOptions;
  env: NodeJS.ProcessEnv;
  started: number;
  root: string;
  config: MasslineConfig;
  mains: { worker: string; api: string };
  /** data/ (data/cluster/ with --cluster), its logs folder, and the file that says a run is going on. */
  dataDir: string;
  logDir: string;
  stateFile: string;
  apiPorts: number[];
  /** Each worker exports the engine's metrics on a port of its own: the configured one, then the next ones. */
  metricsPorts: number[];
  publicHost: string;
  apiUrls: string[];
}

/** The configuration, the folders and the ports of this run, or the exit code when it cannot start. */
async function planUp(args: UpArgs, options: UpOptions): Promise<UpPlan | number> {
  const started = Date.now();
  const env = options.env ?? process.env;
  const root = projectRoot();
  const config = checkedConfig(args, env, root);
  if (typeof config === 'number') return config;
  const mains = options.mains ?? { worker: compiledMain(root, 'worker'), api: compiledMain(root, 'api') };
  for (const main of Object.values(mains)) {
    if (!fs.existsSync(main)) {
      note(`${path.relative(root, main)} is missing: run \`npm run build\` (npm start does it for you)`);
      return 1;
    }
  }

  // The cluster keeps everything of its own under data/cluster/: a second start resumes it.
  const dataDir = args.cluster ? path.join(config.dataDir, 'cluster') : config.dataDir;
  const postgresInside = config.database.embedded;
  privateDir(config.dataDir, { postgresPassesThrough: postgresInside });
  privateDir(dataDir, { postgresPassesThrough: postgresInside });
  const logDir = path.join(dataDir, 'logs');
  privateLogDir(logDir);
  const stateFile = path.join(dataDir, 'massline-up.json');
  if (!(await noOtherRun(stateFile))) return 1;

  const apiPorts = Array.from({ length: args.apis }, (_, i) => config.port + i);
  const metricsPorts = config.worker.metricsPort ? Array.from({ length: args.workers }, (_, i) => config.worker.metricsPort + i) : [];
  const publicHost = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  const apiUrls = apiPorts.map((port) => `http://${publicHost}:${port}`);
  return { args, options, env, started, root, config, mains, dataDir, logDir, stateFile, apiPorts, metricsPorts, publicHost, apiUrls };
}

/** The configuration from the environment, or the exit code (2) after saying what is wrong with it. */
function checkedConfig(args: UpArgs, env: NodeJS.ProcessEnv, root: string): MasslineConfig | number {
  let config: MasslineConfig;
  try {
    config = loadConfig(env, root);
  } catch (e) {
    if (e instanceof ConfigError) {
      note(e.message);
      return 2;
    }
    throw e;
  }
  if (args.cluster && !config.temporal.embedded) {
    note('--cluster runs its own Temporal cluster: unset TEMPORAL_ADDRESS (or leave out --cluster to use that Temporal)');
    return 2;
  }
  if (args.cluster && config.temporal.embeddedPort > MAX_CLUSTER_GRPC_PORT) {
    note(
      `MASSLINE_TEMPORAL_PORT must be at most ${MAX_CLUSTER_GRPC_PORT} with --cluster, got ${config.temporal.embeddedPort}: ` +
        `Temporal keeps each service's membership port (gRPC port − 300) in a SMALLINT column`,
    );
    return 2;
  }
  if (args.cluster && !config.database.embedded) {
    note('--cluster keeps Temporal`s and massline`s databases in its own PostgreSQL: unset DATABASE_URL');
    return 2;
  }
  return config;
}

/** False (said) when another `massline up` runs on this data; stops what a crashed one left running. */
async function noOtherRun(stateFile: string): Promise<boolean> {
  const previous = readState(stateFile);
  if (previous && previous.pid !== process.pid && processAlive(previous.pid)) {
    note(`massline is already running (pid ${previous.pid}, since ${previous.startedAt}): API at ${previous.apiUrl}`);
    note(`stop it with Ctrl-C in its terminal (or \`kill ${previous.pid}\`) before starting another`);
    return false;
  }
  if (previous) {
    const stopped = await stopLeftovers(previous);
    if (stopped.length) note(`a previous run ended without stopping its processes; stopped: ${stopped.join(', ')}`);
  }
  return true;
}

/** The ports this run will listen on, each with the setting that moves it and what it is for. */
function plannedPorts({ args, config, apiPorts, metricsPorts }: UpPlan): PortUse[] {
  const ports: PortUse[] = [];
  if (args.cluster) {
    const t = config.temporal;
    const services: Array<[string, number, string]> = [
      ['frontend', t.embeddedPort, 'MASSLINE_TEMPORAL_PORT'],
      ['history', t.cluster.historyPort, 'MASSLINE_TEMPORAL_HISTORY_PORT'],
      ['matching', t.cluster.matchingPort, 'MASSLINE_TEMPORAL_MATCHING_PORT'],
      ['worker', t.cluster.workerPort, 'MASSLINE_TEMPORAL_WORKER_PORT'],
    ];
    for (const [name, port, key] of services) {
      ports.push({ port, key, what: `Temporal ${name} service (gRPC)` });
      ports.push({ port: membershipPort(port), key, what: `Temporal ${name} service (membership, ${key} − 300)` });
    }
    ports.push({ port: t.uiPort, key: 'MASSLINE_TEMPORAL_UI_PORT', what: 'Temporal Web UI' });
  } else if (config.temporal.embedded) {
    ports.push({ port: config.temporal.embeddedPort, key: 'MASSLINE_TEMPORAL_PORT', what: 'Temporal dev server' });
    ports.push({ port: config.temporal.uiPort, key: 'MASSLINE_TEMPORAL_UI_PORT', what: 'Temporal Web UI' });
  }
  if (config.database.embedded) ports.push({ port: config.database.embeddedPort, key: 'MASSLINE_PG_PORT', what: 'embedded PostgreSQL' });
  if (config.port !== 0)
    apiPorts.forEach((port, i) => ports.push({ port, key: 'PORT', what: args.apis > 1 ? `API ${i + 1} (PORT + ${i})` : 'API' }));
  metricsPorts.forEach((port, i) =>
    ports.push({
      port,
      key: 'MASSLINE_WORKER_METRICS_PORT',
      what: args.workers > 1 ? `worker ${i + 1}'s metrics (MASSLINE_WORKER_METRICS_PORT + ${i})` : "the worker's metrics",
    }),
  );
  return ports;
}

/** The supervisor of this run, with the state file it keeps and the way everything stops (once). */
interface Session {
  supervisor: Supervisor;
  /** Resolves with the exit code once the run has stopped. */
  finished: Promise<number>;
  /** Set once stopping has begun. */
  stopping(): Promise<void> | undefined;
  stopAll(reason: string): Promise<void>;
  /** Records the running children (and the API's address) in the state file. */
  saveState(): void;
  /** Stops handling Ctrl-C and SIGTERM. */
  release(): void;
}

function openSession(plan: UpPlan): Session {
  const { stateFile, args } = plan;
  const state: UpState = {
    pid: process.pid,
    startedAt: new Date().toISOString(),
    mode: args.cluster ? 'cluster' : 'dev',
    children: [],
    apiUrl: plan.apiUrls[0],
  };
  const saveState = () => {
    // A child that could not be spawned has no pid: there is nothing of it to stop later.
    state.children = supervisor.children.flatMap((c) =>
      c.process.pid === undefined ? [] : [{ name: c.spec.name, pid: c.process.pid, marker: c.spec.marker }],
    );
    fs.writeFileSync(stateFile, JSON.stringify(state, null, 2), { mode: 0o600 });
  };

  let finish: (code: number) => void = () => undefined;
  const finished = new Promise<number>((resolve) => (finish = resolve));
  let stopped: Promise<void> | undefined;
  /** Stops every started process, newest first; later calls get the same promise. */
  const stopAll = (reason: string): Promise<void> => {
    stopped ??= (async () => {
      const names = supervisor.children.map((c) => c.spec.name).reverse();
      note(`${reason}: stopping ${names.join(', ') || 'nothing'}`);
      await supervisor.stopAll((name) => note(`  ${name} stopped`));
      fs.rmSync(stateFile, { force: true });
    })();
    return stopped;
  };
  const supervisor: Supervisor = new Supervisor({
    say: note,
    changed: () => saveState(),
    giveUp: (reason, logFile) => {
      if (logFile) note(`--- the end of ${shown(logFile)} ---\n${tailOfFile(logFile, 3000).trimEnd()}\n---`);
      void stopAll(reason).then(() => finish(1));
    },
  });

  const release = handleSignals(
    () => {
      supervisor.killAll();
      fs.rmSync(stateFile, { force: true });
    },
    (signal) => void stopAll(`${signal} received`).then(() => finish(0)),
  );
  return { supervisor, finished, stopping: () => stopped, stopAll, saveState, release };
}

/** Ctrl-C and SIGTERM stop everything; a second one while stopping kills everything at once. Returns the release. */
function handleSignals(killAll: () => void, stop: (signal: NodeJS.Signals) => void): () => void {
  let interrupts = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    interrupts++;
    if (interrupts > 1) {
      note('stopping at once (second interrupt)');
      killAll();
      process.exit(130);
    }
    stop(signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return () => {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  };
}

/** Boots everything under one supervisor, says where it is, and runs until stopped; resolves with the exit code. */
async function supervise(plan: UpPlan): Promise<number> {
  const session = openSession(plan);
  const { supervisor, finished } = session;
  try {
    // Ports first, so a collision is named before anything starts.
    await assertPortsFree(plannedPorts(plan));
    const { config, dataDir, logDir, root, options, apiUrls } = plan;
    const boot = plan.args.cluster
      ? await bootCluster({ config, dataDir, logDir, root, supervisor, options, apiUrls })
      : await bootDev({ config, dataDir, logDir, root, supervisor, options });
    const dbUrl = databaseUrl(config);
    const t = Date.now();
    const applied = await runMigrations({ url: dbUrl });
    note(`migrations: ${applied.length ? `applied ${applied.join(', ')}` : 'up to date'} (${seconds(t)})`);

    const apps = await startApps(plan, supervisor, boot, dbUrl);
    if (session.stopping()) return await finished;
    supervisor.superviseFromNow();
    sayUp(plan, { boot, dbUrl, workers: apps.workers, officeToken: officeTokenLine(plan, apps.tokenExisted) });
    session.saveState();
    return await finished;
  } catch (e) {
    if (session.stopping()) return await finished; // Ctrl-C, or a child died, while starting: already said and stopping
    const shownAs = e instanceof UpError || !plan.args.verbose ? 'message' : 'stack';
    const message = e instanceof Error ? (e[shownAs] ?? e.message) : String(e);
    note(`could not start: ${message}`);
    await session.stopAll('start failed');
    return 1;
  } finally {
    // Signals stay handled until every child has exited: a Ctrl-C now must not orphan them.
    await session.stopping();
    await supervisor.waitForAllExited();
    session.release();
  }
}

/** Starts the workers (until each polls its task queue), then the APIs (until each is ready). */
async function startApps(
  plan: UpPlan,
  supervisor: Supervisor,
  boot: Booted,
  dbUrl: string,
): Promise<{ workers: Supervised[]; tokenExisted: boolean }> {
  const { args, config, dataDir, logDir, apiPorts, metricsPorts, mains, env } = plan;
  // The apps get the resolved addresses, whatever was embedded.
  const childEnv: NodeJS.ProcessEnv = {
    ...env,
    DATABASE_URL: dbUrl,
    TEMPORAL_ADDRESS: boot.temporalAddress,
    TEMPORAL_NAMESPACE: config.temporal.namespace,
    TEMPORAL_TASK_QUEUE: config.temporal.taskQueue,
    MASSLINE_DATA_DIR: dataDir,
  };
  const marker = `MASSLINE_DATA_DIR=${dataDir}`;
  const appSpec = (app: 'worker' | 'api', i: number, count: number, extra: NodeJS.ProcessEnv = {}): ChildSpec => {
    const name = count > 1 ? `${app}-${i + 1}` : app;
    const logFile = path.join(logDir, `${name}.log`);
    return {
      name,
      logFile,
      marker,
      // The process names itself in its logs and traces (and its trace file) as it is named here.
      start: () => Promise.resolve(runApp(name, mains[app], { ...childEnv, MASSLINE_INSTANCE: name, ...extra }, logFile, args.verbose)),
      stopSignal: 'SIGTERM',
      stopGraceMs: app === 'worker' ? 30_000 : 15_000,
    };
  };
  const workers = [];
  for (let i = 0; i < args.workers; i++) {
    workers.push(
      await supervisor.start(appSpec('worker', i, args.workers, { MASSLINE_WORKER_METRICS_PORT: String(metricsPorts[i] ?? 0) })),
    );
  }
  await waitForWorkerPollers(
    config,
    boot.temporalAddress,
    workers.map((w) => ({ process: w.process, logFile: w.spec.logFile })),
  );

  const tokenExisted = fs.existsSync(officeTokenFile(plan));
  await startApis(apiPorts, supervisor, (i) => appSpec('api', i, args.apis, { PORT: String(apiPorts[i]) }));
  return { workers, tokenExisted };
}

/** The first API alone (on a fresh database it seeds the office principal), then the others side by side; each until ready. */
async function startApis(apiPorts: number[], supervisor: Supervisor, spec: (i: number) => ChildSpec): Promise<void> {
  const startApi = async (i: number) => {
    const api = await supervisor.start(spec(i));
    const base = `http://127.0.0.1:${apiPorts[i]}`;
    await waitUntil(`the API (${base}/health/ready)`, async () => (await getStatus(`${base}/health/ready`)) === 200, {
      timeoutMs: 120_000,
      child: api.process,
      intervalMs: 250,
      logFile: api.spec.logFile,
    });
  };
  await startApi(0);
  await Promise.all(apiPorts.slice(1).map((_, i) => startApi(i + 1)));
}

const officeTokenFile = (plan: UpPlan) => path.join(plan.dataDir, 'office-token');

/** Where the office token is. It goes to this terminal only, never to a log (the API does not print it when its output is a file). */
function officeTokenLine(plan: UpPlan, tokenExisted: boolean): string {
  const tokenFile = officeTokenFile(plan);
  if (plan.env.MASSLINE_ADMIN_TOKEN) return 'the one in MASSLINE_ADMIN_TOKEN';
  if (fs.existsSync(tokenFile) && !tokenExisted)
    return `${fs.readFileSync(tokenFile, 'utf8').trim()}  (generated now; kept in ${shown(tokenFile)})`;
  if (fs.existsSync(tokenFile)) return `in ${shown(tokenFile)} (cat it), generated on the first start`;
  return `(none generated: an office principal existed already; set MASSLINE_ADMIN_TOKEN to add one)`;
}

/** "massline is up": where each part is. */
function sayUp(plan: UpPlan, up: { boot: Booted; dbUrl: string; workers: Supervised[]; officeToken: string }): void {
  const { args, config, apiUrls, metricsPorts, publicHost, dataDir, logDir } = plan;
  const safeDb = up.dbUrl.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
  say('');
  say(`massline is up (ready in ${seconds(plan.started)})`);
  say(`  Console       ${apiUrls[0]}/   (sign in with the office token; the public disclosure pages need none)`);
  for (const [i, url] of apiUrls.entries()) say(`  ${(args.apis > 1 ? `API ${i + 1}` : 'API').padEnd(13)} ${url}   Swagger UI ${url}/docs`);
  const pids = up.workers.map((w) => w.process.pid ?? '?').join(', ');
  say(`  Workers       ${up.workers.length} (pids ${pids}), task queue ${config.temporal.taskQueue}`);
  say(`  Metrics       ${apiUrls.map((url) => `${url}/metrics`).join(', ')} (API)`);
  if (metricsPorts.length)
    say(`                ${metricsPorts.map((port) => `http://${publicHost}:${port}/metrics`).join(', ')} (workers: the engine's)`);
  else say(`                workers: none (MASSLINE_WORKER_METRICS_PORT=0)`);
  say(
    `  Traces        ${config.telemetry.otlpEndpoint ? `OTLP ${otlpTracesUrl(config.telemetry.otlpEndpoint)}` : `${shown(path.join(dataDir, 'traces'))}/ (a file per process; OTEL_EXPORTER_OTLP_ENDPOINT sends them to a collector)`}`,
  );
  for (const line of up.boot.summary) say(`  ${line}`);
  say(`  PostgreSQL    ${safeDb}${config.database.embedded ? ' (embedded)' : ''}`);
  say(`  Office token  ${up.officeToken}`);
  say(`  Logs          ${shown(logDir)}/`);
  say(
    `A part that crashes is started again (given up after ${CRASH_LIMIT} crashes within ${CRASH_WINDOW_MS / 1000} s). Ctrl-C stops everything.`,
  );
  say('');
}

interface BootContext {
  config: MasslineConfig;
  dataDir: string;
  logDir: string;
  root: string;
  supervisor: Supervisor;
  options: UpOptions;
}

interface Booted {
  temporalAddress: string;
  /** Lines for the "massline is up" summary. */
  summary: string[];
}

/** Embedded PostgreSQL as a supervised child; creates `databases` that are missing. */
async function startPostgresChild(ctx: BootContext, databases: string[]): Promise<void> {
  const { config, dataDir, logDir, supervisor } = ctx;
  const placed = postgresDataDir(path.join(dataDir, 'postgres'));
  if (placed.moved)
    note(`the 'postgres' user (PostgreSQL refuses to run as root) cannot reach ${dataDir}; its data is kept in ${placed.dir}`);
  note(`starting PostgreSQL on 127.0.0.1:${config.database.embeddedPort} (data: ${shown(placed.dir)})`);
  const t = Date.now();
  const logFile = path.join(logDir, 'postgres.log');
  const postgres = { initialised: false, url: '' };
  await supervisor.start({
    name: 'postgres',
    logFile,
    marker: placed.dir,
    stopSignal: 'SIGINT', // fast shutdown: roll back, checkpoint, exit
    stopGraceMs: 20_000,
    start: async () => {
      const pg = await startEmbeddedPostgres({
        dataDir: placed.dir,
        port: config.database.embeddedPort,
        user: EMBEDDED_DATABASE.user,
        password: EMBEDDED_DATABASE.password,
        logFile,
        detached: true,
      });
      postgres.initialised ||= pg.initialised;
      postgres.url = pg.url();
      return pg.process;
    },
  });
  for (const db of databases) if (await ensureDatabase(postgres.url, db)) note(`created database ${db}`);
  note(`PostgreSQL ready${postgres.initialised ? ' (initialised)' : ''} (${seconds(t)})`);
}

/** The Temporal dev server as a supervised child (or the external Temporal, waited for); its Web UI's address. */
async function startDevTemporal(ctx: BootContext): Promise<string | undefined> {
  const { config, dataDir, logDir, root, supervisor, options } = ctx;
  if (!config.temporal.embedded) {
    note(`using Temporal at ${config.temporal.address} (TEMPORAL_ADDRESS)`);
    await waitForTemporal(config.temporal.address, config.temporal.namespace, { timeoutMs: 60_000 }).catch((e: unknown) => {
      throw new UpError(
        `Temporal at ${config.temporal.address} does not answer for namespace ${config.temporal.namespace}: ${e instanceof Error ? e.message : String(e)}`,
      );
    });
    return undefined;
  }
  const cliPath = config.temporal.cliPath ?? (await (options.ensureTemporalCli ?? defaultTools(root).ensureTemporalCli)());
  const dbFilename = path.join(dataDir, 'temporal', 'temporal.db');
  privateDir(path.dirname(dbFilename));
  note(`starting the Temporal dev server on 127.0.0.1:${config.temporal.embeddedPort} (state: ${shown(dbFilename)})`);
  const t = Date.now();
  let uiUrl: string | undefined;
  const logFile = path.join(logDir, 'temporal.log');
  await supervisor.start({
    name: 'temporal',
    logFile,
    marker: dbFilename,
    stopGraceMs: 20_000,
    start: async () => {
      const server = await startTemporalDevServer({
        cliPath,
        port: config.temporal.embeddedPort,
        uiPort: config.temporal.uiPort,
        namespace: config.temporal.namespace,
        dbFilename,
        logFile,
        detached: true,
      });
      uiUrl = server.uiUrl;
      return server.process;
    },
  });
  note(`Temporal ready (${seconds(t)})`);
  return uiUrl;
}

async function bootDev(ctx: BootContext): Promise<Booted> {
  const { config, supervisor } = ctx;
  // Both at once; whichever started is a child of the supervisor, so a failure of the other still stops it.
  const [temporalResult, postgresResult] = await Promise.allSettled([
    startDevTemporal(ctx),
    config.database.embedded ? startPostgresChild(ctx, [EMBEDDED_DATABASE.database]) : Promise.resolve(),
  ]);
  // Stopped in reverse order: the API and workers first, then Temporal, PostgreSQL last.
  const rank = ['postgres', 'temporal'];
  supervisor.children.sort((a, b) => rank.indexOf(a.spec.name) - rank.indexOf(b.spec.name));
  for (const r of [temporalResult, postgresResult]) if (r.status === 'rejected') throw r.reason;
  const uiUrl = (temporalResult as PromiseFulfilledResult<string | undefined>).value;
  return {
    temporalAddress: config.temporal.address,
    summary: [
      `Temporal UI   ${uiUrl ?? '(external Temporal: its own Web UI)'}`,
      `Temporal      ${config.temporal.address}  namespace ${config.temporal.namespace}${config.temporal.embedded ? ' (dev server)' : ''}`,
    ],
  };
}

async function bootCluster(ctx: BootContext & { apiUrls: string[] }): Promise<Booted> {
  const { config, logDir, root, supervisor, options } = ctx;
  const t0 = Date.now();
  const tools = await (options.ensureTemporalServer ?? defaultTools(root).ensureTemporalServer)();
  await startPostgresChild(ctx, [EMBEDDED_DATABASE.database, TEMPORAL_DATABASES.persistence, TEMPORAL_DATABASES.visibility]);

  const pg = { host: '127.0.0.1', port: config.database.embeddedPort, user: EMBEDDED_DATABASE.user, password: EMBEDDED_DATABASE.password };
  const pgUrl = (db: string) => `postgres://${encodeURIComponent(pg.user)}:${encodeURIComponent(pg.password)}@${pg.host}:${pg.port}/${db}`;
  await setUpSchemas(tools, pg, pgUrl, logDir);

  const layout = clusterLayout(ctx, pg);
  const written = writeClusterConfig(layout);
  await forgetStaleMembers(pgUrl(TEMPORAL_DATABASES.persistence));
  const address = `127.0.0.1:${layout.ports.frontend}`;
  const serviceSpec = (service: (typeof TEMPORAL_SERVICES)[number]): ChildSpec => {
    const logFile = path.join(logDir, `temporal-${service}.log`);
    return {
      name: service === 'worker' ? 'temporal-worker' : service,
      logFile,
      marker: written.configDir,
      stopGraceMs: 20_000,
      start: () => Promise.resolve(spawnService(tools, written, service, logFile)),
    };
  };

  await startServices(supervisor, tools, written, layout, serviceSpec);
  const uiLine = await startUi(supervisor, tools, written, layout, logDir);
  note(`Temporal cluster up in ${seconds(t0)}`);
  return {
    temporalAddress: address,
    summary: [
      uiLine,
      `Temporal      ${address}  namespace ${layout.namespace}; cluster: frontend :${layout.ports.frontend}, history :${layout.ports.history}, ` +
        `matching :${layout.ports.matching}, worker :${layout.ports.worker} (server v${tools.version} on PostgreSQL)`,
    ],
  };
}

/** Where the cluster keeps its data and which ports its services use. */
function clusterLayout(ctx: BootContext & { apiUrls: string[] }, pg: ClusterLayout['pg']): ClusterLayout {
  const t_ = ctx.config.temporal;
  return {
    dir: path.join(ctx.dataDir, 'temporal'),
    namespace: t_.namespace,
    pg,
    ports: {
      frontend: t_.embeddedPort,
      history: t_.cluster.historyPort,
      matching: t_.cluster.matchingPort,
      worker: t_.cluster.workerPort,
      ui: t_.uiPort,
    },
    dynamicConfigSource: path.join(ctx.root, DYNAMIC_CONFIG_FILE),
    uiOrigins: ctx.apiUrls,
  };
}

/** The Temporal databases' schemas set up, or upgraded to the server's version (temporal-sql-tool). */
async function setUpSchemas(tools: ClusterTools, pg: ClusterLayout['pg'], pgUrl: (db: string) => string, logDir: string): Promise<void> {
  const t = Date.now();
  const steps = await setupSchemas(tools, pg, pgUrl, path.join(logDir, 'temporal-schema.log'));
  note(
    `Temporal schemas (temporal-sql-tool): ${steps.map((s) => `${s.database} ${s.from === undefined ? `set up at v${s.to}` : s.from === s.to ? `v${s.to}, up to date` : `upgraded v${s.from} → v${s.to}`}`).join(', ')} (${seconds(t)})`,
  );
}

/** The cluster's services as supervised children, until the namespace is served. */
async function startServices(
  supervisor: Supervisor,
  tools: ClusterTools,
  written: ReturnType<typeof writeClusterConfig>,
  layout: ClusterLayout,
  serviceSpec: (service: (typeof TEMPORAL_SERVICES)[number]) => ChildSpec,
): Promise<void> {
  const address = `127.0.0.1:${layout.ports.frontend}`;
  // The frontend alone first: on a fresh database the services race each other to write the cluster metadata.
  const t = Date.now();
  note(
    `starting Temporal ${TEMPORAL_SERVICES.join(', ')} (server v${tools.version}, frontend on ${address}; config in ${shown(written.configDir)})`,
  );
  const frontend = await supervisor.start(serviceSpec('frontend'));
  await waitForFrontend(address, { timeoutMs: 120_000, child: frontend.process, logFile: frontend.spec.logFile });
  const others = [];
  for (const service of TEMPORAL_SERVICES.slice(1)) others.push(await supervisor.start(serviceSpec(service)));
  const served = await ensureNamespaceServed(address, layout.namespace, {
    timeoutMs: 180_000,
    children: [frontend, ...others].map((c) => c.process),
    onWait: (why) => note(`  waiting for the cluster: ${why}`),
  });
  note(
    `Temporal cluster ready (${seconds(t)}): namespace ${layout.namespace}${served.created ? ' registered' : ''}` +
      (served.searchAttributesAdded.length ? `, search attributes ${served.searchAttributesAdded.join(', ')} added` : ''),
  );
}

/** The Temporal Web UI as a supervised child, when its server was built; the summary's line for it. */
async function startUi(
  supervisor: Supervisor,
  tools: ClusterTools,
  written: ReturnType<typeof writeClusterConfig>,
  layout: ClusterLayout,
  logDir: string,
): Promise<string> {
  if (tools.uiServer) {
    const logFile = path.join(logDir, 'temporal-ui.log');
    const ui = await supervisor.start({
      name: 'temporal-ui',
      logFile,
      marker: written.uiRoot,
      start: () => Promise.resolve(spawnUi(tools, written, logFile)),
    });
    const uiUrl = `http://127.0.0.1:${layout.ports.ui}`;
    await waitUntil(`the Temporal Web UI (${uiUrl})`, async () => (await getStatus(`${uiUrl}/`)) === 200, {
      timeoutMs: 60_000,
      child: ui.process,
      logFile,
    });
    return `Temporal UI   ${uiUrl}`;
  }
  return `Temporal UI   (not available: the Web UI server did not build${tools.uiProblem ? `: ${tools.uiProblem.split('\n')[0]}` : ''})`;
}

/** Waits until every worker process polls the workflow task queue (a worker has no HTTP endpoint). */
async function waitForWorkerPollers(
  config: MasslineConfig,
  address: string,
  workers: Array<{ process: ChildProcess; logFile: string }>,
): Promise<void> {
  const connection = await Connection.connect({ address });
  try {
    for (const worker of workers) {
      await waitUntil(
        `the worker (pid ${worker.process.pid}) polling task queue ${config.temporal.taskQueue}`,
        async () => {
          const { pollers } = await connection.workflowService.describeTaskQueue({
            namespace: config.temporal.namespace,
            taskQueue: { name: config.temporal.taskQueue },
            taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
          });
          // The SDK's identity is `<pid>@<host>`; a killed worker's poller lingers, so match this process.
          return pollers.some((p) => p.identity?.startsWith(`${worker.process.pid}@`));
        },
        { timeoutMs: 120_000, child: worker.process, intervalMs: 250, logFile: worker.logFile },
      );
      if (hasExited(worker.process)) throw new Error('a worker exited');
    }
  } finally {
    await connection.close();
  }
}

interface Tools {
  ensureTemporalCli(): Promise<string>;
  ensureTemporalServer(): Promise<ClusterTools>;
}

function defaultTools(root: string): Tools {
  // Plain JS shared with npm start / npm test; required at run time, as dist/ has no copy of scripts/.
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a plain CommonJS script found at run time from the project's root
  const tools = require(path.join(root, 'scripts', 'lib', 'tools.js')) as Tools;
  return { ensureTemporalCli: () => tools.ensureTemporalCli(), ensureTemporalServer: () => tools.ensureTemporalServer() };
}
