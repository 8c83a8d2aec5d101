// The campaign over the full default calendar (DOMAIN.md "Calendar"): two batches, three phases each, the
// seed's dates anchored at the test server's current time, run to DONE in seconds of wall time.
import type { WorkflowHandle } from '@temporalio/client';
import { campaignWorkflowId, itemWorkflowId, unitWorkflowId, type Plan } from '../../libs/domain/src';
import { campaignStateQuery, itemStateQuery, unitStateQuery } from '../../libs/contracts/src';
import { campaignWorkflow } from '../../workflows';
import { approve, closeItemsAndFinish, meetP2Gate, meetP3Gate, publishTaskBook } from './drive';
import { actors, DAY, enrol, HOUR, planAtNow, saveHistory, setUpWorkflowTests, type Enrolled, type WorkflowTestContext } from './helpers';
import { eventually } from '../support/eventually';
import { ifSet } from '../support/if-set';

let t: WorkflowTestContext;
beforeAll(async () => {
  t = await setUpWorkflowTests('campaign');
});
afterAll(async () => {
  await ifSet(t)?.teardown();
});

interface Counts {
  byBatch: Record<'1' | '2', { P1: number; P2: number; P3: number; DONE: number }>;
  cards: { yellow: number; red: number };
  openedBatches: number[];
}

/** The campaign's counters as the dashboard reads them (the read model), and the batches its workflow opened. */
async function counters(h: WorkflowHandle, campaignId: string): Promise<Counts> {
  const zero = () => ({ P1: 0, P2: 0, P3: 0, DONE: 0 });
  const c: Counts = {
    byBatch: { '1': zero(), '2': zero() },
    cards: { yellow: 0, red: 0 },
    openedBatches: (await h.query(campaignStateQuery)).openedBatches,
  };
  const rows: Array<{ batch: number; phase: 'P1' | 'P2' | 'P3' | 'DONE'; card: string; n: number }> = await t.dataSource.query(
    'SELECT batch, phase, card, count(*)::int AS n FROM unit_states WHERE campaign_id = $1 GROUP BY 1, 2, 3',
    [campaignId],
  );
  for (const r of rows) {
    c.byBatch[String(r.batch) as '1' | '2'][r.phase] += r.n;
    if (r.card === 'yellow' || r.card === 'red') c.cards[r.card] += r.n;
  }
  return c;
}
const until = (h: WorkflowHandle, campaignId: string, what: string, fn: (c: Counts) => boolean) =>
  eventually(async () => {
    const c = await counters(h, campaignId);
    return fn(c) && c;
  }, what);

async function startCampaign(taskQueue: string, plan: Plan, units: Array<{ code: string; batch: 1 | 2 }>, historyLimit?: number) {
  const enrolled = await enrol(t.dataSource, plan, units);
  const handle = await t.env.client.workflow.start(campaignWorkflow, {
    taskQueue,
    workflowId: campaignWorkflowId(enrolled.campaignId),
    args: [{ campaignId: enrolled.campaignId, name: 'Hangzhou 2013', plan, ...(historyLimit ? { historyLimit } : {}) }],
  });
  return { handle, enrolled };
}

/** Drives one unit from P1 into P3 and publishes a task book with one item due 20 days later. */
async function runUnitToP3(enrolled: Enrolled, unitId: string) {
  const cast = actors({ unitId, groupId: enrolled.groupId, otherGroupId: enrolled.otherGroupId });
  const unit = t.env.client.workflow.getHandle(unitWorkflowId(unitId));
  await meetP2Gate(unit, cast);
  await approve(unit, cast, 'P2');
  await meetP3Gate(t.env, unit, cast);
  await approve(unit, cast, 'P3');
  const now = await t.env.currentTimeMs();
  const { itemIds } = await publishTaskBook(t.env, unit, cast, [now + 20 * DAY]);
  return { unit, cast, itemIds };
}

/** Once the task book is effective: close its items, record a rule, get DONE approved. */
async function finishUnit(handles: Awaited<ReturnType<typeof runUnitToP3>>) {
  const { unit, cast, itemIds } = handles;
  await eventually(async () => (await unit.query(unitStateQuery)).taskBook?.status === 'effective', 'task book effective');
  for (const id of itemIds)
    await eventually(
      () =>
        t.env.client.workflow
          .getHandle(itemWorkflowId(id))
          .query(itemStateQuery)
          .catch(() => undefined),
      'item started',
    );
  await closeItemsAndFinish(t.env.client, unit, cast, itemIds);
  await eventually(async () => (await unit.query(unitStateQuery)).unmetGates.length === 0, 'DONE gates met');
  await approve(unit, cast, 'DONE');
  await unit.result();
}

