// The compiled worker as its own process, as `npm start` and docker-compose run it: for tests that kill it.
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { waitForExit } from '../../apps/cli/src/embedded/process';
import { type ApiUnderTest } from '../api/harness';
import { eventually } from '../support/eventually';

const root = path.resolve(__dirname, '..', '..');
export const workerMain = path.join(root, 'dist', 'apps', 'worker', 'src', 'main.js');

export interface WorkerProcess {
  child: ChildProcess;
  output(): string;
}

export function assertWorkerBuilt() {
  if (!fs.existsSync(workerMain)) throw new Error(`${workerMain} is missing: run \`npm run build\` (npm test does)`);
}

export async function startWorkerProcess(api: ApiUnderTest): Promise<WorkerProcess> {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '/root',
    TEMPORAL_ADDRESS: api.config.temporal.address,
    TEMPORAL_NAMESPACE: api.config.temporal.namespace,
    TEMPORAL_TASK_QUEUE: api.config.temporal.taskQueue,
    DATABASE_URL: api.db.url,
    LOG_LEVEL: 'info',
    // No engine metrics port (other tests run workers at the same time), and its files in this run's folder.
    MASSLINE_WORKER_METRICS_PORT: '0',
    MASSLINE_DATA_DIR: api.config.dataDir,
  };
  const child = spawn(process.execPath, [workerMain], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => (out += String(d)));
  child.stderr.on('data', (d) => (out += String(d)));
  await eventually(
    () => {
      if (child.exitCode !== null) throw new Error(`worker exited early:\n${out}`);
      return out.includes('worker ready') ? true : undefined;
    },
    'the worker process to be ready',
    120_000,
  );
  return { child, output: () => out };
}

/** Stops what is still running of `workers` (SIGTERM), waiting for each to exit. */
export async function stopWorkerProcesses(workers: WorkerProcess[]) {
  for (const w of workers) {
    if (w.child.exitCode === null && w.child.signalCode === null) {
      w.child.kill('SIGTERM');
      await waitForExit(w.child);
    }
  }
}
