// `npm run bench baseline`: massline beside a bare Temporal baseline, on one dev server and one PostgreSQL, in one
// process tree: this process starts the dev server, PostgreSQL, massline's worker and API (the compiled apps, as
// `massline up` runs them) and the bare baseline's worker and reader (baseline/bare.ts), then measures both sides
// A/B alternated (the order flips every round, so drift in the machine's load falls on both), printing each
// figure for both, their ratio (massline ÷ bare) and the machine's load.
//
//   start      N units started until all are in P1 (massline: the campaign's start until every unit_states row
//              says P1; bare: N workflow starts until every row is written), units/s, Temporal server CPU per unit
//   decision   p50/p99 and decisions/s at 1 connection and at 10 concurrent (massline: POST a record over HTTP;
//              bare: the Update from a client), and what each decision costs the history: events, workflow
//              tasks, activities, local activities, bytes
//   lag        massline's read-your-writes lag: decision answered → GET ?minVersion=<its version> answered
//   read       GET a unit p50 and reads/s at 1 and 10 connections (massline: the API from the read model; bare:
//              a plain HTTP server reading its row)
//   memory     worker RSS holding the units started so far (each side), and per unit
//   replay     massline's replay (worker threads across the cores) of the recorded full-lifecycle unit history,
//              copied N times, against the SDK's replayer (one replay worker, same bundle, same histories)
//   scale      BENCH_SCALE_UNITS (e.g. 10000) massline units started until all are in P1, and the worker's RSS
//
// Options: BENCH_PARTS (default start,decision,lag,read,memory,replay; add scale), BENCH_ROUNDS (3),
// BENCH_START_UNITS (1000), BENCH_DECISION_SECONDS (10), BENCH_READ_SECONDS (5), BENCH_LAG_DECISIONS (200),
// BENCH_REPLAY_HISTORIES (1000), BENCH_SDK_REPLAY_HISTORIES (200), BENCH_SCALE_UNITS (10000), BENCH_STORAGE
// (durable, as `massline up` runs the dev server and PostgreSQL; memory: neither syncs to disk), BENCH_MASSLINE_ROOT
// (another build of massline whose worker and API run, e.g. the code before a change), BENCH_OUT (a file
// the JSON summary is written to), BENCH_API_NODE_ARGS, BENCH_WORKER_NODE_ARGS and BENCH_BARE_NODE_ARGS (node flags
// for massline's API and worker and the bare worker, e.g. --cpu-prof). MASSLINE_WORKER_* settings pass through to massline's worker, OTEL_* ones (the trace sampler) to its worker and API.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { chmodSync, createWriteStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { Pool } from 'pg';
import { bundleWorkflows, currentWorkflowsPath, historyFromCliJson, replayHistories, type ReplayItem } from '../../../libs/audit/src';
import { workflowSinks } from '../../../libs/temporal/src/workflow-bundle';
import { unitWorkflowId } from '../../../libs/domain/src';
import { addRecordUpdate, batchKey, campaignIdKey, cardKey, kindKey, phaseKey, unitCodeKey } from '../../../libs/contracts/src';
import { ensureDatabase, startEmbeddedPostgres } from '../../cli/src/embedded/postgres';
import { freePort, stopProcess, waitUntil } from '../../cli/src/embedded/process';
import { startTemporalDevServer } from '../../cli/src/embedded/temporal-dev-server';
import { projectRoot } from '../../cli/src/up';
import { BARE_SCHEMA, BARE_WORKFLOW_TYPE } from './baseline/bare';
import { decideUpdate, finishSignal, type BareUnitInput } from './baseline/bare-workflow';
import { runLoad, type LoadResult } from './baseline/load-generator';
import { closedLoop, cpuMs, loadAverage, loadText, median, memoryMb, percentile } from './baseline/measure';
import { benchPlan, count, field, list, text } from './stack';

const int = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const PARTS = new Set((process.env.BENCH_PARTS ?? 'start,decision,lag,read,memory,replay').split(',').map((s) => s.trim()));
const ROUNDS = int('BENCH_ROUNDS', 3);
const START_UNITS = int('BENCH_START_UNITS', 1000);
const START_CONCURRENCY = 16; // as massline's startBatchUnits
const DECISION_SECONDS = int('BENCH_DECISION_SECONDS', 10);
const READ_SECONDS = int('BENCH_READ_SECONDS', 5);
const LAG_DECISIONS = int('BENCH_LAG_DECISIONS', 200);
const DECISION_UNITS = 20;
const REPLAY_HISTORIES = int('BENCH_REPLAY_HISTORIES', 1000);
const SDK_REPLAY_HISTORIES = int('BENCH_SDK_REPLAY_HISTORIES', 200);
const SCALE_UNITS = int('BENCH_SCALE_UNITS', 10_000);
const WINDOW_MS = 6 * 3_600_000;
/** `durable` (default): the dev server and PostgreSQL keep their state on disk as `massline up` runs them; `memory`: neither syncs. */
const DURABLE = (process.env.BENCH_STORAGE ?? 'durable') !== 'memory';

