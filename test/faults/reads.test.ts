// The fault suite's reads: which failed GETs an outage explains (a 503 only while PostgreSQL — or Temporal, for a
// GET that renders a history — was away; a connection lost only while the API was), and that the readers make
// every GET the console makes.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Outage } from './ledger';
import { judgeReads, READ_ROUTES, type ReadRecord } from './reads';

const T = Date.parse('2030-03-01T08:00:00.000Z');
const outage = (what: Outage['what'], from: number, to: number): Outage => ({ what, how: what, from: T + from, to: T + to });
const get = (route: string, outcome: ReadRecord['outcome'], sent: number, answered = sent + 100): ReadRecord => ({
  route,
  path: route.replace(/^GET /, ''),
  outcome,
  sentAt: T + sent,
  answeredAt: T + answered,
});
const UNIT = 'GET /api/units/:id';
const HISTORY = 'GET /api/units/:id/history';

describe('judging the reads', () => {
  const outages = [
    outage('worker', 0, 10_000),
    outage('postgres', 20_000, 30_000),
    outage('temporal', 40_000, 50_000),
    outage('api', 60_000, 61_000),
  ];

  it('explains a 503 only while PostgreSQL was away, or Temporal for a GET that renders a history', () => {
    const v = judgeReads(
      [
        get(UNIT, 503, 25_000), // PostgreSQL away
        get(UNIT, 503, 19_000, 21_000), // sent before, answered during
        get(HISTORY, 503, 45_000), // Temporal away: a history needs it
        get(UNIT, 503, 45_000), // Temporal away: the read model does not need it
        get(UNIT, 503, 5_000), // the worker down explains nothing
        get(UNIT, 503, 30_100), // after PostgreSQL was back
      ],
      outages,
    );
    expect(v.explained.map((r) => r.sentAt - T)).toEqual([25_000, 19_000, 45_000]);
    expect(v.unexplained.map((r) => r.sentAt - T)).toEqual([45_000, 5_000, 30_100]);
    expect(v.unavailable).toEqual({ total: 6, postgres: 2, temporal: 1 });
  });

  it('explains a connection lost only while the API was away, and a 4xx or a 500 never', () => {
    const v = judgeReads(
      [
        get(UNIT, 'connection lost', 60_500),
        get(UNIT, 'connection lost', 25_000),
        get(UNIT, 404, 25_000),
        get(UNIT, 500, 25_000),
        get(UNIT, 'timed out', 22_000, 31_000),
      ],
      outages,
    );
    expect(v.explained.map((r) => r.outcome)).toEqual(['connection lost', 'timed out']);
    expect(v.unexplained.map((r) => r.outcome)).toEqual(['connection lost', 404, 500]);
  });

  it('counts the GETs made while only the worker was down, and the read model while Temporal was down', () => {
    const v = judgeReads(
      [get(UNIT, 200, 1_000), get(UNIT, 503, 2_000), get(UNIT, 200, 41_000), get(HISTORY, 503, 42_000), get(UNIT, 200, 70_000)],
      outages,
    );
    expect([...v.workerOnly]).toEqual([
      [200, 1],
      [503, 1],
    ]);
    expect([...v.temporalOnlyReadModel]).toEqual([[200, 1]]);
    expect([...v.byOutcome]).toEqual([
      [200, 3],
      [503, 2],
    ]);
  });
});

describe('the readers', () => {
  /** Every GET path the console's sources name, as a template (`{id}` and `${…}` become `:id`). */
  function consoleGets(): Set<string> {
    const found = new Set<string>();
    const walk = (dir: string) => {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const file = path.join(dir, entry.name);
        if (entry.isDirectory()) {
          if (entry.name !== 'generated') walk(file);
          continue;
        }
        if (!/\.tsx?$/.test(entry.name)) continue;
        const text = fs.readFileSync(file, 'utf8');
        for (const m of text.matchAll(/api\.GET\('([^']+)'/g)) found.add(m[1]);
        for (const m of text.matchAll(/(?:fetchWithToken|fetch)\(\s*[`']([^`']*)[`']/g)) if (m[1].startsWith('/api/')) found.add(m[1]);
      }
    };
    walk(path.join(__dirname, '..', '..', 'apps', 'console', 'src'));
    return new Set(
      [...found].map((p) =>
        p
          .split('?')[0]
          .replace(/\$\{[^}]*\}/g, ':id')
          .replace(/\{[^}]*\}/g, ':id')
          .replace(/^\/api\/units\/:id\/:id$/, '/api/units/:id/<documents>'),
      ),
    );
  }
  /** Console GETs the readers leave out, and why. */
  const LEFT_OUT: Record<string, string> = {
    '/api/audit/replays/:id': 'the state of a replay job an auditor started (the suite reads its own at the end)',
    '/api/simulations/:id/report':
      "a rehearsal's report: the suite starts no simulation (it runs on a test server of its own, away from the faults)",
  };

  it('make every GET the console makes', () => {
    const read = new Set(READ_ROUTES.map((r) => r.route.replace(/^GET /, '')));
    const gets = consoleGets();
    expect(gets.size).toBeGreaterThan(20);
    expect([...gets].filter((p) => !read.has(p) && !LEFT_OUT[p]).sort()).toEqual([]);
  });
});
