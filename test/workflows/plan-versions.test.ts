// Plan versions on the time-skipping test server, with the real workflows, activities and PostgreSQL:
// - a holiday added moves a working-day ladder's rungs exactly as the preview said: the preview's list is what then
//   fires, each under the new version;
// - batch 2 takes a change while batch 1 stays on the plan it started with: batch 1 fires exactly as before, and its
//   histories replay unchanged.
import { Worker } from '@temporalio/worker';
import { historyFromCliJson, historyToCliJson } from '../../libs/audit/src/history-json';
import { campaignWorkflowId, itemWorkflowId, ladderSchedule, unitWorkflowId, type Plan } from '../../libs/domain/src';
import { PlanChangesService } from '../../apps/api/src/campaigns/plan-changes.service';
import { CampaignsRepository, PlanVersionsRepository } from '../../libs/persistence/src';
import type { Principal } from '../../apps/api/src/auth/principal';
import { campaignWorkflow } from '../../workflows';
import { approve, meetP2Gate, meetP3Gate, publishTaskBook } from './drive';
import { actors, DAY, enrol, HOUR, planAtNow, saveHistory, setUpWorkflowTests, type WorkflowTestContext } from './helpers';
import { eventually } from '../support/eventually';
import { dto } from '../support/dto';
import { PlanChangeApplyDto, PlanChangePreviewDto } from '../../apps/api/src/campaigns/plan-changes.dto';
import { ifSet } from '../support/if-set';

let t: WorkflowTestContext;
beforeAll(async () => {
  t = await setUpWorkflowTests('plan_versions');
});
afterAll(async () => {
  await ifSet(t)?.teardown();
});

const office: Principal = { id: 'office-principal', name: 'campaign office', role: 'office' };

async function startCampaign(taskQueue: string, plan: Plan, units: Array<{ code: string; batch: 1 | 2 }>) {
  const enrolled = await enrol(t.dataSource, plan, units);
  const handle = await t.env.client.workflow.start(campaignWorkflow, {
    taskQueue,
    workflowId: campaignWorkflowId(enrolled.campaignId),
    args: [{ campaignId: enrolled.campaignId, name: 'Hangzhou 2013', plan }],
  });
  await eventually(
    async () =>
      (await t.dataSource.query('SELECT status FROM campaigns WHERE id = $1', [enrolled.campaignId]))[0]?.status === 'running'
        ? true
        : undefined,
    'campaign running',
  );
  return { handle, enrolled };
}

/** The API's plan-change service over the test database, on the test server's clock and task queue. */
const service = (taskQueue: string) =>
  new PlanChangesService(
    new CampaignsRepository(t.dataSource),
    new PlanVersionsRepository(t.dataSource),
    t.dataSource,
    { client: t.env.client, taskQueue },
    () => new Date(Date.now()),
  );

const itemView = async (itemId: string) => (await t.dataSource.query('SELECT view FROM item_states WHERE item_id = $1', [itemId]))[0]?.view;
const unitView = async (unitId: string) => (await t.dataSource.query('SELECT view FROM unit_states WHERE unit_id = $1', [unitId]))[0]?.view;

