// A batch's units take calls from the moment their batch opens (no dead window while the campaign's start
// reaches 10,000 of them), and the campaign's counters have one source, the read model, which no unit funnels
// its changes through the campaign's workflow to reach.
import { createMasslineWorker, type MasslineWorker } from '../../apps/worker/src';
import { apiContextOf } from '../../apps/api/src/main';
import { campaignWorkflowId, unitWorkflowId } from '../../libs/domain/src';
import { OFFICE_TOKEN, startApi, workflowBundle, type ApiUnderTest } from './harness';
import { eventually } from '../support/eventually';
import { compressedPlan } from './plans';
import { ifSet } from '../support/if-set';

let api: ApiUnderTest;
let worker: MasslineWorker | undefined;
let running: Promise<void> | undefined;
beforeAll(async () => {
  // No worker yet: the campaign's workflow is started, never run.
  api = await startApi();
});
afterAll(async () => {
  worker?.shutdown();
  await running;
  await ifSet(api)?.close();
});

const office = (method: string, path: string, body?: unknown) => api.call(method, path, { token: OFFICE_TOKEN, body });

it('a unit of an opened batch answers at once, its workflow started by the API itself; a unit of a batch still closed claims no phase and refuses', async () => {
  // Batch 1 opens now, batch 2 in three hours.
  const campaign = await office('POST', '/api/campaigns', { name: 'opening', plan: compressedPlan() });
  const cid = campaign.body.id;
  const group = (await office('POST', `/api/campaigns/${cid}/groups`, { name: 'A' })).body.id;
  const enrolled = await office('POST', `/api/campaigns/${cid}/units`, {
    units: [
      { code: 'OPEN-1', name: 'Finance bureau', kind: 'organ', level: 'municipal', groupId: group },
      { code: 'LATER-1', name: 'Street office', kind: 'grassroots', level: 'district', groupId: group },
    ],
  });
  const [open, later] = enrolled.body.results.map((r: { id: string }) => r.id);
  const unitToken = (await office('POST', '/api/principals', { name: 'unit', role: 'unit', unitId: open })).body.token;
  const laterToken = (await office('POST', '/api/principals', { name: 'later', role: 'unit', unitId: later })).body.token;
  expect((await office('POST', `/api/campaigns/${cid}/start`)).status).toBe(202);
  // The campaign's workflow never gets to start its units: as if its start were still on its way to them.
  await apiContextOf(api.app).temporal.workflow.getHandle(campaignWorkflowId(cid)).terminate('the test stands in for a slow start');
  const before = await api.call('GET', `/api/units/${later}`, { token: OFFICE_TOKEN });
  expect(before.body).toMatchObject({ phase: null, status: 'waiting' });

  worker = await createMasslineWorker({
    config: api.config,
    workflowBundle: await workflowBundle(),
    dataSource: apiContextOf(api.app).dataSource,
  });
  running = worker.run();

  const r = await api.call('POST', `/api/units/${open}/records`, { token: unitToken, body: { kind: 'study', title: 'first session' } });
  expect(r.status).toBe(201);
  // The unit's own write, read back from the read model at the version the decision answered with.
  const view = await api.call('GET', `/api/units/${open}?minVersion=${r.body.version}`, { token: unitToken });
  expect(view.body).toMatchObject({ phase: 'P1', status: 'active', counts: { records: { study: 1 } }, version: r.body.version });
  expect(Date.parse(view.body.projectedAt)).toBeGreaterThan(0);

  // Batch 2 has not opened: no workflow, no phase claimed, and its calls are refused as before.
  const refused = await api.call('POST', `/api/units/${later}/records`, { token: laterToken, body: { kind: 'study', title: 'too early' } });
  expect(refused.status).toBe(409);
  expect(refused.body.message).toContain('unit.running');
  expect((await api.call('GET', `/api/units/${later}`, { token: laterToken })).body).toMatchObject({ phase: null, status: 'waiting' });
  await expect(apiContextOf(api.app).temporal.workflow.getHandle(unitWorkflowId(later)).describe()).rejects.toThrow(/not found/i);
  const listed = await office('GET', `/api/campaigns/${cid}/units?phase=P1`);
  expect(listed.body.items.map((u: { code: string }) => u.code)).toEqual(['OPEN-1']);
});

it("the campaign's counters and the dashboard are one source; units never signal the campaign, whose history does not grow with them", async () => {
  const campaign = await office('POST', '/api/campaigns', { name: 'counters', plan: compressedPlan() });
  const cid = campaign.body.id;
  const group = (await office('POST', `/api/campaigns/${cid}/groups`, { name: 'A' })).body.id;
  const units = Array.from({ length: 40 }, (_, i) => ({
    code: `C-${String(i).padStart(2, '0')}`,
    name: `unit ${i}`,
    kind: 'organ',
    level: 'municipal',
    groupId: group,
  }));
  const enrolled = await office('POST', `/api/campaigns/${cid}/units`, { units });
  expect((await office('POST', `/api/campaigns/${cid}/start`)).status).toBe(202);
  const dashboard = await eventually(async () => {
    const d = await office('GET', `/api/campaigns/${cid}/dashboard`);
    return d.body.byBatch['1'].P1 === 40 ? d.body : undefined;
  }, 'forty units in P1 on the dashboard');
  const detail = await office('GET', `/api/campaigns/${cid}`);
  expect(detail.body.counts).toEqual({ units: 40, ...dashboard });

  const client = apiContextOf(api.app).temporal;
  const campaignEvents = (await client.workflow.getHandle(campaignWorkflowId(cid)).fetchHistory()).events ?? [];
  expect(campaignEvents.filter((e) => e.workflowExecutionSignaledEventAttributes)).toHaveLength(0);
  // Its own steps only: started, status projected, the batch's start activity, a timer to the next batch.
  expect(campaignEvents.length).toBeLessThan(30);
  const unitEvents = (await client.workflow.getHandle(unitWorkflowId(enrolled.body.results[0].id)).fetchHistory()).events ?? [];
  expect(unitEvents.filter((e) => e.signalExternalWorkflowExecutionInitiatedEventAttributes)).toHaveLength(0);
});
