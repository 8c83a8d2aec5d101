import {
  addToInstant,
  defaultPlan,
  DomainError,
  ladderSchedule,
  parseInstant,
  resolvePlan,
  validatePlan,
  type Plan,
  type PlanInput,
} from '../../libs/domain/src';

const SEED_START = '2013-07-08T00:00:00+08:00';

function refusal(fn: () => unknown): DomainError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(DomainError);
    return e as DomainError;
  }
  throw new Error('expected a refusal');
}

describe('default plan = the seed calendar (DOMAIN.md "Calendar")', () => {
  const plan = resolvePlan(undefined, SEED_START);

  it('anchored at 2013-07-08 +08:00 gives exactly the seed dates (half-open windows, China Standard Time)', () => {
    expect(plan.batches).toEqual([
      {
        batch: 1,
        startsAt: '2013-07-08T00:00:00+08:00',
        endsAt: '2014-02-01T00:00:00+08:00',
        phases: {
          P1: { startsAt: '2013-07-08T00:00:00+08:00', endsAt: '2013-09-01T00:00:00+08:00' },
          P2: { startsAt: '2013-09-01T00:00:00+08:00', endsAt: '2013-11-01T00:00:00+08:00' },
          P3: { startsAt: '2013-11-01T00:00:00+08:00', endsAt: '2014-02-01T00:00:00+08:00' },
        },
      },
      {
        batch: 2,
        startsAt: '2014-02-01T00:00:00+08:00',
        endsAt: '2014-08-01T00:00:00+08:00',
        phases: {
          P1: { startsAt: '2014-02-01T00:00:00+08:00', endsAt: '2014-04-01T00:00:00+08:00' },
          P2: { startsAt: '2014-04-01T00:00:00+08:00', endsAt: '2014-06-01T00:00:00+08:00' },
          P3: { startsAt: '2014-06-01T00:00:00+08:00', endsAt: '2014-08-01T00:00:00+08:00' },
        },
      },
    ]);
  });

  it('has the default disclosure, ladders and calendar', () => {
    expect(plan.disclosure).toBe('P7D');
    expect(plan.ladder).toEqual([
      { rung: 'reminder', offset: '-P7D' },
      { rung: 'yellow', offset: 'PT0S' },
      { rung: 'red', offset: 'P14D' },
      { rung: 'referral', offset: 'P30D' },
    ]);
    expect(plan.windowLadder).toEqual([
      { rung: 'yellow', offset: 'PT0S' },
      { rung: 'red', offset: 'P14D' },
    ]);
    expect(plan.calendar.count).toBe('calendar-days');
    expect(plan.calendar.holidays).toContain('2013-10-01');
    expect(plan.calendar.workdays).toContain('2013-09-22');
    expect(plan.calendar.utcOffset).toBe('+08:00');
  });

  it('moves with startsAt, keeping every length', () => {
    const moved = resolvePlan(undefined, '2026-03-02T09:30:00Z');
    const shift = parseInstant('2026-03-02T09:30:00Z', 'x') - parseInstant(SEED_START, 'x');
    expect(parseInstant(moved.batches[0].startsAt, 'x')).toBe(parseInstant('2026-03-02T09:30:00Z', 'x'));
    plan.batches.forEach((b, i) => {
      for (const p of ['P1', 'P2', 'P3'] as const) {
        expect(parseInstant(moved.batches[i].phases[p].endsAt, 'x') - parseInstant(b.phases[p].endsAt, 'x')).toBe(shift);
      }
    });
  });

  it('refuses a startsAt that is not an ISO time with offset', () => {
    expect(refusal(() => resolvePlan(undefined, '2013-07-08')).details.field).toBe('startsAt');
  });
});

