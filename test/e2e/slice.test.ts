// The first vertical slice, end to end through HTTP on the real dev server and PostgreSQL:
// office token → campaign → group → two units → start → each unit runs its own workflow under a deterministic
// id, visible to `temporal workflow list` with its search attributes → GET /api/units/:id reads P1 from the
// workflow → the unit's read-model row was written by the projection activity, not by the API.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { unitWorkflowId } from '../../libs/domain/src';
import { testServices } from '../support';
import { OFFICE_TOKEN, startApi, type ApiUnderTest } from '../api/harness';
import { eventually } from '../support/eventually';
import type { Json } from '../support/json';
import { compressedPlan } from '../api/plans';
import { ifSet } from '../support/if-set';

const run = promisify(execFile);

describe('vertical slice: from the office token to running unit workflows', () => {
  let api: ApiUnderTest;
  beforeAll(async () => {
    api = await startApi({ worker: true });
  });
  afterAll(async () => {
    await ifSet(api)?.close();
  });

  it('starts one workflow per unit, lists them by search attribute, answers the phase from the workflow and projects it by an activity', async () => {
    const me = await api.call('GET', '/api/me', { token: OFFICE_TOKEN });
    expect(me.status).toBe(200);
    expect(me.body.role).toBe('office');

    const campaign = await api.call('POST', '/api/campaigns', { token: OFFICE_TOKEN, body: { name: 'slice', plan: compressedPlan() } });
    expect(campaign.status).toBe(201);
    const campaignId: string = campaign.body.id;
    const group = await api.call('POST', `/api/campaigns/${campaignId}/groups`, { token: OFFICE_TOKEN, body: { name: 'group 1' } });
    expect(group.status).toBe(201);
    const enrol = await api.call('POST', `/api/campaigns/${campaignId}/units`, {
      token: OFFICE_TOKEN,
      body: {
        units: [
          { code: 'HZ-001', name: 'Municipal Finance Bureau', kind: 'organ', level: 'municipal', groupId: group.body.id },
          { code: 'HZ-002', name: 'Hangzhou University', kind: 'university', level: 'municipal', groupId: group.body.id },
        ],
      },
    });
    expect(enrol.status).toBe(200);
    expect(enrol.body.results.map((r: { status: string }) => r.status)).toEqual(['created', 'created']);
    const unitIds: string[] = enrol.body.results.map((r: { id: string }) => r.id);

    // Before the start nothing has projected a unit.
    const pg = new Client({ connectionString: api.db.url });
    await pg.connect();
    try {
      expect((await pg.query('SELECT count(*)::int AS n FROM unit_states')).rows[0].n).toBe(0);

      expect((await api.call('POST', `/api/campaigns/${campaignId}/start`, { token: OFFICE_TOKEN })).status).toBe(202);

      for (const unitId of unitIds) {
        const unit = await eventually(async () => {
          const r = await api.call('GET', `/api/units/${unitId}`, { token: OFFICE_TOKEN });
          return r.status === 200 && r.body.phase === 'P1' && r.body.status === 'active' ? r.body : undefined;
        }, `unit ${unitId} in P1`);
        expect(unit).toMatchObject({ id: unitId, batch: 1, phase: 'P1', card: 'none' });
        expect(unit.unmetGates.length).toBeGreaterThan(0);
      }

      // The engine's own CLI sees each unit's workflow under its deterministic id, with its search attributes.
      const { temporal } = testServices();
      const listed = await eventually(async () => {
        const { stdout } = await run(temporal.cliPath, [
          'workflow',
          'list',
          '--address',
          temporal.address,
          '--namespace',
          temporal.namespace,
          '--output',
          'json',
          '--query',
          `MasslineCampaign = '${campaignId}' AND MasslineKind = 'unit' AND MasslinePhase = 'P1' AND MasslineBatch = 1`,
        ]);
        const rows = JSON.parse(stdout || '[]') as Array<{ execution: { workflowId: string }; status: string }>;
        return rows.length === 2 ? rows : undefined;
      }, 'both unit workflows listed by search attribute');
      expect(listed.map((r) => r.execution.workflowId).sort()).toEqual(unitIds.map(unitWorkflowId).sort());
      expect(listed.every((r) => r.status === 'WORKFLOW_EXECUTION_STATUS_RUNNING')).toBe(true);

      const described = JSON.parse(
        (
          await run(temporal.cliPath, [
            'workflow',
            'describe',
            '--address',
            temporal.address,
            '--namespace',
            temporal.namespace,
            '-w',
            unitWorkflowId(unitIds[0]),
            '--output',
            'json',
          ])
        ).stdout,
      );
      const attrs = JSON.stringify(described.workflowExecutionInfo?.searchAttributes ?? described);
      for (const name of ['MasslineCampaign', 'MasslineUnitCode', 'MasslineBatch', 'MasslinePhase']) expect(attrs).toContain(name);

      // The read model: written by the projectUnit activity (its version is the workflow's), never by the API.
      const rows = await eventually(async () => {
        const r = await pg.query('SELECT unit_id, phase, card, version, view FROM unit_states WHERE campaign_id = $1 ORDER BY unit_id', [
          campaignId,
        ]);
        return r.rows.length === 2 ? r.rows : undefined;
      }, 'both units projected');
      for (const row of rows) {
        expect(row.phase).toBe('P1');
        expect(row.version).toBeGreaterThan(0);
        expect(row.view.id).toBe(row.unit_id);
      }
      // The projection ran in the worker: its executions are in each unit's history.
      const history = JSON.parse(
        (
          await run(temporal.cliPath, [
            'workflow',
            'show',
            '--address',
            temporal.address,
            '--namespace',
            temporal.namespace,
            '-w',
            unitWorkflowId(unitIds[0]),
            '--output',
            'json',
          ])
        ).stdout,
      );
      // Every projection is an activity, scheduled by the task that made the change: the history names it.
      const projections = history.events.filter((e: Json) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'projectUnit');
      expect(projections.length).toBeGreaterThan(0);
    } finally {
      await pg.end();
    }
  });
});
