// A running campaign over HTTP: two groups, two units (one per group) in batch 1, and a principal of each
// role and scope. Batch 1 opens at once, so both unit workflows run.
import { compressedPlan, type CompressedPlanOptions } from './plans';
import { OFFICE_TOKEN, type ApiUnderTest } from './harness';
import { eventually } from '../support/eventually';

export interface World {
  campaignId: string;
  groupA: string;
  groupB: string;
  unitA: string;
  unitB: string;
  tokens: { office: string; auditor: string; unitA: string; unitB: string; supA: string; supB: string };
  ids: Record<string, string>;
}

/** Only the API's `call` is needed: any harness (the API tests', the audit tests') builds a world. */
export async function buildWorld(api: Pick<ApiUnderTest, 'call'>, plan: CompressedPlanOptions = {}, units = 2): Promise<World> {
  const office = (method: string, path: string, body?: unknown) => api.call(method, path, { token: OFFICE_TOKEN, body });
  const campaign = await office('POST', '/api/campaigns', { name: 'rehearsal', plan: compressedPlan(plan) });
  expect(campaign.status).toBe(201);
  const campaignId = campaign.body.id;
  const groupA = (await office('POST', `/api/campaigns/${campaignId}/groups`, { name: 'A' })).body.id;
  const groupB = (await office('POST', `/api/campaigns/${campaignId}/groups`, { name: 'B' })).body.id;
  const enrolment = await office('POST', `/api/campaigns/${campaignId}/units`, {
    units: Array.from({ length: units }, (_, i) => ({
      code: `U-${i}`,
      name: `unit ${i}`,
      kind: 'organ',
      level: 'municipal',
      groupId: i % 2 ? groupB : groupA,
    })),
  });
  const [unitA, unitB] = enrolment.body.results.map((r: { id: string }) => r.id);
  const principal = async (body: object) => {
    const r = await office('POST', '/api/principals', body);
    expect(r.status).toBe(201);
    return { token: r.body.token as string, id: r.body.id as string };
  };
  const p = {
    auditor: await principal({ name: 'auditor', role: 'auditor' }),
    unitA: await principal({ name: 'head of unit A', role: 'unit', unitId: unitA }),
    unitB: await principal({ name: 'head of unit B', role: 'unit', unitId: unitB }),
    supA: await principal({ name: 'supervisor A', role: 'supervisor', groupId: groupA }),
    supB: await principal({ name: 'supervisor B', role: 'supervisor', groupId: groupB }),
  };
  const started = await office('POST', `/api/campaigns/${campaignId}/start`);
  expect(started.status).toBe(202);
  // Batch 1 opens at its start: both units answer from their workflows.
  for (const id of [unitA, unitB]) {
    await eventually(async () => {
      const r = await office('GET', `/api/units/${id}`);
      return r.body.status === 'active' ? r.body : undefined;
    }, `unit ${id} running`);
  }
  return {
    campaignId,
    groupA,
    groupB,
    unitA,
    unitB,
    tokens: {
      office: OFFICE_TOKEN,
      auditor: p.auditor.token,
      unitA: p.unitA.token,
      unitB: p.unitB.token,
      supA: p.supA.token,
      supB: p.supB.token,
    },
    ids: Object.fromEntries(Object.entries(p).map(([k, v]) => [k, v.id])),
  };
}
