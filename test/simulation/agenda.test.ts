// The simulation's pure parts: the profile, the units, the agenda drawn from them, and the report built from
// recorded facts. No server: these decide what the simulator asks of the workflows and how it counts.
import { DAY_MS, defaultPlan, parseInstant, type Plan } from '../../libs/domain/src';
import {
  buildAgenda,
  buildReport,
  DEFAULT_PROFILE,
  resolveProfile,
  seedMixUnits,
  unitsFromCsv,
  validateSimulationInput,
  type SimulationFacts,
  type SimulationInput,
} from '../../libs/simulation/src';

const plan = defaultPlan('2013-07-08T00:00:00+08:00');
const input = (units = 60, groups = 3, seed = 'agenda-test'): SimulationInput => {
  const mix = seedMixUnits(units, groups);
  return { name: 'test', plan, groups: mix.groups, units: mix.units, profile: DEFAULT_PROFILE, seed };
};

describe('the behaviour profile', () => {
  it('takes the default for what it leaves out, and names the field it refuses', () => {
    const p = resolveProfile({ meetings: { invalidShare: 0.5 } });
    expect(p.meetings).toEqual({ invalidShare: 0.5, reconveneDays: DEFAULT_PROFILE.meetings.reconveneDays });
    expect(p.gates).toEqual(DEFAULT_PROFILE.gates);
    expect(() => resolveProfile({ gates: { P2: [{ share: 0.5, days: [1, 2] }] } })).toThrow(
      'profile.gates.P2: the shares add up to 0.5, not 1',
    );
    expect(() => resolveProfile({ items: { closed: [{ share: 1, days: [5, 2] }] } })).toThrow(
      'profile.items.closed[0].days: from (5) is after to (2)',
    );
    expect(() => resolveProfile({ meetings: { invalid: 0.1 } })).toThrow('profile.meetings.invalid: unknown field');
    expect(() => resolveProfile({ day: 'P2D' })).toThrow('profile.day');
    expect(() => resolveProfile({ taskBook: { items: [{ share: 1, count: [0, 3] }] } })).toThrow('profile.taskBook.items[0].count');
  });
});

describe('units', () => {
  it('N units in the seed mix: the counts add up, batch 1 is municipal, batch 2 the districts and the grassroots', () => {
    const { units, groups } = seedMixUnits(1000, 50);
    expect(units).toHaveLength(1000);
    expect(groups).toHaveLength(50);
    expect(new Set(units.map((u) => u.code)).size).toBe(1000);
    for (const u of units) expect(u.batch).toBe(u.level === 'municipal' && u.kind !== 'grassroots' ? 1 : 2);
    expect(units.filter((u) => u.batch === 1)).toHaveLength(250);
    expect(units.filter((u) => u.kind === 'grassroots')).toHaveLength(400);
    expect(seedMixUnits(1000, 50)).toEqual({ units, groups });
  });

  it('a CSV enrolment file: headers in either language, and an error names its line', () => {
    const ok = unitsFromCsv(
      '代码,名称,类型,层级,督导组\nA-1,Finance Bureau,organ,municipal,G1\nA-2,"Village, East",grassroots,district,G2\n',
    );
    expect(ok.units.map((u) => [u.code, u.name, u.batch, u.group])).toEqual([
      ['A-1', 'Finance Bureau', 1, 'G1'],
      ['A-2', 'Village, East', 2, 'G2'],
    ]);
    expect(() => unitsFromCsv('code,name,kind,level,group\nA-1,x,organ,municipal,G\nA-2,y,castle,district,G\n')).toThrow('line 3, kind');
    expect(() => unitsFromCsv('code,name,kind,group\nA-1,x,organ,G\n')).toThrow('column "level"');
  });

  it('a whole input is checked: units name a known group and a batch of the plan', () => {
    const i = input(5, 1);
    expect(validateSimulationInput(i).units).toHaveLength(5);
    expect(() => validateSimulationInput({ ...i, groups: ['another'] })).toThrow('is not among the groups');
    const oneBatch: Plan = { ...plan, batches: plan.batches.filter((b) => b.batch === 1) };
    expect(() => validateSimulationInput({ ...i, plan: oneBatch })).toThrow(/units\[\d+\]\.batch: batch 2 is not in the plan/);
    expect(() => validateSimulationInput({ ...i, seed: '' })).toThrow('seed');
  });
});

