// The console's first load and its dashboard at a real campaign's size: the JavaScript a first visit
// downloads (gzipped, as the API serves it) and the time until the dashboard is interactive with 10,000 units.
//
// A campaign of 10,000 units (five supervisory groups) is enrolled through the API on its own embedded
// PostgreSQL and Temporal dev server; the campaign is not started (10,000 unit workflows would measure the
// engine, not the console): instead the read model the dashboard reads (unit_states) is filled for batch 1 as a
// campaign in its third month would have it — phases P1–P3, a yellow card for 6 %, a red one for 1.5 % — and
// batch 2 waits. Each load is a fresh browser context (empty cache) signed in as the office.
//
// Run: npm run bench console   (or node test/bench/run-ts.js console; the console must be built: npm run build)
// Options: BENCH_UNITS (default 10000), BENCH_LOADS (default 3).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { AddressInfo } from 'node:net';
import { createApp } from '../../apps/api/src/main';
import { JsonLogger } from '../../apps/api/src/common/logger';
import { consoleDir } from '../../apps/api/src/console/console-static';
import { ensureDatabase, startEmbeddedPostgres } from '../../apps/cli/src/embedded/postgres';
import { freePort } from '../../apps/cli/src/embedded/process';
import { startTemporalDevServer } from '../../apps/cli/src/embedded/temporal-dev-server';
import { loadConfig } from '../../libs/config/src';
import { ensureTemporalCli } from '../../scripts/lib/tools';
import { launchBrowser, OUTPUT_DIR } from '../console/browser';
import type { Json } from '../support/json';

const UNITS = Number(process.env.BENCH_UNITS ?? 10_000);
const LOADS = Number(process.env.BENCH_LOADS ?? 3);
const TOKEN = 'office-token-for-the-console-bench-0123456789';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const kb = (n: number) => `${(n / 1024).toFixed(1)} KiB`;