const root = projectRoot(__dirname);
/** Where massline's compiled worker and API are taken from: this tree, or another build (e.g. before a change). */
const MASSLINE_ROOT = process.env.BENCH_MASSLINE_ROOT ?? root;
const say = (s: string) => process.stdout.write(`${s}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const fmt = (x: number, digits = 1) => (Number.isFinite(x) ? x.toFixed(digits) : '—');

// ---------- the processes ----------

interface Proc {
  name: string;
  child: ChildProcess;
  pid: number;
  logFile: string;
  /** Lines the process printed on stdout. */
  lines: string[];
}

/** This process's environment variables whose names pass `keep` (those set). */
function envWhere(keep: (key: string) => boolean): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) if (value !== undefined && keep(key)) out[key] = value;
  return out;
}

/** A child's process id: a child without one never started. */
function pidOf(child: ChildProcess, name: string): number {
  if (child.pid === undefined) throw new Error(`${name} did not start (it has no process id)`);
  return child.pid;
}

function spawnNode(name: string, dir: string, args: string[], env: Record<string, string>): Proc {
  const logFile = join(dir, `${name}.log`);
  const log = createWriteStream(logFile);
  const keep = ['PATH', 'HOME', 'LANG', 'TZ', 'NODE_OPTIONS'];
  const base = envWhere((k) => keep.includes(k));
  // The worker's settings and OpenTelemetry's own (e.g. OTEL_TRACES_SAMPLER) pass through to massline's processes.
  const passed = envWhere((k) => k.startsWith('MASSLINE_WORKER_') || k.startsWith('OTEL_'));
  const child = spawn(process.execPath, args, { cwd: root, env: { ...base, ...passed, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  let partial = '';
  child.stdout.on('data', (d: Buffer) => {
    log.write(d);
    partial += d.toString();
    const parts = partial.split('\n');
    partial = parts.pop() ?? ''; // the line not finished yet (split always gives at least one part)
    lines.push(...parts);
  });
  child.stderr.on('data', (d: Buffer) => log.write(d));
  return { name, child, pid: pidOf(child, name), logFile, lines };
}

const tail = (file: string) => {
  try {
    return readFileSync(file, 'utf8').slice(-3000);
  } catch {
    return '';
  }
};

async function waitForLine(p: Proc, prefix: string, timeoutMs = 120_000): Promise<string> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const line = p.lines.find((l) => l.startsWith(prefix));
    if (line) return line;
    if (p.child.exitCode !== null) throw new Error(`${p.name} exited (${p.child.exitCode}):\n${tail(p.logFile)}`);
    if (Date.now() > until) throw new Error(`${p.name} not ready in time:\n${tail(p.logFile)}`);
    await sleep(100);
  }
}

// ---------- the two sides ----------

interface Started {
  seconds: number;
  serverCpuMs: number;
  /** Workflow ids of the units started. */
  workflowIds: string[];
}

interface Side {
  name: 'massline' | 'bare';
  worker: Proc;
  /** Starts n units; resolves once every one is in P1 (massline) or has its row (bare). */
  start(round: number, n: number): Promise<Started>;
  /** Prepares the units decisions go to (the first DECISION_UNITS of round 0). */
  prepareDecisions(first: Started): Promise<void>;
  decisionWorkflowIds(): string[];
  /** One decision on the k-th decision unit (round robin); its version. */
  decide(k: number): Promise<number>;
  /** GET one unit (autocannon requests). */
  readTarget(): { url: string; requests: Array<{ method: string; path: string; headers?: Record<string, string> }> };
}

interface MasslineSide extends Side {
  api: Proc;
  url: string;
  office: string;
  pool: Pool;
  getUnit(k: number, minVersion?: number): Promise<void>;
  /** The same decision as decide(), sent by a client straight to the workflow (no API). */
  decideRaw(k: number): Promise<number>;
}

interface BareSide extends Side {
  reader: Proc;
  readerUrl: string;
  pool: Pool;
}

export interface Stack {
  client: Client;
  devServerPid: number;
  massline: MasslineSide;
  bare: BareSide;
  stop(): Promise<void>;
}

/** What the stack undoes when it goes, run in order (each failure is logged and the rest still run). */
type Stops = Array<() => Promise<void> | void>;

/** The Temporal dev server and PostgreSQL both sides share, and a client of the server. */
interface Engine {
  dir: string;
  address: string;
  serverPid: number;
  client: Client;
  masslineDbUrl: string;
  bareDbUrl: string;
}

export async function startStack(): Promise<Stack> {
  const stops: Stops = [];
  const stop = async () => {
    for (const s of stops.splice(0)) {
      try {
        await s();
      } catch (e) {
        process.stderr.write(`cleanup: ${String(e)}\n`);
      }
    }
  };
  try {
    const engine = await startEngine(stops);
    const m = await startMasslineProcesses(engine, stops);
    const b = await startBareProcesses(engine, stops);
    const masslineDb = new Pool({ connectionString: engine.masslineDbUrl, max: 4 });
    stops.unshift(() => masslineDb.end());
    const massline = new MasslineBenchSide(engine, m.worker, m.api, m.url, m.office, masslineDb);
    const bare = new BareBenchSide(engine, b.worker, b.reader, b.readerUrl, b.db);
    return { client: engine.client, devServerPid: engine.serverPid, massline, bare, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

async function startEngine(stops: Stops): Promise<Engine> {
  const dir = mkdtempSync(join(tmpdir(), 'massline-bench-baseline-'));
  chmodSync(dir, 0o755); // PostgreSQL may run as `postgres`, which must pass through
  stops.push(() => rmSync(dir, { recursive: true, force: true }));
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a plain CommonJS script found at run time from the project's root
  const tools = require(join(root, 'scripts', 'lib', 'tools.js')) as { ensureTemporalCli(): Promise<string> };
  // As `massline up` runs them (durable): the dev server's state in a SQLite file, PostgreSQL with fsync.
  const server = await startTemporalDevServer({
    cliPath: await tools.ensureTemporalCli(),
    port: await freePort(),
    namespace: 'default',
    logFile: join(dir, 'temporal.log'),
    ...(DURABLE ? { dbFilename: join(dir, 'temporal', 'temporal.db') } : {}),
  });
  stops.unshift(() => server.stop());
  const pg = await startEmbeddedPostgres({
    dataDir: join(dir, 'pg'),
    port: await freePort(),
    logFile: join(dir, 'pg.log'),
    ephemeral: !DURABLE,
  });
  stops.unshift(() => pg.stop());
  await ensureDatabase(pg.url(), 'massline');
  await ensureDatabase(pg.url(), 'bare');
  const connection = await Connection.connect({ address: server.address });
  stops.unshift(() => connection.close());
  return {
    dir,
    address: server.address,
    serverPid: pidOf(server.process, 'the Temporal dev server'),
    client: new Client({ connection, namespace: 'default' }),
    masslineDbUrl: pg.url('massline'),
    bareDbUrl: pg.url('bare'),
  };
}

/** massline: the compiled worker and API, as `massline up` runs them. */
async function startMasslineProcesses(engine: Engine, stops: Stops) {
  const office = `bench-office-${randomBytes(12).toString('hex')}`;
  const common = {
    TEMPORAL_ADDRESS: engine.address,
    DATABASE_URL: engine.masslineDbUrl,
    TEMPORAL_TASK_QUEUE: 'massline-bench',
    MASSLINE_DATA_DIR: engine.dir,
    LOG_LEVEL: 'warn',
  };
  const workerArgs = (process.env.BENCH_WORKER_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const worker = spawnNode(
    'massline-worker',
    engine.dir,
    [...workerArgs, join(MASSLINE_ROOT, 'dist', 'apps', 'worker', 'src', 'main.js')],
    common,
  );
  stops.unshift(() => stopProcess(worker.child, 'SIGTERM', 30_000));
  const apiPort = await freePort();
  // BENCH_API_NODE_ARGS: node flags for the API alone (e.g. --cpu-prof --cpu-prof-dir=…, to see where its time goes).
  const apiArgs = (process.env.BENCH_API_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const api = spawnNode('massline-api', engine.dir, [...apiArgs, join(MASSLINE_ROOT, 'dist', 'apps', 'api', 'src', 'main.js')], {
    ...common,
    PORT: String(apiPort),
    HOST: '127.0.0.1',
    MASSLINE_ADMIN_TOKEN: office,
  });
  stops.unshift(() => stopProcess(api.child, 'SIGTERM', 15_000));
  const url = `http://127.0.0.1:${apiPort}`;
  await waitUntil(
    'the massline API ready (its worker polling)',
    async () =>
      (await fetch(`${url}/health/ready`).then(
        (r) => r.status,
        () => 0,
      )) === 200,
    { timeoutMs: 180_000, child: api.child, logFile: api.logFile, intervalMs: 250 },
  );
  return { worker, api, url, office };
}

