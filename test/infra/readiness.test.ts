// /health/ready on the real dev server: ready means a decision can be taken now. No worker polling the task
// queue → 503 naming the worker; a worker polling → 200 with every check up; the engine gone → 503 naming the
// frontend, and calls that need the engine answer 503 without being sent (counted), instead of waiting out
// their deadline. (History or matching down alone: test/cluster, where they are processes of their own.)
import { Client, Connection } from '@temporalio/client';
import { startDevServer, type DevServerHandle } from '../support';
import { OFFICE_TOKEN, startApi, type ApiUnderTest } from '../api/harness';

const failFastCount = async (api: ApiUnderTest): Promise<number> => {
  const metrics = String((await api.call('GET', '/metrics')).body);
  return Number(/^massline_engine_fail_fast_total (\d+)/m.exec(metrics)?.[1] ?? NaN);
};

describe('/health/ready', () => {
  const apis: ApiUnderTest[] = [];
  afterAll(async () => {
    for (const api of apis) await api.close();
  });

  it('is 503 naming the worker while no worker polls the task queue, 200 once one does', async () => {
    const idle = await startApi();
    apis.push(idle);
    const notReady = await idle.call('GET', '/health/ready');
    expect(notReady.status).toBe(503);
    expect(notReady.body.details[0]).toEqual({
      database: 'up',
      records: 'up',
      frontend: 'up',
      history: 'up',
      matching: 'up',
      worker: `down: no worker polls task queue ${idle.config.temporal.taskQueue}`,
      workflows: 'up',
    });
    expect(notReady.body.message).toContain(`worker down: no worker polls task queue ${idle.config.temporal.taskQueue}`);

    const served = await startApi({ worker: true });
    apis.push(served);
    // The worker's first poll reaches matching a moment after it starts.
    let ready = await served.call('GET', '/health/ready');
    for (let i = 0; ready.status !== 200 && i < 100; i++) ready = await served.call('GET', '/health/ready');
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({ status: 'ready', checks: { database: 'up', records: 'up', frontend: 'up', history: 'up', matching: 'up', worker: 'up', workflows: 'up' } });
    // Nothing was refused without being sent: the engine was never known to be down.
    expect(await failFastCount(served)).toBe(0);
  });

  describe('with the engine gone', () => {
    let server: DevServerHandle;
    let connection: Connection;
    let api: ApiUnderTest;

    beforeAll(async () => {
      server = await startDevServer();
      connection = await Connection.connect({ address: server.address });
      api = await startApi({ deps: { temporal: new Client({ connection, namespace: server.namespace }) }, worker: false });
      apis.push(api);
    });
    afterAll(async () => {
      await server?.stop().catch(() => undefined);
      await connection?.close().catch(() => undefined);
    });

    it('is 503 naming the frontend, and engine calls answer 503 without being sent', async () => {
      const campaign = await api.call('POST', '/api/campaigns', { token: OFFICE_TOKEN, body: { name: 'engine gone' } });
      expect(campaign.status).toBe(201);
      // (a campaign with a unit: one without is refused before the engine is asked)
      const group = await api.call('POST', `/api/campaigns/${campaign.body.id}/groups`, { token: OFFICE_TOKEN, body: { name: 'G' } });
      const unit = { code: 'E-1', name: 'unit', kind: 'organ', level: 'municipal', groupId: group.body.id };
      expect((await api.call('POST', `/api/campaigns/${campaign.body.id}/units`, { token: OFFICE_TOKEN, body: { units: [unit] } })).status).toBe(200);
      const before = await api.call('GET', '/health/ready');
      expect(before.body.details[0]).toMatchObject({ database: 'up', frontend: 'up', history: 'up', matching: 'up' });

      await server.stop();
      const ready = await api.call('GET', '/health/ready');
      expect(ready.status).toBe(503);
      expect(ready.body.details[0].database).toBe('up');
      for (const part of ['frontend', 'history', 'matching']) expect(ready.body.details[0][part]).toMatch(/^down: /);
      expect(ready.body.message).toMatch(/frontend down: /);

      // The engine is known to be down: the start is refused at once (503), not sent to wait out its deadline.
      expect(await failFastCount(api)).toBe(0);
      const start = await api.call('POST', `/api/campaigns/${campaign.body.id}/start`, { token: OFFICE_TOKEN });
      expect(start.status).toBe(503);
      expect(start.body).toMatchObject({ statusCode: 503, error: 'Service Unavailable' });
      expect(await failFastCount(api)).toBe(1);
      // Lists answer from the database all the same.
      expect((await api.call('GET', `/api/campaigns/${campaign.body.id}/units`, { token: OFFICE_TOKEN })).status).toBe(200);
    });
  });
});
