// A Temporal dev server (in memory) started WITHOUT massline's search attributes, like a user's own server:
// registration through the operator service is tested on it. Other tests use the shared one (test/support).
import { spawn, type ChildProcess } from 'node:child_process';
import { Connection } from '@temporalio/client';
import { testServices } from '../support';
import { freePort } from '../../apps/cli/src/embedded/process';

export interface BareTemporal {
  address: string;
  namespace: string;
  stop(): Promise<void>;
}

export async function startBareTemporal(): Promise<BareTemporal> {
  const port = await freePort();
  const httpPort = await freePort();
  const args = [
    'server', 'start-dev', '--headless', '--ip', '127.0.0.1',
    '--port', String(port), '--http-port', String(httpPort),
    '--namespace', 'default', '--log-level', 'error',
    '--dynamic-config-value', 'frontend.enableUpdateWorkflowExecution=true',
  ];
  const child: ChildProcess = spawn(testServices().temporal.cliPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
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
