// Real services for tests: the Temporal dev server, embedded PostgreSQL, the time-skipping test server.
// jest's globalSetup starts ONE dev server and ONE PostgreSQL for the whole run (test/support/global-setup.ts);
// test files reach them through testServices() and make their own database with createTestDatabase().
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Client } from 'pg';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { loadConfig, MasslineConfig } from '../../libs/config/src';
import { ensureTestServer, ensureTemporalCli } from '../../scripts/lib/tools';
import { ensureDatabase, postgresUrl, startEmbeddedPostgres, uniqueDatabaseName } from '../../apps/cli/src/embedded/postgres';
import { startTemporalDevServer } from '../../apps/cli/src/embedded/temporal-dev-server';
import { freePort } from '../../apps/cli/src/embedded/process';

/** Where the services of this test run are; written by globalSetup, read by testServices(). */
export interface TestServices {
  temporal: { address: string; namespace: string; cliPath: string; logFile: string };
  postgres: { host: string; port: number; user: string; password: string; adminUrl: string; logFile: string };
  testServerLauncher: string;
  /** Folder of this run's logs and data. */
  runDir: string;
}

/** Environment variable naming the JSON file of the current run (set by globalSetup, inherited by jest workers). */
export const TEST_SERVICES_ENV = 'MASSLINE_TEST_SERVICES';

let cached: TestServices | undefined;

export function testServices(): TestServices {
  if (cached) return cached;
  const file = process.env[TEST_SERVICES_ENV];
  if (!file || !fs.existsSync(file)) {
    throw new Error(
      `no test services: run tests through jest with jest.config.js (its globalSetup starts the Temporal dev server and PostgreSQL); ${TEST_SERVICES_ENV}=${file ?? '(unset)'}`,
    );
  }
  cached = JSON.parse(fs.readFileSync(file, 'utf8')) as TestServices;
  return cached;
}

export interface DevServerHandle {
  address: string;
  namespace: string;
  logFile: string;
  stop(): Promise<void>;
}

/**
 * A dev server of its own (most tests use the shared one from testServices().temporal). `searchAttributes:
 * false` leaves massline's search attributes unregistered, like a user's own server.
 */
export async function startDevServer(
  opts: { namespace?: string; dbFilename?: string; logDir?: string; searchAttributes?: boolean } = {},
): Promise<DevServerHandle> {
  const cliPath = await ensureTemporalCli();
  const logDir = opts.logDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'massline-temporal-'));
  const logFile = path.join(logDir, 'temporal.log');
  const server = await startTemporalDevServer({
    cliPath,
    port: await freePort(),
    namespace: opts.namespace ?? 'default',
    dbFilename: opts.dbFilename,
    logFile,
    searchAttributes: opts.searchAttributes,
  });
  return { address: server.address, namespace: server.namespace, logFile, stop: () => server.stop() };
}

export interface PostgresHandle {
  url: string;
  host: string;
  port: number;
  user: string;
  password: string;
  logFile: string;
  stop(): Promise<void>;
}

/**
 * A PostgreSQL cluster of its own in a fresh temporary folder, removed on stop (most tests use the shared
 * one through createTestDatabase()).
 */
export async function startPostgres(opts: { port?: number } = {}): Promise<PostgresHandle> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'massline-pg-'));
  fs.chmodSync(dir, 0o755); // the server may run as the `postgres` user, which must traverse this folder
  const logFile = path.join(dir, 'postgres.log');
  const pg = await startEmbeddedPostgres({
    dataDir: path.join(dir, 'data'),
    port: opts.port ?? (await freePort()),
    logFile,
    ephemeral: true,
  });
  return {
    url: pg.url(),
    host: pg.host,
    port: pg.port,
    user: pg.user,
    password: pg.password,
    logFile,
    stop: async () => {
      await pg.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface TestDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

/** A new, empty database on the shared PostgreSQL, with a unique name starting with `prefix`. */
export async function createTestDatabase(prefix: string): Promise<TestDatabase> {
  const { postgres } = testServices();
  const name = uniqueDatabaseName(prefix);
  await ensureDatabase(postgres.adminUrl, name);
  return {
    name,
    url: postgresUrl(postgres, name),
    drop: async () => {
      const client = new Client({ connectionString: postgres.adminUrl });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS ${client.escapeIdentifier(name)} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}

/**
 * The time-skipping test environment on the cached Java test server (no download at test time).
 * Call `env.teardown()` in afterAll.
 */
export async function createTimeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  let launcher: string;
  try {
    launcher = testServices().testServerLauncher;
  } catch {
    launcher = await ensureTestServer();
  }
  return TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: launcher } } });
}

/**
 * A MasslineConfig pointing at the shared services (and `databaseUrl`, if given): what the worker and the API
 * receive in tests. Each test should use its own task queue.
 */
export function testConfig(overrides: { databaseUrl?: string; taskQueue?: string; env?: Record<string, string> } = {}): MasslineConfig {
  const services = testServices();
  return loadConfig({
    TEMPORAL_ADDRESS: services.temporal.address,
    TEMPORAL_NAMESPACE: services.temporal.namespace,
    TEMPORAL_TASK_QUEUE: overrides.taskQueue ?? `test-${process.pid}-${Date.now().toString(36)}`,
    DATABASE_URL: overrides.databaseUrl ?? services.postgres.adminUrl,
    MASSLINE_DATA_DIR: services.runDir,
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    ...overrides.env,
  });
}
