// Honest by construction: a small campaign (20 units in the seed's mix, both batches, a plan compressed to days of
// sixteen seconds) runs live on the dev server with the real worker, driven over HTTP by a script that follows the
// agenda the simulator draws from the same profile and seed; the same input is then simulated on the time-skipping
// test server. For every unit, the rungs fired by kind (items' and windows'), the cards and the referrals are the
// same — the live figures read from the live database by the same code that reads the simulator's.
//
// Real time is the live campaign's clock: the script must act within a quarter of a day of the agenda's moments (it
// checks that it did, else the comparison is void). On a machine loaded by other runs it falls behind by seconds, so
// it runs only when asked, like the corpus recorder (about 12 minutes):
//
//   MASSLINE_HONEST=1 npm test -- test/simulation/honest.test.ts
import { runSimulation } from '../../apps/cli/src/simulate/engine';
import { resolvePlan, type Plan } from '../../libs/domain/src';
import { SimulationRepository } from '../../libs/persistence/src';
import { buildAgenda, buildReport, resolveProfile, seedMixUnits, type SimStep, type SimulationInput } from '../../libs/simulation/src';
import { OFFICE_TOKEN, startApi, type ApiUnderTest } from '../api/harness';
import { apiContextOf } from '../../apps/api/src/main';
import { eventually } from '../support/eventually';
import { testServices } from '../support';
import { HttpDriver, type LiveUnit } from './http-driver';
import { ifSet } from '../support/if-set';

jest.setTimeout(1_500_000);

/**
 * One day of the compressed plan. The agenda acts at midday, a quarter of a day from every rung (deadlines fall at
 * 18:00): the live script must keep to it within that, or the two runs are not the same campaign.
 */
const DAY = 16_000;
const d = (n: number) => `PT${(n * DAY) / 1000}S`;

/** Two batches, back to back: P1 3 days, P2 4 days, P3 6 days each, from `t0`. */
function compressedCalendar(t0: number): Plan {
  const at = (day: number) => new Date(t0 + day * DAY).toISOString();
  const batch = (n: 1 | 2, from: number) => ({
    batch: n,
    startsAt: at(from),
    endsAt: at(from + 13),
    phases: {
      P1: { startsAt: at(from), endsAt: at(from + 3) },
      P2: { startsAt: at(from + 3), endsAt: at(from + 7) },
      P3: { startsAt: at(from + 7), endsAt: at(from + 13) },
    },
  });
  return resolvePlan(
    {
      batches: [batch(1, 0), batch(2, 13)],
      disclosure: d(2),
      ladder: [
        { rung: 'reminder', offset: `-${d(1)}` },
        { rung: 'yellow', offset: 'PT0S' },
        { rung: 'red', offset: d(2) },
        { rung: 'referral', offset: d(3) },
      ],
      windowLadder: [
        { rung: 'yellow', offset: 'PT0S' },
        { rung: 'red', offset: d(2) },
      ],
      calendar: { count: 'calendar-days', holidays: [], workdays: [] },
    },
    at(0),
  );
}

/** Late enough, often enough, for every rung to fire somewhere, on a calendar of days. */
const profile = resolveProfile({
  day: d(1),
  gates: {
    P2: [
      { share: 0.7, days: [-2, -1] },
      { share: 0.3, days: [0, 2] },
    ],
    P3: [
      { share: 0.7, days: [-2, -1] },
      { share: 0.3, days: [0, 2] },
    ],
    DONE: [
      { share: 0.6, days: [-2, -1] },
      { share: 0.4, days: [0, 3] },
    ],
  },
  meetings: { invalidShare: 0.25, reconveneDays: [1, 2] },
  taskBook: {
    items: [{ share: 1, count: [1, 3] }],
    objections: [
      { share: 0.6, count: [0, 0] },
      { share: 0.4, count: [1, 1] },
    ],
    deadlineDays: [2, 4],
  },
  items: {
    closed: [
      { share: 0.5, days: [-2, -1] },
      { share: 0.3, days: [0, 1] },
      { share: 0.2, days: [3, 5] },
    ],
  },
  extensions: { requestShare: 0.25, grantShare: 0.5, days: [1, 2] },
});

const RUN = process.env.MASSLINE_HONEST === '1';
let api: ApiUnderTest;
beforeAll(async () => {
  if (RUN) api = await startApi({ worker: true });
});
afterAll(async () => {
  await ifSet(api)?.close();
});

