// The simulator: a whole campaign run by the real workflows and activities on Temporal's time-skipping test
// server, against a scratch PostgreSQL database, driven by the agenda drawn from the behaviour profile. Nothing
// of a live deployment is touched: the test server and the database are the simulator's own, made for the run
// and removed after it.
//
// The test server's clock starts at the real now and only moves forward, so a plan in the past (the seed's
// 2013 calendar) runs moved forward by whole weeks — holidays and swapped workdays moved with it, so every
// weekday and working day stays what it was — and every moment the run recorded is moved back for the report.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Client as PgClient } from 'pg';
import { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, Runtime, Worker, type WorkflowBundle } from '@temporalio/worker';
import { SearchAttributeType } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { DataSource } from 'typeorm';
import { createActivities, outboxChannel } from '../../../../activities';
import {
  campaignWorkflowId,
  DAY_MS,
  formatInstant,
  itemWorkflowId,
  parseInstant,
  unitWorkflowId,
  type Plan,
} from '../../../../libs/domain/src';
import {
  createActivityRepositories,
  createDataSource,
  PgDocumentRepository,
  runMigrations,
  SimulationRepository,
} from '../../../../libs/persistence/src';
import {
  buildAgenda,
  buildReport,
  uuidFrom,
  type Agenda,
  type SimulationInput,
  type SimulationReport,
  type SimStep,
  type SimulationStage,
} from '../../../../libs/simulation/src';
import { startCampaignWorkflow } from '../../../../libs/temporal/src';
import { workflowBundleOptions, workflowSinks } from '../../../../libs/temporal/src/workflow-bundle';
import { MASSLINE_SEARCH_ATTRIBUTES } from '../../../../libs/contracts/src';
import { ensureDatabase, startEmbeddedPostgres, uniqueDatabaseName } from '../embedded/postgres';
import { freePort } from '../embedded/process';
import { SIMULATED_TEXTS, WorkflowDriver, type SimulatedUnit } from './driver';

export interface SimulationProgress {
  stage: SimulationStage;
  /** What is being prepared (the test server, the database, the workflow bundle). */
  note?: string;
  /** The simulated moment (as the plan has it, not moved), and the agenda's span. */
  at?: string;
  from?: string;
  to?: string;
  actionsDone: number;
  actionsTotal: number;
}

export interface SimulationStats {
  units: number;
  actions: number;
  steps: number;
  /** Wall time of each stage, ms. */
  prepareMs: number;
  runMs: number;
  /** Of runMs, the time the test server spent moving its clock to the next day with actions (timers firing meanwhile). */
  skippingMs: number;
  settleMs: number;
  reportMs: number;
  /** How far the plan was moved forward to run on the test server (whole weeks). */
  shiftedDays: number;
  /** Workflows the worker kept in memory at most, and whether its bundle carried the tracing interceptors. */
  cachedWorkflows: number;
  tracing: boolean;
}

export interface SimulationOptions {
  /**
   * Where the scratch database is made: a database created for the run on this PostgreSQL (an admin URL; dropped
   * after), or (default) a PostgreSQL cluster of the simulator's own in a temporary folder, removed after.
   */
  adminDatabaseUrl?: string;
  /** The launcher of the Java test server (default: scripts/lib/tools.js prepares it, fetching it once). */
  testServer?: string;
  /** Agenda steps (one unit's actions of one day) in flight at once. */
  concurrency?: number;
  onProgress?: (p: SimulationProgress) => void;
  /** Lines about what the simulator does (preparing the tools, …). */
  log?: (line: string) => void;
  /** Keeps the scratch database (its URL is logged) for a closer look. */
  keepDatabase?: boolean;
  /**
   * Bundles the worker's tracing interceptors with the workflows, as a live worker does (default: only when the
   * cache cannot hold every run: bundlesTracing).
   */
  tracing?: boolean;
  /** Workflows the worker keeps in memory at most (default SIMULATION_CACHE_LIMIT); the rest replay at their next task. */
  cacheLimit?: number;
}

