// `massline up`: the whole system on one machine. Starts what is not given from outside — the Temporal dev
// server (state in data/temporal/temporal.db, Web UI on) unless TEMPORAL_ADDRESS is set, embedded PostgreSQL
// (data/postgres) unless DATABASE_URL is set — applies the migrations, then runs the worker and the API as
// child processes and says where everything is. Ctrl-C stops every process it started, API first.
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as path from 'path';
import * as readline from 'readline';
import { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { ConfigError, loadConfig, MasslineConfig } from '../../../libs/config/src';
import { databaseUrl, EMBEDDED_DATABASE, runMigrations } from '../../../libs/persistence/src/data-source';
import { ensureDatabase, postgresDataDir, RunningPostgres, startEmbeddedPostgres } from './embedded/postgres';
import { RunningDevServer, startTemporalDevServer, waitForTemporal } from './embedded/temporal-dev-server';
import { hasExited, portInUse, stopProcess, waitForExit, waitUntil } from './embedded/process';

/** The folder holding package.json of massline (up.ts runs from apps/cli/src or from dist/apps/cli/src). */
export function projectRoot(from = __dirname): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg) && JSON.parse(fs.readFileSync(pkg, 'utf8')).name === 'massline') return dir;
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

interface Managed {
  name: string;
  process: ChildProcess;
  stop(): Promise<void>;
  logFile: string;
  /** Shows that a process with this pid is still ours (see UpState). */
  marker: string;
}

/** What a running `massline up` records, so a second one can tell it is running (or clean up after a crash). */
interface UpState {
  pid: number;
  startedAt: string;
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

function readState(file: string): UpState | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as UpState;
  } catch {
    return undefined;
  }
}

/** Whether `pid` is recognisably a process of ours: `marker` (a data path) on its command line or in its env. */
function isOurs(pid: number, marker: string): boolean {
  for (const file of ['cmdline', 'environ']) {
    try {
      const text = fs.readFileSync(`/proc/${pid}/${file}`, 'utf8').split('\0');
      if (marker && text.some((part) => part.includes(marker))) return true;
    } catch {
      /* no /proc or not readable: not provably ours */
    }
  }
  return false;
}

/**
 * Processes of a previous `massline up` that died without stopping its children (killed by pid, once they are
 * recognised as ours); SIGKILL for those still there after a grace period.
 */
