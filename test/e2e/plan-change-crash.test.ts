// A plan change applied while rungs are firing, with the worker killed (SIGKILL) right after it was applied, on the
// dev server: once a worker runs again the rollout resumes, every unit takes the version, and each rung fires exactly
// once, under exactly one plan version — the escalation row, the unit's view and the rung's moment agree on which.
import { Client } from 'pg';
import { waitForExit } from '../../apps/cli/src/embedded/process';
import { ladderSchedule, type LadderRung } from '../../libs/domain/src';
import { OFFICE_TOKEN, startApi, type ApiUnderTest } from '../api/harness';
import { eventually } from '../support/eventually';
import { compressedPlan } from '../api/plans';
import { assertWorkerBuilt, startWorkerProcess, stopWorkerProcesses, type WorkerProcess } from './worker-process';
import type { Json } from '../support/json';
import { ifSet } from '../support/if-set';

jest.setTimeout(300_000);

describe('a plan change while a worker dies', () => {
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

  it('leaves each rung fired once, under exactly one plan version', async () => {
    workers.push(await startWorkerProcess(api));
    const office = (method: string, p: string, body?: unknown) => api.call(method, p, { token: OFFICE_TOKEN, body });

    const phaseMs = 20_000;
    const v1Ladder: LadderRung[] = [
      { rung: 'yellow', offset: 'PT0S' },
      { rung: 'red', offset: 'PT4S' },
      { rung: 'referral', offset: 'PT8S' },
    ];
    // Version 2: red and referral two seconds later.
    const v2Ladder: LadderRung[] = [
      { rung: 'yellow', offset: 'PT0S' },
      { rung: 'red', offset: 'PT6S' },
      { rung: 'referral', offset: 'PT10S' },
    ];
    const plan = compressedPlan({ startsAt: Date.now(), phaseMs, windowLadder: v1Ladder });
    const campaign = await office('POST', '/api/campaigns', { name: 'change while crashing', plan });
    expect(campaign.status).toBe(201);
    const campaignId: string = campaign.body.id;
    const group = await office('POST', `/api/campaigns/${campaignId}/groups`, { name: 'g' });
    const codes = ['K-1', 'K-2', 'K-3', 'K-4', 'K-5', 'K-6'];
    const enrol = await office('POST', `/api/campaigns/${campaignId}/units`, {
      units: codes.map((code, i) => ({ code, name: `Unit ${i + 1}`, kind: 'organ', level: 'municipal', groupId: group.body.id })),
    });
    const unitIds: string[] = enrol.body.results.map((r: { id: string }) => r.id);
    expect((await office('POST', `/api/campaigns/${campaignId}/start`)).status).toBe(202);
    await eventually(async () => {
      const r = await pg.query(`SELECT count(*)::int AS n FROM unit_states WHERE campaign_id = $1 AND phase = 'P1'`, [campaignId]);
      return r.rows[0].n === codes.length ? true : undefined;
    }, 'every unit in P1');

    // The units linger in P1: when its window ends, the yellow rungs start to fire.
    await eventually(
      async () => {
        const r = await pg.query(`SELECT count(*)::int AS n FROM escalations WHERE campaign_id = $1 AND subject = 'phase-window'`, [
          campaignId,
        ]);
        return r.rows[0].n > 0 ? true : undefined;
      },
      'the first window rung firing',
      phaseMs + 60_000,
    );

    // Previewed and applied at once (previewed again should a rung's firing make the preview stale meanwhile).
    const change = { windowLadder: v2Ladder };
    let applied: { status: number; body: Json } | undefined;
    for (let attempt = 0; attempt < 5 && applied?.status !== 201; attempt++) {
      const preview = await office('POST', `/api/campaigns/${campaignId}/plan-changes/preview`, { change });
      expect(preview.status).toBe(200);
      applied = await office('POST', `/api/campaigns/${campaignId}/plan-changes`, {
        change,
        reason: 'red cards later',
        previewDigest: preview.body.digest,
      });
      if (applied.status !== 201)
        expect(applied.body).toMatchObject({ statusCode: 409, details: [expect.objectContaining({ rule: 'plan-change.stale-preview' })] });
    }
    expect(applied).toMatchObject({ status: 201, body: { version: 2, batches: [1, 2] } });

    // The worker dies mid-change: the rollout has just started, rungs are coming due.
    const first = workers[0];
    first.child.kill('SIGKILL');
    expect((await waitForExit(first.child)).signal).toBe('SIGKILL');
    const takenWhenKilled = Number(
      (
        await pg.query(`SELECT count(*)::int AS n FROM unit_states WHERE campaign_id = $1 AND (view->>'planVersion')::int = 2`, [
          campaignId,
        ])
      ).rows[0].n,
    );
    expect(takenWhenKilled).toBeLessThanOrEqual(codes.length);

    workers.push(await startWorkerProcess(api));

    // The rollout finishes: every unit on version 2.
    await eventually(
      async () => {
        const r = await office('GET', `/api/campaigns/${campaignId}/plan-versions`);
        return r.body.items?.[1]?.rollout?.doneAt ? r.body : undefined;
      },
      'the rollout of version 2',
      120_000,
    );
    // Every rung fires for every unit.
    const rows = await eventually(
      async () => {
        const r = await pg.query(
          `SELECT unit_id, rung, plan_version, count(*) OVER (PARTITION BY unit_id, rung)::int AS n
           FROM escalations WHERE campaign_id = $1 AND subject = 'phase-window' ORDER BY unit_id, fired_at`,
          [campaignId],
        );
        return r.rows.length >= codes.length * 3 ? r.rows : undefined;
      },
      'every window rung fired',
      120_000,
    );
    expect(rows).toHaveLength(codes.length * 3);

    const p1End = plan.batches[0].phases.P1.endsAt;
    const due = (ladder: LadderRung[]) => new Map(ladderSchedule(p1End, ladder, plan.calendar).map((r) => [r.rung, r.dueMs]));
    const dueBy: Record<number, Map<string, number>> = { 1: due(v1Ladder), 2: due(v2Ladder) };
    for (const unitId of unitIds) {
      const mine = rows.filter((r) => r.unit_id === unitId);
      // Once each, in the ladder's order, each under one version.
      expect(mine.map((r) => [r.rung, r.n])).toEqual([
        ['yellow', 1],
        ['red', 1],
        ['referral', 1],
      ]);
      const unit = await eventually(async () => {
        const r = await office('GET', `/api/units/${unitId}`);
        return r.body?.planVersion === 2 && r.body.windowRungs?.length === 3 ? r.body : undefined;
      }, `unit ${unitId} on version 2 with its three rungs`);
      for (const [i, r] of (unit.windowRungs as Array<{ rung: string; dueAt: string; planVersion?: number }>).entries()) {
        const version = r.planVersion ?? 1;
        expect(mine[i].rung).toBe(r.rung);
        // The row and the view name the same version, and the rung came due where that version's ladder put it.
        expect(mine[i].plan_version ?? 1).toBe(version);
        expect(Date.parse(r.dueAt)).toBe(dueBy[version].get(r.rung));
      }
    }
    // No notice went out twice.
    const twice = await pg.query(
      `SELECT escalation_key, recipient, count(*)::int AS n FROM notifications GROUP BY escalation_key, recipient HAVING count(*) > 1`,
    );
    expect(twice.rows).toEqual([]);
  });
});
