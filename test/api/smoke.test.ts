import { startApi, OFFICE_TOKEN, type ApiUnderTest } from './harness';

let api: ApiUnderTest;
beforeAll(async () => {
  api = await startApi();
});
afterAll(async () => {
  await api?.close();
});

it('boots', async () => {
  const r = await api.call('GET', '/api/me', { token: OFFICE_TOKEN });
  expect(r.status).toBe(200);
  console.log(r.body, api.announced);
  const h = await api.call('GET', '/health/ready');
  console.log(h.status, h.body);
  const bad = await api.call('POST', '/api/campaigns', { token: OFFICE_TOKEN, raw: '{"name": ' });
  console.log(bad.status, bad.body);
  const c = await api.call('POST', '/api/campaigns', { token: OFFICE_TOKEN, body: { name: 'x', foo: 1, plan: { disclosure: 'xx' } } });
  console.log(c.status, c.body);
  const d = await api.call('POST', '/api/campaigns', { token: OFFICE_TOKEN, body: { name: 'x', plan: { disclosure: 'P3D' } } });
  console.log(d.status, JSON.stringify(d.body).slice(0, 300));
  console.log(api.logLines.slice(-3));
});
