// The whole system for a bench, on this machine: a Temporal dev server and PostgreSQL of its own (unless
// TEMPORAL_ADDRESS / DATABASE_URL are set), the API in this process on a free port and a worker beside it.
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Client } from '@temporalio/client';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import type { DataSource } from 'typeorm';
import { loadConfig, type MasslineConfig } from '../../../libs/config/src';
import { ensureDatabase, startEmbeddedPostgres, uniqueDatabaseName } from '../../cli/src/embedded/postgres';
import { freePort } from '../../cli/src/embedded/process';
import { startTemporalDevServer } from '../../cli/src/embedded/temporal-dev-server';
import { projectRoot } from '../../cli/src/up';
import { createMasslineWorker } from '../../worker/src';
import { apiContextOf, createApp, type MasslineApi } from '../src/main';

export interface BenchStack {
  url: string;
  officeToken: string;
  config: MasslineConfig;
  temporal: Client;
  dataSource: DataSource;
  /** Calls the API and answers its parsed JSON, read with `field` and friends below; a status of 300 or more throws. */
  call: (method: string, path: string, token: string | undefined, body?: unknown) => Promise<unknown>;
  stop(): Promise<void>;
}

/** Cleanups, run last-registered-first unless placed otherwise. */
type Stops = Array<() => Promise<void>>;

/** TEMPORAL_ADDRESS and DATABASE_URL when set; otherwise a dev server and a PostgreSQL of the bench's own. */
async function engineAndDatabase(name: string, root: string, stops: Stops): Promise<{ temporalAddress: string; adminUrl: string }> {
  let temporalAddress = process.env.TEMPORAL_ADDRESS;
  let adminUrl = process.env.DATABASE_URL;
  if (temporalAddress && adminUrl) return { temporalAddress, adminUrl };
  const dir = mkdtempSync(join(tmpdir(), `massline-bench-${name}-`));
  chmodSync(dir, 0o755); // PostgreSQL may run as the `postgres` user, which must traverse this folder
  stops.push(() => {
    rmSync(dir, { recursive: true, force: true });
    return Promise.resolve();
  });
  if (!temporalAddress) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- a plain CommonJS script found at run time from the project's root
    const tools = require(join(root, 'scripts', 'lib', 'tools.js')) as { ensureTemporalCli(): Promise<string> };
    const server = await startTemporalDevServer({
      cliPath: await tools.ensureTemporalCli(),
      port: await freePort(),
      namespace: 'default',
      logFile: join(dir, 'temporal.log'),
    });
    stops.unshift(() => server.stop());
    temporalAddress = server.address;
  }
  if (!adminUrl) {
    const pg = await startEmbeddedPostgres({
      dataDir: join(dir, 'pg'),
      port: await freePort(),
      logFile: join(dir, 'pg.log'),
      ephemeral: true,
    });
    stops.unshift(() => pg.stop());
    adminUrl = pg.url();
  }
  return { temporalAddress, adminUrl };
}

/** The bench's configuration: a database of its own on that server, a task queue of its own, a fresh office token. */
async function benchConfig(
  name: string,
  root: string,
  { temporalAddress, adminUrl }: { temporalAddress: string; adminUrl: string },
  env: Record<string, string>,
): Promise<{ config: MasslineConfig; officeToken: string }> {
  const dbName = uniqueDatabaseName(`bench-${name}`);
  await ensureDatabase(adminUrl, dbName);
  const officeToken = `bench-office-${randomBytes(12).toString('hex')}`;
  const config = loadConfig(
    {
      TEMPORAL_ADDRESS: temporalAddress,
      DATABASE_URL: adminUrl.replace(/\/[^/?]*(\?|$)/, `/${dbName}$1`),
      TEMPORAL_TASK_QUEUE: `bench-${name}-${Date.now()}`,
      MASSLINE_ADMIN_TOKEN: officeToken,
      MASSLINE_DATA_DIR: tmpdir(),
      LOG_LEVEL: 'warn',
      PORT: '0',
      HOST: '127.0.0.1',
      ...env,
    },
    root,
  );
  return { config, officeToken };
}

