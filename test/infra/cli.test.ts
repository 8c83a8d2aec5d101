// The `massline` command dispatches to its subcommands and says how to use it.
import { spawnSync } from 'child_process';
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
});
