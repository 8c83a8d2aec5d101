// Shared set-up of the workflow tests: the time-skipping test server with massline's search attributes,
// a real PostgreSQL database with the migrations applied, the real activities, a workflow bundle built once
// per file, and history fixtures for the replay guard.
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Connection, WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, Runtime, Worker, type WorkflowBundle } from '@temporalio/worker';
import type { DataSource } from 'typeorm';
import { createActivities, outboxChannel, type MasslineActivities } from '../../activities';
// The CLI's JSON form (`temporal workflow show --output json`); the SDK's historyToJSON fails here on two protobufjs copies.
import { historyToCliJson } from '../../libs/audit/src/history-json';
import { SearchAttributeType } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { hashToken, createActivityRepositories, createDataSource, runMigrations } from '../../libs/persistence/src';
import { defaultPlan, type Actor, type Batch, type Plan } from '../../libs/domain/src';
import { MASSLINE_SEARCH_ATTRIBUTES } from '../../libs/contracts/src';
import { workflowBundleOptions } from '../../libs/temporal/src/workflow-bundle';
import { createTestDatabase, createTimeSkippingEnv, type TestDatabase } from '../support';
import { eventually } from '../support/eventually';
import { ifSet } from '../support/if-set';

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

// Workflow code logs through the runtime logger: keep test output to warnings and errors.
let runtimeInstalled = false;
function quietRuntime() {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  try {
    const level = (process.env.MASSLINE_TEST_LOG_LEVEL as 'WARN' | undefined) ?? 'ERROR';
    Runtime.install({ logger: new DefaultLogger(level), telemetryOptions: { logging: { filter: { core: level, other: level } } } });
  } catch {
    // Already installed by an earlier test file in this jest worker.
  }
}

export const quietBundlerLogger = {
  log: () => undefined,
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: (m: string) => console.warn(m),
  error: (m: string) => console.error(m),
};

const { IndexedValueType } = temporal.api.enums.v1;
const INDEXED: Record<string, temporal.api.enums.v1.IndexedValueType> = {
  [SearchAttributeType.KEYWORD]: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  [SearchAttributeType.INT]: IndexedValueType.INDEXED_VALUE_TYPE_INT,
};

/**
 * The Java test server validates upserted search attributes against its registry but implements only
 * AddSearchAttributes of the operator service (not List): add each one, ignoring ALREADY_EXISTS.
 */
export async function registerOnTestServer(connection: Connection, namespace = 'default'): Promise<void> {
  for (const key of MASSLINE_SEARCH_ATTRIBUTES) {
    try {
      await connection.operatorService.addSearchAttributes({ namespace, searchAttributes: { [key.name]: INDEXED[key.type] } });
    } catch (error) {
      if ((error as { code?: number }).code !== 6) throw error;
    }
  }
}

export interface WorkflowTestContext {
  /** The current test's time-skipping environment (see withEnv). */
  readonly env: TestWorkflowEnvironment;
  db: TestDatabase;
  dataSource: DataSource;
  bundle: WorkflowBundle;
  /**
   * Runs `fn` on a time-skipping test server of its own (~0.4 s to start). Time skipping is global to a test
   * server, and the Java test server keeps it locked for good after some races (a task completion refused
   * because its workflow was terminated, an update refused just before a cancellation): a server per test
   * keeps every test's virtual clock its own.
   */
  withEnv<T>(fn: (env: TestWorkflowEnvironment) => Promise<T>): Promise<T>;
  /** withEnv plus a worker (real activities, real database) on a fresh task queue, running while `fn` runs. */
  withWorker<T>(fn: (taskQueue: string) => Promise<T>): Promise<T>;
  /**
   * A worker on `taskQueue` against the current env, for tests that stop and restart workers themselves.
   * `around` wraps the real activities (e.g. to hold one up until the test lets it go).
   */
  createWorker(
    taskQueue: string,
    options?: { maxCachedWorkflows?: number; around?: (real: MasslineActivities) => MasslineActivities },
  ): Promise<Worker>;
  teardown(): Promise<void>;
}

