// The worker with the real massline workflows: a campaign opens its first batch, the startBatchUnits
// activity starts each unit's workflow, and each unit's row of the read model is written by projectUnit.
import { randomUUID } from 'node:crypto';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import type { DataSource } from 'typeorm';
import { createMasslineWorker, type MasslineWorker } from '../../apps/worker/src';
import { campaignWorkflowId, defaultPlan, unitWorkflowId } from '../../libs/domain/src';
import { createDataSource, runMigrations } from '../../libs/persistence/src';
import { connectTemporal, startCampaignWorkflow, type TemporalHandles } from '../../libs/temporal/src';
import { createTestDatabase, testConfig, testServices, type TestDatabase } from '../support';
import { enrolCampaign } from '../activities/fixtures';
import { eventually } from '../support/eventually';
import { ifSet } from '../support/if-set';

let db: TestDatabase;
let dataSource: DataSource;
let temporal: TemporalHandles;
let massline: MasslineWorker;
let running: Promise<void>;
const taskQueue = `campaign-start-${randomUUID()}`;

beforeAll(async () => {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  db = await createTestDatabase('worker_campaign');
  await runMigrations({ url: db.url });
  dataSource = createDataSource({ url: db.url });
  await dataSource.initialize();
  temporal = await connectTemporal(testServices().temporal);
  massline = await createMasslineWorker({ config: testConfig({ databaseUrl: db.url, taskQueue }) });
  running = massline.run();
});
afterAll(async () => {
  ifSet(massline)?.shutdown();
  await running;
  await ifSet(dataSource)?.destroy();
  await ifSet(temporal)?.connection.close();
  await ifSet(db)?.drop();
});

it('a started campaign opens batch 1: each of its units runs under its own id and projects itself into unit_states', async () => {
  const { campaignId, unitIds } = await enrolCampaign(dataSource, [
    { code: 'HZ-001', batch: 1 },
    { code: 'HZ-002', batch: 1 },
    { code: 'HZ-003', batch: 1 },
    { code: 'XH-001', batch: 2 },
  ]);
  // Batch 1 opens now; batch 2 months later.
  const plan = defaultPlan(new Date().toISOString());
  await dataSource.query('UPDATE campaigns SET plan = $2::jsonb WHERE id = $1', [campaignId, JSON.stringify(plan)]);
  const batch1 = ['HZ-001', 'HZ-002', 'HZ-003'].map((code) => unitIds.get(code)!);

  expect((await startCampaignWorkflow(temporal.client, { campaignId, name: 'Hangzhou', plan }, taskQueue)).status).toBe('started');
  try {
    const rows = await eventually(async () => {
      const found: Array<{ unit_id: string; code: string; phase: string; card: string; version: number; batch: number }> =
        await dataSource.query('SELECT unit_id, code, phase, card, version, batch FROM unit_states WHERE campaign_id = $1 ORDER BY code', [
          campaignId,
        ]);
      return found.length === 3 ? found : undefined;
    }, 'three projected units');
    expect(rows.map((r) => [r.unit_id, r.code, r.phase, r.card, r.batch])).toEqual([
      [batch1[0], 'HZ-001', 'P1', 'none', 1],
      [batch1[1], 'HZ-002', 'P1', 'none', 1],
      [batch1[2], 'HZ-003', 'P1', 'none', 1],
    ]);
    for (const row of rows) expect(row.version).toBeGreaterThanOrEqual(1);
    const [campaign] = await dataSource.query('SELECT status, started_at FROM campaigns WHERE id = $1', [campaignId]);
    expect(campaign.status).toBe('running');

    const listed = await eventually(async () => {
      const ids: string[] = [];
      for await (const wf of temporal.client.workflow.list({ query: `MasslineCampaign = '${campaignId}' AND MasslineKind = 'unit'` }))
        ids.push(wf.workflowId);
      return ids.length === 3 ? ids.sort() : undefined;
    }, 'three unit workflows in visibility');
    expect(listed).toEqual(batch1.map(unitWorkflowId).sort());
    // Batch 2 has not opened: no workflow for its unit.
    await expect(temporal.client.workflow.getHandle(unitWorkflowId(unitIds.get('XH-001')!)).describe()).rejects.toThrow();
  } finally {
    for (const id of [campaignWorkflowId(campaignId), ...batch1.map(unitWorkflowId)]) {
      await temporal.client.workflow
        .getHandle(id)
        .terminate('test over')
        .catch(() => undefined);
    }
  }
});