describe('plan versions', () => {
  it('a holiday added moves a working-day ladder exactly as the preview said: the preview lists what then fires', () =>
    t.withWorker(async (tq) => {
      const base = await planAtNow(t.env);
      const plan: Plan = {
        ...base,
        ladder: [
          { rung: 'reminder', offset: '-P2D' },
          { rung: 'yellow', offset: 'PT0S' },
          { rung: 'red', offset: 'P3D' },
          { rung: 'referral', offset: 'P5D' },
        ],
        calendar: { ...base.calendar, count: 'working-days', holidays: [], workdays: [] },
      };
      const { enrolled } = await startCampaign(tq, plan, [{ code: 'HZ-1', batch: 1 }]);
      const unitId = enrolled.units[0].id;
      const cast = actors({ unitId, groupId: enrolled.groupId, otherGroupId: enrolled.otherGroupId });
      const unit = t.env.client.workflow.getHandle(unitWorkflowId(unitId));
      await eventually(() => unit.describe().catch(() => undefined), 'unit started');
      await meetP2Gate(unit, cast);
      await approve(unit, cast, 'P2');
      await meetP3Gate(t.env, unit, cast);
      await approve(unit, cast, 'P3');
      const deadline = (await t.env.currentTimeMs()) + 25 * DAY;
      const { itemIds } = await publishTaskBook(t.env, unit, cast, [deadline]);
      // The disclosure (7 working days) ends, the item opens.
      await t.env.sleep(11 * DAY);
      const itemId = itemIds[0];
      await eventually(async () => (await itemView(itemId))?.status === 'open', 'item open');

      // A holiday on the first working day after the deadline: red (3 working days after it) and referral move by
      // a day; the reminder and the yellow card do not.
      const offset = 8 * HOUR;
      let holidayMs = Math.floor((deadline + offset) / DAY) * DAY + DAY;
      while ([0, 6].includes(new Date(holidayMs).getUTCDay())) holidayMs += DAY;
      const holiday = new Date(holidayMs).toISOString().slice(0, 10);
      const plans = service(tq);
      const clock = await t.env.currentTimeMs();
      const at = new PlanChangesService(
        new CampaignsRepository(t.dataSource),
        new PlanVersionsRepository(t.dataSource),
        t.dataSource,
        { client: t.env.client, taskQueue: tq },
        () => new Date(clock),
      );
      const change = { calendar: { holidays: { add: [holiday] } } };
      const preview = await at.preview(office, enrolled.campaignId, dto(PlanChangePreviewDto, { change }));
      expect(preview.moves.map((m) => [m.subject, m.itemId, m.rung])).toEqual([
        ['item', itemId, 'red'],
        ['item', itemId, 'referral'],
      ]);
      const withHoliday = new Map(
        ladderSchedule(new Date(deadline).toISOString(), plan.ladder, { ...plan.calendar, holidays: [holiday] }).map((r) => [
          r.rung,
          r.dueMs,
        ]),
      );
      for (const m of preview.moves) {
        expect(Date.parse(m.after)).toBe(withHoliday.get(m.rung!));
        expect(Date.parse(m.after)).toBeGreaterThan(Date.parse(m.before));
      }
      expect(preview.counts).toEqual({ '1': { deadlines: 0, rungs: 2, firesAtOnce: 0, units: 1, items: 1 } });

      // Applied as version 2 (refused first with a digest that is not the preview's).
      await expect(
        at.apply(office, enrolled.campaignId, dto(PlanChangeApplyDto, { change, reason: 'Qingming moved', previewDigest: '0'.repeat(64) })),
      ).rejects.toThrow('plan-change.stale-preview');
      const applied = await at.apply(
        office,
        enrolled.campaignId,
        dto(PlanChangeApplyDto, { change, reason: 'a holiday declared', previewDigest: preview.digest }),
      );
      expect(applied).toMatchObject({ version: 2, batches: [1, 2], moves: 2 });
      await t.env.client.workflow.getHandle(applied.rollout.workflowId).result();
      await eventually(async () => (await itemView(itemId))?.planVersion === 2, 'the item on version 2');
      expect((await unitView(unitId)).planVersion).toBe(2);

      // Every rung fires; those the preview listed at their moment after, under version 2; the others as before.
      await t.env.sleep(deadline + 12 * DAY - (await t.env.currentTimeMs()));
      const fired = await eventually(async () => {
        const v = await itemView(itemId);
        return v?.rungs?.length === 4 && v.rungs;
      }, 'four rungs fired');
      const v1 = new Map(ladderSchedule(new Date(deadline).toISOString(), plan.ladder, plan.calendar).map((r) => [r.rung, r.dueMs]));
      const moved = new Map(preview.moves.map((m) => [m.rung, Date.parse(m.after)]));
      for (const r of fired as Array<{ rung: 'reminder' | 'yellow' | 'red' | 'referral'; dueAt: string; planVersion: number }>) {
        expect({ rung: r.rung, dueAt: Date.parse(r.dueAt), planVersion: r.planVersion }).toEqual({
          rung: r.rung,
          dueAt: moved.get(r.rung) ?? v1.get(r.rung),
          planVersion: 2,
        });
      }
      const rows = await t.dataSource.query('SELECT rung, plan_version FROM escalations WHERE item_id = $1 ORDER BY fired_at', [itemId]);
      expect(rows).toEqual([
        { rung: 'reminder', plan_version: 2 },
        { rung: 'yellow', plan_version: 2 },
        { rung: 'red', plan_version: 2 },
        { rung: 'referral', plan_version: 2 },
      ]);
      const versions = await plans.list(office, enrolled.campaignId);
      expect(versions.current).toEqual({ '1': 2, '2': 2 });
      expect(versions.items[1]).toMatchObject({
        version: 2,
        batches: [1, 2],
        reason: 'a holiday declared',
        diff: [{ path: 'calendar.holidays.added', before: null, after: [holiday] }],
        rollout: { units: 1, items: 1 },
      });

      await saveHistory(unit, 'unit-plan-version-taken');
      await saveHistory(t.env.client.workflow.getHandle(itemWorkflowId(itemId)), 'item-plan-version-holiday-moves-ladder');
    }));

  it('batch 2 takes a change while batch 1 stays on its plan: batch 1 fires as before and its histories replay unchanged', () =>
    t.withWorker(async (tq) => {
      const plan = await planAtNow(t.env);
      const [b1, b2] = plan.batches;
      const { handle, enrolled } = await startCampaign(tq, plan, [
        { code: 'B1-LATE', batch: 1 },
        { code: 'B2-LATE', batch: 2 },
      ]);
      const [u1, u2] = enrolled.units;
      // Batch 2's window ladder: the red card a week after the window, not two.
      const windowLadder = [
        { rung: 'yellow' as const, offset: 'PT0S' },
        { rung: 'red' as const, offset: 'P7D' },
      ];
      const at = new PlanChangesService(
        new CampaignsRepository(t.dataSource),
        new PlanVersionsRepository(t.dataSource),
        t.dataSource,
        { client: t.env.client, taskQueue: tq },
        () => new Date(),
      );
      const clock = await t.env.currentTimeMs();
      const clocked = new PlanChangesService(
        new CampaignsRepository(t.dataSource),
        new PlanVersionsRepository(t.dataSource),
        t.dataSource,
        { client: t.env.client, taskQueue: tq },
        () => new Date(clock),
      );
      const preview = await clocked.preview(
        office,
        enrolled.campaignId,
        dto(PlanChangePreviewDto, { change: { windowLadder }, batches: [2] }),
      );
      // Batch 2 has not opened: nothing of it runs yet, nothing moves now.
      expect(preview).toMatchObject({ batches: [2], total: 0 });
      const applied = await clocked.apply(
        office,
        enrolled.campaignId,
        dto(PlanChangeApplyDto, {
          change: { windowLadder },
          batches: [2],
          reason: 'batch 2 escalates sooner',
          previewDigest: preview.digest,
        }),
      );
      await t.env.client.workflow.getHandle(applied.rollout.workflowId).result();
      expect((await at.list(office, enrolled.campaignId)).current).toEqual({ '1': 1, '2': 2 });

      // Both units linger in P1 past their windows.
      await t.env.sleep(Date.parse(b2.phases.P1.endsAt) + 16 * DAY - (await t.env.currentTimeMs()));
      // Each rung at its moment (as the unit recorded it) and under its batch's version (as the escalation records it).
      const rungsOf = async (unitId: string) => {
        const rows = await eventually(async () => {
          const r = await t.dataSource.query(
            `SELECT rung, plan_version FROM escalations WHERE unit_id = $1 AND subject = 'phase-window' ORDER BY fired_at`,
            [unitId],
          );
          return r.length === 2 && r;
        }, `window rungs of ${unitId}`);
        const view = await eventually(async () => {
          const v = await unitView(unitId);
          return v?.windowRungs?.length === 2 && v;
        }, `window rungs of ${unitId} in its view`);
        return view.windowRungs.map((r: { rung: string; dueAt: string; planVersion: number }, i: number) => [
          r.rung,
          Date.parse(r.dueAt),
          r.planVersion,
          rows[i].plan_version,
        ]);
      };
      const dueV1 = ladderSchedule(b1.phases.P1.endsAt, plan.windowLadder, plan.calendar);
      const dueV2 = ladderSchedule(b2.phases.P1.endsAt, windowLadder, plan.calendar);
      expect(await rungsOf(u1.id)).toEqual(dueV1.map((d) => [d.rung, d.dueMs, 1, 1]));
      expect(await rungsOf(u2.id)).toEqual(dueV2.map((d) => [d.rung, d.dueMs, 2, 2]));
      expect((await unitView(u2.id)).planVersion).toBe(2);
      expect((await unitView(u1.id)).planVersion).toBeUndefined();

      // Batch 1's unit never heard of version 2: its history replays unchanged, with no plan-version marker.
      const history = await t.env.client.workflow.getHandle(unitWorkflowId(u1.id)).fetchHistory();
      const json = historyToCliJson(history);
      expect(json).not.toContain('plan-versions');
      expect(json).not.toContain('applyPlanVersion');
      await Worker.runReplayHistory({ workflowBundle: t.bundle }, historyFromCliJson(json), unitWorkflowId(u1.id));
      await handle.terminate('test over');
    }));
});