const WEEK_MS = 7 * DAY_MS;
const TASK_QUEUE = 'massline-simulation';

/** temporal.api.enums.v1.IndexedValueType of massline's search attributes. */
const INDEXED: Record<string, temporal.api.enums.v1.IndexedValueType> = {
  [SearchAttributeType.KEYWORD]: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  [SearchAttributeType.INT]: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_INT,
};

/** The Java test server implements AddSearchAttributes (not List): add each, ignoring ALREADY_EXISTS. */
async function registerSearchAttributes(env: TestWorkflowEnvironment): Promise<void> {
  for (const key of MASSLINE_SEARCH_ATTRIBUTES) {
    try {
      await env.connection.operatorService.addSearchAttributes({
        namespace: env.namespace ?? 'default',
        searchAttributes: { [key.name]: INDEXED[key.type] },
      });
    } catch (error) {
      if ((error as { code?: number }).code !== 6) throw error;
    }
  }
}

/** The plan moved by `days` (a multiple of 7): windows, holidays and swapped workdays alike. */
export function shiftPlan(plan: Plan, days: number): Plan {
  if (days === 0) return plan;
  const offset = parseOffsetOf(plan);
  const move = (t: string) => formatInstant(parseInstant(t, 'plan') + days * DAY_MS, offset);
  const moveDate = (d: string) => new Date(Date.parse(`${d}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
  return {
    ...plan,
    batches: plan.batches.map((b) => ({
      ...b,
      startsAt: move(b.startsAt),
      endsAt: move(b.endsAt),
      phases: {
        P1: { startsAt: move(b.phases.P1.startsAt), endsAt: move(b.phases.P1.endsAt) },
        P2: { startsAt: move(b.phases.P2.startsAt), endsAt: move(b.phases.P2.endsAt) },
        P3: { startsAt: move(b.phases.P3.startsAt), endsAt: move(b.phases.P3.endsAt) },
      },
    })),
    calendar: { ...plan.calendar, holidays: plan.calendar.holidays.map(moveDate), workdays: plan.calendar.workdays.map(moveDate) },
  };
}

function parseOffsetOf(plan: Plan): number {
  const m = /^([+-])(\d{2}):(\d{2})$/.exec(plan.calendar.utcOffset ?? '+08:00');
  return m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) * 60_000 : 8 * 3_600_000;
}

/** Whole weeks, so that the campaign's first moment falls after `now` plus a margin for starting everything. */
export function shiftDaysFor(plan: Plan, nowMs: number): number {
  const first = Math.min(...plan.batches.map((b) => parseInstant(b.startsAt, 'startsAt')));
  const margin = DAY_MS;
  if (first > nowMs + margin) return 0;
  return Math.ceil((nowMs + margin - first) / WEEK_MS) * 7;
}

let runtimeInstalled = false;
function quietRuntime() {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  try {
    Runtime.install({ logger: new DefaultLogger('WARN'), telemetryOptions: { logging: { filter: { core: 'ERROR', other: 'WARN' } } } });
  } catch {
    // installed already in this process
  }
}

const quietBundler = {
  log: () => undefined,
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: (m: string) => process.stderr.write(`${m}\n`),
};

async function inParallel<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failed: unknown;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length && failed === undefined) {
      const item = items[next++];
      try {
        await fn(item);
      } catch (e) {
        failed ??= e;
      }
    }
  });
  await Promise.all(lanes);
  if (failed !== undefined) throw failed instanceof Error ? failed : new Error('a parallel task failed', { cause: failed });
}

interface Scratch {
  url: string;
  drop(): Promise<void>;
}

async function scratchDatabase(options: SimulationOptions, log: (l: string) => void): Promise<Scratch> {
  if (options.adminDatabaseUrl) {
    const admin = options.adminDatabaseUrl;
    const name = uniqueDatabaseName('massline_simulation');
    await ensureDatabase(admin, name);
    const url = new URL(admin);
    url.pathname = `/${name}`;
    return {
      url: url.toString(),
      drop: async () => {
        const c = new PgClient({ connectionString: admin });
        await c.connect();
        try {
          await c.query(`DROP DATABASE IF EXISTS ${c.escapeIdentifier(name)} WITH (FORCE)`);
        } finally {
          await c.end();
        }
      },
    };
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'massline-simulation-'));
  fs.chmodSync(dir, 0o755); // PostgreSQL may run as the `postgres` user, which must traverse this folder
  log(`scratch PostgreSQL in ${dir}`);
  const pg = await startEmbeddedPostgres({
    dataDir: path.join(dir, 'pg'),
    port: await freePort(),
    logFile: path.join(dir, 'postgres.log'),
    ephemeral: true,
  });
  return {
    url: pg.url('postgres'),
    drop: async () => {
      await pg.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function testServerLauncher(options: SimulationOptions): Promise<string> {
  if (options.testServer) return options.testServer;
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a plain CommonJS script found at run time from the project's root
  const tools = require(path.join(projectRoot(), 'scripts', 'lib', 'tools.js')) as { ensureTestServer(): Promise<string> };
  return tools.ensureTestServer();
}

function projectRoot(): string {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json')) || !fs.existsSync(path.join(dir, 'scripts', 'lib', 'tools.js'))) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error('cannot find the project root (scripts/lib/tools.js)');
    dir = up;
  }
  return dir;
}

const bundles = new Map<boolean, Promise<WorkflowBundle>>();
/**
 * The workflows, once per process, with the worker's tracing interceptors or without (bundlesTracing):
 * their spans go to no exporter here, and they cost a quarter of the workflow thread's time.
 */
const workflowBundle = (tracing: boolean) => {
  let b = bundles.get(tracing);
  if (!b) {
    b = bundleWorkflowCode({ ...workflowBundleOptions(require.resolve('../../../../workflows'), { tracing }), logger: quietBundler });
    bundles.set(tracing, b);
  }
  return b;
};

/** Runs the simulation of `input` to its end; the report is built from what the scratch database recorded. */
export async function runSimulation(
  input: SimulationInput,
  options: SimulationOptions = {},
): Promise<{ report: SimulationReport; stats: SimulationStats; agenda: Agenda }> {
  const log = options.log ?? (() => undefined);
  const t0 = Date.now();
  let agenda: Agenda | undefined;
  const progress = (p: Omit<SimulationProgress, 'actionsTotal'>) => options.onProgress?.({ ...p, actionsTotal: agenda?.actions ?? 0 });
  progress({ stage: 'preparing', note: 'test server', actionsDone: 0 });

  const cleanup: Array<() => Promise<void>> = [];
  try {
    const cached = simulationCacheSize(input.units.length, options.cacheLimit);
    const tracing = bundlesTracing(input.units.length, cached, options.tracing);
    const { dataSource, env, built } = await prepare({ ...options, tracing }, cleanup, progress, log);
    // The plan as it runs on the test server's clock.
    const shiftedDays = shiftDaysFor(input.plan, await env.currentTimeMs());
    const shiftMs = shiftedDays * DAY_MS;
    const running: SimulationInput = { ...input, plan: shiftPlan(input.plan, shiftedDays) };
    agenda = buildAgenda(running);
    const enrolled = await enrol(input, running.plan, dataSource);
    const worker = await simulationWorker(env, built, dataSource, cached);
    const prepareMs = Date.now() - t0;
    const unshift = (ms: number) => new Date(ms - shiftMs).toISOString();
    const span = {
      from: agenda.steps.length ? unshift(agenda.steps[0].at) : undefined,
      to: agenda.steps.length ? unshift(agenda.steps[agenda.steps.length - 1].at) : undefined,
    };
    const run: SimulationRun = { input, options, env, dataSource, agenda, enrolled, unshift, span, progress };
    const timing = await runOnWorker(run, worker, running.plan);
    const reportStarted = Date.now();
    progress({ stage: 'reporting', ...span, at: span.to, actionsDone: agenda.actions });
    const report = await reportOf(run, shiftMs);
    const stats: SimulationStats = {
      units: input.units.length,
      actions: agenda.actions,
      steps: agenda.steps.length,
      prepareMs,
      runMs: timing.runMs,
      skippingMs: timing.skippingMs,
      settleMs: timing.settleMs,
      reportMs: Date.now() - reportStarted,
      shiftedDays,
      cachedWorkflows: cached,
      tracing,
    };
    progress({ stage: 'done', ...span, at: span.to, actionsDone: agenda.actions });
    return { report, stats, agenda };
  } finally {
    for (const c of cleanup.splice(0).reverse()) await c().catch((e: unknown) => log(`cleanup: ${String(e)}`));
  }
}

type Progress = (p: Omit<SimulationProgress, 'actionsTotal'>) => void;

/** The test server, the scratch database (migrated) and the workflow bundle; each pushes how it is undone. */
async function prepare(
  options: SimulationOptions,
  cleanup: Array<() => Promise<void>>,
  progress: Progress,
  log: (line: string) => void,
): Promise<{ dataSource: DataSource; env: TestWorkflowEnvironment; built: WorkflowBundle }> {
  const launcher = await testServerLauncher(options);
  progress({ stage: 'preparing', note: 'database', actionsDone: 0 });
  const scratch = await scratchDatabase(options, log);
  cleanup.push(() => {
    if (!options.keepDatabase) return scratch.drop();
    log(`kept the scratch database: ${scratch.url}`);
    return Promise.resolve();
  });
  await runMigrations({ url: scratch.url });
  const dataSource: DataSource = createDataSource({ url: scratch.url }, { poolSize: 10, applicationName: 'massline-simulator' });
  await dataSource.initialize();
  cleanup.push(() => dataSource.destroy());

  progress({ stage: 'preparing', note: 'workflows', actionsDone: 0 });
  quietRuntime();
  const [{ TestWorkflowEnvironment }, built] = await Promise.all([import('@temporalio/testing'), workflowBundle(options.tracing ?? false)]);
  const env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: launcher } } });
  cleanup.push(() => env.teardown());
  await registerSearchAttributes(env);
  return { dataSource, env, built };
}

/** The campaign's enrolment as the office would have entered it, with ids derived from the seed. */
interface Enrolled {
  campaignId: string;
  units: Map<string, SimulatedUnit>;
  repository: SimulationRepository;
}

async function enrol(input: SimulationInput, plan: Plan, dataSource: DataSource): Promise<Enrolled> {
  const campaignId = uuidFrom(input.seed, 'campaign');
  const groupIds = new Map(input.groups.map((g) => [g, uuidFrom(input.seed, 'group', g)]));
  const groupIdOf = (group: string): string => {
    const id = groupIds.get(group);
    if (!id) throw new Error(`a unit's group "${group}" is not among the campaign's groups`);
    return id;
  };
  const units = new Map<string, SimulatedUnit>(
    input.units.map((u) => [u.code, { id: uuidFrom(input.seed, 'unit', u.code), code: u.code, groupId: groupIdOf(u.group) }]),
  );
  const repository = new SimulationRepository(dataSource);
  await repository.seed({
    officeId: uuidFrom(input.seed, 'office'),
    campaign: { id: campaignId, name: input.name, plan, startsAt: plan.batches[0].startsAt },
    groups: input.groups.map((name) => ({ id: groupIdOf(name), name })),
    units: input.units.map((u) => ({
      id: uuidFrom(input.seed, 'unit', u.code),
      code: u.code,
      name: u.name,
      kind: u.kind,
      level: u.level,
      batch: u.batch,
      groupId: groupIdOf(u.group),
    })),
  });
  await new PgDocumentRepository(dataSource).put(Object.values(SIMULATED_TEXTS), uuidFrom(input.seed, 'texts'));
  return { campaignId, units, repository };
}

/**
 * Workflows the simulation's worker keeps in memory: a unit and its items each (about four per unit), up to
 * SIMULATION_CACHE_LIMIT. One workflow thread holds them all (a V8 heap of ~4 GiB here, ~0.45 MiB per cached run): at
 * 10,000 units an unbounded cache filled it; past the limit the least recently used run is evicted and replayed from
 * its history at its next task.
 */
const SIMULATION_CACHE_LIMIT = 5_000;
const runsOf = (unitCount: number) => 100 + unitCount * 4;
function simulationCacheSize(unitCount: number, limit = SIMULATION_CACHE_LIMIT): number {
  return Math.min(limit, runsOf(unitCount));
}

/**
 * Whether the worker bundles its tracing interceptors, as a live worker does: when asked, and whenever the cache
 * may evict. An evicted run replays from its history at its next task, and a run written on the test server by the
 * bundle without interceptors does not always replay: an Update answered in the task that also schedules the
 * unit's projection came back in the other order on replay (a nondeterminism error, found at 100 units on a cache
 * of 40). The worker's own bundle replays its runs, here as in the fault suite's restarts. Without evictions
 * nothing replays, and the lighter bundle is kept (its spans would go to no exporter).
 */
function bundlesTracing(unitCount: number, cached: number, tracing: boolean | undefined): boolean {
  return tracing ?? cached < runsOf(unitCount);
}

/** A worker of the real workflows and activities, on the test server and the scratch database. */
function simulationWorker(env: TestWorkflowEnvironment, built: WorkflowBundle, dataSource: DataSource, cached: number): Promise<Worker> {
  return Worker.create({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue: TASK_QUEUE,
    workflowBundle: built,
    activities: createActivities({
      ...createActivityRepositories(dataSource),
      temporal: { client: env.client, taskQueue: TASK_QUEUE },
      channels: [outboxChannel()],
    }),
    sinks: workflowSinks(),
    maxCachedWorkflows: cached,
    // (the SDK wants every workflow whose task runs to be in the cache)
    maxConcurrentWorkflowTaskExecutions: Math.min(40, cached),
    maxConcurrentActivityTaskExecutions: 100,
    // A run that no longer replays fails, and the driver's next action on it names the unit and the day; else its
    // task would fail and time out again and again, holding the test server's clock: the rehearsal would stall.
    workflowFailureErrorTypes: { '*': ['NondeterminismError'] },
  });
}

/** What the stages of a run share once it is prepared. */
interface SimulationRun {
  input: SimulationInput;
  options: SimulationOptions;
  env: TestWorkflowEnvironment;
  dataSource: DataSource;
  agenda: Agenda;
  enrolled: Enrolled;
  /** A moment of the test server's clock as the plan has it. */
  unshift: (ms: number) => string;
  span: { from?: string; to?: string };
  progress: Progress;
}

/** The campaign started, the agenda driven, and every workflow waited for to its end; how long each took. */
async function runOnWorker(
  run: SimulationRun,
  worker: Worker,
  plan: Plan,
): Promise<{ runMs: number; skippingMs: number; settleMs: number }> {
  const { env, input, enrolled, span } = run;
  const timing = { runMs: 0, settleMs: 0, skippingMs: 0 };
  await worker.runUntil(async () => {
    const runStarted = Date.now();
    await startCampaignWorkflow(env.client, { campaignId: enrolled.campaignId, name: input.name, plan }, TASK_QUEUE);
    const done = await driveAgenda(run, timing);
    timing.runMs = Date.now() - runStarted;
    const settleStarted = Date.now();
    run.progress({ stage: 'settling', ...span, at: span.to, actionsDone: done });
    await settle(run);
    timing.settleMs = Date.now() - settleStarted;
  });
  return timing;
}

/** Each day of the agenda: the clock moved to it, then its units' actions, a few units at once. Returns the actions done. */
async function driveAgenda(run: SimulationRun, timing: { skippingMs: number }): Promise<number> {
  const { env, agenda, unshift, options } = run;
  const driver = new WorkflowDriver(env.client);
  let done = 0;
  const steps = agenda.steps;
  for (let i = 0; i < steps.length;) {
    const at = steps[i].at;
    let j = i;
    while (j < steps.length && steps[j].at === at) j++;
    const s0 = Date.now();
    const now = await env.currentTimeMs();
    if (at > now)
      await env.sleep(at - now).catch((e: unknown) => {
        throw new Error(`the test server's clock did not reach ${unshift(at)}: ${e instanceof Error ? e.message : String(e)}`);
      });
    timing.skippingMs += Date.now() - s0;
    await inParallel(steps.slice(i, j), options.concurrency ?? 32, async (step: SimStep) => {
      const unit = run.enrolled.units.get(step.unit);
      if (!unit) throw new Error(`the agenda names unit ${step.unit}, which is not enrolled`);
      for (const action of step.actions) {
        try {
          await driver.act(unit, action);
        } catch (e) {
          const message = e instanceof Error ? e.message : String(e);
          const ended = await driver.endOf(unit, action).catch(() => '');
          throw new Error(`unit ${step.unit} at ${unshift(step.at)}: ${action.kind} refused: ${message}${causeOf(e)}${ended}`);
        }
      }
      done += step.actions.length;
    });
    run.progress({ stage: 'running', at: unshift(at), ...run.span, actionsDone: done });
    i = j;
  }
  return done;
}