/** bare: its worker and its reader, and its database. */
async function startBareProcesses(engine: Engine, stops: Stops) {
  const db = new Pool({ connectionString: engine.bareDbUrl, max: 4 });
  stops.unshift(() => db.end());
  await db.query(BARE_SCHEMA);
  const bareEnv = { BARE_TEMPORAL_ADDRESS: engine.address, BARE_TASK_QUEUE: 'bare-bench', BARE_DATABASE_URL: engine.bareDbUrl };
  const bareMain = join(root, 'dist', 'apps', 'api', 'bench', 'baseline', 'bare.js');
  const bareArgs = (process.env.BENCH_BARE_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const worker = spawnNode('bare-worker', engine.dir, [...bareArgs, bareMain, 'worker'], bareEnv);
  stops.unshift(() => stopProcess(worker.child, 'SIGTERM', 30_000));
  const reader = spawnNode('bare-reader', engine.dir, [bareMain, 'reader'], bareEnv);
  stops.unshift(() => stopProcess(reader.child, 'SIGTERM', 5_000));
  await waitForLine(worker, 'ready');
  const readerUrl = `http://127.0.0.1:${(await waitForLine(reader, 'ready')).split(' ')[1]}`;
  return { worker, reader, readerUrl, db };
}

/** A count(*) AS n query's answer. */
async function countOf(pool: Pool, sql: string, params: unknown[]): Promise<number> {
  const { rows } = await pool.query<{ n: unknown }>(sql, params);
  const n = rows.at(0)?.n;
  if (typeof n !== 'number') throw new Error(`no count from ${sql}: ${JSON.stringify(rows).slice(0, 300)}`);
  return n;
}

/** Polls until `done` says yes. */
async function waitFor(done: () => Promise<boolean>): Promise<void> {
  while (!(await done())) await sleep(50);
}

/** massline's side: its API over HTTP (decisions and reads), its read model in PostgreSQL. */
class MasslineBenchSide implements MasslineSide {
  readonly name = 'massline' as const;
  /** The decision units with their unit principal's token. */
  private units: Array<{ id: string; token: string; principal: string }> = [];

  constructor(
    private readonly engine: Engine,
    readonly worker: Proc,
    readonly api: Proc,
    readonly url: string,
    readonly office: string,
    readonly pool: Pool,
  ) {}

  /** One API call; its JSON answer (undefined when empty), or an error naming the call and the status. */
  private async call(method: string, path: string, token: string | undefined, body?: unknown): Promise<unknown> {
    const res = await fetch(`${this.url}${path}`, {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const answer = await res.text();
    if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${answer.slice(0, 300)}`);
    return answer ? (JSON.parse(answer) as unknown) : undefined;
  }

  async start(round: number, n: number): Promise<Started> {
    const office = this.office;
    const plan = benchPlan(WINDOW_MS / 3);
    const campaignId = text(await this.call('POST', '/api/campaigns', office, { name: `bench round ${round}`, plan }), 'id');
    const groupId = text(await this.call('POST', `/api/campaigns/${campaignId}/groups`, office, { name: 'g' }), 'id');
    const units = Array.from({ length: n }, (_, i) => ({
      code: `R${round}-${String(i).padStart(5, '0')}`,
      name: `unit ${round}/${i}`,
      kind: 'organ',
      level: 'municipal',
      groupId,
    }));
    const enrolled = await this.call('POST', `/api/campaigns/${campaignId}/units`, office, { units });
    const ids = list(enrolled, 'results').map((r) => text(r, 'id'));
    const cpu0 = cpuMs(this.engine.serverPid);
    const t0 = performance.now();
    await this.call('POST', `/api/campaigns/${campaignId}/start`, office);
    const inP1 = `SELECT count(*)::int AS n FROM unit_states WHERE campaign_id = $1 AND phase = 'P1'`;
    await waitFor(async () => (await countOf(this.pool, inP1, [campaignId])) >= n);
    const seconds = (performance.now() - t0) / 1000;
    return { seconds, serverCpuMs: cpuMs(this.engine.serverPid) - cpu0, workflowIds: ids.map(unitWorkflowId) };
  }

  async prepareDecisions(first: Started): Promise<void> {
    const ids = first.workflowIds.slice(0, DECISION_UNITS).map((w) => w.replace(/^massline-unit-/, ''));
    this.units = [];
    for (const id of ids) {
      const p = await this.call('POST', '/api/principals', this.office, { name: `unit ${id}`, role: 'unit', unitId: id });
      this.units.push({ id, token: text(p, 'token'), principal: text(p, 'id') });
    }
  }

  decisionWorkflowIds(): string[] {
    return this.units.map((u) => unitWorkflowId(u.id));
  }

  async decide(k: number): Promise<number> {
    const u = this.units[k % this.units.length];
    return count(
      await this.call('POST', `/api/units/${u.id}/records`, u.token, { kind: 'investigation', title: `decision ${k}` }),
      'version',
    );
  }

  async decideRaw(k: number): Promise<number> {
    const u = this.units[k % this.units.length];
    const actor = { id: u.principal, role: 'unit' as const, name: `unit ${u.id}`, unitId: u.id };
    return (
      await this.engine.client.workflow
        .getHandle(unitWorkflowId(u.id))
        .executeUpdate(addRecordUpdate, { args: [{ actor, kind: 'investigation', title: `decision ${k}` }] })
    ).version;
  }

  async getUnit(k: number, minVersion?: number): Promise<void> {
    const u = this.units[k % this.units.length];
    await this.call('GET', `/api/units/${u.id}${minVersion === undefined ? '' : `?minVersion=${minVersion}`}`, this.office);
  }

  readTarget() {
    const headers = { authorization: `Bearer ${this.office}` };
    return { url: this.url, requests: this.units.map((u) => ({ method: 'GET', path: `/api/units/${u.id}`, headers })) };
  }
}

/** The bare side: workflow starts and Updates from a client, reads from its plain HTTP reader. */
class BareBenchSide implements BareSide {
  readonly name = 'bare' as const;
  private ids: string[] = [];
  /** The campaign every bare unit's search attributes name. */
  private readonly campaign = randomUUID();

  constructor(
    private readonly engine: Engine,
    readonly worker: Proc,
    readonly reader: Proc,
    readonly readerUrl: string,
    readonly pool: Pool,
  ) {}

  async start(round: number, n: number): Promise<Started> {
    const ids = Array.from({ length: n }, (_, i) => `r${round}-${String(i).padStart(5, '0')}`);
    const cpu0 = cpuMs(this.engine.serverPid);
    const t0 = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: START_CONCURRENCY }, async () => {
        while (next < ids.length) await this.startUnit(ids[next++]);
      }),
    );
    const written = `SELECT count(*)::int AS n FROM bare_units WHERE unit_id LIKE $1`;
    await waitFor(async () => (await countOf(this.pool, written, [`r${round}-%`])) >= n);
    const seconds = (performance.now() - t0) / 1000;
    return { seconds, serverCpuMs: cpuMs(this.engine.serverPid) - cpu0, workflowIds: ids.map((id) => `bare-unit-${id}`) };
  }

  private async startUnit(id: string): Promise<void> {
    const input: BareUnitInput = { unitId: id, windowMs: WINDOW_MS };
    await this.engine.client.workflow.start(BARE_WORKFLOW_TYPE, {
      workflowId: `bare-unit-${id}`,
      taskQueue: 'bare-bench',
      args: [input],
      typedSearchAttributes: [
        { key: campaignIdKey, value: this.campaign },
        { key: unitCodeKey, value: id },
        { key: batchKey, value: 1 },
        { key: phaseKey, value: 'P1' },
        { key: cardKey, value: 'none' },
        { key: kindKey, value: 'bare' },
      ],
    });
  }

  prepareDecisions(first: Started): Promise<void> {
    this.ids = first.workflowIds.slice(0, DECISION_UNITS);
    return Promise.resolve();
  }

  decisionWorkflowIds(): string[] {
    return this.ids;
  }

  async decide(k: number): Promise<number> {
    const r = await this.engine.client.workflow
      .getHandle(this.ids[k % this.ids.length])
      .executeUpdate(decideUpdate, { args: [{ kind: 'investigation', title: `decision ${k}` }] });
    return r.version;
  }

  readTarget() {
    return { url: this.readerUrl, requests: this.ids.map((w) => ({ method: 'GET', path: `/units/${w.replace(/^bare-unit-/, '')}` })) };
  }
}

// ---------- what a decision costs a history ----------

interface HistoryCost {
  events: number;
  workflowTasks: number;
  activities: number;
  localActivities: number;
  bytes: number;
}

async function describeAll(client: Client, ids: string[]) {
  return Promise.all(
    ids.map(async (id) => {
      const d = await client.workflow.getHandle(id).describe();
      const info = d.raw.workflowExecutionInfo;
      if (!info) throw new Error(`describing ${id} gave no execution info`);
      return {
        id,
        length: Number(info.historyLength ?? 0),
        bytes: Number(info.historySizeBytes ?? 0),
        busy: !!d.raw.pendingWorkflowTask || (d.raw.pendingActivities?.length ?? 0) > 0,
      };
    }),
  );
}

/** Waits until none of the workflows has a task or an activity pending (what follows a decision has happened). */
async function settled(client: Client, ids: string[]) {
  const until = Date.now() + 30_000;
  for (;;) {
    const all = await describeAll(client, ids);
    if (all.every((d) => !d.busy) || Date.now() > until) return all;
    await sleep(200);
  }
}

async function costSince(client: Client, before: Array<{ id: string; length: number; bytes: number }>): Promise<HistoryCost> {
  const after = await settled(
    client,
    before.map((b) => b.id),
  );
  const cost: HistoryCost = { events: 0, workflowTasks: 0, activities: 0, localActivities: 0, bytes: 0 };
  for (const b of before) {
    const a = after.find((x) => x.id === b.id);
    if (!a) throw new Error(`${b.id} was not described after the decisions`);
    cost.bytes += a.bytes - b.bytes;
    const history = await client.workflow.getHandle(b.id).fetchHistory();
    for (const e of history.events ?? []) {
      if (Number(e.eventId) <= b.length) continue;
      cost.events++;
      if (e.workflowTaskCompletedEventAttributes) cost.workflowTasks++;
      if (e.activityTaskScheduledEventAttributes) cost.activities++;
      if (e.markerRecordedEventAttributes?.markerName === 'core_local_activity') cost.localActivities++;
    }
  }
  return cost;
}

// ---------- the figures ----------

interface Figure {
  part: string;
  name: string;
  unit: string;
  /** Whether more is better (a rate) or less (a time). */
  higherIsBetter: boolean;
  massline: number[];
  bare: number[];
  /** massline ÷ bare, per round. */
  ratios: number[];
  loads: string[];
  /** Targets: the ratio (massline ÷ bare) must stay on the right side of it. */
  ratioTarget?: number;
}

const figures = new Map<string, Figure>();
function record(part: string, name: string, unit: string, higherIsBetter: boolean, m: number, b: number, ratioTarget?: number) {
  const key = `${part}|${name}`;
  const f = figures.get(key) ?? {
    part,
    name,
    unit,
    higherIsBetter,
    massline: [],
    bare: [],
    ratios: [],
    loads: [],
    ...(ratioTarget ? { ratioTarget } : {}),
  };
  figures.set(key, f);
  f.massline.push(m);
  f.bare.push(b);
  f.ratios.push(m / b);
  f.loads.push(loadText());
  say(
    `    ${name.padEnd(46)} massline ${fmt(m, 2).padStart(9)} ${unit.padEnd(10)} bare ${fmt(b, 2).padStart(9)}   ratio ${fmt(m / b, 2).padStart(5)}   load ${loadText()}`,
  );
}

interface Single {
  part: string;
  name: string;
  value: string;
  load: string;
}
const singles: Single[] = [];
function note(part: string, name: string, value: string) {
  singles.push({ part, name, value, load: loadText() });
  say(`    ${name.padEnd(46)} ${value}   load ${loadText()}`);
}

/** Both sides in the round's order: massline first in even rounds, bare first in odd ones. */
async function ab<T>(stack: Stack, round: number, fn: (side: Side) => Promise<T>): Promise<{ massline: T; bare: T }> {
  const order: Side[] = round % 2 === 0 ? [stack.massline, stack.bare] : [stack.bare, stack.massline];
  const out: Partial<Record<'massline' | 'bare', T>> = {};
  for (const side of order) out[side.name] = await fn(side);
  return out as { massline: T; bare: T };
}

/** A side's decisions from `concurrency` loops: their latencies and rate, and what they cost the histories. */
async function decisionLoop(stack: Stack, side: Side, concurrency: number) {
  const before = await settled(stack.client, side.decisionWorkflowIds());
  const loop = await closedLoop(concurrency, DECISION_SECONDS, async (i) => {
    await side.decide(i);
  });
  if (loop.errors) say(`    ${side.name}: ${loop.errors} decisions failed (${loop.firstError})`);
  const cost = await costSince(stack.client, before);
  return { ...loop, cost, decisions: loop.latencies.length };
}

/** What the API adds: the same Update sent by a client straight to massline's workflow, beside the bare one. */
async function rawUpdateFigure(stack: Stack, round: number, c: string) {
  const raw = await ab(stack, round, async (side) =>
    closedLoop(1, DECISION_SECONDS / 2, async (i) => {
      await (side.name === 'massline' ? stack.massline.decideRaw(i) : side.decide(i));
    }),
  );
  record(
    'decision',
    `the Update from a raw client p50, ${c}`,
    'ms',
    false,
    percentile(raw.massline.latencies, 50),
    percentile(raw.bare.latencies, 50),
  );
}

type DecisionLoop = Awaited<ReturnType<typeof decisionLoop>>;

/** What a decision costs each side's history: events, workflow tasks, bytes, activities. */
function decisionCostFigures(r: { massline: DecisionLoop; bare: DecisionLoop }, c: string) {
  const per = (x: DecisionLoop, k: keyof HistoryCost) => x.cost[k] / Math.max(1, x.decisions);
  record('decision', `events per decision, ${c}`, '', false, per(r.massline, 'events'), per(r.bare, 'events'));
  record('decision', `workflow tasks per decision, ${c}`, '', false, per(r.massline, 'workflowTasks'), per(r.bare, 'workflowTasks'));
  record('decision', `history bytes per decision, ${c}`, 'B', false, per(r.massline, 'bytes'), per(r.bare, 'bytes'));
  note(
    'decision',
    `massline activities / local per decision, ${c}`,
    `${fmt(per(r.massline, 'activities'), 2)} / ${fmt(per(r.massline, 'localActivities'), 2)} (bare ${fmt(per(r.bare, 'activities'), 2)} / ${fmt(per(r.bare, 'localActivities'), 2)})`,
  );
}

async function decisionPart(stack: Stack, round: number) {
  for (const concurrency of [1, 10]) {
    const r = await ab(stack, round, (side) => decisionLoop(stack, side, concurrency));
    const c = `${concurrency} connection${concurrency > 1 ? 's' : ''}`;
    if (concurrency === 1) await rawUpdateFigure(stack, round, c);
    record(
      'decision',
      `decision p50, ${c}`,
      'ms',
      false,
      percentile(r.massline.latencies, 50),
      percentile(r.bare.latencies, 50),
      concurrency === 1 ? 1.25 : 1.5,
    );
    record('decision', `decision p99, ${c}`, 'ms', false, percentile(r.massline.latencies, 99), percentile(r.bare.latencies, 99));
    record(
      'decision',
      `decisions per second, ${c}`,
      '/s',
      true,
      r.massline.perSecond,
      r.bare.perSecond,
      concurrency === 10 ? 0.7 : undefined,
    );
    decisionCostFigures(r, c);
  }
}

async function lagPart(stack: Stack) {
  const m = stack.massline;
  for (const concurrency of [1, 10]) {
    const lags: number[] = [];
    const answered: number[] = [];
    let misses = 0;
    let next = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < LAG_DECISIONS) {
          const k = next++;
          const t0 = performance.now();
          const version = await m.decide(k);
          const t1 = performance.now();
          try {
            await m.getUnit(k, version);
          } catch {
            misses++;
          }
          answered.push(t1 - t0);
          lags.push(performance.now() - t1);
        }
      }),
    );
    note(
      'lag',
      `read-your-writes lag p50 / p99, ${concurrency} conn.`,
      `${fmt(percentile(lags, 50), 1)} / ${fmt(percentile(lags, 99), 1)} ms (max ${fmt(Math.max(...lags), 1)}; ${LAG_DECISIONS} decisions, ${misses} not shown in time)`,
    );
  }
}

async function readPart(stack: Stack, round: number) {
  for (const connections of [1, 10]) {
    const r = await ab(stack, round, async (side): Promise<LoadResult> => {
      const target = side.readTarget();
      await runLoad({ ...target, connections, seconds: 1 }); // warm-up
      const out = await runLoad({ ...target, connections, seconds: READ_SECONDS });
      if (out.non2xx || out.errors) say(`    ${side.name}: ${out.non2xx} non-2xx, ${out.errors} errors`);
      return out;
    });
    const c = `${connections} connection${connections > 1 ? 's' : ''}`;
    record('read', `GET a unit p50, ${c}`, 'ms', false, r.massline.p50, r.bare.p50);
    record('read', `reads per second, ${c}`, '/s', true, r.massline.perSecond, r.bare.perSecond);
  }
}

// ---------- replay ----------

function fullLifecycleCopies(copies: number): ReplayItem[] {
  const file = join(root, 'test', 'fixtures', 'histories', 'recorded-unit-full-lifecycle.json');
  const json = JSON.parse(readFileSync(file, 'utf8')) as unknown;
  return Array.from({ length: copies }, (_, i) => {
    const copy = structuredClone(json);
    const workflowId = `massline-unit-bench-${String(i).padStart(5, '0')}`;
    const started = field(copy, 'events.0.workflowExecutionStartedEventAttributes');
    if (typeof started !== 'object' || started === null) throw new Error(`${file}: its first event is not the workflow's start`);
    (started as Record<string, unknown>).workflowId = workflowId;
    return { workflowId, history: historyFromCliJson(copy as object) };
  });
}

async function replayPart() {
  const bundle = await bundleWorkflows(currentWorkflowsPath());
  const events = fullLifecycleCopies(1)[0].history.events?.length ?? 0;
  say(`  the recorded full-lifecycle unit history: ${events} events`);
  // The SDK's replayer as a user of it runs it: one replay worker, the histories one after another.
  const sdkItems = fullLifecycleCopies(SDK_REPLAY_HISTORIES);
  const t0 = performance.now();
  let sdkDone = 0;
  const feed = sdkItems.map((item) => ({ workflowId: item.workflowId, history: item.history }));
  for await (const result of Worker.runReplayHistories({ workflowBundle: bundle, sinks: workflowSinks() }, feed)) {
    if (result.error) throw new Error(`the SDK's replayer failed on ${result.workflowId}: ${String(result.error)}`);
    sdkDone++;
  }
  const sdkSeconds = (performance.now() - t0) / 1000;
  const sdkRate = sdkDone / sdkSeconds;
  const items = fullLifecycleCopies(REPLAY_HISTORIES);
  const threads = cpus().length;
  const t1 = performance.now();
  const r = await replayHistories(items, { bundle, concurrency: threads });
  const seconds = (performance.now() - t1) / 1000;
  if (r.failures.length) throw new Error(`replay failed: ${r.failures[0].workflowId}: ${r.failures[0].error}`);
  const rate = r.replayed / seconds;
  record('replay', `replay, histories per second`, '/s', true, rate, sdkRate);
  note(
    'replay',
    `replay of ${r.replayed} full-lifecycle histories`,
    `${fmt(seconds, 1)} s on ${threads} threads (${Math.round(r.events / seconds)} events/s); SDK replayer ${sdkDone} in ${fmt(sdkSeconds, 1)} s`,
  );
}

// ---------- the run ----------

function summary(): string {
  const rows: string[] = [];
  rows.push(`| part | measure | massline | bare | ratio (median, range) | target | load (1 min) per round |`);
  rows.push(`|---|---|---|---|---|---|---|`);
  for (const f of figures.values()) {
    const range = (xs: number[], d = 1) => (xs.length > 1 ? `${fmt(Math.min(...xs), d)}–${fmt(Math.max(...xs), d)}` : fmt(xs[0], d));
    const ratio = median(f.ratios);
    const target = f.ratioTarget
      ? `${f.higherIsBetter ? '≥' : '≤'} ${f.ratioTarget}: ${(f.higherIsBetter ? ratio >= f.ratioTarget : ratio <= f.ratioTarget) ? 'met' : 'NOT met'}`
      : '';
    rows.push(
      `| ${f.part} | ${f.name} | ${range(f.massline)} ${f.unit} | ${range(f.bare)} ${f.unit} | ${fmt(ratio, 2)} (${range(f.ratios, 2)}) | ${target} | ${f.loads.map((l) => l.split(' ')[0]).join(', ')} |`,
    );
  }
  for (const s of singles) rows.push(`| ${s.part} | ${s.name} | ${s.value} | | | | ${s.load.split(' ')[0]} |`);
  return rows.join('\n');
}

/** What the rounds carry from one to the next. */
interface Rounds {
  /** Each worker's memory before any unit was started. */
  idle: { massline: { rss: number }; bare: { rss: number } };
  /** Units started so far on each side. */
  open: number;
  /** The first round's units: decisions go to them and reads ask for them. */
  firstRound?: { massline: Started; bare: Started };
}

/** One round: a round's worth of units started on both sides, then the decision, read and memory parts. */
async function runRound(stack: Stack, round: number, rounds: Rounds): Promise<void> {
  say(`round ${round + 1} of ${ROUNDS} (${round % 2 === 0 ? 'massline first' : 'bare first'})`);
  // Units to decide on and read: a round's worth is started in every round (the start part measures it).
  const started = await ab(stack, round, (side) => side.start(round, START_UNITS));
  rounds.open += START_UNITS;
  if (PARTS.has('start')) startFigures(started);
  if (!rounds.firstRound) {
    rounds.firstRound = started;
    await stack.massline.prepareDecisions(started.massline);
    await stack.bare.prepareDecisions(started.bare);
  }
  if (PARTS.has('decision')) await decisionPart(stack, round);
  if (PARTS.has('read')) await readPart(stack, round);
  if (PARTS.has('memory')) memoryFigures(stack, rounds);
}

function startFigures(started: { massline: Started; bare: Started }) {
  record(
    'start',
    `start ${START_UNITS} units until all in P1`,
    'units/s',
    true,
    START_UNITS / started.massline.seconds,
    START_UNITS / started.bare.seconds,
    0.9,
  );
  record(
    'start',
    'Temporal server CPU per unit started',
    'ms',
    false,
    started.massline.serverCpuMs / START_UNITS,
    started.bare.serverCpuMs / START_UNITS,
  );
}

function memoryFigures(stack: Stack, rounds: Rounds) {
  const m = memoryMb(stack.massline.worker.pid);
  const b = memoryMb(stack.bare.worker.pid);
  record('memory', `worker RSS, ${rounds.open} open units each`, 'MB', false, m.rss, b.rss);
  record(
    'memory',
    `worker RSS above idle per open unit`,
    'KB',
    false,
    ((m.rss - rounds.idle.massline.rss) * 1024) / rounds.open,
    ((b.rss - rounds.idle.bare.rss) * 1024) / rounds.open,
  );
}

async function scalePart(stack: Stack, rounds: Rounds) {
  say(`scale: ${SCALE_UNITS} massline units`);
  const s = await stack.massline.start(ROUNDS, SCALE_UNITS);
  rounds.open += SCALE_UNITS;
  const m = memoryMb(stack.massline.worker.pid);
  note(
    'scale',
    `${SCALE_UNITS} units started until all in P1`,
    `${fmt(s.seconds, 1)} s (${fmt(SCALE_UNITS / s.seconds, 1)} units/s; server CPU ${fmt(s.serverCpuMs / SCALE_UNITS, 1)} ms per unit)`,
  );
  note('scale', `massline worker RSS, ${rounds.open} open units`, `${fmt(m.rss, 0)} MB (peak ${fmt(m.peak, 0)} MB)`);
}

/** The parts that need the stack, on one stack started for them and stopped after. */
async function stackParts(): Promise<void> {
  const stack = await startStack();
  try {
    const idle = { massline: memoryMb(stack.massline.worker.pid), bare: memoryMb(stack.bare.worker.pid) };
    const rounds: Rounds = { idle, open: 0 };
    for (let round = 0; round < ROUNDS; round++) await runRound(stack, round, rounds);
    if (PARTS.has('lag')) {
      say('read-your-writes (massline)');
      await lagPart(stack);
    }
    if (PARTS.has('scale')) await scalePart(stack, rounds);
    // The bare runs are ended by their signal; massline's units stay as they are (the stack goes).
    await Promise.all(
      (rounds.firstRound?.bare.workflowIds ?? []).slice(0, DECISION_UNITS).map((id) =>
        stack.client.workflow
          .getHandle(id)
          .signal(finishSignal)
          .catch(() => undefined),
      ),
    );
  } finally {
    await stack.stop();
  }
}

/** The summary table, then the JSON summary (also to BENCH_OUT when set). */
function report(began: Date) {
  const table = summary();
  say(`\nsummary (${began.toISOString()} → ${new Date().toISOString()}, load now ${loadText()}):\n${table}`);
  const json = {
    began: began.toISOString(),
    ended: new Date().toISOString(),
    cores: cpus().length,
    load: loadAverage(),
    rounds: ROUNDS,
    figures: [...figures.values()],
    notes: singles,
  };
  say(JSON.stringify(json));
  if (process.env.BENCH_OUT) writeFileSync(process.env.BENCH_OUT, `${JSON.stringify(json, null, 2)}\n`);
}

async function main(): Promise<void> {
  try {
    Runtime.install({
      logger: new DefaultLogger('ERROR'),
      telemetryOptions: { logging: { filter: { core: 'ERROR', other: 'ERROR' }, forward: {} } },
    });
  } catch {
    // installed already
  }
  const began = new Date();
  say(
    `baseline bench ${began.toISOString()}: massline beside a bare Temporal baseline, A/B alternated, ${ROUNDS} rounds; parts ${[...PARTS].join(', ')}; ` +
      `storage ${DURABLE ? 'durable (dev server on a SQLite file, PostgreSQL with fsync)' : 'in memory'}; ${cpus().length} cores; load ${loadText()}` +
      (MASSLINE_ROOT !== root ? `; massline's worker and API from ${MASSLINE_ROOT}` : ''),
  );
  const needsStack = ['start', 'decision', 'lag', 'read', 'memory', 'scale'].some((p) => PARTS.has(p));
  if (needsStack) await stackParts();
  if (PARTS.has('replay')) {
    say('replay');
    await replayPart();
  }
  report(began);
}

if (require.main === module) {
  main().then(
    () => process.exit(0),
    (e: unknown) => {
      process.stderr.write(`bench failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      process.exit(1);
    },
  );
}
