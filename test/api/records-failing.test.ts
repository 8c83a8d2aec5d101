// Nothing swallowed: a projection the database refuses is retried until it is written, and shows meanwhile as a
// failing readiness check and a metric; once the database takes it, nothing decided is missing.
import { apiContextOf } from '../../apps/api/src/main';
import { startApi, type ApiUnderTest } from './harness';
import { eventually } from '../support/eventually';
import { buildWorld, type World } from './world';
import { ifSet } from '../support/if-set';

let api: ApiUnderTest;
let w: World;
beforeAll(async () => {
  api = await startApi({ worker: true });
  w = await buildWorld(api);
});
afterAll(async () => {
  await apiContextOf(api.app)
    .dataSource.query('ALTER TABLE unit_states DROP CONSTRAINT IF EXISTS ck_test_refuses_projections')
    .catch(() => undefined);
  await ifSet(api)?.close();
});

it('a projection the database refuses is retried, shown by /health/ready and /metrics, and lands once the database takes it', async () => {
  const db = apiContextOf(api.app).dataSource;
  await eventually(async () => ((await api.call('GET', '/health/ready')).status === 200 ? true : undefined), 'ready to begin with');
  // The database refuses every newer unit row from now on (a schema drift, a full disk: anything it keeps refusing).
  await db.query('ALTER TABLE unit_states ADD CONSTRAINT ck_test_refuses_projections CHECK (version < 0) NOT VALID');
  const r = await api.call('POST', `/api/units/${w.unitA}/records`, {
    token: w.tokens.unitA,
    body: { kind: 'study', title: 'recorded while the database refuses' },
  });
  expect(r.status).toBe(201);

  const notReady = await eventually(
    async () => {
      const x = await api.call('GET', '/health/ready');
      return x.status === 503 && String(x.body.message).includes('records down') ? x.body : undefined;
    },
    'readiness names the failing projection',
    90_000,
  );
  expect(notReady.details[0].records).toMatch(/projectUnit of massline-unit-.*database refused the row/);
  const metrics = String((await api.call('GET', '/metrics')).body);
  expect(metrics).toMatch(/massline_failing_activities\{activity="projectUnit"\} [1-9]/);
  // The decision was taken; only its projection waits. A read answers the last view projected (without the
  // record), and a read of the decision's own version says to retry later.
  const stale = await api.call('GET', `/api/units/${w.unitA}`, { token: w.tokens.unitA });
  expect(stale.status).toBe(200);
  expect(stale.body.counts.records.study).toBe(0);
  expect(stale.body.version).toBeLessThan(r.body.version);
  const own = await api.call('GET', `/api/units/${w.unitA}?minVersion=${r.body.version}`, { token: w.tokens.unitA });
  expect(own.status).toBe(503);
  expect(own.headers.get('retry-after')).toBe('1');
  expect(own.body.message).toContain(`not yet ${r.body.version}`);

  await db.query('ALTER TABLE unit_states DROP CONSTRAINT ck_test_refuses_projections');
  const records = await eventually(
    async () => {
      const x = await api.call('GET', `/api/units/${w.unitA}/records`, { token: w.tokens.unitA });
      return x.body.total === 1 ? x.body.items : undefined;
    },
    'the record projected once the database takes it',
    120_000,
  );
  expect(records[0]).toMatchObject({ id: r.body.id, title: 'recorded while the database refuses' });
  const caughtUp = await api.call('GET', `/api/units/${w.unitA}?minVersion=${r.body.version}`, { token: w.tokens.unitA });
  expect(caughtUp.body).toMatchObject({ version: r.body.version, counts: { records: { study: 1 } } });
  await eventually(async () => ((await api.call('GET', '/health/ready')).status === 200 ? true : undefined), 'ready again', 60_000);
  expect(String((await api.call('GET', '/metrics')).body)).not.toMatch(/massline_failing_activities\{activity="projectUnit"\} [1-9]/);
}, 300_000);
