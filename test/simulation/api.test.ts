// POST /api/simulations: the office rehearses a live campaign's plan and enrolment; a job with progress, its report
// as JSON and HTML; nothing of the live campaign changes. The runner's own duties (one at a time, a bounded queue,
// a failing simulator's words, orphaned jobs) are checked with a stand-in simulator.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { DataSource } from 'typeorm';
import { createDataSource, SimulationsRepository } from '../../libs/persistence/src';
import { JsonLogger } from '../../apps/api/src/common/logger';
import { SimulationRunner } from '../../apps/api/src/simulations/simulation-runner';
import { defaultPlan } from '../../libs/domain/src';
import { DEFAULT_PROFILE, seedMixUnits } from '../../libs/simulation/src';
import { OFFICE_TOKEN, startApi, type ApiUnderTest } from '../api/harness';
import { apiContextOf } from '../../apps/api/src/main';
import { eventually } from '../support/eventually';
import { createTestDatabase, testServices } from '../support';
import { ifSet } from '../support/if-set';

const office = (api: ApiUnderTest, method: string, p: string, body?: unknown) => api.call(method, p, { token: OFFICE_TOKEN, body });

/** Every row of every table of the live database, as text: what a simulation must leave as it was. */
async function snapshot(api: ApiUnderTest): Promise<string> {
  const ds = apiContextOf(api.app).dataSource;
  const tables: Array<{ tablename: string }> = await ds.query(
    `SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename NOT IN ('simulation_jobs', 'idempotency_keys', 'audit_log', 'rate_limit_windows', 'massline_migrations') ORDER BY 1`,
  );
  const parts: string[] = [];
  for (const { tablename } of tables)
    parts.push(`${tablename}: ${JSON.stringify(await ds.query(`SELECT * FROM ${tablename} ORDER BY 1`))}`);
  return parts.join('\n');
}

describe('POST /api/simulations', () => {
  let api: ApiUnderTest;
  beforeAll(async () => {
    api = await startApi({ env: { MASSLINE_SIMULATION_SCRATCH_SERVER: testServices().postgres.adminUrl } });
  });
  afterAll(async () => {
    await ifSet(api)?.close();
  });

  it("simulates a live campaign's plan and enrolment as a job with progress; the report as JSON and HTML; the campaign is untouched", async () => {
    const campaign = await office(api, 'POST', '/api/campaigns', { name: '杭州 2013 预演', startsAt: '2013-07-08T00:00:00+08:00' });
    expect(campaign.status).toBe(201);
    const id = campaign.body.id;
    const groups = [];
    for (const name of ['第一督导组', '第二督导组'])
      groups.push((await office(api, 'POST', `/api/campaigns/${id}/groups`, { name })).body.id);
    const enrolled = await office(api, 'POST', `/api/campaigns/${id}/units`, {
      units: [
        { code: 'HZ-1', name: '市财政局', kind: 'organ', level: 'municipal', groupId: groups[0] },
        { code: 'HZ-2', name: '市属企业', kind: 'enterprise', level: 'municipal', groupId: groups[0] },
        { code: 'XH-1', name: '西湖区机关', kind: 'organ', level: 'district', groupId: groups[1] },
      ],
    });
    expect(enrolled.status).toBe(200);
    const auditor = await office(api, 'POST', '/api/principals', { name: 'auditor', role: 'auditor' });
    const before = await snapshot(api);

    // Refused as it should be, changing nothing.
    expect(
      (await office(api, 'POST', '/api/simulations', { campaignId: id, profile: { gates: { P2: [{ share: 0.5, days: [1, 2] }] } } })).body
        .message,
    ).toContain('profile.gates.P2');
    expect((await office(api, 'POST', '/api/simulations', { campaignId: id, units: 3, unitList: [] })).status).toBe(400);
    expect((await office(api, 'POST', '/api/simulations', { campaignId: '00000000-0000-4000-8000-000000000000' })).status).toBe(404);
    expect((await office(api, 'POST', '/api/simulations', { plan: {} })).body).toMatchObject({
      statusCode: 400,
      details: [expect.objectContaining({ rule: 'input.invalid' })],
    });
    expect((await api.call('POST', '/api/simulations', { token: auditor.body.token, body: { campaignId: id } })).status).toBe(403);
    expect((await office(api, 'GET', '/api/simulations')).body.total).toBe(0);

    const started = await office(api, 'POST', '/api/simulations', { campaignId: id, seed: 'api' });
    expect(started.status).toBe(202);
    const job = started.body.id;
    const seen = new Set<string>();
    const done = await eventually(
      async () => {
        const r = await office(api, 'GET', `/api/simulations/${job}`);
        if (r.body.progress?.stage) seen.add(r.body.progress.stage);
        if (r.body.status === 'failed') throw new Error(`simulation failed: ${r.body.error}`);
        return r.body.status === 'done' ? r.body : undefined;
      },
      'the simulation done',
      900_000,
    );
    expect(seen.has('running') || seen.has('preparing')).toBe(true);
    expect(done).toMatchObject({
      campaignId: id,
      request: { source: 'campaign', units: 3, unitsFrom: 'enrolment', groups: 2, seed: 'api' },
      totals: { items: expect.any(Number) },
    });
    expect(done.progress).toMatchObject({ stage: 'done', actionsDone: done.progress.actionsTotal });

    const report = await office(api, 'GET', `/api/simulations/${job}/report`);
    expect(report.status).toBe(200);
    expect(report.body.campaign).toMatchObject({ name: '杭州 2013 预演', units: 3, groups: 2, from: '2013-07-08' });
    expect(report.body.perUnit.map((u: { unit: string; phase: string }) => [u.unit, u.phase])).toEqual([
      ['HZ-1', 'DONE'],
      ['HZ-2', 'DONE'],
      ['XH-1', 'DONE'],
    ]);
    const html = await api.call('GET', `/api/simulations/${job}/report?format=html&lang=en`, { token: OFFICE_TOKEN });
    expect(html.headers.get('content-type')).toContain('text/html');
    expect(html.body).toContain('Campaign rehearsal report');
    expect(html.body).toContain('echarts');
    expect((await office(api, 'GET', `/api/simulations?campaignId=${id}`)).body).toMatchObject({
      total: 1,
      items: [{ id: job, status: 'done' }],
    });

    // The live campaign, its units and every other table are as they were.
    expect(await snapshot(api)).toBe(before);
  }, 1_200_000);

  it('answers 404 for an unknown simulation and its report', async () => {
    expect((await office(api, 'GET', '/api/simulations/00000000-0000-4000-8000-000000000000')).status).toBe(404);
    expect((await office(api, 'GET', '/api/simulations/00000000-0000-4000-8000-000000000000/report')).status).toBe(404);
  });
});

