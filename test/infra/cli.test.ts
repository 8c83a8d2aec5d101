// The `massline` command dispatches to its subcommands and says how to use it.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';

const root = path.resolve(__dirname, '..', '..');
const massline = (...args: string[]) =>
  spawnSync(process.execPath, [path.join(root, 'bin', 'massline'), ...args], { cwd: root, encoding: 'utf8', timeout: 60_000 });

describe('bin/massline', () => {
  it('prints its commands for help and without a command', () => {
    for (const args of [['help'], []]) {
      const r = massline(...args);
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(/^\s+up\s/m);
      expect(r.stdout).toMatch(/^\s+audit\s/m);
    }
  });

  it('refuses an unknown command with exit code 2, naming it', () => {
    const r = massline('frobnicate');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('unknown command "frobnicate"');
  });

  it('up: says its options, and refuses wrong ones with exit code 2 before starting anything', () => {
    const help = massline('up', '--help');
    expect(help.status).toBe(0);
    for (const option of ['--cluster', '--workers N', '--apis M', '--verbose']) expect(help.stdout).toContain(option);
    const env = { ...process.env, MASSLINE_DATA_DIR: '/nonexistent/massline-cli-test' };
    const up = (args: string[], extra: Record<string, string> = {}) =>
      spawnSync(process.execPath, [path.join(root, 'bin', 'massline'), 'up', ...args], {
        cwd: root,
        encoding: 'utf8',
        env: { ...env, ...extra },
        timeout: 60_000,
      });
    for (const [args, message] of [
      [['--workers', '0'], '--workers needs a whole number from 1 to 16, got "0"'],
      [['--apis'], '--apis needs a whole number from 1 to 16, got nothing'],
      [['--apis=2.5'], '--apis needs a whole number from 1 to 16, got "2.5"'],
      [['--frobnicate'], 'unknown option "--frobnicate"'],
    ] as const) {
      const r = up([...args]);
      expect([args, r.status]).toEqual([args, 2]);
      expect(r.stdout).toContain(message);
    }
    const external = up(['--cluster'], { TEMPORAL_ADDRESS: '127.0.0.1:7233' });
    expect(external.status).toBe(2);
    expect(external.stdout).toContain('--cluster runs its own Temporal cluster: unset TEMPORAL_ADDRESS');
    const high = up(['--cluster'], { MASSLINE_TEMPORAL_PORT: '40000' });
    expect(high.status).toBe(2);
    expect(high.stdout).toContain('MASSLINE_TEMPORAL_PORT must be at most 33067 with --cluster');
    const highHistory = up(['--cluster'], { MASSLINE_TEMPORAL_HISTORY_PORT: '40000' });
    expect(highHistory.status).toBe(2);
    expect(highHistory.stdout).toContain('MASSLINE_TEMPORAL_HISTORY_PORT must be an integer in [301, 33067]');
  });

  it('refuses an invalid configuration before starting anything', () => {
    const r = spawnSync(process.execPath, [path.join(root, 'bin', 'massline'), 'up'], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, PORT: 'not-a-port', MASSLINE_DATA_DIR: '/nonexistent/massline-cli-test' },
      timeout: 60_000,
    });
    expect(r.status).toBe(2);
    expect(r.stdout).toContain('PORT must be an integer');
  });

  it('names a worker metrics port in use before starting anything, and so does the worker itself', async () => {
    const busy = net.createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    const port = String((busy.address() as net.AddressInfo).port);
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'massline-cli-metrics-'));
    try {
      const env = {
        ...process.env,
        HOST: '127.0.0.1',
        MASSLINE_WORKER_METRICS_PORT: port,
        MASSLINE_DATA_DIR: dataDir,
        TEMPORAL_ADDRESS: '127.0.0.1:1',
        DATABASE_URL: 'postgres://massline@127.0.0.1:1/massline',
      };
      const up = spawnSync(process.execPath, [path.join(root, 'bin', 'massline'), 'up'], {
        cwd: root,
        encoding: 'utf8',
        env,
        timeout: 60_000,
      });
      expect(up.status).toBe(1);
      expect(up.stdout).toContain(`port ${port} (the worker's metrics) is in use: set MASSLINE_WORKER_METRICS_PORT to another port`);
      const worker = spawnSync(process.execPath, [path.join(root, 'dist', 'apps', 'worker', 'src', 'main.js')], {
        cwd: root,
        encoding: 'utf8',
        env,
        timeout: 60_000,
      });
      expect(worker.status).toBe(1);
      expect(worker.stderr).toContain(`the engine's metrics cannot listen on 127.0.0.1:${port}`);
      expect(worker.stderr).toContain('set MASSLINE_WORKER_METRICS_PORT to a free port, or 0 for none');
    } finally {
      busy.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