(RUN ? it : it.skip)(
  'a campaign driven live over HTTP by the agenda records, unit by unit, the rungs, cards and referrals the simulator reports',
  async () => {
    const office = async (method: string, path: string, body?: unknown) => {
      const r = await api.call(method, path, { token: OFFICE_TOKEN, body });
      if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`);
      return r.body;
    };
    const mix = seedMixUnits(20, 2);
    // The campaign opens once it is set up (a whole second, so that the plan's moments read as the API keeps them).
    const t0 = Math.ceil((Date.now() + 45_000) / 1000) * 1000;
    const input: SimulationInput = {
      name: 'honest',
      plan: compressedCalendar(t0),
      groups: mix.groups,
      units: mix.units,
      profile,
      seed: 'honest',
    };
    const agenda = buildAgenda(input);

    // The live campaign, entered as the office enters it.
    const campaign = await office('POST', '/api/campaigns', { name: input.name, plan: input.plan });
    const groups = new Map<string, { id: string; token: string }>();
    for (const name of input.groups) {
      const g = await office('POST', `/api/campaigns/${campaign.id}/groups`, { name });
      groups.set(name, {
        id: g.id,
        token: (await office('POST', '/api/principals', { name: `${name} 组长`, role: 'supervisor', groupId: g.id })).token,
      });
    }
    const enrolled = await office('POST', `/api/campaigns/${campaign.id}/units`, {
      units: input.units.map((u) => ({ code: u.code, name: u.name, kind: u.kind, level: u.level, groupId: groups.get(u.group)!.id })),
    });
    const units = new Map<string, LiveUnit>();
    for (const [i, u] of input.units.entries()) {
      const id = enrolled.results[i].id as string;
      const staff = await office('POST', '/api/principals', { name: `${u.code} 联络员`, role: 'unit', unitId: id });
      units.set(u.code, { id, code: u.code, unitToken: staff.token, supervisorToken: groups.get(u.group)!.token });
    }
    expect(Date.now()).toBeLessThan(t0);
    await office('POST', `/api/campaigns/${campaign.id}/start`);

    // The agenda, step by step at its moments (a day's steps at once, each unit's actions in order).
    const driver = new HttpDriver(api);
    const steps = agenda.steps;
    // How far behind the agenda an action completed, at most.
    let late = 0;
    for (let i = 0; i < steps.length;) {
      const at = steps[i].at;
      let j = i;
      while (j < steps.length && steps[j].at === at) j++;
      if (at > Date.now()) await new Promise((r) => setTimeout(r, at - Date.now()));
      await Promise.all(
        steps.slice(i, j).map(async (step: SimStep) => {
          for (const action of step.actions) {
            try {
              await driver.act(units.get(step.unit)!, action);
              late = Math.max(late, Date.now() - step.at);
            } catch (e) {
              throw new Error(`unit ${step.unit}, day ${(step.at - agenda.anchor) / DAY}: ${action.kind}: ${(e as Error).message}`);
            }
          }
        }),
      );
      i = j;
    }
    // The live script kept to the agenda (else a rung could fire live before an action the simulator ran in time).
    expect({ lateMs: late, withinMs: late < DAY / 4 }).toEqual({ lateMs: late, withinMs: true });
    // Every unit DONE, the campaign over: nothing is left to fire.
    await eventually(
      async () => ((await office('GET', `/api/campaigns/${campaign.id}`)).status === 'done' ? true : undefined),
      'the live campaign done',
      120_000,
    );
    const ds = apiContextOf(api.app).dataSource;
    const facts = await new SimulationRepository(ds).facts(campaign.id);
    const live = buildReport({
      name: input.name,
      plan: input.plan,
      profile,
      seed: input.seed,
      groups: input.groups,
      offsetMs: agenda.offsetMs,
      facts,
    });

    // The same input, simulated.
    const { report: simulated } = await runSimulation(input, {
      adminDatabaseUrl: testServices().postgres.adminUrl,
      testServer: testServices().testServerLauncher,
    });

    const outcome = (r: typeof live) =>
      r.perUnit.map((u) => ({
        unit: u.unit,
        phase: u.phase,
        itemRungs: u.itemRungs,
        windowRungs: u.windowRungs,
        cards: u.cards,
        referrals: u.referrals,
      }));
    expect(outcome(live)).toEqual(outcome(simulated));
    // Not a comparison of nothing: every kind of rung fired, on items and on windows, and cards of both colours.
    expect(live.totals.itemRungs).toEqual({
      reminder: expect.any(Number),
      yellow: expect.any(Number),
      red: expect.any(Number),
      referral: expect.any(Number),
    });
    for (const n of Object.values(live.totals.itemRungs)) expect(n).toBeGreaterThan(0);
    expect(live.totals.windowRungs.yellow).toBeGreaterThan(0);
    expect(live.totals.windowRungs.red).toBeGreaterThan(0);
    expect(live.perUnit.every((u) => u.phase === 'DONE')).toBe(true);
    // For the note: how late the live script acted at most, and the totals compared.
    process.stdout.write(
      `honest: ${input.units.length} units, ${agenda.actions} actions, live script at most ${late} ms behind the agenda; totals ${JSON.stringify({ live: live.totals, simulated: simulated.totals })}\n`,
    );
  },
);
