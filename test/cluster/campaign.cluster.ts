// Past one machine, for real (`npm run test:cluster`): `massline up --cluster` with two workers and two APIs on
// Temporal's four services over PostgreSQL. A compressed campaign of 24 units is driven through both APIs to
// their task books; while the items' ladders run, a worker is SIGKILLed and the history service is stopped
// (SIGSTOP: readiness and decisions answer 503 at once), resumed, then killed and restarted by massline up. At
// the end every rung that came due fired exactly once, reconciliation finds no mismatch and every history
// replays. Measured (printed, never asserted): boot time, phase times, rung lateness, memory per process.
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { Client } from 'pg';
import { ensureTemporalServer } from '../../scripts/lib/tools';
import { DYNAMIC_CONFIG_FILE } from '../../apps/cli/src/cluster/temporal-cluster';
import type { LadderRung } from '../../libs/domain/src';
import { compressedPlan } from '../api/plans';
import { inPool, sleep } from '../support/massline-up';
import { eventually } from '../support/eventually';
import { cliMain, memoryOf, root, startCluster, table, type RunningCluster } from './harness';
import type { Json } from '../support/json';
import { ifSet } from '../support/if-set';

const UNITS = 24;
const ITEMS_PER_UNIT = 2;
const RUNGS = ['reminder', 'yellow', 'red', 'referral'] as const;
const LADDER: LadderRung[] = [
  { rung: 'reminder', offset: '-PT5S' },
  { rung: 'yellow', offset: 'PT0S' },
  { rung: 'red', offset: 'PT5S' },
  { rung: 'referral', offset: 'PT10S' },
];
const OFFSET_MS: Record<string, number> = { reminder: -5000, yellow: 0, red: 5000, referral: 10000 };
const OFFICE_TOKEN = `cluster-office-${process.pid}-0123456789abcdef`;

const report: string[] = [];
const note = (line: string) => {
  report.push(line);
  process.stderr.write(`[cluster test] ${line}\n`);
};