/** The API on a free port and a worker beside it, in this process; the API closes first, then the worker. */
async function startApiAndWorker(name: string, config: MasslineConfig, stops: Stops): Promise<{ app: MasslineApi; url: string }> {
  try {
    Runtime.install({ logger: new DefaultLogger('WARN') });
  } catch {
    // installed already
  }
  const app = await createApp(config, { announce: () => undefined });
  await app.listen(0, '127.0.0.1');
  stops.unshift(() => app.close());
  const url = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
  const worker = await createMasslineWorker({ config, identity: `massline-bench-${name}-worker` });
  const running = worker.run();
  // The API closes first (its calls in flight settle while the worker still runs), then the worker.
  stops.splice(1, 0, async () => {
    worker.shutdown();
    await running;
  });
  return { app, url };
}

/** Calls the API at `url` and answers its parsed JSON; a status of 300 or more throws. */
const apiCaller =
  (url: string): BenchStack['call'] =>
  async (method, path, token, body) => {
    const res = await fetch(`${url}${path}`, {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    const json: unknown = text ? JSON.parse(text) : undefined;
    if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${text.slice(0, 500)}`);
    return json;
  };

export async function startBenchStack(name: string, env: Record<string, string> = {}): Promise<BenchStack> {
  const root = projectRoot(__dirname);
  const stops: Stops = [];
  const stop = async () => {
    for (const s of stops.splice(0))
      await s().catch((e: unknown) => {
        process.stderr.write(`cleanup: ${String(e)}\n`);
      });
  };
  try {
    const { config, officeToken } = await benchConfig(name, root, await engineAndDatabase(name, root, stops), env);
    const { app, url } = await startApiAndWorker(name, config, stops);
    const ctx = apiContextOf(app);
    return { url, officeToken, config, temporal: ctx.temporal, dataSource: ctx.dataSource, call: apiCaller(url), stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** A plan with batch 1 open now and phase windows of `phaseMs` (nothing escalates during a run). */
export function benchPlan(phaseMs = 6 * 3_600_000) {
  const now = Date.now();
  const iso = (ms: number) => new Date(ms).toISOString();
  const batch = (n: number, at: number) => ({
    batch: n,
    startsAt: iso(at),
    endsAt: iso(at + 3 * phaseMs),
    phases: {
      P1: { startsAt: iso(at), endsAt: iso(at + phaseMs) },
      P2: { startsAt: iso(at + phaseMs), endsAt: iso(at + 2 * phaseMs) },
      P3: { startsAt: iso(at + 2 * phaseMs), endsAt: iso(at + 3 * phaseMs) },
    },
  });
  return { batches: [batch(1, now), batch(2, now + 3 * phaseMs)] };
}

/** The value at a dotted path of an API answer (`byBatch.1.P1`); undefined where the path runs out. */
export function field(answer: unknown, path: string): unknown {
  let at = answer;
  for (const key of path.split('.')) {
    if (typeof at !== 'object' || at === null) return undefined;
    at = (at as Record<string, unknown>)[key];
  }
  return at;
}

/** A string the bench needs from an answer (an id, a token); a missing one stops the bench with the path. */
export function text(answer: unknown, path: string): string {
  const v = field(answer, path);
  if (typeof v !== 'string') throw new Error(`the answer has no string at ${path}: ${JSON.stringify(answer).slice(0, 300)}`);
  return v;
}

/** A number the bench needs from an answer; a missing one stops the bench with the path. */
export function count(answer: unknown, path: string): number {
  const v = field(answer, path);
  if (typeof v !== 'number') throw new Error(`the answer has no number at ${path}: ${JSON.stringify(answer).slice(0, 300)}`);
  return v;
}

/** A list the bench needs from an answer; a missing one stops the bench with the path. */
export function list(answer: unknown, path: string): unknown[] {
  const v = field(answer, path);
  if (!Array.isArray(v)) throw new Error(`the answer has no list at ${path}: ${JSON.stringify(answer).slice(0, 300)}`);
  return v;
}

export const percentile = (xs: number[], p: number): number => {
  if (!xs.length) return NaN;
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
};