/** Every unit is DONE: the campaign closes at its next look, and every item and unit workflow ends. */
async function settle({ env, dataSource, enrolled }: SimulationRun): Promise<void> {
  await env.client.workflow.getHandle(campaignWorkflowId(enrolled.campaignId)).result();
  const itemRows: Array<{ item_id: string }> = await dataSource.query(
    'SELECT item_id FROM item_states WHERE campaign_id = $1 ORDER BY item_id',
    [enrolled.campaignId],
  );
  const workflows = [...[...enrolled.units.values()].map((u) => unitWorkflowId(u.id)), ...itemRows.map((r) => itemWorkflowId(r.item_id))];
  // Nothing left needs time to pass: a plain client waits (the time-skipping one would unlock time per call).
  const plain = new Client({ connection: env.connection, namespace: env.namespace ?? 'default' });
  await inParallel(workflows, 64, async (id) => {
    await plain.workflow.getHandle(id).result();
  });
}

/** The report from what the scratch database recorded, its moments moved back to the plan's own. */
async function reportOf({ input, agenda, enrolled }: SimulationRun, shiftMs: number): Promise<SimulationReport> {
  const facts = await enrolled.repository.facts(enrolled.campaignId);
  for (const r of facts.rungs) {
    r.firedAt -= shiftMs;
    r.deadline -= shiftMs;
  }
  for (const t of facts.transitions) t.at -= shiftMs;
  for (const m of facts.meetings) {
    m.startedAt -= shiftMs;
    m.endedAt -= shiftMs;
  }
  return buildReport({
    name: input.name,
    plan: input.plan,
    profile: input.profile,
    seed: input.seed,
    groups: input.groups,
    offsetMs: agenda.offsetMs,
    facts,
  });
}

/** The workflow's own reason for a refusal (an update's failure carries it as its cause). */
function causeOf(e: unknown): string {
  const cause = (e as { cause?: { message?: string } }).cause;
  return cause?.message ? ` (${cause.message})` : '';
}
