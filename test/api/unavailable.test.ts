// When the workflow engine or the database does not answer, callers get 503 (retry later), never a 500 and
// never a hang; /health/ready says which one is down.
import { Client, Connection } from '@temporalio/client';
import { apiContextOf } from '../../apps/api/src/main';
import { buildWorld, type World } from './world';
import { startApi, type ApiUnderTest } from './harness';

describe('with no worker running the workflows', () => {
  let api: ApiUnderTest;
  let w: World;
  beforeAll(async () => {
    api = await startApi({ worker: true });
    w = await buildWorld(api);
    await api.stopWorker();
  });
  afterAll(async () => {
    await api?.close();
  });

  it('a read from the workflow answers 503 after its deadline', async () => {
    const started = Date.now();
    const r = await api.call('GET', `/api/units/${w.unitA}`, { token: w.tokens.office });
    expect(r.status).toBe(503);
    expect(r.body).toMatchObject({ statusCode: 503, error: 'Service Unavailable' });
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  it('a decision answers 503 after its deadline', async () => {
    const r = await api.call('POST', `/api/units/${w.unitA}/records`, { token: w.tokens.unitA, body: { kind: 'study', title: 'no worker' } });
    expect(r.status).toBe(503);
  });

  it('lists and the dashboard still answer from the read model', async () => {
    expect((await api.call('GET', `/api/campaigns/${w.campaignId}/units`, { token: w.tokens.office })).status).toBe(200);
    expect((await api.call('GET', `/api/campaigns/${w.campaignId}/dashboard`, { token: w.tokens.office })).status).toBe(200);
  });
});

describe('with the engine or the database unreachable', () => {
  it('/health/ready answers 503 naming what is down; /health/live still 200', async () => {
    // A client whose server is a closed port.
    const connection = Connection.lazy({ address: '127.0.0.1:1', connectTimeout: '1s' });
    const api = await startApi({ deps: { temporal: new Client({ connection }) } });
    try {
      const ready = await api.call('GET', '/health/ready');
      expect(ready.status).toBe(503);
      expect(ready.body.message).toMatch(/frontend down/);
      expect(ready.body.details[0].database).toBe('up');
      expect((await api.call('GET', '/health/live')).status).toBe(200);

      await apiContextOf(api.app).dataSource.destroy();
      const both = await api.call('GET', '/health/ready');
      expect(both.status).toBe(503);
      expect(both.body.details[0].database).toMatch(/^down/);
      // A call that needs the database: 503, retry later.
      const me = await api.call('GET', '/api/campaigns/00000000-0000-4000-8000-000000000000', { token: 'x' });
      expect(me.status).toBe(503);
      expect(me.body.message).toContain('database unavailable');
    } finally {
      await api.close();
      await connection.close().catch(() => undefined);
    }
  });
});
