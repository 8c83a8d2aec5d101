// A throwaway Temporal dev server (the CLI's, in memory) for the worker and activity tests.
// Started without massline's search attributes unless asked, so registration through the operator
// service is exercised too.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { Connection } from '@temporalio/client';

export interface LocalTemporal {
  address: string;
  namespace: string;
  stop(): Promise<void>;
}

export const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

function temporalCli(): string {
  if (process.env.TEMPORAL_CLI) return process.env.TEMPORAL_CLI;
  const cache = join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'massline', 'temporal-cli-1.5.1', 'temporal');
  if (existsSync(cache)) return cache;
  return 'temporal';
}

export async function startLocalTemporal(options: { searchAttributes?: string[] } = {}): Promise<LocalTemporal> {
  const port = await freePort();
  const httpPort = await freePort();
  const args = [
    'server', 'start-dev', '--headless', '--ip', '127.0.0.1',
    '--port', String(port), '--http-port', String(httpPort),
    '--namespace', 'default', '--log-level', 'error',
    '--dynamic-config-value', 'frontend.enableUpdateWorkflowExecution=true',
    ...(options.searchAttributes ?? []).flatMap((sa) => ['--search-attribute', sa]),
  ];
  const child: ChildProcess = spawn(temporalCli(), args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk) => (stderr = (stderr + String(chunk)).slice(-4000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const address = `127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      const connection = await Connection.connect({ address, connectTimeout: '2s' });
      try {
        await connection.workflowService.describeNamespace({ namespace: 'default' });
        break;
      } finally {
        await connection.close();
      }
    } catch (error) {
      if (Date.now() > deadline || child.exitCode !== null) {
        child.kill('SIGKILL');
        throw new Error(`temporal dev server did not start: ${String(error)}\n${stderr}`);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  return {
    address,
    namespace: 'default',
    stop: async () => {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
    },
  };
}