describe('the full default calendar', () => {
  it('runs both batches (seed dates anchored at now) to DONE for a few units; the read model follows every step', () =>
    t.withWorker(async (tq) => {
      const wallStart = Date.now();
      const plan = await planAtNow(t.env);
      const [b1, b2] = plan.batches;
      const { handle, enrolled } = await startCampaign(tq, plan, [
        { code: 'HZ-101', batch: 1 },
        { code: 'HZ-102', batch: 1 },
        { code: 'XH-201', batch: 2 },
      ]);
      const [a, b, c] = enrolled.units;
      const cid = enrolled.campaignId;

      // Batch 1 opens at once: its two units start P1; batch 2's unit does not exist yet.
      await until(handle, cid, 'batch 1 in P1', (x) => x.byBatch['1'].P1 === 2);
      expect((await counters(handle, cid)).openedBatches).toEqual([1]);
      await expect(t.env.client.workflow.getHandle(unitWorkflowId(c.id)).describe()).rejects.toThrow();

      // Unit A moves early, through every phase before its window opens, and is DONE within days.
      const aRun = await runUnitToP3(enrolled, a.id);
      await t.env.sleep(7 * DAY + HOUR);
      await finishUnit(aRun);
      await until(handle, cid, 'A done', (x) => x.byBatch['1'].DONE === 1);

      // Unit B lingers in P1 past its window: yellow, on the dashboard; approval clears it.
      const p1End = Date.parse(b1.phases.P1.endsAt);
      await t.env.sleep(p1End + HOUR - (await t.env.currentTimeMs()));
      const yellow = await until(handle, cid, 'B shows yellow', (x) => x.cards.yellow === 1);
      expect(yellow.byBatch['1']).toMatchObject({ P1: 1, DONE: 1 });
      const bRun = await runUnitToP3(enrolled, b.id);
      await until(handle, cid, 'B card cleared', (x) => x.cards.yellow === 0 && x.byBatch['1'].P3 === 1);
      await t.env.sleep(7 * DAY + HOUR);
      await finishUnit(bRun);
      await until(handle, cid, 'batch 1 done', (x) => x.byBatch['1'].DONE === 2 && x.byBatch['1'].P3 === 0);

      // Batch 2 opens at its start date.
      await t.env.sleep(Date.parse(b2.startsAt) + HOUR - (await t.env.currentTimeMs()));
      await until(handle, cid, 'batch 2 in P1', (x) => x.byBatch['2'].P1 === 1);
      expect((await counters(handle, cid)).openedBatches).toEqual([1, 2]);
      const cRun = await runUnitToP3(enrolled, c.id);
      await t.env.sleep(7 * DAY + HOUR);
      await finishUnit(cRun);

      // After the last batch's end, with every unit DONE, the campaign closes.
      const final = await handle.result();
      expect(final).toEqual({ openedBatches: [1, 2], unitsByBatch: { '1': 2, '2': 1 }, status: 'done' });
      const counts = await t.dataSource.query(
        'SELECT batch, phase, card, count(*)::int AS n FROM unit_states WHERE campaign_id = $1 GROUP BY 1, 2, 3 ORDER BY 1',
        [cid],
      );
      expect(counts).toEqual([
        { batch: 1, phase: 'DONE', card: 'none', n: 2 },
        { batch: 2, phase: 'DONE', card: 'none', n: 1 },
      ]);
      expect(await t.env.currentTimeMs()).toBeGreaterThanOrEqual(Date.parse(b2.endsAt));
      const [row] = await t.dataSource.query('SELECT status FROM campaigns WHERE id = $1', [enrolled.campaignId]);
      expect(row.status).toBe('done');
      const windowRows = await t.dataSource.query(
        `SELECT unit_id, phase, rung FROM escalations WHERE campaign_id = $1 AND subject = 'phase-window'`,
        [enrolled.campaignId],
      );
      expect(windowRows).toEqual([{ unit_id: b.id, phase: 'P1', rung: 'yellow' }]);
      const wallMs = Date.now() - wallStart;
      console.log(
        `full default calendar (2 batches, 3 units, ${Math.round((Date.parse(b2.endsAt) - Date.parse(b1.startsAt)) / DAY)} virtual days): ${(wallMs / 1000).toFixed(1)} s wall time`,
      );

      await saveHistory(handle, 'campaign-full-calendar');
      await saveHistory(t.env.client.workflow.getHandle(unitWorkflowId(b.id)), 'unit-batch1-window-overrun-to-done');
      await saveHistory(t.env.client.workflow.getHandle(unitWorkflowId(c.id)), 'unit-batch2-to-done');
    }));
});