describe('resolving a partial plan', () => {
  it('takes what is given and defaults the rest', () => {
    const plan = resolvePlan({ disclosure: 'PT5S', calendar: { count: 'working-days' } }, SEED_START);
    expect(plan.disclosure).toBe('PT5S');
    expect(plan.calendar.count).toBe('working-days');
    expect(plan.calendar.holidays).toHaveLength(56);
    expect(plan.ladder).toHaveLength(4);
  });

  it('merges a partial batch over the default batch of that number, and sorts batches', () => {
    const plan = resolvePlan({ batches: [{ batch: 2, phases: { P3: { endsAt: '2014-07-20T00:00:00+08:00' } } }] }, SEED_START);
    expect(plan.batches.map((b) => b.batch)).toEqual([1, 2]);
    expect(plan.batches[1].phases.P3).toEqual({ startsAt: '2014-06-01T00:00:00+08:00', endsAt: '2014-07-20T00:00:00+08:00' });
  });

  it('compresses a whole calendar to seconds', () => {
    const t0 = parseInstant(SEED_START, 'x');
    const at = (s: number) => new Date(t0 + s * 1000).toISOString();
    const input: PlanInput = {
      batches: [
        {
          batch: 1,
          startsAt: at(0),
          endsAt: at(30),
          phases: {
            P1: { startsAt: at(0), endsAt: at(10) },
            P2: { startsAt: at(10), endsAt: at(20) },
            P3: { startsAt: at(20), endsAt: at(30) },
          },
        },
        {
          batch: 2,
          startsAt: at(30),
          endsAt: at(60),
          phases: {
            P1: { startsAt: at(30), endsAt: at(40) },
            P2: { startsAt: at(40), endsAt: at(50) },
            P3: { startsAt: at(50), endsAt: at(60) },
          },
        },
      ],
      disclosure: 'PT5S',
      ladder: [{ rung: 'yellow', offset: 'PT0S' }],
    };
    expect(resolvePlan(input, SEED_START).batches[1].phases.P3.endsAt).toBe(at(60));
  });

  const refusals: Array<[string, unknown, string, RegExp]> = [
    [
      'a reversed window',
      { batches: [{ batch: 1, phases: { P2: { startsAt: '2013-10-31T00:00:00+08:00', endsAt: '2013-09-01T00:00:00+08:00' } } }] },
      'plan.batches[0].phases.P2.endsAt',
      /reversed/,
    ],
    [
      'overlapping phase windows',
      { batches: [{ batch: 1, phases: { P2: { startsAt: '2013-08-15T00:00:00+08:00' } } }] },
      'plan.batches[0].phases.P2.startsAt',
      /overlaps/,
    ],
    [
      'a phase before its batch',
      { batches: [{ batch: 1, startsAt: '2013-07-10T00:00:00+08:00' }] },
      'plan.batches[0].phases.P1.startsAt',
      /before its batch/,
    ],
    [
      'a phase after its batch',
      { batches: [{ batch: 1, endsAt: '2014-01-01T00:00:00+08:00' }] },
      'plan.batches[0].phases.P3.endsAt',
      /after its batch/,
    ],
    [
      'overlapping batches',
      { batches: [{ batch: 2, startsAt: '2014-01-01T00:00:00+08:00', phases: { P1: { startsAt: '2014-01-01T00:00:00+08:00' } } }] },
      'plan.batches[0].startsAt',
      /overlap/,
    ],
    ['an unknown rung', { ladder: [{ rung: 'orange', offset: 'PT0S' }] }, 'plan.ladder[0].rung', /unknown rung "orange"/],
    [
      'a rung given twice',
      {
        windowLadder: [
          { rung: 'red', offset: 'PT0S' },
          { rung: 'red', offset: 'P1D' },
        ],
      },
      'plan.windowLadder[1].rung',
      /twice/,
    ],
    ['an unparsable offset', { ladder: [{ rung: 'red', offset: '14 days' }] }, 'plan.ladder[0].offset', /not an ISO-8601 duration/],
    ['an unparsable disclosure', { disclosure: 'P7' }, 'plan.disclosure', /not an ISO-8601 duration/],
    ['a negative disclosure', { disclosure: '-P7D' }, 'plan.disclosure', /negative/],
    ['a bad date', { batches: [{ batch: 1, startsAt: '2013-02-30T00:00:00+08:00' }] }, 'plan.batches[0].startsAt', /ISO-8601 time/],
    ['a time without offset', { batches: [{ batch: 1, endsAt: '2014-02-01T00:00:00' }] }, 'plan.batches[0].endsAt', /with offset/],
    ['an unknown batch', { batches: [{ batch: 3 }] }, 'plan.batches[0].batch', /expected 1 or 2/],
    ['a batch given twice', { batches: [{ batch: 1 }, { batch: 1 }] }, 'plan.batches[1].batch', /twice/],
    ['an unknown count', { calendar: { count: 'lunar-days' } }, 'plan.calendar.count', /calendar-days or working-days/],
    ['a bad holiday', { calendar: { holidays: ['2013-13-01'] } }, 'plan.calendar.holidays[0]', /YYYY-MM-DD/],
    ['a weekday as swapped workday', { calendar: { workdays: ['2013-09-23'] } }, 'plan.calendar.workdays[0]', /not a weekend day/],
    ['an unknown field', { holidays: [] }, 'plan.holidays', /unknown field/],
    ['an unknown phase', { batches: [{ batch: 1, phases: { P4: {} } }] }, 'plan.batches[0].phases.P4', /unknown field/],
    ['a plan that is not an object', [1, 2], 'plan', /expected an object/],
  ];
  it.each(refusals)('refuses %s, naming the field', (_what, input, field, message) => {
    const e = refusal(() => resolvePlan(input as PlanInput, SEED_START));
    expect(e.code).toBe('INVALID_INPUT');
    expect(e.details.field).toBe(field);
    expect(e.message).toMatch(message);
    expect(e.message.startsWith(`${field}: `)).toBe(true);
  });

  it('validatePlan accepts every default plan and refuses a plan without batches', () => {
    expect(() => validatePlan(defaultPlan(SEED_START))).not.toThrow();
    const empty = { ...defaultPlan(SEED_START), batches: [] } as Plan;
    expect(refusal(() => validatePlan(empty)).details.field).toBe('plan.batches');
  });
});