export async function main(): Promise<void> {
  if (!fs.existsSync(path.join(consoleDir(), 'index.html'))) throw new Error('the console is not built: npm run build');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'massline-console-bench-'));
  fs.chmodSync(dir, 0o755);
  const cleanup: Array<() => Promise<void>> = [];
  try {
    const [cliPath, pgPort, temporalPort] = await Promise.all([ensureTemporalCli(), freePort(), freePort()]);
    const [pg, temporal] = await Promise.all([
      startEmbeddedPostgres({ dataDir: path.join(dir, 'pg'), port: pgPort, logFile: path.join(dir, 'postgres.log'), ephemeral: true }),
      startTemporalDevServer({ cliPath, port: temporalPort, namespace: 'default', logFile: path.join(dir, 'temporal.log') }),
    ]);
    cleanup.push(
      () => temporal.stop(),
      () => pg.stop(),
    );
    await ensureDatabase(pg.url(), 'bench');
    const config = loadConfig({
      DATABASE_URL: pg.url('bench'),
      TEMPORAL_ADDRESS: temporal.address,
      MASSLINE_ADMIN_TOKEN: TOKEN,
      MASSLINE_DATA_DIR: dir,
      LOG_LEVEL: 'error',
      PORT: '0',
      HOST: '127.0.0.1',
    });
    const app = await createApp(config, { logger: new JsonLogger('error', () => undefined), announce: () => undefined });
    await app.listen(0, '127.0.0.1');
    cleanup.unshift(() => app.close());
    const url = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
    const office = async (method: string, p: string, body?: unknown): Promise<Json> => {
      const res = await fetch(`${url}${p}`, {
        method,
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const json = await res.json();
      if (!res.ok) throw new Error(`${method} ${p}: ${res.status} ${JSON.stringify(json)}`);
      return json;
    };

    // ---------- a campaign of 10,000 units ----------
    const t0 = Date.now();
    const campaign = await office('POST', '/api/campaigns', { name: `bench: ${UNITS} units` });
    const groups: string[] = [];
    for (let g = 1; g <= 5; g++) groups.push((await office('POST', `/api/campaigns/${campaign.id}/groups`, { name: `督导组 ${g}` })).id);
    const kinds = ['organ', 'enterprise', 'university', 'affiliated', 'grassroots'];
    const units = Array.from({ length: UNITS }, (_, i) => ({
      code: `HZ-${String(i + 1).padStart(5, '0')}`,
      name: `参加单位 ${i + 1}`,
      kind: kinds[i % kinds.length],
      level: i % 3 === 0 ? 'district' : 'municipal',
      groupId: groups[i % groups.length],
    }));
    const enrolled = await office('POST', `/api/campaigns/${campaign.id}/units`, { units });
    const created = enrolled.results.filter((r: { status: string }) => r.status === 'created').length;
    const enrolMs = Date.now() - t0;

    // ---------- the read model of a campaign in its third month (batch 1 under way, batch 2 waiting) ----------
    const { DataSource } = await import('typeorm');
    const db = new DataSource({ type: 'postgres', url: pg.url('bench') });
    await db.initialize();
    cleanup.unshift(() => db.destroy());
    await db.query(
      `INSERT INTO unit_states (unit_id, campaign_id, code, batch, group_id, phase, status, card, window_starts_at, window_ends_at, unmet_gates, view, version)
       SELECT u.id, u.campaign_id, u.code, u.batch, u.group_id,
              (ARRAY['P1','P2','P2','P3'])[1 + (n % 4)], 'active',
              CASE WHEN n % 67 = 0 THEN 'red' WHEN n % 17 = 0 THEN 'yellow' ELSE 'none' END,
              now() - interval '30 days', now() + interval '30 days', '[]'::jsonb,
              jsonb_build_object('id', u.id, 'code', u.code, 'name', u.name), 1
       FROM (SELECT u.*, row_number() OVER (ORDER BY u.code) AS n FROM units u WHERE u.campaign_id = $1 AND u.batch = 1) u`,
      [campaign.id],
    );
    const [{ started }] = await db.query(`SELECT count(*)::int AS started FROM unit_states WHERE campaign_id = $1`, [campaign.id]);

    // ---------- loads of the dashboard ----------
    const browser = await launchBrowser();
    cleanup.unshift(() => browser.close());
    const loads: Array<{
      jsGzip: number;
      jsRaw: number;
      jsFiles: number;
      allBytes: number;
      interactiveMs: number;
      longTasksMs: number;
      filterMs: number;
    }> = [];
    for (let i = 0; i < LOADS; i++) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
      // Signed in as the office (the session a sign-in gives), and long tasks recorded from the first byte.
      // (scripts for the page are strings: the server's tsconfig has no DOM types)
      await context.addInitScript(`
        sessionStorage.setItem('massline.session', JSON.stringify({ token: ${JSON.stringify(TOKEN)}, viaLink: false, principal: { id: 'bench', name: 'office', role: 'office' } }));
        window.__longTasks = 0;
        new PerformanceObserver((list) => { for (const e of list.getEntries()) window.__longTasks += Math.max(0, e.duration - 50); })
          .observe({ type: 'longtask', buffered: true });
      `);
      const page = await context.newPage();
      let jsGzip = 0;
      let jsRaw = 0;
      let jsFiles = 0;
      let allBytes = 0;
      page.on('response', async (res) => {
        const len = Number(res.headers()['content-length'] ?? 0);
        allBytes += len;
        if (res.request().resourceType() === 'script') {
          jsFiles++;
          jsGzip += len;
          jsRaw += (await res.body().catch(() => Buffer.alloc(0))).length;
        }
      });
      await page.goto(`${url}/office/campaigns/${campaign.id}`);
      // Interactive: every unit's light drawn, the grid scrollable, the main thread free again.
      const interactiveMs = Number(
        await page.evaluate(`new Promise((resolve) => {
          const check = () => {
            const el = document.querySelector('[data-testid="lights"][data-count="${UNITS}"]');
            if (el && el.querySelector('a')) {
              const at = performance.now();
              // the next frame after the render is when input is handled again
              requestAnimationFrame(() => setTimeout(() => resolve(Math.max(at, performance.now())), 0));
            } else requestAnimationFrame(check);
          };
          check();
        })`),
      );
      const longTasksMs = Number(await page.evaluate('window.__longTasks'));
      // A first interaction on 10,000 units: the filter "red only" re-groups the grid.
      const filterStart = Date.now();
      await page.getByTestId('lights-filter').getByText('红牌', { exact: true }).click();
      await page.waitForFunction(`(() => {
        const links = [...document.querySelectorAll('[data-testid="lights"] a')];
        return links.length > 0 && links.every((a) => (a.getAttribute('aria-label') || '').includes('红牌'));
      })()`);
      const filterMs = Date.now() - filterStart;
      if (i === LOADS - 1) {
        await page.getByTestId('lights-filter').getByText('全部', { exact: true }).click();
        await page.waitForFunction(`document.querySelectorAll('[data-testid="lights"] a[aria-label*="正常"]').length > 0`);
        fs.mkdirSync(OUTPUT_DIR, { recursive: true });
        await page.screenshot({ path: path.join(OUTPUT_DIR, 'bench-dashboard.png'), fullPage: false });
      }
      loads.push({ jsGzip, jsRaw, jsFiles, allBytes, interactiveMs, longTasksMs, filterMs });
      await context.close();
    }

    const first = loads[0];
    const lines = [
      `console bench: dashboard of a campaign with ${created} units enrolled (${started} in batch 1 under way, the rest waiting), ${LOADS} cold loads`,
      `  setup: enrolment of ${UNITS} units through the API in ${(enrolMs / 1000).toFixed(1)} s`,
      `  first-load JavaScript: ${kb(first.jsGzip)} gzipped (${kb(first.jsRaw)} uncompressed) in ${first.jsFiles} files; everything transferred ${kb(first.allBytes)}`,
      `  time to interactive (navigation → all ${UNITS} lights drawn and input handled): median ${median(loads.map((l) => l.interactiveMs)).toFixed(0)} ms ` +
        `(${loads.map((l) => l.interactiveMs.toFixed(0)).join(', ')})`,
      `  main-thread blocking (long tasks beyond 50 ms, until interactive): median ${median(loads.map((l) => l.longTasksMs)).toFixed(0)} ms`,
      `  first interaction (filter 10,000 lights to the red cards): median ${median(loads.map((l) => l.filterMs))} ms`,
      `  machine: ${os.cpus().length} cores, ${os.cpus()[0]?.model ?? ''}, Chromium headless; screenshot ${path.join(OUTPUT_DIR, 'bench-dashboard.png')}`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    for (const close of cleanup) await close().catch(() => undefined);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
