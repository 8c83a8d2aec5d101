// How long the stuck-run detector's full pass over the open runs takes (apps/worker/src/stuck-runs.ts): N open
// massline runs on a dev server of its own (no worker takes them: each has one pending workflow task), then one
// pass at each describe rate — the default (MASSLINE_STUCK_RUN_DESCRIBES_PER_SECOND=100), a higher one, and as fast
// as the engine answers — with the describes per second it reached and the time a pass would take over 100,000.
//
// Run: npm run bench stuck   (or node test/bench/run-ts.js stuck-runs)
// Options: BENCH_RUNS (default 2000), BENCH_RATES (default "100,500,10000"); TEMPORAL_ADDRESS / DATABASE_URL to
// use running servers instead of starting them.
import { randomUUID } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { ensureDatabase, startEmbeddedPostgres, uniqueDatabaseName } from '../../apps/cli/src/embedded/postgres';
import { freePort } from '../../apps/cli/src/embedded/process';
import { startTemporalDevServer } from '../../apps/cli/src/embedded/temporal-dev-server';
import { StuckRunDetector } from '../../apps/worker/src/stuck-runs';
import { createDataSource, runMigrations } from '../../libs/persistence/src';
import { registerSearchAttributes } from '../../libs/temporal/src';
import { ensureTemporalCli } from '../../scripts/lib/tools';

const RUNS = Number(process.env.BENCH_RUNS ?? 2000);
const RATES = (process.env.BENCH_RATES ?? '100,500,10000').split(',').map(Number);
const TYPE = 'rectificationItemWorkflow';

export async function main(): Promise<void> {
  const stops: Array<() => Promise<void>> = [];
  const stop = async () => {
    for (const s of stops.splice(0)) await s().catch((e: unknown) => process.stderr.write(`cleanup: ${String(e)}\n`));
  };
  try {
    Runtime.install({ logger: new DefaultLogger('WARN') });
    let address = process.env.TEMPORAL_ADDRESS;
    let adminUrl = process.env.DATABASE_URL;
    if (!address || !adminUrl) {
      const dir = mkdtempSync(join(tmpdir(), 'massline-bench-stuck-'));
      chmodSync(dir, 0o755); // PostgreSQL may run as the `postgres` user, which must traverse this folder
      stops.push(() => {
        rmSync(dir, { recursive: true, force: true });
        return Promise.resolve();
      });
      if (!address) {
        const server = await startTemporalDevServer({
          cliPath: await ensureTemporalCli(),
          port: await freePort(),
          namespace: 'default',
          logFile: join(dir, 'temporal.log'),
        });
        stops.unshift(() => server.stop());
        address = server.address;
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
    }
    const dbName = uniqueDatabaseName('bench-stuck');
    await ensureDatabase(adminUrl, dbName);
    const dataSource = createDataSource({ url: adminUrl.replace(/\/[^/?]*(\?|$)/, `/${dbName}$1`) });
    await dataSource.initialize();
    stops.unshift(() => dataSource.destroy());
    await runMigrations(dataSource);
    const connection = await Connection.connect({ address });
    stops.unshift(() => connection.close());
    await registerSearchAttributes(connection, 'default');
    const client = new Client({ connection, namespace: 'default' });
    const taskQueue = `bench-stuck-${randomUUID()}`;

    const t0 = Date.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: 32 }, async () => {
        while (next < RUNS) {
          next++;
          await client.workflow.start(TYPE, { workflowId: `massline-item-bench-${randomUUID()}.item-1`, taskQueue, args: [] });
        }
      }),
    );
    const startMs = Date.now() - t0;
    const query = `ExecutionStatus = 'Running' AND TaskQueue = '${taskQueue}'`;
    for (;;) {
      const { count } = await client.workflow.count(query);
      if (count >= RUNS) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    process.stderr.write(`${RUNS} open runs started in ${(startMs / 1000).toFixed(1)} s\n`);

    const results: Array<Record<string, number>> = [];
    for (const rate of RATES) {
      const detector = new StuckRunDetector({
        client,
        dataSource,
        namespace: 'default',
        taskQueue,
        identity: 'bench',
        attempts: 2,
        describesPerSecond: rate,
      });
      const pass = await detector.pass();
      const reached = (pass.runsChecked * 1000) / pass.durationMs;
      results.push({
        describesPerSecondAllowed: rate,
        runsChecked: pass.runsChecked,
        passSeconds: Number((pass.durationMs / 1000).toFixed(2)),
        describesPerSecondReached: Number(reached.toFixed(1)),
        secondsFor100000Runs: Math.round(100_000 / reached),
      });
      process.stderr.write(
        `rate ${rate}/s: ${pass.runsChecked} runs in ${(pass.durationMs / 1000).toFixed(1)} s (${reached.toFixed(0)}/s)\n`,
      );
    }
    const load = (await import('node:fs')).readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
    process.stdout.write(`${JSON.stringify({ runs: RUNS, load, results }, null, 2)}\n`);
  } finally {
    await stop();
  }
}
