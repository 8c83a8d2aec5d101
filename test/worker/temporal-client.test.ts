import { randomUUID } from 'node:crypto';
import { SearchAttributeType } from '@temporalio/common';
import {
  connectTemporal,
  registerSearchAttributes,
  startCampaignWorkflow,
  startUnitWorkflow,
  type TemporalHandles,
} from '../../libs/temporal/src';
import { campaignWorkflowId, defaultPlan, unitWorkflowId } from '../../libs/domain/src';
import { MASSLINE_SEARCH_ATTRIBUTES, batchKey, campaignIdKey, kindKey, phaseKey, unitCodeKey, cardKey } from '../../libs/contracts/src';
import { startDevServer, testServices } from '../support';
import { ifSet } from '../support/if-set';

// The seed calendar, resolved the way the API resolves a campaign's plan.
const seedPlan = defaultPlan('2013-07-08T00:00:00+08:00');

// No worker polls this queue: starting a workflow only records it, which is all these tests need.
const TASK_QUEUE = `idle-${randomUUID()}`;

describe('registerSearchAttributes', () => {
  it('adds every massline attribute once, with its type, and is idempotent', async () => {
    // A server started without massline's attributes, as a user's own Temporal would be.
    const server = await startDevServer({ searchAttributes: false });
    const temporal = await connectTemporal({ address: server.address, namespace: server.namespace });
    try {
      const customAttributes = async () =>
        (await temporal.connection.operatorService.listSearchAttributes({ namespace: server.namespace })).customAttributes as Record<
          string,
          number
        >;
      const before = await customAttributes();
      for (const key of MASSLINE_SEARCH_ATTRIBUTES) expect(before[key.name]).toBeUndefined();
      const added = await registerSearchAttributes(temporal.connection, server.namespace);
      expect(added.sort()).toEqual(MASSLINE_SEARCH_ATTRIBUTES.map((k) => k.name).sort());
      const after = await customAttributes();
      for (const key of MASSLINE_SEARCH_ATTRIBUTES) {
        expect(after[key.name]).toBe(key.type === SearchAttributeType.INT ? 3 : 2);
      }
      expect(await registerSearchAttributes(temporal.connection, server.namespace)).toEqual([]);
    } finally {
      await temporal.connection.close();
      await server.stop();
    }
  });
});

describe('starting workflows', () => {
  let temporal: TemporalHandles;
  beforeAll(async () => {
    temporal = await connectTemporal(testServices().temporal);
    // The shared dev server was started with the attributes: registering again changes nothing.
    expect(await registerSearchAttributes(temporal.connection, temporal.namespace)).toEqual([]);
  });
  afterAll(async () => {
    await ifSet(temporal)?.connection.close();
  });

  it('starts a unit workflow under its deterministic id with its search attributes, once', async () => {
    const campaignId = randomUUID();
    const unitId = randomUUID();
    const input = {
      campaignId,
      unitId,
      code: 'HZ-001',
      name: 'Municipal finance bureau',
      batch: 1 as const,
      groupId: randomUUID(),
      plan: seedPlan,
    };
    const first = await startUnitWorkflow(temporal.client, input, TASK_QUEUE);
    expect(first).toEqual({ workflowId: unitWorkflowId(unitId), status: 'started' });
    const again = await startUnitWorkflow(temporal.client, input, TASK_QUEUE);
    expect(again).toEqual({ workflowId: unitWorkflowId(unitId), status: 'exists' });

    const description = await temporal.client.workflow.getHandle(unitWorkflowId(unitId)).describe();
    expect(description.type).toBe('unitLifecycleWorkflow');
    expect(description.taskQueue).toBe(TASK_QUEUE);
    const sa = description.typedSearchAttributes;
    expect(sa.get(campaignIdKey)).toBe(campaignId);
    expect(sa.get(unitCodeKey)).toBe('HZ-001');
    expect(sa.get(batchKey)).toBe(1);
    expect(sa.get(phaseKey)).toBe('P1');
    expect(sa.get(cardKey)).toBe('none');
    expect(sa.get(kindKey)).toBe('unit');

    // Only one run exists for the id, and visibility finds it by campaign.
    const deadline = Date.now() + 30_000;
    let found: string[] = [];
    while (Date.now() < deadline) {
      found = [];
      for await (const wf of temporal.client.workflow.list({ query: `MasslineCampaign = '${campaignId}' AND MasslineKind = 'unit'` })) {
        found.push(`${wf.workflowId}/${wf.runId}`);
      }
      if (found.length) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(found).toEqual([`${unitWorkflowId(unitId)}/${description.runId}`]);
  });

  it('refuses a second run of a closed unit workflow (exists, not a new run)', async () => {
    const unitId = randomUUID();
    const input = { campaignId: randomUUID(), unitId, code: 'HZ-002', name: 'x', batch: 2 as const, groupId: randomUUID(), plan: seedPlan };
    await startUnitWorkflow(temporal.client, input, TASK_QUEUE);
    const handle = temporal.client.workflow.getHandle(unitWorkflowId(unitId));
    const { runId } = await handle.describe();
    await handle.terminate('closed for the test');
    expect(await startUnitWorkflow(temporal.client, input, TASK_QUEUE)).toEqual({ workflowId: unitWorkflowId(unitId), status: 'exists' });
    expect((await temporal.client.workflow.getHandle(unitWorkflowId(unitId)).describe()).runId).toBe(runId);
  });

  it('starts a campaign workflow once', async () => {
    const campaignId = randomUUID();
    const input = { campaignId, name: 'Hangzhou 2013', plan: seedPlan };
    expect(await startCampaignWorkflow(temporal.client, input, TASK_QUEUE)).toEqual({
      workflowId: campaignWorkflowId(campaignId),
      status: 'started',
    });
    expect(await startCampaignWorkflow(temporal.client, input, TASK_QUEUE)).toEqual({
      workflowId: campaignWorkflowId(campaignId),
      status: 'exists',
    });
    const description = await temporal.client.workflow.getHandle(campaignWorkflowId(campaignId)).describe();
    expect(description.type).toBe('campaignWorkflow');
    expect(description.typedSearchAttributes.get(kindKey)).toBe('campaign');
  });
});