describe('the simulation runner', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'massline-runner-test-'));
  let ds: DataSource;
  let drop: () => Promise<void>;
  const logger = new JsonLogger('error', () => undefined);
  beforeAll(async () => {
    const db = await createTestDatabase('simulation_runner');
    drop = () => db.drop();
    const { runMigrations } = await import('../../libs/persistence/src');
    await runMigrations({ url: db.url });
    ds = createDataSource({ url: db.url }, { poolSize: 6 });
    await ds.initialize();
  });
  afterAll(async () => {
    await ifSet(ds)?.destroy();
    await ifSet(drop)?.();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const input = () => {
    const mix = seedMixUnits(2, 1);
    return {
      name: 'x',
      plan: defaultPlan('2013-07-08T00:00:00+08:00'),
      groups: mix.groups,
      units: mix.units,
      profile: DEFAULT_PROFILE,
      seed: '1',
    };
  };

  it('relays what the simulator prepares and words why it failed (Java missing), in the job', async () => {
    const main = path.join(dir, 'no-java.js');
    fs.writeFileSync(
      main,
      `process.stderr.write('[massline] fetching io.temporal:temporal-test-server:1.31.0 and its classpath with Maven\\n');
       process.stderr.write('massline simulate: Java 17 or later is needed to run the Temporal time-skipping test server (io.temporal:temporal-test-server).\\n');
       process.exit(1);`,
    );
    const repo = new SimulationsRepository(ds);
    const runner = new SimulationRunner(repo, ds, logger, { main });
    const id = await repo.create('office-1', null, { units: 2 });
    await runner.enqueue(id, input());
    const job = await eventually(async () => {
      const j = await repo.find(id);
      return j?.status === 'failed' ? j : undefined;
    }, 'the job failed');
    expect(job.error).toContain('Java 17 or later is needed');
    expect(job.progress).toMatchObject({ stage: 'preparing', note: expect.stringContaining('fetching io.temporal:temporal-test-server') });
    await runner.stop();
  });

  it('runs one job at a time; a job held by no API is marked failed by the next that looks', async () => {
    const main = path.join(dir, 'slow.js');
    // Reports progress, then waits until told to finish (the file appears).
    const go = path.join(dir, 'go');
    fs.writeFileSync(
      main,
      `const fs = require('fs'); const out = process.argv[process.argv.indexOf('--out') + 1];
       process.stdout.write(JSON.stringify({ stage: 'running', actionsDone: 1, actionsTotal: 2 }) + '\\n');
       const t = setInterval(() => { if (!fs.existsSync(${JSON.stringify(go)})) return; clearInterval(t);
         fs.mkdirSync(out, { recursive: true }); fs.writeFileSync(out + '/report.json', JSON.stringify({ totals: { items: 7 } }));
         process.stdout.write(JSON.stringify({ stage: 'written', out, stats: { runMs: 1 } }) + '\\n'); }, 50);`,
    );
    const repo = new SimulationsRepository(ds);
    const runner = new SimulationRunner(repo, ds, logger, { main });
    const a = await repo.create('office-1', null, {});
    const b = await repo.create('office-1', null, {});
    await runner.enqueue(a, input());
    await runner.enqueue(b, input());
    await eventually(async () => ((await repo.find(a))?.progress.stage === 'running' ? true : undefined), 'a running');
    expect((await repo.find(b))?.status).toBe('queued');
    // Another API looks: both jobs are held (by this runner), so neither is failed.
    const other = new SimulationRunner(repo, ds, logger, { main });
    expect(await other.failOrphans()).toBe(0);
    fs.writeFileSync(go, '');
    await eventually(async () => ((await repo.find(b))?.status === 'done' ? true : undefined), 'both done');
    expect((await repo.find(a))?.totals).toEqual({ items: 7 });
    // A job left running by an API that is gone (no lock held): failed by the next look.
    const orphan = await repo.create('office-1', null, {});
    await repo.started(orphan);
    expect(await other.failOrphans()).toBe(1);
    expect((await repo.find(orphan))?.error).toContain('interrupted');
    await runner.stop();
    await other.stop();
  });

  it('keeps the newest finished jobs only', async () => {
    const repo = new SimulationsRepository(ds);
    for (let i = 0; i < 5; i++) {
      const id = await repo.create('office-1', null, { i });
      await repo.failed(id, 'test');
    }
    const before = (await repo.page(0, 500)).total;
    expect(await repo.sweep(3)).toBe(before - 3);
    expect((await repo.page(0, 500)).total).toBe(3);
  });
});
