// An outage is a 503, everywhere: a real PostgreSQL of its own, stopped under a running API. Item routes used
// to answer 404 then (the unit lookup's error was taken for "no such unit").
import { startPostgres, type PostgresHandle } from '../support';
import { OFFICE_TOKEN, startApi, type ApiUnderTest } from './harness';
import { ifSet } from '../support/if-set';

let pg: PostgresHandle;
let api: ApiUnderTest;

beforeAll(async () => {
  pg = await startPostgres();
  api = await startApi({ db: { name: 'postgres', url: pg.url, drop: () => Promise.resolve() } });
});
afterAll(async () => {
  await ifSet(api)
    ?.close()
    .catch(() => undefined);
  await ifSet(pg)?.stop();
});

it('with the database stopped, item, unit and campaign routes answer 503 (retry later), never 404 or 500', async () => {
  const office = (method: string, path: string, body?: unknown, token = OFFICE_TOKEN) => api.call(method, path, { token, body });
  const campaignId = (await office('POST', '/api/campaigns', { name: 'outage' })).body.id;
  const groupId = (await office('POST', `/api/campaigns/${campaignId}/groups`, { name: 'g' })).body.id;
  const unitId = (
    await office('POST', `/api/campaigns/${campaignId}/units`, {
      units: [{ code: 'U-1', name: 'u', kind: 'organ', level: 'municipal', groupId }],
    })
  ).body.results[0].id;
  const unitToken = (await office('POST', '/api/principals', { name: 'unit staff', role: 'unit', unitId })).body.token;
  const item = `/api/items/${unitId}.item-1`;
  // The database up: an item of a unit whose task book has none is unknown.
  expect((await office('GET', item)).status).toBe(404);
  expect((await office('GET', '/api/me', undefined, unitToken)).status).toBe(200); // both tokens are now cached

  await pg.stop();
  const calls: Array<[string, string, unknown?, string?]> = [
    ['GET', item],
    ['GET', item, undefined, unitToken],
    ['POST', `${item}/progress`, { note: 'n' }, unitToken],
    ['POST', `${item}/completion`, { evidence: 'e' }, unitToken],
    ['GET', `/api/units/${unitId}`],
    ['GET', `/api/units/${unitId}/items`],
    ['POST', `/api/units/${unitId}/records`, { kind: 'study', title: 't' }, unitToken],
    ['GET', `/api/campaigns/${campaignId}`],
    ['GET', `/api/campaigns/${campaignId}/units`],
    ['GET', `/api/escalations?campaignId=${campaignId}`],
  ];
  for (const [method, path, body, token] of calls) {
    const r = await office(method, path, body, token);
    expect({ method, path, status: r.status }).toEqual({ method, path, status: 503 });
    expect(r.body).toMatchObject({ statusCode: 503, error: 'Service Unavailable', message: expect.stringContaining('retry later') });
  }
  expect((await api.call('GET', '/health/ready')).status).toBe(503);
});
