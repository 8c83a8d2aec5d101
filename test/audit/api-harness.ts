// The API with the AuditModule and a worker running the real workflows, on a database of its own (the
// shared dev server and PostgreSQL of the run). Calls go over HTTP, like an auditor's client.
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { bundleWorkflowCode, DefaultLogger, Runtime, type WorkflowBundle } from '@temporalio/worker';
import { apiContextOf, createApp } from '../../apps/api/src/main';
import { JsonLogger } from '../../apps/api/src/common/logger';
import { AuditModule } from '../../apps/api/src/audit/audit.module';
import { createTestDatabase, testConfig } from '../support';
import { OFFICE_TOKEN, type HttpResult } from '../api/harness';
import type { MasslineApi } from '../../apps/api/src/main';
import type { MasslineConfig } from '../../libs/config/src';
import type { TestDatabase } from '../support';
import { workflowBundleOptions } from '../../libs/temporal/src/workflow-bundle';

export { OFFICE_TOKEN };

const quiet = {
  log: () => undefined,
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: (m: string) => console.error(m),
};

let bundle: Promise<WorkflowBundle> | undefined;
export const workflowBundle = () =>
  (bundle ??= bundleWorkflowCode({ ...workflowBundleOptions(require.resolve('../../workflows'), { tracing: false }), logger: quiet }));

/** Workflow code and the engine core log through the runtime logger: keep test output to errors. */
export function quietRuntime(): void {
  try {
    // The engine core's own warnings (e.g. the nondeterminism a replay test provokes on purpose) go to the
    // same logger, filtered to errors.
    Runtime.install({
      logger: new DefaultLogger('ERROR'),
      telemetryOptions: { logging: { filter: { core: 'ERROR', other: 'ERROR' }, forward: {} } },
    });
  } catch {
    // installed already in this jest worker
  }
}

export interface AuditApi {
  app: MasslineApi;
  url: string;
  config: MasslineConfig;
  db: TestDatabase;
  logLines: string[];
  announced: string[];
  /** JSON bodies parsed; `text` keeps the exact bytes (the history export is compared byte for byte). */
  call(
    method: string,
    path: string,
    opts?: { token?: string; body?: unknown; headers?: Record<string, string>; raw?: string },
  ): Promise<HttpResult & { text: string }>;
  close(): Promise<void>;
}

export async function startAuditApi(): Promise<AuditApi> {
  quietRuntime();
  const db = await createTestDatabase('audit');
  const config = testConfig({
    databaseUrl: db.url,
    taskQueue: `audit-${randomUUID()}`,
    env: { MASSLINE_ADMIN_TOKEN: OFFICE_TOKEN, MASSLINE_PUBLIC_RATE_LIMIT: '100000', LOG_LEVEL: 'error' },
  });
  const logLines: string[] = [];
  const announced: string[] = [];
  const app = await createApp(config, {
    logger: new JsonLogger(config.logLevel, (line) => logLines.push(line)),
    announce: (line) => announced.push(line),
    // Harmless once the AppModule imports it too: Nest keeps one instance of a module class.
    imports: [AuditModule],
  });
  await app.listen(0, '127.0.0.1');
  const url = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
  const { createMasslineWorker } = await import('../../apps/worker/src');
  // No stuck-run detection here: the audit tests write stuck_runs rows of their own (test/worker/stuck-runs.test.ts runs it).
  const worker = await createMasslineWorker({
    config,
    workflowBundle: await workflowBundle(),
    dataSource: apiContextOf(app).dataSource,
    stuckRuns: false,
  });
  const running = worker.run();

  const call: AuditApi['call'] = async (method, path, o = {}) => {
    const headers: Record<string, string> = { ...(o.headers ?? {}) };
    if (o.token) headers.authorization = `Bearer ${o.token}`;
    let body: string | undefined = o.raw;
    if (o.body !== undefined) {
      body = JSON.stringify(o.body);
      headers['content-type'] ??= 'application/json';
    }
    const res = await fetch(`${url}${path}`, { method, headers, body });
    const text = await res.text();
    let parsed: unknown = text;
    if ((res.headers.get('content-type') ?? '').includes('json')) {
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        // keep the text
      }
    }
    return { status: res.status, body: parsed, headers: res.headers, text };
  };

  return {
    app,
    url,
    config,
    db,
    logLines,
    announced,
    call,
    close: async () => {
      worker.shutdown();
      await running;
      await app.close();
      await db.drop();
    },
  };
}