describe('the agenda', () => {
  const agenda = buildAgenda(input());

  it('is the same for the same input, and a unit draws the same whatever else is simulated', () => {
    expect(buildAgenda(input())).toEqual(agenda);
    const p1 = (a: ReturnType<typeof buildAgenda>, code: string) =>
      a.steps.filter((s) => s.unit === code && s.actions.some((x) => x.kind === 'pass' && x.to === 'P2'));
    const bigger = buildAgenda(input(120, 3));
    expect(p1(bigger, 'SIM-00001')).toEqual(p1(agenda, 'SIM-00001'));
    expect(buildAgenda(input(60, 3, 'another seed'))).not.toEqual(agenda);
  });

  it('acts at midday, half a day from every window end and a quarter of a day from every deadline (18:00)', () => {
    const ends = plan.batches.flatMap((b) => Object.values(b.phases).map((w) => parseInstant(w.endsAt, 'endsAt')));
    for (const s of agenda.steps) {
      expect((s.at - agenda.anchor) % DAY_MS).toBe(DAY_MS / 2);
      for (const e of ends) expect(Math.abs(s.at - e)).toBeGreaterThanOrEqual(DAY_MS / 4);
      for (const a of s.actions)
        if (a.kind === 'task-book') for (const d of a.deadlines) expect((d - agenda.anchor) % DAY_MS).toBe(0.75 * DAY_MS);
    }
  });

  it('a group sits in one meeting a day (全程参与): the others that day are recorded without it and reconvened', () => {
    const attended = new Map<string, number>();
    for (const m of agenda.meetings) {
      if (m.attendance === 'none') {
        expect(m.clashWith.length).toBeGreaterThan(0);
        continue;
      }
      const key = `${m.group}|${m.day}`;
      attended.set(key, (attended.get(key) ?? 0) + 1);
    }
    expect(Math.max(...attended.values())).toBe(1);
    expect(agenda.meetings.some((m) => m.attendance === 'none')).toBe(true);
    // Every unit ends with a valid meeting before it asks to enter P3.
    for (const code of new Set(agenda.meetings.map((m) => m.unit))) {
      const valid = agenda.meetings.filter((m) => m.unit === code && m.attendance === 'throughout');
      expect(valid).toHaveLength(1);
      const p3 = agenda.steps.find((s) => s.unit === code && s.actions.some((a) => a.kind === 'pass' && a.to === 'P3'))!;
      expect(p3.at).toBeGreaterThan(valid[0].endedAt);
    }
  });

  it('objections are filed and answered while the disclosure lasts; items are acted on only after it', () => {
    for (const code of new Set(agenda.steps.map((s) => s.unit))) {
      const steps = agenda.steps.filter((s) => s.unit === code);
      const book = steps.find((s) => s.actions.some((a) => a.kind === 'task-book'))!;
      const disclosureEnds = book.at + 7 * DAY_MS;
      for (const s of steps) {
        for (const a of s.actions) {
          if (a.kind === 'objection' || a.kind === 'answer-objection') expect(s.at).toBeLessThan(disclosureEnds);
          if (a.kind === 'close' || a.kind === 'extension') expect(s.at).toBeGreaterThan(disclosureEnds);
        }
      }
      // Each unit passes P2, P3 and DONE once each, in order.
      const passes = steps.flatMap((s) => s.actions.filter((a) => a.kind === 'pass').map((a) => (a as { to: string }).to));
      expect(passes).toEqual(['P2', 'P3', 'DONE']);
    }
  });
});

describe('the report', () => {
  const day = (d: string, hour = 12) => Date.parse(`${d}T${String(hour).padStart(2, '0')}:00:00+08:00`);
  const facts: SimulationFacts = {
    units: [
      { code: 'A', name: 'a', batch: 1, group: 'G1', phase: 'DONE', card: 'none' },
      { code: 'B', name: 'b', batch: 1, group: 'G1', phase: 'DONE', card: 'none' },
      { code: 'C', name: 'c', batch: 2, group: 'G2', phase: 'P3', card: 'red' },
    ],
    rungs: [
      {
        unit: 'A',
        subject: 'phase-window',
        phase: 'P1',
        rung: 'yellow',
        firedAt: day('2013-09-01', 0),
        deadline: day('2013-09-01', 0),
        item: null,
      },
      { unit: 'C', subject: 'item', phase: null, rung: 'red', firedAt: day('2014-07-10', 18), deadline: day('2014-06-26', 18), item: 1 },
      {
        unit: 'C',
        subject: 'item',
        phase: null,
        rung: 'referral',
        firedAt: day('2014-07-26', 18),
        deadline: day('2014-06-26', 18),
        item: 1,
      },
    ],
    transitions: [
      { unit: 'A', from: 'P1', to: 'P2', at: day('2013-09-03') },
      { unit: 'B', from: 'P1', to: 'P2', at: day('2013-08-20') },
    ],
    meetings: [
      { unit: 'A', startedAt: day('2013-10-08', 9), endedAt: day('2013-10-08', 11), valid: true },
      { unit: 'B', startedAt: day('2013-10-08', 9), endedAt: day('2013-10-08', 11), valid: false },
    ],
    measures: [{ unit: 'C', item: 1 }],
    items: [{ unit: 'C', item: 1, status: 'open', extensions: 0 }],
  };
  const report = buildReport({
    name: 'r',
    plan,
    profile: DEFAULT_PROFILE,
    seed: 's',
    groups: ['G1', 'G2'],
    offsetMs: 8 * 3_600_000,
    facts,
  });

  it('counts by week (every week, from its Monday), by batch, by group and day, in the campaign zone', () => {
    expect(report.weeks[0].week).toBe('2013-07-08');
    expect(report.weeks.find((w) => w.week === '2013-09-02')!.rungs.yellow).toBe(0);
    expect(report.weeks.find((w) => w.week === '2013-08-26')!.cards['1'].yellow).toBe(1); // Sunday 09-01 00:00 +08:00
    expect(report.totals.rungs).toEqual({ reminder: 0, yellow: 1, red: 1, referral: 1 });
    expect(report.referrals).toEqual([{ batch: 2, item: 1, window: 0, units: 1 }]);
    expect(report.clashes).toEqual([{ group: 'G1', date: '2013-10-08', units: ['A', 'B'] }]);
    expect(report.groups.find((g) => g.group === 'G1')).toMatchObject({ meetings: 2, busiest: 2 });
    expect(report.officeBusiestDays).toEqual([
      { date: '2014-07-10', red: 1, referrals: 0, total: 1 },
      { date: '2014-07-26', red: 0, referrals: 1, total: 1 },
    ]);
    expect(report.phaseOverruns.find((p) => p.batch === 1 && p.phase === 'P1')).toMatchObject({ stillIn: 1, units: ['A'] });
    expect(report.phaseOverruns.find((p) => p.batch === 2 && p.phase === 'P1')).toMatchObject({ stillIn: 1, units: ['C'] });
    expect(report.perUnit.find((u) => u.unit === 'C')).toMatchObject({ referrals: 1, itemRungs: { red: 1, referral: 1 } });
  });
});
