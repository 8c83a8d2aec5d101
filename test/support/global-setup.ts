// jest globalSetup: ONE Temporal dev server and ONE PostgreSQL for the whole run, shared by every test file
// (each file makes its own database and task queue). Their addresses go to a JSON file named by
// MASSLINE_TEST_SERVICES, which the jest workers inherit.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ensureTemporalCli, ensureTestServer } from '../../scripts/lib/tools';
import { startEmbeddedPostgres, RunningPostgres } from '../../apps/cli/src/embedded/postgres';
import { startTemporalDevServer, RunningDevServer } from '../../apps/cli/src/embedded/temporal-dev-server';
import { freePort } from '../../apps/cli/src/embedded/process';
import { TEST_SERVICES_ENV, TestServices } from './services';

export interface GlobalServices {
  runDir: string;
  temporal?: RunningDevServer;
  postgres?: RunningPostgres;
  killOnExit: () => void;
}

declare global {
  var __masslineTestServices: GlobalServices | undefined;
}

export default async function globalSetup(): Promise<void> {
  const started = Date.now();
  const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'massline-test-'));
  fs.chmodSync(runDir, 0o755); // PostgreSQL may run as the `postgres` user
  const [cliPath, testServerLauncher] = await Promise.all([ensureTemporalCli(), ensureTestServer()]);

  const services: GlobalServices = { runDir, killOnExit: () => undefined };
  // If jest dies without running globalTeardown, do not leave servers behind.
  services.killOnExit = () => {
    for (const p of [services.temporal?.process, services.postgres?.process]) if (p && p.exitCode === null) p.kill('SIGKILL');
  };
  process.once('exit', services.killOnExit);
  // Killed from outside (CI timeout, a parent's SIGTERM): stop the servers too. A terminal's Ctrl-C reaches
  // them directly, as they share jest's process group.
  for (const signal of ['SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      services.killOnExit();
      process.exit(128 + (signal === 'SIGTERM' ? 15 : 1));
    });
  }
  globalThis.__masslineTestServices = services;

  const temporalLog = path.join(runDir, 'temporal.log');
  const postgresLog = path.join(runDir, 'postgres.log');
  const [temporal, postgres] = await Promise.all([
    freePort().then((port) => startTemporalDevServer({ cliPath, port, namespace: 'default', logFile: temporalLog })),
    freePort().then((port) => startEmbeddedPostgres({ dataDir: path.join(runDir, 'pg'), port, logFile: postgresLog, ephemeral: true })),
  ]);
  services.temporal = temporal;
  services.postgres = postgres;

  const description: TestServices = {
    temporal: { address: temporal.address, namespace: temporal.namespace, cliPath, logFile: temporalLog },
    postgres: {
      host: postgres.host,
      port: postgres.port,
      user: postgres.user,
      password: postgres.password,
      adminUrl: postgres.url(),
      logFile: postgresLog,
    },
    testServerLauncher,
    runDir,
  };
  const file = path.join(runDir, 'services.json');
  fs.writeFileSync(file, JSON.stringify(description, null, 2));
  process.env[TEST_SERVICES_ENV] = file;
  process.stderr.write(
    `\n[massline] test services up in ${((Date.now() - started) / 1000).toFixed(1)} s: Temporal ${temporal.address}, PostgreSQL 127.0.0.1:${postgres.port} (logs in ${runDir})\n`,
  );
}