export async function setUpWorkflowTests(prefix: string): Promise<WorkflowTestContext> {
  quietRuntime();
  const db = await createTestDatabase(prefix);
  await runMigrations({ url: db.url });
  const dataSource = createDataSource({ url: db.url }, { poolSize: 4 });
  await dataSource.initialize();
  const bundle = await bundleWorkflowCode({
    ...workflowBundleOptions(require.resolve('../../workflows'), { tracing: false }),
    logger: quietBundlerLogger,
  });
  const repositories = createActivityRepositories(dataSource);
  let current: TestWorkflowEnvironment | undefined;
  const ctx: WorkflowTestContext = {
    get env() {
      if (!current) throw new Error('no test environment: call t.withEnv or t.withWorker');
      return current;
    },
    db,
    dataSource,
    bundle,
    async withEnv(fn) {
      const env = await createTimeSkippingEnv();
      current = env;
      try {
        await registerOnTestServer(env.connection);
        return await fn(env);
      } finally {
        current = undefined;
        await env.teardown();
      }
    },
    createWorker(taskQueue, { around = (real: MasslineActivities) => real, ...options } = {}) {
      const env = ctx.env;
      return Worker.create({
        connection: env.nativeConnection,
        namespace: env.namespace ?? 'default',
        taskQueue,
        workflowBundle: bundle,
        ...options,
        activities: around(createActivities({ ...repositories, temporal: { client: env.client, taskQueue }, channels: [outboxChannel()] })),
      });
    },
    withWorker(fn) {
      return ctx.withEnv(async () => {
        const taskQueue = `${prefix}-${randomUUID()}`;
        const worker = await ctx.createWorker(taskQueue);
        return worker.runUntil(fn(taskQueue));
      });
    },
    async teardown() {
      await ifSet(dataSource)?.destroy();
      await ifSet(db)?.drop();
    },
  };
  return ctx;
}

// ---------- enrolment rows (what the API writes) ----------

export interface Enrolled {
  campaignId: string;
  groupId: string;
  otherGroupId: string;
  units: Array<{ id: string; code: string; name: string; batch: Batch }>;
}