describe('ladder moments', () => {
  const plan = defaultPlan(SEED_START);

  it('the default ladder of a deadline: reminder 7 days before, yellow at, red 14 and referral 30 days after', () => {
    const s = ladderSchedule('2013-12-31T00:00:00+08:00', plan.ladder, plan.calendar);
    expect(s.map((r) => [r.rung, r.dueAt])).toEqual([
      ['reminder', '2013-12-24T00:00:00+08:00'],
      ['yellow', '2013-12-31T00:00:00+08:00'],
      ['red', '2014-01-14T00:00:00+08:00'],
      ['referral', '2014-01-30T00:00:00+08:00'],
    ]);
  });

  it('in working days (holidays skipped, swapped workdays counted)', () => {
    const s = ladderSchedule('2013-09-26T00:00:00+08:00', plan.ladder, { ...plan.calendar, count: 'working-days' });
    // -7: 09-16; +14: 09-27, 09-29, 09-30, 10-08, 09, 10, 11, 12, 14, 15, 16, 17, 18, 21 → 10-21.
    expect(s.map((r) => [r.rung, r.dueAt])).toEqual([
      ['reminder', '2013-09-16T00:00:00+08:00'],
      ['yellow', '2013-09-26T00:00:00+08:00'],
      ['red', '2013-10-21T00:00:00+08:00'],
      ['referral', '2013-11-12T00:00:00+08:00'],
    ]);
  });

  it('orders by time, then by ladder order for rungs due together', () => {
    const s = ladderSchedule(
      '2013-12-31T00:00:00+08:00',
      [
        { rung: 'red', offset: 'PT0S' },
        { rung: 'yellow', offset: 'PT0S' },
        { rung: 'reminder', offset: 'P1D' },
      ],
      plan.calendar,
    );
    expect(s.map((r) => r.rung)).toEqual(['yellow', 'red', 'reminder']);
  });

  it('the disclosure window end counts per the calendar', () => {
    expect(addToInstant('2013-09-26T10:00:00+08:00', 'P7D', plan.calendar)).toBe('2013-10-03T10:00:00+08:00');
    expect(addToInstant('2013-09-26T10:00:00+08:00', 'P7D', { ...plan.calendar, count: 'working-days' })).toBe('2013-10-11T10:00:00+08:00');
  });
});
