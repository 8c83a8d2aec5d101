// The public rate limit holds for the deployment, not per process: its windows live in PostgreSQL, behind
// @nestjs/throttler's storage. Two APIs on one database count against the same window; concurrent requests take
// the last slot once; emptied windows are swept, so the table holds only the addresses of the last minute.
// (test/infra/operability.test.ts proves the same on `massline up --apis 2`, across processes.)
import { DataSource } from 'typeorm';
import { createDataSource, RateLimitRepository, runMigrations } from '../../libs/persistence/src';
import { PgThrottlerStorage, PUBLIC_WINDOW_MS } from '../../apps/api/src/auth/rate-limiter';
import { createTestDatabase, type TestDatabase } from '../support';
import { startApi, type ApiUnderTest } from './harness';
import { ifSet } from '../support/if-set';

let db: TestDatabase;
const dataSources: DataSource[] = [];

beforeAll(async () => {
  db = await createTestDatabase('ratelimit');
  await runMigrations({ url: db.url });
});

afterAll(async () => {
  for (const ds of dataSources) await ds.destroy().catch(() => undefined);
  await ifSet(db)?.drop();
});

/** A pool of its own, as each API has. */
async function pool(): Promise<DataSource> {
  const ds = createDataSource({ url: db.url });
  await ds.initialize();
  dataSources.push(ds);
  return ds;
}

const rows = async (ds: DataSource) => (await ds.query('SELECT count(*)::int AS n FROM rate_limit_windows'))[0].n as number;

describe('the windows in PostgreSQL', () => {
  it('let exactly `limit` requests through in any window, whichever process counts them (stepped clock)', async () => {
    let now = Date.parse('2013-09-01T08:00:00Z');
    const [a, b] = [new RateLimitRepository(await pool(), () => now), new RateLimitRepository(await pool(), () => now)];
    const first = now;
    const allowed: boolean[] = [];
    for (let i = 0; i < 10; i++) {
      allowed.push((await (i % 2 ? a : b).take('public:10.0.0.1', PUBLIC_WINDOW_MS, 10)).allowed);
      now += 1_000;
    }
    expect(allowed).toEqual(Array(10).fill(true));
    now = first + 59_999; // the first is still in the window, for either process
    expect(await a.take('public:10.0.0.1', PUBLIC_WINDOW_MS, 10)).toMatchObject({ allowed: false, inWindow: 10, oldest: first });
    expect((await b.take('public:10.0.0.1', PUBLIC_WINDOW_MS, 10)).allowed).toBe(false);
    now = first + 60_000; // the first left: one slot, taken by whichever asks first
    expect((await b.take('public:10.0.0.1', PUBLIC_WINDOW_MS, 10)).allowed).toBe(true);
    expect((await a.take('public:10.0.0.1', PUBLIC_WINDOW_MS, 10)).allowed).toBe(false);
    // Another address has a window of its own.
    expect((await a.take('public:10.0.0.2', PUBLIC_WINDOW_MS, 10)).allowed).toBe(true);
    // A row keeps at most `limit` moments, however many requests are refused.
    for (let i = 0; i < 30; i++) await a.take('public:10.0.0.1', PUBLIC_WINDOW_MS, 10);
    const [row] = await dataSources[0].query(`SELECT cardinality(hits) AS n FROM rate_limit_windows WHERE key = 'public:10.0.0.1'`);
    expect(row.n).toBe(10);
  });

  it('give the last slot to one of many requests arriving at once from two pools', async () => {
    const [a, b] = [new RateLimitRepository(await pool()), new RateLimitRepository(await pool())];
    const key = 'public:10.0.0.3';
    const results = await Promise.all(Array.from({ length: 100 }, (_, i) => (i % 2 ? a : b).take(key, PUBLIC_WINDOW_MS, 60)));
    expect(results.filter((r) => r.allowed)).toHaveLength(60);
    expect(results.filter((r) => !r.allowed)).toHaveLength(40);
  });

  it('answer the throttler with the seconds until a slot frees', async () => {
    let now = Date.parse('2014-01-01T00:00:00Z');
    const storage = new PgThrottlerStorage(new RateLimitRepository(await pool(), () => now));
    expect(await storage.increment('public:10.0.0.4', PUBLIC_WINDOW_MS, 2)).toEqual({
      totalHits: 1,
      timeToExpire: 60,
      isBlocked: false,
      timeToBlockExpire: 60,
    });
    now += 20_000;
    expect(await storage.increment('public:10.0.0.4', PUBLIC_WINDOW_MS, 2)).toMatchObject({
      totalHits: 2,
      isBlocked: false,
      timeToExpire: 40,
    });
    now += 10_500;
    expect(await storage.increment('public:10.0.0.4', PUBLIC_WINDOW_MS, 2)).toEqual({
      totalHits: 3,
      timeToExpire: 30,
      isBlocked: true,
      timeToBlockExpire: 30,
    });
  });

  it('are swept once every request has left them: the table holds the addresses of the last minute', async () => {
    const ds = await pool();
    await ds.query('DELETE FROM rate_limit_windows');
    let now = Date.parse('2014-03-01T00:00:00Z');
    const windows = new RateLimitRepository(ds, () => now);
    for (let i = 0; i < 2_000; i++) await windows.take(`public:192.0.2.${i}`, PUBLIC_WINDOW_MS, 60);
    now += 30_000;
    await windows.take('public:198.51.100.1', PUBLIC_WINDOW_MS, 60);
    expect(await rows(ds)).toBe(2_001);
    now += 30_000; // the 2,000 have left their windows (60 s after them); the last one has 30 s to go
    expect(await windows.sweep()).toBe(2_000);
    expect(await windows.tracked()).toBe(1);
    now += 30_000;
    expect(await windows.sweep()).toBe(1);
    expect(await rows(ds)).toBe(0);
  });
});

describe('two APIs on one database', () => {
  let apis: ApiUnderTest[] = [];
  afterAll(async () => {
    for (const api of apis) await api.close();
  });

  it('answer the 61st public request within a minute from one address with a 429, whichever receives it', async () => {
    const first = await startApi({ env: { MASSLINE_PUBLIC_RATE_LIMIT: '60' } });
    apis = [first, await startApi({ db: first.db, env: { MASSLINE_PUBLIC_RATE_LIMIT: '60' } })];
    const answers = [];
    for (let i = 0; i < 60; i++) answers.push(await apis[i % 2].call('GET', '/api/public/campaigns'));
    expect(answers.map((a) => a.status)).toEqual(Array(60).fill(200));
    // Each answer tells the caller the limit and what is left of it, counted across both APIs.
    expect(answers.map((a) => Number(a.headers.get('x-ratelimit-remaining')))).toEqual(Array.from({ length: 60 }, (_, i) => 59 - i));
    expect(answers[0].headers.get('x-ratelimit-limit')).toBe('60');
    for (const api of apis) {
      const refused = await api.call('GET', '/api/public/campaigns');
      expect(refused.status).toBe(429);
      expect(refused.body).toMatchObject({ statusCode: 429, error: 'Too Many Requests' });
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    }
    // Routes that are not public channels are not limited.
    expect((await apis[1].call('GET', '/health/live')).status).toBe(200);
  });
});
