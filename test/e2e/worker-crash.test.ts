// A worker killed with SIGKILL and started again loses nothing: the unit workflows carry on, the phase-window
// rungs that came due while no worker ran fire at once, in order, exactly once, and decisions are served again.
import { Client } from 'pg';
import { waitForExit } from '../../apps/cli/src/embedded/process';
import { OFFICE_TOKEN, startApi, type ApiUnderTest } from '../api/harness';
import { eventually } from '../support/eventually';
import { compressedPlan } from '../api/plans';
import { assertWorkerBuilt, startWorkerProcess, stopWorkerProcesses, type WorkerProcess } from './worker-process';
import { ifSet } from '../support/if-set';

describe('worker crash', () => {
  let api: ApiUnderTest;
  let pg: Client;
  const workers: WorkerProcess[] = [];

  beforeAll(async () => {
    assertWorkerBuilt();
    api = await startApi();
    pg = new Client({ connectionString: api.db.url });
    await pg.connect();
  });
  afterAll(async () => {
    await stopWorkerProcesses(workers);
    await ifSet(pg)?.end();
    await ifSet(api)?.close();
  });

  it('a worker killed with SIGKILL and restarted loses nothing: due rungs fire once, in order, and units carry on', async () => {
    workers.push(await startWorkerProcess(api));

    const phaseMs = 10_000;
    const startsAt = Date.now();
    const plan = compressedPlan({
      startsAt,
      phaseMs,
      windowLadder: [
        { rung: 'yellow', offset: 'PT0S' },
        { rung: 'red', offset: 'PT2S' },
      ],
    });
    const campaign = await api.call('POST', '/api/campaigns', { token: OFFICE_TOKEN, body: { name: 'crash', plan } });
    expect(campaign.status).toBe(201);
    const campaignId: string = campaign.body.id;
    const group = await api.call('POST', `/api/campaigns/${campaignId}/groups`, { token: OFFICE_TOKEN, body: { name: 'g' } });
    const enrol = await api.call('POST', `/api/campaigns/${campaignId}/units`, {
      token: OFFICE_TOKEN,
      body: {
        units: [
          { code: 'C-1', name: 'Unit one', kind: 'organ', level: 'municipal', groupId: group.body.id },
          { code: 'C-2', name: 'Unit two', kind: 'enterprise', level: 'municipal', groupId: group.body.id },
        ],
      },
    });
    const unitIds: string[] = enrol.body.results.map((r: { id: string }) => r.id);
    expect((await api.call('POST', `/api/campaigns/${campaignId}/start`, { token: OFFICE_TOKEN })).status).toBe(202);
    await eventually(async () => {
      const r = await pg.query(`SELECT count(*)::int AS n FROM unit_states WHERE campaign_id = $1 AND phase = 'P1'`, [campaignId]);
      return r.rows[0].n === 2 ? true : undefined;
    }, 'both units in P1');

    // Kill the worker outright, mid-campaign.
    const first = workers[0];
    first.child.kill('SIGKILL');
    expect((await waitForExit(first.child)).signal).toBe('SIGKILL');

    // While no worker runs, the P1 window ends and its red rung comes due: nothing can be recorded yet.
    const redDue = startsAt + phaseMs + 2_000;
    await eventually(() => (Date.now() > redDue + 500 ? true : undefined), 'the red rung to come due', phaseMs + 10_000);
    const during = await pg.query('SELECT count(*)::int AS n FROM escalations WHERE campaign_id = $1', [campaignId]);
    expect(during.rows[0].n).toBe(0);

    workers.push(await startWorkerProcess(api));

    // Both rungs fire for both units, yellow before red, each exactly once.
    const fired = await eventually(
      async () => {
        const r = await pg.query(
          `SELECT unit_id, rung, fired_at, count(*) OVER (PARTITION BY unit_id, rung)::int AS n
           FROM escalations WHERE campaign_id = $1 AND subject = 'phase-window' ORDER BY unit_id, fired_at`,
          [campaignId],
        );
        return r.rows.length === 4 ? r.rows : undefined;
      },
      'the due window rungs after the restart',
      60_000,
    );
    for (const unitId of unitIds) {
      const rows = fired.filter((r) => r.unit_id === unitId);
      expect(rows.map((r) => r.rung)).toEqual(['yellow', 'red']);
      expect(rows.every((r) => r.n === 1)).toBe(true);
    }
    const notices = await pg.query(
      `SELECT escalation_key, recipient, count(*)::int AS n FROM notifications GROUP BY escalation_key, recipient HAVING count(*) > 1`,
    );
    expect(notices.rows).toEqual([]);

    // The units carry on: they show the red card and accept work again.
    for (const unitId of unitIds) {
      const unit = await eventually(async () => {
        const r = await api.call('GET', `/api/units/${unitId}`, { token: OFFICE_TOKEN });
        return r.body?.card === 'red' ? r.body : undefined;
      }, `unit ${unitId} red`);
      expect(unit.phase).toBe('P1');
    }
    const unitToken = await api.call('POST', '/api/principals', {
      token: OFFICE_TOKEN,
      body: { name: 'staff', role: 'unit', unitId: unitIds[0] },
    });
    const record = await api.call('POST', `/api/units/${unitIds[0]}/records`, {
      token: unitToken.body.token,
      body: { kind: 'study', title: 'Study after the crash' },
    });
    expect(record.status).toBe(201);
    const after = await api.call('GET', `/api/units/${unitIds[0]}`, { token: OFFICE_TOKEN });
    expect(after.body.unmetGates).not.toContain('gate.P2.study-record');
  });
});