function runCli(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [cliMain, ...args],
      { cwd: root, env: { ...process.env, ...env }, maxBuffer: 64 * 1024 * 1024 },
      (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('a campaign on a Temporal cluster (massline up --cluster, 2 workers, 2 APIs)', () => {
  let cluster: RunningCluster;
  let pg: Client;
  const testStarted = Date.now();

  const call = async (
    api: number,
    method: string,
    p: string,
    o: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
  ) => {
    const res = await fetch(`${cluster.apiUrl(api)}${p}`, {
      method,
      headers: {
        ...(o.token ? { authorization: `Bearer ${o.token}` } : {}),
        ...(o.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...o.headers,
      },
      body: o.body === undefined ? undefined : JSON.stringify(o.body),
    });
    const text = await res.text();
    let body: Json = text;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      /* metrics */
    }
    return { status: res.status, body };
  };
  /** A call that must succeed: the status is checked, with the answer in the message. */
  const ok = async (api: number, method: string, p: string, o: { token?: string; body?: unknown } = {}, expected = [200, 201, 202]) => {
    const r = await call(api, method, p, o);
    if (!expected.includes(r.status)) throw new Error(`${method} ${p} via API ${api + 1}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  };
  const memory = (when: string) => {
    const rows: Array<Array<string | number>> = [['process', 'pid', 'RSS MB', 'note']];
    for (const c of cluster.children()) {
      try {
        const m = memoryOf(c.pid, c.name === 'postgres');
        rows.push([
          c.name,
          c.pid,
          m.rssMb.toFixed(0),
          m.pssMb === undefined ? '' : `with ${m.processes - 1} backends: PSS ${m.pssMb.toFixed(0)} MB`,
        ]);
      } catch {
        rows.push([c.name, c.pid, '(gone)', '']);
      }
    }
    note(`memory ${when}:\n${table(rows)}`);
  };

  beforeAll(async () => {
    if (!fs.existsSync(cliMain)) throw new Error(`${cliMain} is missing: run npm run build (npm run test:cluster does)`);
    const tools = await ensureTemporalServer();
    // The dynamic config that the cluster and docker-compose.yml share is valid for this server version.
    const validated = await new Promise<{ code: number; out: string }>((resolve) =>
      execFile(tools.server, ['validate-dynamic-config', path.join(root, DYNAMIC_CONFIG_FILE)], (err, stdout, stderr) =>
        resolve({ code: err ? 1 : 0, out: `${stdout}${stderr}` }),
      ),
    );
    if (validated.code !== 0) throw new Error(`the dynamic config does not validate:\n${validated.out}`);
    cluster = await startCluster({
      workers: 2,
      apis: 2,
      env: { MASSLINE_ADMIN_TOKEN: OFFICE_TOKEN, MASSLINE_PUBLIC_RATE_LIMIT: '100000', LOG_LEVEL: 'warn' },
    });
    note(
      `booted in ${(cluster.bootMs / 1000).toFixed(1)} s (fresh data folder: PostgreSQL initialised, schemas set up, namespace registered)`,
    );
    pg = new Client({ connectionString: `postgres://massline:massline@127.0.0.1:${cluster.ports.pg}/massline` });
    await pg.connect();
  }, 600_000);

  afterAll(async () => {
    await ifSet(pg)
      ?.end()
      .catch(() => undefined);
    if (ifSet(cluster)) {
      const code = await cluster.stop();
      note(`massline up --cluster stopped (exit ${code})`);
      if (process.env.MASSLINE_KEEP_CLUSTER_DATA === '1') note(`data kept in ${cluster.dataDir}`);
      else fs.rmSync(cluster.dataDir, { recursive: true, force: true });
    }
    note(`the whole test took ${((Date.now() - testStarted) / 1000).toFixed(0)} s`);
    const file = process.env.MASSLINE_CLUSTER_REPORT;
    if (file) fs.writeFileSync(file, `${report.join('\n')}\n`);
  });

  it('runs the campaign through both APIs, loses nothing to a killed worker and a stopped and restarted history service', async () => {
    // ---------- the cluster ----------
    const out = cluster.output();
    expect(out).toMatch(/Temporal schemas \(temporal-sql-tool\): temporal set up at v[\d.]+, temporal_visibility set up at v[\d.]+/);
    expect(out).toContain('Temporal cluster ready');
    expect(out).not.toMatch(/could not start|exited unexpectedly/);
    expect(cluster.children().map((c) => c.name)).toEqual([
      'postgres',
      'frontend',
      'history',
      'matching',
      'temporal-worker',
      'temporal-ui',
      'worker-1',
      'worker-2',
      'api-1',
      'api-2',
    ]);
    for (const api of [0, 1]) {
      expect(await call(api, 'GET', '/health/ready')).toEqual({
        status: 200,
        body: {
          status: 'ready',
          checks: { database: 'up', frontend: 'up', history: 'up', matching: 'up', records: 'up', worker: 'up', workflows: 'up' },
        },
      });
    }
    expect((await fetch(`http://127.0.0.1:${cluster.ports.ui}/`)).status).toBe(200);
    memory('after boot');

    // ---------- the campaign, through both APIs ----------
    let t = Date.now();
    const plan = compressedPlan({ disclosure: 'PT3S', ladder: LADDER });
    const campaign = await ok(0, 'POST', '/api/campaigns', { token: OFFICE_TOKEN, body: { name: 'cluster rehearsal', plan } });
    const groups: string[] = [];
    for (const [i, name] of ['group 1', 'group 2'].entries())
      groups.push((await ok(i, 'POST', `/api/campaigns/${campaign.id}/groups`, { token: OFFICE_TOKEN, body: { name } })).id);
    const enrolled = await ok(1, 'POST', `/api/campaigns/${campaign.id}/units`, {
      token: OFFICE_TOKEN,
      body: {
        units: Array.from({ length: UNITS }, (_, i) => ({
          code: `CL-${String(i + 1).padStart(2, '0')}`,
          name: `cluster unit ${i + 1}`,
          kind: i % 3 === 0 ? 'enterprise' : 'organ',
          level: 'municipal', // batch 1, which opens at once
          groupId: groups[i % 2],
        })),
      },
    });
    const unitIds: string[] = enrolled.results.map((r: { id: string }) => r.id);
    expect(unitIds).toHaveLength(UNITS);
    const supervisors: string[] = [];
    for (const [i, groupId] of groups.entries()) {
      supervisors.push(
        (
          await ok(i, 'POST', '/api/principals', {
            token: OFFICE_TOKEN,
            body: { name: `supervisor ${i + 1}`, role: 'supervisor', groupId },
          })
        ).token,
      );
    }
    const unitTokens: string[] = [];
    for (const [i, unitId] of unitIds.entries()) {
      unitTokens.push(
        (await ok(i % 2, 'POST', '/api/principals', { token: OFFICE_TOKEN, body: { name: `head of unit ${i + 1}`, role: 'unit', unitId } }))
          .token,
      );
    }
    expect(await ok(0, 'POST', `/api/campaigns/${campaign.id}/start`, { token: OFFICE_TOKEN })).toMatchObject({ status: 'running' });
    await eventually(async () => {
      const r = await pg.query(`SELECT count(*)::int AS n FROM unit_states WHERE campaign_id = $1 AND phase = 'P1'`, [campaign.id]);
      return r.rows[0].n === UNITS ? true : undefined;
    }, 'every unit running in P1');
    note(`campaign of ${UNITS} units created and started in ${((Date.now() - t) / 1000).toFixed(1)} s`);

    // Each unit through P1 and P2 to P3, alternating the APIs; each supervisor attends one meeting at a time.
    t = Date.now();
    const hour = 3_600_000;
    const slot = (i: number, minutes: number) => new Date(Date.now() - 30 * hour + i * hour + minutes * 60_000).toISOString();
    const problems: string[] = [];
    await inPool(unitIds, 4, async (unitId, i) => {
      const api = i % 2;
      const unit = { token: unitTokens[i] };
      const sup = { token: supervisors[i % 2] };
      const U = `/api/units/${unitId}`;
      await ok(api, 'POST', `${U}/records`, { ...unit, body: { kind: 'study', title: 'Study of the eight rules' } });
      await ok(1 - api, 'POST', `${U}/opinions`, { body: { text: `Fewer meetings, unit ${i + 1}`, contact: 'a resident' } });
      await ok(api, 'POST', `${U}/records`, { ...unit, body: { kind: 'investigation', title: 'Visits to the grassroots' } });
      await ok(api, 'POST', `${U}/records`, { ...unit, body: { kind: 'solicitation-report', title: 'Report on the opinions' } });
      const t1 = await ok(api, 'POST', `${U}/transitions`, { ...unit, body: { to: 'P2', comment: 'P1 done' } });
      expect(
        await ok(1 - api, 'POST', `${U}/transitions/${t1.id}/decision`, { ...sup, body: { approve: true, comment: 'P1 gate met' } }),
      ).toEqual({ status: 'approved', version: expect.any(Number) });
      const problem = await ok(api, 'POST', `${U}/problems`, {
        ...unit,
        body: { title: 'Too many meetings', source: 'masses', category: 'formalism' },
      });
      problems[i] = problem.id;
      await ok(api, 'POST', `${U}/records`, { ...unit, body: { kind: 'comparison-check', title: 'Comparison-check materials' } });
      await ok(api, 'POST', `${U}/meeting`, { ...unit, body: { scheduledAt: slot(i, 0), location: 'Meeting room' } });
      await ok(1 - api, 'POST', `${U}/meeting/attendance`, { ...sup, body: { arrivedAt: slot(i, 5), leftAt: slot(i, 50) } });
      expect(
        await ok(api, 'POST', `${U}/meeting/held`, {
          ...unit,
          body: { startedAt: slot(i, 10), endedAt: slot(i, 40), minutes: 'Criticism and self-criticism' },
        }),
      ).toEqual({
        valid: true,
        version: expect.any(Number),
      });
      const t2 = await ok(api, 'POST', `${U}/transitions`, { ...unit, body: { to: 'P3', comment: 'meeting held' } });
      expect(
        await ok(1 - api, 'POST', `${U}/transitions/${t2.id}/decision`, { ...sup, body: { approve: true, comment: 'attended in full' } }),
      ).toEqual({
        status: 'approved',
        version: expect.any(Number),
      });
    });
    note(`${UNITS} units driven to P3 (${UNITS * 14} calls, 4 at a time, both APIs) in ${((Date.now() - t) / 1000).toFixed(1)} s`);

    // Task books: every item due at the same moment, far enough ahead for all of them to take effect first.
    t = Date.now();
    const due = Date.now() + 60_000;
    const items: Array<{ id: string; unit: number }> = [];
    await inPool(unitIds, 4, async (unitId, i) => {
      const api = i % 2;
      const U = `/api/units/${unitId}`;
      const book = await ok(api, 'PUT', `${U}/task-book`, {
        token: unitTokens[i],
        body: {
          signedBy: `Secretary of unit ${i + 1}`,
          items: Array.from({ length: ITEMS_PER_UNIT }, (_, k) => ({
            problemIds: [problems[i]],
            measure: `Measure ${k + 1} of unit ${i + 1}`,
            owner: `Owner ${k + 1}`,
            deadline: new Date(due).toISOString(),
          })),
        },
      });
      for (const item of book.items) items.push({ id: item.id, unit: i });
      await ok(1 - api, 'POST', `${U}/task-book/publish`, { token: unitTokens[i] });
    });
    expect(items).toHaveLength(UNITS * ITEMS_PER_UNIT);
    await eventually(
      async () => {
        const r = await pg.query(`SELECT count(*)::int AS n FROM item_states WHERE status = 'open' AND item_id = ANY($1)`, [
          items.map((x) => x.id),
        ]);
        return r.rows[0].n === items.length ? true : undefined;
      },
      'every item open (task books in effect)',
      120_000,
    );
    note(
      `${UNITS} task books of ${ITEMS_PER_UNIT} items published and in effect in ${((Date.now() - t) / 1000).toFixed(1)} s; every item due at ${new Date(due).toISOString()}`,
    );
    if (Date.now() > due + OFFSET_MS.reminder) note('(a slow machine: the ladders had begun before every task book was in effect)');

    // ---------- faults, mid-ladder ----------
    const countRungs = async () =>
      (await pg.query(`SELECT count(*)::int AS n FROM escalations WHERE campaign_id = $1 AND subject = 'item'`, [campaign.id])).rows[0]
        .n as number;
    await eventually(async () => ((await countRungs()) > 0 ? true : undefined), 'the first reminder', 120_000);
    const beforeFaults = await countRungs();

    // 1. A worker, killed outright.
    const worker1 = cluster.pid('worker-1');
    process.kill(worker1, 'SIGKILL');
    note(`worker-1 (pid ${worker1}) SIGKILLed with ${beforeFaults} of ${items.length * RUNGS.length} rungs fired`);

    // 2. The history service stopped (SIGSTOP: it holds its connections and answers nothing).
    const history = cluster.pid('history');
    process.kill(history, 'SIGSTOP');
    const stoppedAt = Date.now();
    try {
      for (const api of [0, 1]) {
        const ready = await eventually(
          async () => {
            const r = await call(api, 'GET', '/health/ready');
            return r.status === 503 && /^down: /.test(r.body.details?.[0]?.history ?? '') ? r.body : undefined;
          },
          `API ${api + 1} to see history down`,
        );
        expect(ready.details[0]).toMatchObject({ database: 'up', frontend: 'up' });
        expect(ready.message).toMatch(/history down: /);
      }
      note(`both APIs answered /health/ready 503 naming history ${((Date.now() - stoppedAt) / 1000).toFixed(1)} s after it was stopped`);
      // A decision while history is known to be down: 503 at once, not sent (counted by the API).
      const failFast = async (api: number) =>
        Number(/^massline_engine_fail_fast_total (\d+)/m.exec(String((await call(api, 'GET', '/metrics')).body))?.[1]);
      const item = items[0];
      const key = `cluster-progress-${campaign.id}`;
      const progress = () =>
        call(1, 'POST', `/api/items/${item.id}/progress`, {
          token: unitTokens[item.unit],
          body: { note: 'Progress reported while history was down', evidenceUri: 'https://docs.example/cluster' },
          headers: { 'idempotency-key': key },
        });
      const before = await failFast(1);
      const sent = Date.now();
      const refused = await progress();
      note(`a decision sent while history was down answered ${refused.status} in ${Date.now() - sent} ms`);
      expect(refused.status).toBe(503);
      expect(await failFast(1)).toBeGreaterThan(before); // this call, and any other the API made meanwhile

      // Rungs come due while history is stopped.
      while (Date.now() < due + 1_000) await sleep(250);
      process.kill(history, 'SIGCONT');
      note(`history resumed after ${((Date.now() - stoppedAt) / 1000).toFixed(1)} s stopped`);

      for (const api of [0, 1])
        await eventually(
          async () => ((await call(api, 'GET', '/health/ready')).status === 200 ? true : undefined),
          `API ${api + 1} ready again`,
        );
      // The refused decision was never sent, so it is not applied; repeated with its key, it is applied once.
      // The item's count from the read model, at the version the decision produced (it may answer 503 until the
      // projection lands), its notes from the database (projected after the decision).
      const TEXT = 'Progress reported while history was down';
      const progressCount = async (minVersion = 0) =>
        (
          await eventually(async () => {
            const r = await call(0, 'GET', `/api/items/${item.id}?minVersion=${minVersion}`, { token: OFFICE_TOKEN });
            return r.status === 200 ? r.body : undefined;
          }, `the view of item ${item.id}`)
        ).counts.progress as number;
      const notesInDb = async () => {
        const r = await call(0, 'GET', `/api/items/${item.id}/progress?pageSize=100`, { token: OFFICE_TOKEN });
        expect(r.status).toBe(200);
        return (r.body.items as Array<{ note: string }>).filter((p) => p.note === TEXT).length;
      };
      const countBefore = await progressCount();
      expect(await notesInDb()).toBe(0);
      let again = await progress();
      for (let i = 0; again.status === 503 && i < 20; i++) again = await progress();
      expect(again.status).toBe(201);
      expect((await progress()).status).toBe(201); // a replay of the same key
      expect(await progressCount(again.body.version)).toBe(countBefore + 1);
      await eventually(async () => ((await notesInDb()) === 1 ? true : undefined), 'the note in the database');
    } finally {
      try {
        process.kill(history, 'SIGCONT');
      } catch {
        /* restarted already */
      }
    }

    // 3. The history service killed: massline up starts it again.
    process.kill(history, 'SIGKILL');
    await eventually(() => (/history restarted \(pid \d+\)/.test(cluster.output()) ? true : undefined), 'massline up to restart history');
    await eventually(() => (/worker-1 restarted \(pid \d+\)/.test(cluster.output()) ? true : undefined), 'massline up to restart worker-1');
    expect(cluster.pid('history')).not.toBe(history);
    expect(cluster.pid('worker-1')).not.toBe(worker1);
    for (const api of [0, 1])
      await eventually(
        async () => ((await call(api, 'GET', '/health/ready')).status === 200 ? true : undefined),
        `API ${api + 1} ready after the restart`,
      );
    note('history SIGKILLed and restarted by massline up; worker-1 restarted; both APIs ready again');

    // ---------- every rung that came due fired exactly once ----------
    t = Date.now();
    const rows = await eventually(
      async () => {
        const r = await pg.query(
          `SELECT item_id, rung, count(*)::int AS n, min(fired_at) AS fired_at, min(deadline) AS deadline
           FROM escalations WHERE campaign_id = $1 AND subject = 'item' GROUP BY item_id, rung`,
          [campaign.id],
        );
        return r.rows.length === items.length * RUNGS.length ? r.rows : undefined;
      },
      'every rung of every item',
      300_000,
      1000,
    );
    note(`all ${rows.length} rungs recorded ${((Date.now() - t) / 1000).toFixed(1)} s after the restart`);
    expect(rows.filter((r) => r.n !== 1)).toEqual([]);
    const byItem = new Map<string, string[]>();
    for (const r of rows) byItem.set(r.item_id, [...(byItem.get(r.item_id) ?? []), r.rung]);
    expect([...byItem.keys()].sort()).toEqual(items.map((i) => i.id).sort());
    for (const rungs of byItem.values()) expect(rungs.sort()).toEqual([...RUNGS].sort());
    const notices = await pg.query(
      `SELECT n.escalation_key, n.channel, n.recipient, count(*)::int AS n FROM notifications n JOIN escalations e ON e.key = n.escalation_key
        WHERE e.campaign_id = $1 GROUP BY 1, 2, 3 HAVING count(*) > 1`,
      [campaign.id],
    );
    expect(notices.rows).toEqual([]);
    // The workflows agree: each item's own view lists its four rungs once, in ladder order.
    await inPool(items, 4, async (item) => {
      const view = await eventually(async () => {
        const r = await call(item.unit % 2, 'GET', `/api/items/${item.id}`, { token: OFFICE_TOKEN });
        return r.status === 200 && r.body.rungs?.length === RUNGS.length ? r.body : undefined;
      }, `the rungs in the view of item ${item.id}`);
      expect(view.rungs.map((r: { rung: string }) => r.rung)).toEqual([...RUNGS]);
    });
    const lateness = rows
      .map((r) => new Date(r.fired_at).getTime() - (new Date(r.deadline).getTime() + OFFSET_MS[r.rung]))
      .sort((a, b) => a - b);
    const q = (p: number) => (lateness[Math.min(lateness.length - 1, Math.floor(p * lateness.length))] / 1000).toFixed(1);
    note(
      `rung lateness (fired − due) p50 ${q(0.5)} s, p90 ${q(0.9)} s, max ${q(1)} s (rungs due while history was stopped or the worker down included)`,
    );

    // ---------- reconciliation and replay ----------
    const auditEnv = {
      DATABASE_URL: `postgres://massline:massline@127.0.0.1:${cluster.ports.pg}/massline`,
      TEMPORAL_ADDRESS: `127.0.0.1:${cluster.ports.frontend}`,
      TEMPORAL_NAMESPACE: 'default',
      MASSLINE_DATA_DIR: cluster.clusterDir,
      LOG_LEVEL: 'warn',
    };
    t = Date.now();
    const reconciled = await runCli(['audit', 'reconcile', campaign.id, '--json'], auditEnv);
    const reconciliation = JSON.parse(reconciled.stdout);
    note(
      `reconciliation: ${reconciliation.checked} workflows checked, ${reconciliation.mismatches.length} mismatches, ${reconciliation.inFlight.length} in flight (${((Date.now() - t) / 1000).toFixed(1)} s)`,
    );
    expect(reconciliation.mismatches).toEqual([]);
    expect(reconciled.code).toBe(0);
    expect(reconciliation.checked).toBeGreaterThanOrEqual(UNITS + items.length);

    t = Date.now();
    const replayed = await runCli(['audit', 'replay', '--campaign', campaign.id, '--json'], auditEnv);
    const replay = JSON.parse(replayed.stdout);
    note(
      `replay: ${replay.replayed} of ${replay.total} histories (${replay.events} events), ${replay.failures.length} failures (${((Date.now() - t) / 1000).toFixed(1)} s)`,
    );
    expect(replay.failures).toEqual([]);
    expect(replayed.code).toBe(0);
    expect(replay.replayed).toBe(replay.total);
    expect(replay.total).toBeGreaterThanOrEqual(1 + UNITS + items.length);
    memory('after the campaign');
  }, 1_200_000);
});
