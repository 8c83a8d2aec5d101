// City-wide programmes (DOMAIN.md "City-wide programmes"): staged goals are deadlines on the same ladder as
// rectification items; the lead unit records achievement, the office verifies.
import { randomUUID } from 'node:crypto';
import { defaultCalendar, DEFAULT_LADDER, programmeWorkflowId } from '../../libs/domain/src';
import { goalAchievementUpdate, goalVerificationUpdate, programmeStateQuery, type ProgrammeWorkflowInput } from '../../libs/contracts/src';
import { programmeWorkflow } from '../../workflows';
import { up } from './drive';
import { DAY, HOUR, iso, refusalOf, saveHistory, setUpWorkflowTests, type WorkflowTestContext } from './helpers';
import { eventually } from '../support/eventually';
import { doc } from '../support/texts';
import { ifSet } from '../support/if-set';

let t: WorkflowTestContext;
beforeAll(async () => {
  t = await setUpWorkflowTests('programme');
});
afterAll(async () => {
  await ifSet(t)?.teardown();
});

describe('programmes', () => {
  it('staged goals escalate on the item ladder; the lead unit records achievement, the office verifies and closes', () =>
    t.withWorker(async (tq) => {
      const now = await t.env.currentTimeMs();
      const programmeId = randomUUID();
      const leadUnitId = randomUUID();
      const input: ProgrammeWorkflowInput = {
        programmeId,
        name: '三改一拆 (renovate old areas, demolish illegal buildings)',
        track: 'action',
        leadLeader: 'Vice mayor Chen',
        leadUnitId,
        responsibleUnitIds: [randomUUID()],
        goals: [
          { title: 'Survey every illegal building', dueAt: iso(now + 10 * DAY) },
          { title: 'Demolish a third of them', dueAt: iso(now + 20 * DAY) },
        ],
        plan: { ladder: [...DEFAULT_LADDER], calendar: defaultCalendar() },
      };
      const handle = await t.env.client.workflow.start(programmeWorkflow, {
        taskQueue: tq,
        workflowId: programmeWorkflowId(programmeId),
        args: [input],
      });
      const lead = { id: 'lead-staff', role: 'unit' as const, unitId: leadUnitId };
      const otherUnit = { id: 'responsible-staff', role: 'unit' as const, unitId: input.responsibleUnitIds[0] };
      const office = { id: 'office-1', role: 'office' as const };
      const supervisor = { id: 'sup-1', role: 'supervisor' as const, groupId: randomUUID() };
      const [g1, g2] = (await handle.query(programmeStateQuery)).goals.map((g) => g.id);
      expect(g1).toBe(`${programmeId}.goal-1`);

      // Goal 1 achieved before its deadline: only the reminder fired; verified by the office, its ladder stops.
      await t.env.sleep(4 * DAY);
      expect((await refusalOf(up(handle, goalAchievementUpdate, { actor: otherUnit, goalId: g1, evidence: doc('x') }))).details.rule).toBe(
        'programme.lead-unit',
      );
      await up(handle, goalAchievementUpdate, { actor: lead, goalId: g1, evidence: doc('Survey of 1,204 sites') });
      expect(
        (await refusalOf(up(handle, goalVerificationUpdate, { actor: supervisor, goalId: g1, accept: true, comment: 'x' }))).details.rule,
      ).toBe('actor.office-only');
      expect(
        await up(handle, goalVerificationUpdate, { actor: office, goalId: g1, accept: false, comment: 'Districts missing' }),
      ).toMatchObject({ status: 'open' });
      await up(handle, goalAchievementUpdate, { actor: lead, goalId: g1, evidence: doc('Survey incl. districts') });
      expect(await up(handle, goalVerificationUpdate, { actor: office, goalId: g1, accept: true, comment: 'Complete' })).toMatchObject({
        status: 'closed',
      });

      // Goal 2 runs its whole ladder: red shows on the programme, referral proposes a measure.
      await t.env.sleep(20 * DAY + 30 * DAY + HOUR - 4 * DAY);
      const v = await eventually(async () => {
        const s = await handle.query(programmeStateQuery);
        return s.goals[1].rungs.length === 4 && s;
      }, 'goal 2 ladder');
      expect(v.goals[0].rungs.map((r) => r.rung)).toEqual(['reminder']);
      expect(v.goals[1].rungs.map((r) => r.rung)).toEqual(['reminder', 'yellow', 'red', 'referral']);
      expect(Math.abs(Date.parse(v.goals[1].rungs[2].firedAt) - (now + 34 * DAY))).toBeLessThan(1_000);
      expect(v.card).toBe('red');
      const rows = await eventually(async () => {
        const r = await t.dataSource.query(
          `SELECT item_id, rung, campaign_id, group_id, unit_id FROM escalations WHERE subject = 'programme-goal' AND unit_id = $1 ORDER BY fired_at`,
          [leadUnitId],
        );
        return r.length === 5 && r;
      }, 'five goal escalations');
      expect(rows.map((r: { item_id: string; rung: string }) => [r.item_id, r.rung])).toEqual([
        [g1, 'reminder'],
        [g2, 'reminder'],
        [g2, 'yellow'],
        [g2, 'red'],
        [g2, 'referral'],
      ]);
      expect(rows[0]).toMatchObject({ campaign_id: null, group_id: null });

      // Closing the last goal closes the programme.
      await up(handle, goalAchievementUpdate, { actor: lead, goalId: g2, evidence: doc('Demolition records') });
      await up(handle, goalVerificationUpdate, { actor: office, goalId: g2, accept: true, comment: 'Late but done' });
      const final = await handle.result();
      expect(final).toMatchObject({ status: 'done', card: 'none' });
      // The read model holds the final view, version for version: reads never ask the workflow.
      const [row] = await t.dataSource.query('SELECT status, card, version, view FROM programme_states WHERE programme_id = $1', [
        programmeId,
      ]);
      expect(row).toMatchObject({ status: 'done', card: 'none', version: final.version });
      expect(row.view).toEqual(final);
      await saveHistory(handle, 'programme-goals');
    }));
});