export async function enrol(dataSource: DataSource, plan: Plan, units: Array<{ code: string; batch: Batch }>): Promise<Enrolled> {
  const [{ id: officeId }] = await dataSource.query(
    `INSERT INTO principals (name, role, token_hash) VALUES ('office', 'office', $1) RETURNING id`,
    [hashToken(randomUUID())],
  );
  const [{ id: campaignId }] = await dataSource.query(
    `INSERT INTO campaigns (name, plan, starts_at, created_by) VALUES ('Hangzhou 2013', $1::jsonb, $2, $3) RETURNING id`,
    [JSON.stringify(plan), plan.batches[0].startsAt, officeId],
  );
  const group = async (name: string) =>
    (await dataSource.query(`INSERT INTO supervisory_groups (campaign_id, name) VALUES ($1, $2) RETURNING id`, [campaignId, name]))[0]
      .id as string;
  const groupId = await group('group 1');
  const otherGroupId = await group('group 2');
  const enrolled: Enrolled['units'] = [];
  for (const u of units) {
    const [{ id }] = await dataSource.query(
      `INSERT INTO units (campaign_id, code, name, kind, level, batch, group_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
      [
        campaignId,
        u.code,
        `unit ${u.code}`,
        u.batch === 1 ? 'organ' : 'grassroots',
        u.batch === 1 ? 'municipal' : 'district',
        u.batch,
        groupId,
      ],
    );
    enrolled.push({ id, code: u.code, name: `unit ${u.code}`, batch: u.batch });
  }
  return { campaignId, groupId, otherGroupId, units: enrolled };
}

/** Identifiers for a unit that is not enrolled (the unit workflow needs none of the enrolment rows). */
export const looseUnit = () => ({ campaignId: randomUUID(), unitId: randomUUID(), groupId: randomUUID(), otherGroupId: randomUUID() });

export const actors = (ids: { unitId: string; groupId: string; otherGroupId: string }) => ({
  unit: { id: `unit-staff-${ids.unitId.slice(0, 8)}`, role: 'unit', unitId: ids.unitId } as Actor,
  otherUnit: { id: 'unit-staff-other', role: 'unit', unitId: randomUUID() } as Actor,
  supervisor: { id: `supervisor-${ids.groupId.slice(0, 8)}`, role: 'supervisor', groupId: ids.groupId } as Actor,
  otherSupervisor: { id: `supervisor-${ids.otherGroupId.slice(0, 8)}`, role: 'supervisor', groupId: ids.otherGroupId } as Actor,
  office: { id: 'office-1', role: 'office' } as Actor,
  citizen: { id: 'public:203.0.113.7', role: 'public' } as Actor,
  auditor: { id: 'auditor-1', role: 'auditor' } as Actor,
});

/** The default plan (seed calendar) anchored at the test server's current time. */
export async function planAtNow(env: TestWorkflowEnvironment, over: Partial<Plan> = {}): Promise<Plan> {
  const now = await env.currentTimeMs();
  return { ...defaultPlan(new Date(now).toISOString()), ...over };
}

// ---------- history fixtures for the replay guard ----------

export const RECORD_HISTORIES = process.env.MASSLINE_RECORD_HISTORIES === '1';
export const HISTORIES_DIR = path.resolve(__dirname, '../fixtures/histories');

/**
 * With MASSLINE_RECORD_HISTORIES=1, saves the workflow's history (of the handle's run, else the latest) as
 * `rules-<name>.json` in Temporal's standard JSON form, for the replay guard (test/audit/replay-guard.test.ts).
 */
export async function saveHistory(handle: WorkflowHandle, name: string): Promise<void> {
  if (!RECORD_HISTORIES) return;
  const history = await handle.fetchHistory();
  // The Java test server leaves the started event's workflowId empty; the server records it, and the replay
  // guard names failures by it.
  const started = history.events?.[0]?.workflowExecutionStartedEventAttributes;
  if (started && !started.workflowId) started.workflowId = handle.workflowId;
  fs.mkdirSync(HISTORIES_DIR, { recursive: true });
  fs.writeFileSync(path.join(HISTORIES_DIR, `rules-${name}.json`), historyToCliJson(history));
}

// ---------- calling workflows ----------

/** What an update refused by its validator looks like to the caller. */
export interface Refusal {
  code: string;
  message: string;
  details: Record<string, unknown>;
}

export async function refusalOf(call: Promise<unknown>): Promise<Refusal> {
  try {
    await call;
  } catch (error) {
    const cause = (error as { cause?: { type?: string; message: string; details?: unknown[] } }).cause;
    if (!cause?.type) throw error;
    return { code: cause.type, message: cause.message, details: (cause.details?.[0] ?? {}) as Record<string, unknown> };
  }
  throw new Error('expected the update to be refused');
}

export const iso = (ms: number) => new Date(ms).toISOString();

/** The entries a unit or item projected into the read model (oldest first), once there are at least `atLeast`. */
export async function entriesOf<T = Record<string, unknown>>(
  dataSource: DataSource,
  subjectId: string,
  kind: string,
  atLeast = 1,
): Promise<T[]> {
  return eventually(async () => {
    const rows: Array<{ data: T }> = await dataSource.query(
      'SELECT data FROM entries WHERE subject_id = $1 AND kind = $2 ORDER BY seq, entry_id',
      [subjectId, kind],
    );
    return rows.length >= atLeast && rows.map((r) => r.data);
  }, `${atLeast} ${kind} entries of ${subjectId}`);
}
