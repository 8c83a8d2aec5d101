// When no worker runs, reads still answer from the read model; when the workflow engine or the database does
// not answer, callers get 503 (retry later), never a 500 and never a hang; /health/ready says which one is down.
import { Client, Connection } from '@temporalio/client';
import { apiContextOf } from '../../apps/api/src/main';
import { buildWorld, type World } from './world';
import { startApi, type ApiUnderTest } from './harness';
import { eventually } from '../support/eventually';
import { driveToEffectiveTaskBook } from './drive';
import { ifSet } from '../support/if-set';

describe('with no worker running the workflows', () => {
  let api: ApiUnderTest;
  let w: World;
  let itemId: string;
  let programmeId: string;
  beforeAll(async () => {
    api = await startApi({ worker: true });
    w = await buildWorld(api, { disclosure: 'PT2S' });
    ({
      itemIds: [itemId],
    } = await driveToEffectiveTaskBook(api, w, [
      { measure: 'Cut meetings by a third', owner: 'Office director Li', deadline: new Date(Date.now() + 3_600_000).toISOString() },
    ]));
    const programme = await api.call('POST', '/api/programmes', {
      token: w.tokens.office,
      body: {
        name: '三改一拆',
        track: 'action',
        leadLeader: 'Vice mayor Chen',
        leadUnitId: w.unitA,
        responsibleUnitIds: [w.unitB],
        goals: [{ title: 'Survey', dueAt: new Date(Date.now() + 3_600_000).toISOString() }],
      },
    });
    expect(programme.status).toBe(201);
    programmeId = programme.body.id;
    // Everything read below has been projected before the worker goes.
    await eventually(
      async () => ((await api.call('GET', `/api/items/${itemId}`, { token: w.tokens.office })).body.status === 'open' ? true : undefined),
      'item open',
    );
    await eventually(
      async () =>
        (await api.call('GET', `/api/programmes/${programmeId}`, { token: w.tokens.office })).body.projectedAt ? true : undefined,
      'programme projected',
    );
    await api.stopWorker();
  }, 240_000);
  afterAll(async () => {
    await ifSet(api)?.close();
  });

  it('a unit, an item and a programme are read from the read model: 200, with when they were projected', async () => {
    const unit = await api.call('GET', `/api/units/${w.unitA}`, { token: w.tokens.office });
    expect(unit.status).toBe(200);
    expect(unit.body).toMatchObject({ phase: 'P3', taskBook: { status: 'effective', items: [{ id: itemId, status: 'open' }] } });
    expect(Date.parse(unit.body.projectedAt)).toBeLessThanOrEqual(Date.now());
    const item = await api.call('GET', `/api/items/${itemId}`, { token: w.tokens.supA });
    expect(item.status).toBe(200);
    expect(item.body).toMatchObject({ id: itemId, status: 'open', measure: 'Cut meetings by a third' });
    expect(item.body.projectedAt).toEqual(expect.any(String));
    const programme = await api.call('GET', `/api/programmes/${programmeId}`, { token: w.tokens.auditor });
    expect(programme.status).toBe(200);
    expect(programme.body).toMatchObject({ id: programmeId, status: 'active', goals: [{ title: 'Survey', status: 'open' }] });
  });

  it('a read of a version the read model does not have yet answers 503 with Retry-After', async () => {
    const { version } = (await api.call<{ version: number }>('GET', `/api/units/${w.unitA}`, { token: w.tokens.office })).body;
    const r = await api.call('GET', `/api/units/${w.unitA}?minVersion=${version + 1}`, { token: w.tokens.office });
    expect(r.status).toBe(503);
    expect(r.headers.get('retry-after')).toBe('1');
    expect(r.body.message).toContain(`not yet ${version + 1}`);
    const bad = await api.call('GET', `/api/units/${w.unitA}?minVersion=-1`, { token: w.tokens.office });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toContain('minVersion');
  });

  it('a decision answers 503 after its deadline', async () => {
    const r = await api.call('POST', `/api/units/${w.unitA}/records`, {
      token: w.tokens.unitA,
      body: { kind: 'study', title: 'no worker' },
    });
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
