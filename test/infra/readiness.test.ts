// /health/ready on the real dev server: ready means a decision can be taken now. No worker polling the task
// queue → 503 naming the worker; a worker polling → 200 with every check up; the engine gone → 503 naming the
// frontend, and calls that need the engine answer 503 without being sent (counted), instead of waiting out
// their deadline; reads answer from the database (a campaign's stalled status from the stuck-run detector's rows). (History or matching down alone: test/cluster, where they are processes of their own.)
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { apiContextOf } from '../../apps/api/src/main';
import { campaignWorkflowId } from '../../libs/domain/src';
import { startDevServer, type DevServerHandle } from '../support';
import { OFFICE_TOKEN, startApi, type ApiUnderTest } from '../api/harness';
import { ifSet } from '../support/if-set';

/** A campaign with one unit, started (its workflow exists; whether a worker runs it is the test's business). */
async function startedCampaign(api: ApiUnderTest, name: string): Promise<string> {
  const campaign = await api.call('POST', '/api/campaigns', { token: OFFICE_TOKEN, body: { name } });
  const group = await api.call('POST', `/api/campaigns/${campaign.body.id}/groups`, { token: OFFICE_TOKEN, body: { name: 'G' } });
  const unit = { code: 'S-1', name: 'unit', kind: 'organ', level: 'municipal', groupId: group.body.id };
  expect(
    (await api.call('POST', `/api/campaigns/${campaign.body.id}/units`, { token: OFFICE_TOKEN, body: { units: [unit] } })).status,
  ).toBe(200);
  expect((await api.call('POST', `/api/campaigns/${campaign.body.id}/start`, { token: OFFICE_TOKEN })).status).toBe(202);
  return campaign.body.id;
}

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
    expect(ready.body).toEqual({
      status: 'ready',
      checks: { database: 'up', records: 'up', frontend: 'up', history: 'up', matching: 'up', worker: 'up', workflows: 'up' },
    });
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
      await ifSet(server)
        ?.stop()
        .catch(() => undefined);
      await ifSet(connection)
        ?.close()
        .catch(() => undefined);
    });

    it('is 503 naming the frontend, and engine calls answer 503 without being sent', async () => {
      const campaign = await api.call('POST', '/api/campaigns', { token: OFFICE_TOKEN, body: { name: 'engine gone' } });
      expect(campaign.status).toBe(201);
      // (a campaign with a unit: one without is refused before the engine is asked)
      const group = await api.call('POST', `/api/campaigns/${campaign.body.id}/groups`, { token: OFFICE_TOKEN, body: { name: 'G' } });
      const unit = { code: 'E-1', name: 'unit', kind: 'organ', level: 'municipal', groupId: group.body.id };
      expect(
        (await api.call('POST', `/api/campaigns/${campaign.body.id}/units`, { token: OFFICE_TOKEN, body: { units: [unit] } })).status,
      ).toBe(200);
      const before = await api.call('GET', '/health/ready');
      expect(before.body.details[0]).toMatchObject({ database: 'up', frontend: 'up', history: 'up', matching: 'up' });
      // Two campaigns started while the engine is up (no worker runs them); the stuck-run detector has seen the
      // second one's workflow task fail three times (its row, as the detector writes it).
      const running = await startedCampaign(api, 'running while the engine is gone');
      const stalled = await startedCampaign(api, 'stalled while the engine is gone');
      await apiContextOf(api.app).repositories.stuckRuns.seen({
        workflowId: campaignWorkflowId(stalled),
        runId: randomUUID(),
        workflowType: 'campaignWorkflow',
        attempt: 3,
        cause: 'WORKFLOW_TASK_FAILED_CAUSE_WORKFLOW_WORKER_UNHANDLED_FAILURE',
        message: 'the workflow throws',
        source: 'history',
      });

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
      // So does a campaign, running or stalled (as the detector last saw it), without asking the engine.
      const read = await api.call('GET', `/api/campaigns/${running}`, { token: OFFICE_TOKEN });
      expect(read.status).toBe(200);
      expect(read.body).toMatchObject({ id: running, status: 'running', counts: { units: 1 } });
      expect(read.body.stalled).toBeUndefined();
      const stuck = await api.call('GET', `/api/campaigns/${stalled}`, { token: OFFICE_TOKEN });
      expect(stuck.status).toBe(200);
      expect(stuck.body).toMatchObject({
        id: stalled,
        status: 'stalled',
        stalled: { attempts: 3, cause: 'WORKFLOW_TASK_FAILED_CAUSE_WORKFLOW_WORKER_UNHANDLED_FAILURE' },
      });
      expect(Date.parse(stuck.body.stalled.seenAt)).toBeLessThanOrEqual(Date.now());
      expect((await api.call('GET', '/metrics')).body).toMatch(/^massline_campaigns_stalled 1$/m);
      expect(await failFastCount(api)).toBe(1);
    });
  });
});
