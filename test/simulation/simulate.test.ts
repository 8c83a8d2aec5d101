// The simulator end to end: the real workflows and activities on the time-skipping test server against a scratch
// database, the whole seed calendar (both batches), a few units. The same input gives the same report, byte for
// byte, from the engine and from `massline simulate`; what the report counts is what the workflows recorded.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Writable } from 'stream';
import { Client } from 'pg';
import { defaultPlan } from '../../libs/domain/src';
import { buildAgenda, DEFAULT_PROFILE, renderReportHtml, seedMixUnits, type SimulationInput } from '../../libs/simulation/src';
import { runSimulation, shiftPlan } from '../../apps/cli/src/simulate/engine';
import { runSimulate } from '../../apps/cli/src/simulate';
import { testServices } from '../support';

const sink = () => {
  const chunks: string[] = [];
  const w = new Writable({
    write: (c, _e, cb) => {
      chunks.push(String(c));
      cb();
    },
  }) as Writable & { isTTY?: boolean };
  return { stream: w, text: () => chunks.join('') };
};

describe('massline simulate', () => {
  const mix = seedMixUnits(8, 2);
  const input: SimulationInput = {
    name: 'rehearsal',
    plan: defaultPlan('2013-07-08T00:00:00+08:00'),
    groups: mix.groups,
    units: mix.units,
    profile: DEFAULT_PROFILE,
    seed: 'same-bytes',
  };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'massline-simulate-test-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('runs the seed calendar for 8 units; the report counts what the workflows recorded, and a second run gives the same bytes', async () => {
    const { adminUrl } = testServices().postgres;
    const databasesBefore = await databases(adminUrl);
    const progress: string[] = [];
    // A cache of 10 workflows for a campaign, 8 units and their items: runs are evicted and replayed at their next
    // task all along (the bound a 10,000-unit run lives with); the run on the default cache below gives the same bytes.
    const first = await runSimulation(input, {
      adminDatabaseUrl: adminUrl,
      testServer: testServices().testServerLauncher,
      onProgress: (p) => progress.push(p.stage),
      cacheLimit: 10,
    });
    const { report, agenda } = first;
    // Evicting, the worker took the live worker's bundle (the one that replays what it writes).
    expect({ cached: first.stats.cachedWorkflows, tracing: first.stats.tracing }).toEqual({ cached: 10, tracing: true });

    // Progress went through its stages in order.
    expect([...new Set(progress)]).toEqual(['preparing', 'running', 'settling', 'reporting', 'done']);
    // Every unit finished (DONE), every item was closed, each rung once; the plan's own dates (not the moved ones).
    expect(report.perUnit.map((u) => u.phase)).toEqual(Array(8).fill('DONE'));
    expect(report.campaign.from).toBe('2013-07-08');
    expect(report.totals.items).toBe(agenda.steps.flatMap((s) => s.actions).filter((a) => a.kind === 'close').length);
    expect(1 + 8 + report.totals.items).toBeGreaterThan(10 * 2);
    // Meetings: as many held as the agenda planned, the invalid ones being those not attended throughout.
    expect(report.totals.meetings).toBe(agenda.meetings.length);
    expect(report.totals.meetingsInvalid).toBe(agenda.meetings.filter((m) => m.attendance !== 'throughout').length);
    const planned = agenda.meetings
      .filter((m) => m.clashWith.length)
      .map((m) => m.unit)
      .sort();
    expect(report.clashes.flatMap((c) => c.units).sort()).toEqual(planned);
    // A referral rung is a proposed measure, each once.
    expect(report.totals.measuresProposed).toBe(report.totals.rungs.referral);
    // The scratch database is gone.
    expect(await databases(adminUrl)).toEqual(databasesBefore);

    // The same input through the command line (the default cache): the same report, byte for byte, and its HTML.
    const file = path.join(dir, 'input.json');
    fs.writeFileSync(file, JSON.stringify(input));
    const out = sink();
    const err = sink();
    const code = await runSimulate(['--input', file, '--out', path.join(dir, 'out'), '--lang', 'en', '--scratch-server', adminUrl], {
      out: out.stream,
      err: err.stream,
      env: process.env,
    });
    expect({
      code,
      err: err
        .text()
        .split('\n')
        .filter((l) => /error/i.test(l)),
    }).toEqual({ code: 0, err: [] });
    expect(fs.readFileSync(path.join(dir, 'out', 'report.json'), 'utf8')).toBe(`${JSON.stringify(report, null, 2)}\n`);
    const html = fs.readFileSync(path.join(dir, 'out', 'report.html'), 'utf8');
    expect(html).toBe(
      renderReportHtml(report, {
        lang: 'en',
        echarts: html.includes('echarts') ? fs.readFileSync(require.resolve('echarts/dist/echarts.min.js'), 'utf8') : undefined,
      }),
    );
    expect(html).toContain('Days one group must be in two meetings at once');
    expect(out.text()).toContain('report.html');
  }, 900_000);

  it('moves a plan by whole weeks, holidays and swapped workdays with it', () => {
    const plan = input.plan;
    const moved = shiftPlan(plan, 7 * 700);
    expect(moved.batches[0].startsAt).toBe('2026-12-07T00:00:00+08:00');
    expect(new Date(moved.batches[0].startsAt).getUTCDay()).toBe(new Date(plan.batches[0].startsAt).getUTCDay());
    expect(moved.calendar.holidays[0]).toBe(
      new Date(Date.parse(`${plan.calendar.holidays[0]}T00:00:00Z`) + 4900 * 86_400_000).toISOString().slice(0, 10),
    );
    expect(buildAgenda({ ...input, plan: moved }).actions).toBe(buildAgenda(input).actions);
  });
});

async function databases(adminUrl: string): Promise<string[]> {
  const c = new Client({ connectionString: adminUrl });
  await c.connect();
  try {
    return (await c.query(`SELECT datname FROM pg_database WHERE datname LIKE 'massline_simulation%' ORDER BY 1`)).rows.map(
      (r) => r.datname,
    );
  } finally {
    await c.end();
  }
}
