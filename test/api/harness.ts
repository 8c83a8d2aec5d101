// An API of its own per test file: a fresh database on the shared PostgreSQL, the shared dev server, a task
// queue of its own and, when asked, a worker in this process running the real workflows and activities.
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { DefaultLogger, Runtime, type WorkflowBundle } from '@temporalio/worker';
import { bundleMasslineWorkflows } from '../../apps/worker/src/worker';
import { apiContextOf, createApp, type ApiDeps, type MasslineApi } from '../../apps/api/src/main';
import { JsonLogger } from '../../apps/api/src/common/logger';
import type { MasslineConfig } from '../../libs/config/src';
import { createTestDatabase, testConfig, type TestDatabase } from '../support';
import type { Json } from '../support/json';
import { slowly } from '../support/eventually';

export const OFFICE_TOKEN = 'office-token-for-api-tests-0123456789';

export interface HttpResult<T = Json> {
  status: number;
  body: T;
  headers: Headers;
}

export interface ApiUnderTest {
  app: MasslineApi;
  url: string;
  config: MasslineConfig;
  db: TestDatabase;
  /** Lines the API wrote to its log (JSON), for assertions on logging. */
  logLines: string[];
  /** Lines the API announced on start (office token). */
  announced: string[];
  /** Stops the in-process worker (if any): the workflows stay, nobody runs them. */
  stopWorker(): Promise<void>;
  call<T = Json>(
    method: string,
    path: string,
    opts?: { token?: string; body?: unknown; headers?: Record<string, string>; raw?: string },
  ): Promise<HttpResult<T>>;
  close(): Promise<void>;
}

export interface StartOptions {
  /** Passed to createApp (e.g. a Temporal client of the test's choosing). */
  deps?: Omit<ApiDeps, 'logger' | 'announce'>;
  env?: Record<string, string>;
  /** Run a worker (workflows + activities) in this process on the API's task queue. */
  worker?: boolean;
  /** Reuse a database (e.g. to restart the API on it). */
  db?: TestDatabase;
}

const quiet = {
  log: () => undefined,
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: (m: string) => console.error(m),
};
let bundle: Promise<WorkflowBundle> | undefined;
/** The workflow bundle as the worker builds it (its interceptors included), built once per test file. */
export const workflowBundle = () => (bundle ??= bundleMasslineWorkflows(quiet));

let runtimeInstalled = false;
/** The worker runtime logs at WARN: test output stays readable (once per process, before the first worker). */
function quietRuntime() {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  try {
    Runtime.install({ logger: new DefaultLogger('WARN') });
  } catch {
    // already installed by another helper in this process
  }
}

export async function startApi(opts: StartOptions = {}): Promise<ApiUnderTest> {
  const db = opts.db ?? (await createTestDatabase('api'));
  const config = testConfig({
    databaseUrl: db.url,
    taskQueue: `api-${randomUUID()}`,
    env: { MASSLINE_ADMIN_TOKEN: OFFICE_TOKEN, MASSLINE_PUBLIC_RATE_LIMIT: '100000', LOG_LEVEL: 'info', ...opts.env },
  });
  const logLines: string[] = [];
  const announced: string[] = [];
  const app = await createApp(config, {
    ...opts.deps,
    logger: new JsonLogger(config.logLevel, (line) => logLines.push(line)),
    announce: (line) => announced.push(line),
  });
  await app.listen(0, '127.0.0.1');
  const url = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;

  let stopWorker: (() => Promise<void>) | undefined;
  if (opts.worker) {
    quietRuntime();
    const { createMasslineWorker } = await import('../../apps/worker/src');
    const worker = await createMasslineWorker({
      config,
      workflowBundle: await workflowBundle(),
      dataSource: apiContextOf(app).dataSource,
      identity: `api-test-worker-${process.pid}`,
      // A test's teardown that hangs names what holds it (jest says only that its hook timed out).
      onSlowShutdown: (waitingFor) => {
        process.stderr.write(`[harness] the test worker is still shutting down: ${JSON.stringify(waitingFor)}\n`);
      },
    });
    const running = worker.run();
    stopWorker = async () => {
      worker.shutdown();
      await running;
    };
  }

  const call: ApiUnderTest['call'] = async (method, path, o = {}) => {
    const headers: Record<string, string> = { ...(o.headers ?? {}) };
    if (o.token) headers.authorization = `Bearer ${o.token}`;
    let body: string | undefined = o.raw;
    if (o.body !== undefined) {
      body = JSON.stringify(o.body);
      headers['content-type'] ??= 'application/json';
    } else if (o.raw !== undefined) headers['content-type'] ??= 'application/json';
    const res = await fetch(`${url}${path}`, { method, headers, body });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON (metrics, docs)
    }
    return { status: res.status, body: parsed as Json, headers: res.headers };
  };

  return {
    app,
    url,
    config,
    db,
    logLines,
    announced,
    call,
    stopWorker: async () => {
      const stop = stopWorker;
      stopWorker = undefined;
      await stop?.();
    },
    close: async () => {
      await stopWorker?.();
      await slowly('the API closing (its HTTP server waits for requests in flight)', () => app.close());
      if (!opts.db) await db.drop();
    },
  };
}
