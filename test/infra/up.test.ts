// `massline up` as a user runs it (the compiled CLI): everything starts, answers, stops on Ctrl-C, and a second
// start finds the state of the first; with TEMPORAL_ADDRESS and DATABASE_URL it starts nothing embedded.
import { ChildProcess, execFileSync, spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Client, Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { freePort, portInUse, waitForExit } from '../../apps/cli/src/embedded/process';
import { createTestDatabase, testServices } from '../support';
import { eventually } from '../support/eventually';

const root = path.resolve(__dirname, '..', '..');
const cliMain = path.join(root, 'dist', 'apps', 'cli', 'src', 'main.js');

interface Run {
  child: ChildProcess;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Every `massline up` started here, so that a failing test still stops them (they stop their own children). */
const runs: Run[] = [];

/** Starts `massline up` and resolves once it says it is up (or fails with its output). */
async function startUp(env: Record<string, string>): Promise<Run> {
  const unset = ['DATABASE_URL', 'TEMPORAL_ADDRESS', 'MASSLINE_ADMIN_TOKEN', 'PORT'];
  const base = Object.fromEntries(Object.entries(process.env).filter(([key]) => !unset.includes(key)));
  const child = spawn(process.execPath, [cliMain, 'up'], { cwd: root, env: { ...base, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => (out += String(d)));
  child.stderr.on('data', (d) => (out += String(d)));
  const exited = waitForExit(child);
  runs.push({ child, output: () => out, exited });
  const deadline = Date.now() + 150_000;
  // The summary's last line: the lines before it may arrive in later chunks than "massline is up".
  while (!out.includes('Ctrl-C stops everything')) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`massline up exited early:\n${out}`);
    if (Date.now() > deadline) {
      child.kill('SIGINT');
      await exited;
      throw new Error(`massline up was not up in time:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { child, output: () => out, exited };
}

async function interrupt(run: Run): Promise<number | null> {
  run.child.kill('SIGINT');
  const { code } = await run.exited;
  return code;
}

async function api(port: number, method: string, url: string, token?: string, body?: unknown) {
  const res = await fetch(`http://127.0.0.1:${port}${url}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

/** Log files anywhere under `dir` that contain `secret`. */
function logsHolding(secret: string, dir = dataDirOfRun): string[] {
  const found: string[] = [];
  const visit = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, e.name);
      if (e.isDirectory()) visit(full);
      else if (e.isFile() && /\.log$/.test(e.name) && fs.readFileSync(full, 'utf8').includes(secret)) found.push(full);
    }
  };
  visit(dir);
  return found;
}
let dataDirOfRun = '';

/** The data folder, its logs and the token are the user's alone (as root: PostgreSQL's user may pass through). */
function expectPrivate(dir: string) {
  const mode = (p: string) => fs.statSync(p).mode & 0o777;
  const dirMode = mode(dir);
  if (dirMode === 0o710) {
    // Run as root: PostgreSQL runs as `postgres` inside; its group may traverse, nobody else may do anything.
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    expect(fs.statSync(dir).gid).toBe(gid);
  } else {
    expect(dirMode).toBe(0o700);
  }
  expect(mode(path.join(dir, 'logs'))).toBe(0o700);
  const logs = fs.readdirSync(path.join(dir, 'logs'));
  expect(logs).toEqual(expect.arrayContaining(['api.log', 'worker.log', 'temporal.log', 'postgres.log']));
  for (const log of logs) expect([log, mode(path.join(dir, 'logs', log))]).toEqual([log, 0o600]);
  expect(mode(path.join(dir, 'office-token'))).toBe(0o600);
}

describe('massline up (embedded Temporal and PostgreSQL)', () => {
  let dataDir: string;
  let env: Record<string, string>;
  let ports: { api: number; temporal: number; ui: number; pg: number; metrics: number };

  beforeAll(async () => {
    if (!fs.existsSync(cliMain)) throw new Error(`${cliMain} is missing: run npm run build (npm test does)`);
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'massline-up-'));
    dataDirOfRun = dataDir;
    fs.chmodSync(dataDir, 0o755); // as a user might have made it: massline up makes it private
    ports = { api: await freePort(), temporal: await freePort(), ui: await freePort(), pg: await freePort(), metrics: await freePort() };
    env = {
      MASSLINE_DATA_DIR: dataDir,
      PORT: String(ports.api),
      HOST: '127.0.0.1',
      MASSLINE_TEMPORAL_PORT: String(ports.temporal),
      MASSLINE_TEMPORAL_UI_PORT: String(ports.ui),
      MASSLINE_PG_PORT: String(ports.pg),
      MASSLINE_WORKER_METRICS_PORT: String(ports.metrics),
      TEMPORAL_CLI: testServices().temporal.cliPath,
    };
  });
  afterAll(async () => {
    for (const run of runs) if (run.child.exitCode === null && run.child.signalCode === null) await interrupt(run);
    // After every start, crash and restart of this file: the generated office token is still in no log.
    const token = fs.existsSync(path.join(dataDir, 'office-token'))
      ? fs.readFileSync(path.join(dataDir, 'office-token'), 'utf8').trim()
      : '';
    const leaked = token ? logsHolding(token) : [];
    fs.rmSync(dataDir, { recursive: true, force: true });
    expect(token).not.toBe('');
    expect(leaked).toEqual([]);
  });

  it('starts everything, stops it all on Ctrl-C, and a second start finds the first one`s state', async () => {
    const first = await startUp(env);
    let auditorToken: string;
    const workflowId = `up-test-${Date.now().toString(36)}`;
    try {
      expect(first.output()).toContain(`http://127.0.0.1:${ports.api}/docs`);
      expect(first.output()).toMatch(/Office token +\S+/);
      const officeToken = fs.readFileSync(path.join(dataDir, 'office-token'), 'utf8').trim();
      // The generated token is shown in the terminal by massline up, and is in no log (checked again at the end).
      expect(first.output()).toContain(`Office token  ${officeToken}  (generated now`);
      expect(logsHolding(officeToken)).toEqual([]);
      expectPrivate(dataDir);

      expect((await api(ports.api, 'GET', '/health/ready')).status).toBe(200);
      const me = await api(ports.api, 'GET', '/api/me', officeToken);
      expect(me.status).toBe(200);
      expect(me.body.role).toBe('office');
      expect((await api(ports.api, 'GET', '/api/me')).status).toBe(401);
      const created = await api(ports.api, 'POST', '/api/principals', officeToken, { name: 'up test auditor', role: 'auditor' });
      expect(created.status).toBe(201);
      auditorToken = created.body.token;

      // The Web UI is on, and the dev server keeps workflows in its database file.
      expect((await fetch(`http://127.0.0.1:${ports.ui}/`)).status).toBe(200);
      const connection = await Connection.connect({ address: `127.0.0.1:${ports.temporal}` });
      try {
        await new Client({ connection }).workflow.start('upTestProbe', { workflowId, taskQueue: 'up-test-nobody-polls' });
      } finally {
        await connection.close();
      }

      // A second `up` on the same data refuses to start beside the first.
      const second = spawn(process.execPath, [cliMain, 'up'], {
        cwd: root,
        env: { ...process.env, ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let secondOut = '';
      second.stdout.on('data', (d) => (secondOut += String(d)));
      const { code } = await waitForExit(second);
      expect(code).toBe(1);
      expect(secondOut).toMatch(/already running/);
    } finally {
      expect(await interrupt(first)).toBe(0);
    }
    expect(first.output()).toMatch(/stopping api, worker, temporal, postgres/);
    for (const port of Object.values(ports)) expect(await portInUse(port)).toBe(false);
    expect(fs.existsSync(path.join(dataDir, 'massline-up.json'))).toBe(false);

    const again = await startUp(env);
    try {
      expect(again.output()).not.toMatch(/PostgreSQL ready \(initialised\)/);
      expect(again.output()).toMatch(/migrations: up to date/);
      const me = await api(ports.api, 'GET', '/api/me', auditorToken!);
      expect(me.status).toBe(200);
      expect(me.body.role).toBe('auditor');
      const connection = await Connection.connect({ address: `127.0.0.1:${ports.temporal}` });
      try {
        const description = await new Client({ connection }).workflow.getHandle(workflowId).describe();
        expect(description.type).toBe('upTestProbe');
        await new Client({ connection }).workflow.getHandle(workflowId).terminate('up test done');
      } finally {
        await connection.close();
      }
    } finally {
      expect(await interrupt(again)).toBe(0);
    }
  });

  it('starts a worker and an API that were killed again, says so, and keeps running', async () => {
    const run = await startUp(env);
    try {
      const state = () =>
        JSON.parse(fs.readFileSync(path.join(dataDir, 'massline-up.json'), 'utf8')) as { children: Array<{ name: string; pid: number }> };
      const pidOf = (name: string) => state().children.find((c) => c.name === name)!.pid;
      const connection = await Connection.connect({ address: `127.0.0.1:${ports.temporal}` });
      try {
        // The worker, killed outright: restarted, and the new process polls the task queue.
        const worker = pidOf('worker');
        process.kill(worker, 'SIGKILL');
        await eventually(() => /worker restarted \(pid (\d+)\)/.exec(run.output())?.[1], 'the worker to be restarted');
        expect(run.output()).toMatch(/worker exited unexpectedly \(SIGKILL\); restarting it in 1 s/);
        const newWorker = Number(/worker restarted \(pid (\d+)\)/.exec(run.output())![1]);
        expect(newWorker).not.toBe(worker);
        expect(pidOf('worker')).toBe(newWorker);
        await eventually(async () => {
          const { pollers } = await connection.workflowService.describeTaskQueue({
            namespace: 'default',
            taskQueue: { name: 'massline' },
            taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
          });
          return pollers.some((p) => p.identity?.startsWith(`${newWorker}@`)) || undefined;
        }, 'the restarted worker to poll');
      } finally {
        await connection.close();
      }

      // The API, killed outright: restarted on its port, ready again.
      const apiPid = pidOf('api');
      process.kill(apiPid, 'SIGKILL');
      await eventually(() => /api restarted \(pid (\d+)\)/.exec(run.output())?.[1], 'the API to be restarted');
      expect(run.output()).toMatch(/api exited unexpectedly \(SIGKILL\); restarting it in 1 s/);
      await eventually(
        async () => (await api(ports.api, 'GET', '/health/ready').catch(() => ({ status: 0 }))).status === 200 || undefined,
        'the API ready again',
      );
      expect(pidOf('api')).not.toBe(apiPid);
      expect(run.child.exitCode).toBeNull();
      expect(run.output()).not.toMatch(/giving up|stopping/);
    } finally {
      expect(await interrupt(run)).toBe(0);
    }
    expect(run.output()).toMatch(/stopping api, worker, temporal, postgres/);
  });

  it('with TEMPORAL_ADDRESS and DATABASE_URL set, starts neither Temporal nor PostgreSQL', async () => {
    const db = await createTestDatabase('up_external');
    const services = testServices();
    const run = await startUp({
      ...env,
      MASSLINE_DATA_DIR: path.join(dataDir, 'external'),
      TEMPORAL_ADDRESS: services.temporal.address,
      TEMPORAL_NAMESPACE: services.temporal.namespace,
      TEMPORAL_TASK_QUEUE: `up-external-${Date.now().toString(36)}`,
      DATABASE_URL: db.url,
    });
    try {
      expect(run.output()).toContain(`using Temporal at ${services.temporal.address}`);
      expect(run.output()).not.toMatch(/starting the Temporal dev server|starting PostgreSQL/);
      expect(await portInUse(ports.temporal)).toBe(false);
      expect(await portInUse(ports.pg)).toBe(false);
      expect((await api(ports.api, 'GET', '/health/ready')).status).toBe(200);
    } finally {
      expect(await interrupt(run)).toBe(0);
      await db.drop();
    }
    expect(run.output()).toMatch(/stopping api, worker$/m);
  });
});