async function stopLeftovers(state: UpState): Promise<string[]> {
  const ours = (state.children ?? []).filter((c) => processAlive(c.pid) && isOurs(c.pid, c.marker));
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

async function assertPortsFree(ports: Array<{ port: number; key: string; what: string }>, host = '127.0.0.1'): Promise<void> {
  const busy: string[] = [];
  for (const p of ports) if (await portInUse(p.port, host)) busy.push(`port ${p.port} (${p.what}) is in use: set ${p.key} to another port`);
  if (busy.length) throw new UpError(busy.join('\n'));
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

/**
 * Runs a compiled app as a child: its whole output goes to its log file, and plain lines and warnings to the
 * terminal too.
 */
function runApp(name: string, main: string, env: NodeJS.ProcessEnv, logFile: string, verbose: boolean, onLine: (line: string) => void): Managed {
  const log = fs.createWriteStream(logFile, { flags: 'a' });
  const child = spawn(process.execPath, [main], { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const prefix = `${name.padEnd(6)} | `;
  for (const stream of [child.stdout!, child.stderr!]) {
    readline.createInterface({ input: stream }).on('line', (line) => {
      log.write(`${line}\n`);
      if (shownInTerminal(line, verbose)) process.stdout.write(`${prefix}${line}\n`);
      onLine(line);
    });
  }
  child.on('exit', () => log.end());
  return {
    name,
    process: child,
    logFile,
    marker: `MASSLINE_DATA_DIR=${env.MASSLINE_DATA_DIR}`,
    stop: () => stopProcess(child, 'SIGTERM', name === 'worker' ? 30_000 : 15_000),
  };
}

/** The API's office-token announcement (`office token: …`), in a plain line or a JSON log's message. */
function tokenLine(line: string): string | undefined {
  const plain = line.trim();
  if (/^office token:/i.test(plain)) return plain.replace(/^office token:\s*/i, '');
  if (!plain.startsWith('{')) return undefined;
  try {
    const parsed = JSON.parse(plain) as Record<string, unknown>;
    const msg = typeof parsed.msg === 'string' ? parsed.msg : typeof parsed.message === 'string' ? parsed.message : '';
    return /^office token:/i.test(msg) ? msg.replace(/^office token:\s*/i, '') : undefined;
  } catch {
    return undefined;
  }
}

export interface UpOptions {
  env?: NodeJS.ProcessEnv;
  /** Resolves the Temporal CLI when TEMPORAL_CLI is not set (default: scripts/lib/tools.js, which may build it). */
  ensureTemporalCli?: () => Promise<string>;
  /** Entry points of the apps (default: their compiled mains in dist/). */
  mains?: { worker: string; api: string };
}

export async function up(argv: string[] = [], options: UpOptions = {}): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    say('massline up — start Temporal (dev server), PostgreSQL (embedded), migrations, the worker and the API.');
    say('  --verbose   show every log line of the worker and the API (default: warnings, errors and plain lines;');
    say('              everything is always in data/logs/)');
    say('Configured by environment variables; see the configuration table in README.md.');
    return 0;
  }
  const started = Date.now();
  const env = options.env ?? process.env;
  const verbose = argv.includes('--verbose') || argv.includes('-v');
  const root = projectRoot();
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
  const mains = options.mains ?? { worker: compiledMain(root, 'worker'), api: compiledMain(root, 'api') };
  for (const main of Object.values(mains)) {
    if (!fs.existsSync(main)) {
      note(`${path.relative(root, main)} is missing: run \`npm run build\` (npm start does it for you)`);
      return 1;
    }
  }

  const logDir = path.join(config.dataDir, 'logs');
  fs.mkdirSync(logDir, { recursive: true });
  const stateFile = path.join(config.dataDir, 'massline-up.json');
  const previous = readState(stateFile);
  if (previous && previous.pid !== process.pid && processAlive(previous.pid)) {
    note(`massline is already running (pid ${previous.pid}, since ${previous.startedAt}): API at ${previous.apiUrl}`);
    note('stop it with Ctrl-C in its terminal (or `kill ' + previous.pid + '`) before starting another');
    return 1;
  }
  if (previous) {
    const stopped = await stopLeftovers(previous);
    if (stopped.length) note(`a previous run ended without stopping its processes; stopped: ${stopped.join(', ')}`);
  }

  const started_: Managed[] = []; // in start order; stopped in reverse
  let stopping = false;
  const state: UpState = { pid: process.pid, startedAt: new Date().toISOString(), children: [], apiUrl: `http://localhost:${config.port}` };
  const saveState = () => {
    state.children = started_.map((m) => ({ name: m.name, pid: m.process.pid!, marker: m.marker }));
    fs.writeFileSync(stateFile, JSON.stringify(state, null, 2));
  };

  let stopped: Promise<void> | undefined;
  /** Stops every started process, newest first; later calls get the same promise. */
  const stopAll = (reason: string): Promise<void> => {
    stopping = true;
    stopped ??= (async () => {
      note(`${reason}: stopping ${started_.map((m) => m.name).reverse().join(', ') || 'nothing'}`);
      for (const managed of [...started_].reverse()) {
        if (hasExited(managed.process)) continue;
        await managed.stop().catch((e) => note(`could not stop ${managed.name}: ${(e as Error).message}`));
        note(`  ${managed.name} stopped`);
      }
      fs.rmSync(stateFile, { force: true });
    })();
    return stopped;
  };

  // A second Ctrl-C while stopping: kill everything at once.
  let interrupts = 0;
  let finish: (code: number) => void = () => undefined;
  const finished = new Promise<number>((resolve) => (finish = resolve));
  const onSignal = (signal: NodeJS.Signals) => {
    interrupts++;
    if (interrupts > 1) {
      note('stopping at once (second interrupt)');
      for (const m of started_) if (!hasExited(m.process)) m.process.kill('SIGKILL');
      fs.rmSync(stateFile, { force: true });
      process.exit(130);
    }
    void stopAll(`${signal} received`).then(() => finish(0));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  /** A child that dies on its own takes the whole system down, with a pointer to its log. */
  const watch = (managed: Managed) => {
    managed.process.once('exit', (code, signal) => {
      if (stopping) return;
      note(`${managed.name} exited unexpectedly (${signal ?? `code ${code}`}); its log: ${shown(managed.logFile)}`);
      void stopAll(`${managed.name} died`).then(() => finish(1));
    });
  };

  try {
    // Ports first, so a collision is named before anything starts.
    const ports: Array<{ port: number; key: string; what: string }> = [];
    if (config.temporal.embedded) {
      ports.push({ port: config.temporal.embeddedPort, key: 'MASSLINE_TEMPORAL_PORT', what: 'Temporal dev server' });
      ports.push({ port: config.temporal.uiPort, key: 'MASSLINE_TEMPORAL_UI_PORT', what: 'Temporal Web UI' });
    }
    if (config.database.embedded) ports.push({ port: config.database.embeddedPort, key: 'MASSLINE_PG_PORT', what: 'embedded PostgreSQL' });
    if (config.port !== 0) ports.push({ port: config.port, key: 'PORT', what: 'API' });
    await assertPortsFree(ports);

    const temporalStep = async (): Promise<RunningDevServer | undefined> => {
      if (!config.temporal.embedded) {
        note(`using Temporal at ${config.temporal.address} (TEMPORAL_ADDRESS)`);
        await waitForTemporal(config.temporal.address, config.temporal.namespace, { timeoutMs: 60_000 }).catch((e: Error) => {
          throw new UpError(`Temporal at ${config.temporal.address} does not answer for namespace ${config.temporal.namespace}: ${e.message}`);
        });
        return undefined;
      }
      const cliPath = config.temporal.cliPath ?? (await (options.ensureTemporalCli ?? defaultEnsureTemporalCli(root))());
      note(`starting the Temporal dev server on 127.0.0.1:${config.temporal.embeddedPort} (state: ${shown(path.join(config.dataDir, 'temporal', 'temporal.db'))})`);
      const t = Date.now();
      const server = await startTemporalDevServer({
        cliPath,
        port: config.temporal.embeddedPort,
        uiPort: config.temporal.uiPort,
        namespace: config.temporal.namespace,
        dbFilename: path.join(config.dataDir, 'temporal', 'temporal.db'),
        logFile: path.join(logDir, 'temporal.log'),
        detached: true,
      });
      note(`Temporal ready (${((Date.now() - t) / 1000).toFixed(1)} s)`);
      return server;
    };
    const postgresStep = async (): Promise<RunningPostgres | undefined> => {
      if (!config.database.embedded) return undefined;
      const placed = postgresDataDir(path.join(config.dataDir, 'postgres'));
      const dataDir = placed.dir;
      if (placed.moved) {
        note(`the 'postgres' user (PostgreSQL refuses to run as root) cannot reach ${config.dataDir}; its data is kept in ${dataDir}`);
      }
      note(`starting PostgreSQL on 127.0.0.1:${config.database.embeddedPort} (data: ${shown(dataDir)})`);
      const t = Date.now();
      const pg = await startEmbeddedPostgres({
        dataDir,
        port: config.database.embeddedPort,
        user: EMBEDDED_DATABASE.user,
        password: EMBEDDED_DATABASE.password,
        logFile: path.join(logDir, 'postgres.log'),
        detached: true,
      });
      if (await ensureDatabase(pg.url(), EMBEDDED_DATABASE.database)) note(`created database ${EMBEDDED_DATABASE.database}`);
      note(`PostgreSQL ready${pg.initialised ? ' (initialised)' : ''} (${((Date.now() - t) / 1000).toFixed(1)} s)`);
      return pg;
    };

    // Both at once; whichever started is recorded so that a failure of the other still stops it.
    const [temporalResult, postgresResult] = await Promise.allSettled([
      temporalStep().then((s) => {
        if (s) {
          const marker = path.join(config.dataDir, 'temporal', 'temporal.db');
          started_.push({ name: 'temporal', process: s.process, stop: s.stop, logFile: path.join(logDir, 'temporal.log'), marker });
        }
        return s;
      }),
      postgresStep().then((p) => {
        if (p) started_.push({ name: 'postgres', process: p.process, stop: p.stop, logFile: path.join(logDir, 'postgres.log'), marker: p.dataDir });
        return p;
      }),
    ]);
    const startRank = ['postgres', 'temporal'];
    started_.sort((a, b) => startRank.indexOf(a.name) - startRank.indexOf(b.name));
    saveState();
    for (const r of [temporalResult, postgresResult]) if (r.status === 'rejected') throw r.reason;
    const devServer = (temporalResult as PromiseFulfilledResult<RunningDevServer | undefined>).value;
    for (const m of started_) watch(m);

    const dbUrl = databaseUrl(config);
    const t = Date.now();
    const applied = await runMigrations({ url: dbUrl });
    note(`migrations: ${applied.length ? `applied ${applied.join(', ')}` : 'up to date'} (${((Date.now() - t) / 1000).toFixed(1)} s)`);

    // The apps get the resolved addresses, whatever was embedded.
    const childEnv: NodeJS.ProcessEnv = {
      ...env,
      DATABASE_URL: dbUrl,
      TEMPORAL_ADDRESS: config.temporal.address,
      TEMPORAL_NAMESPACE: config.temporal.namespace,
      TEMPORAL_TASK_QUEUE: config.temporal.taskQueue,
      MASSLINE_DATA_DIR: config.dataDir,
    };
    const worker = runApp('worker', mains.worker, childEnv, path.join(logDir, 'worker.log'), verbose, () => undefined);
    started_.push(worker);
    watch(worker);
    saveState();

    const tokenLines: string[] = [];
    const api = runApp('api', mains.api, childEnv, path.join(logDir, 'api.log'), verbose, (line) => {
      const found = tokenLine(line);
      if (found) tokenLines.push(found);
    });
    started_.push(api);
    watch(api);
    saveState();

    // Ready means: the API answers /health/ready and the worker polls the task queue.
    await waitForWorkerPoller(config, worker);

    const apiBase = `http://127.0.0.1:${config.port}`;
    await waitUntil(`the API (${apiBase}/health/ready)`, async () => (await getStatus(`${apiBase}/health/ready`)) === 200, {
      timeoutMs: 120_000,
      child: api.process,
      intervalMs: 250,
      logFile: api.logFile,
    });
    if (stopping) return await finished;

    const publicHost = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
    const apiUrl = `http://${publicHost}:${config.port}`;
    state.apiUrl = apiUrl;
    saveState();
    const safeDb = dbUrl.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
    say('');
    say(`massline is up (ready in ${((Date.now() - started) / 1000).toFixed(1)} s)`);
    say(`  API           ${apiUrl}`);
    say(`  Swagger UI    ${apiUrl}/docs`);
    say(`  Temporal UI   ${devServer?.uiUrl ?? '(external Temporal: its own Web UI)'}`);
    say(`  Temporal      ${config.temporal.address}  namespace ${config.temporal.namespace}, task queue ${config.temporal.taskQueue}`);
    say(`  PostgreSQL    ${safeDb}${config.database.embedded ? ' (embedded)' : ''}`);
    say(`  Office token  ${tokenLines.length ? tokenLines.join(' / ') : env.MASSLINE_ADMIN_TOKEN ? 'MASSLINE_ADMIN_TOKEN' : 'printed by the API on its first start only (see data/logs/api.log)'}`);
    say(`  Logs          ${shown(logDir)}/`);
    say('Ctrl-C stops everything.');
    say('');
    return await finished;
  } catch (e) {
    const message = e instanceof UpError || !verbose ? ((e as Error).message ?? String(e)) : ((e as Error).stack ?? String(e));
    note(`could not start: ${message}`);
    await stopAll('start failed');
    return 1;
  } finally {
    // Signals stay handled until every child has exited: a Ctrl-C now must not orphan them.
    await stopped;
    await Promise.all(started_.map((m) => waitForExit(m.process)));
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  }
}

/** Waits until a worker polls the configured workflow task queue (the worker has no HTTP endpoint). */
async function waitForWorkerPoller(config: MasslineConfig, worker: Managed): Promise<void> {
  const connection = await Connection.connect({ address: config.temporal.address });
  try {
    await waitUntil(
      `the worker polling task queue ${config.temporal.taskQueue}`,
      async () => {
        const { pollers } = await connection.workflowService.describeTaskQueue({
          namespace: config.temporal.namespace,
          taskQueue: { name: config.temporal.taskQueue },
          taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
        });
        return (pollers?.length ?? 0) > 0;
      },
      { timeoutMs: 120_000, child: worker.process, intervalMs: 250, logFile: worker.logFile },
    );
  } finally {
    await connection.close();
  }
}

function defaultEnsureTemporalCli(root: string): () => Promise<string> {
  // Plain JS shared with npm start / npm test; required at run time, as dist/ has no copy of scripts/.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const tools = require(path.join(root, 'scripts', 'lib', 'tools.js')) as { ensureTemporalCli(): Promise<string> };
  return () => tools.ensureTemporalCli();
}
