// The one bound on instants (libs/domain time.ts): the published pattern and the parser agree, the years are
// 2000–2099 as written, and plans derived from an instant stay inside.
import fc from 'fast-check';
import {
  BOUNDED_INSTANT_PATTERN,
  DomainError,
  INSTANT_YEARS,
  isBoundedInstant,
  latestDeadline,
  PLAN_OFFSET_MAX_DAYS,
  resolvePlan,
  tryParseInstant,
  type PlanInput,
} from '../../libs/domain/src';

const pattern = new RegExp(BOUNDED_INSTANT_PATTERN);
const pad = (n: number, w = 2) => String(n).padStart(w, '0');

it('the pattern accepts exactly the instants the parser accepts in the years 2000–2099 (every day of the century)', () => {
  for (let year = 1999; year <= 2100; year++) {
    for (let month = 1; month <= 12; month++) {
      for (let day = 28; day <= 32; day++) {
        const value = `${year}-${pad(month)}-${pad(day)}T12:00:00+08:00`;
        const parses = tryParseInstant(value) !== undefined;
        const inYears = year >= INSTANT_YEARS.first && year <= INSTANT_YEARS.last;
        expect({ value, pattern: pattern.test(value) }).toEqual({ value, pattern: parses && inYears });
        expect(isBoundedInstant(value)).toBe(parses && inYears);
      }
    }
  }
});

it('pattern and parser agree on arbitrary times of day, fractions and offsets', () => {
  const instant = fc
    .record({
      y: fc.integer({ min: 1998, max: 2101 }),
      mo: fc.integer({ min: 0, max: 13 }),
      d: fc.integer({ min: 0, max: 32 }),
      h: fc.integer({ min: 0, max: 25 }),
      mi: fc.integer({ min: 0, max: 60 }),
      s: fc.option(fc.integer({ min: 0, max: 60 })),
      frac: fc.option(fc.stringMatching(/^\d{1,10}$/)),
      off: fc.oneof(
        fc.constant('Z'),
        fc
          .tuple(fc.constantFrom('+', '-'), fc.integer({ min: 0, max: 15 }), fc.integer({ min: 0, max: 60 }))
          .map(([sg, h, m]) => `${sg}${pad(h)}:${pad(m)}`),
      ),
    })
    .map(
      ({ y, mo, d, h, mi, s, frac, off }) =>
        `${pad(y, 4)}-${pad(mo)}-${pad(d)}T${pad(h)}:${pad(mi)}${s === null ? '' : `:${pad(s)}${frac === null ? '' : `.${frac}`}`}${off}`,
    );
  fc.assert(
    fc.property(instant, (value) => {
      const year = Number(value.slice(0, 4));
      const expected = tryParseInstant(value) !== undefined && year >= 2000 && year <= 2099;
      expect({ value, accepted: pattern.test(value) }).toEqual({ value, accepted: expected });
    }),
    { numRuns: 5000 },
  );
});

it('a plan is refused when it, or the seed calendar derived from its startsAt, leaves the years, or a ladder offset exceeds a year', () => {
  const refused = (fn: () => unknown) => {
    try {
      fn();
    } catch (e) {
      return e as DomainError;
    }
    throw new Error('expected a refusal');
  };
  expect(refused(() => resolvePlan(undefined, '2099-03-01T00:00:00+08:00')).details.field).toBe('startsAt');
  expect(refused(() => resolvePlan(undefined, '1999-07-08T00:00:00+08:00')).details.field).toBe('startsAt');
  expect(resolvePlan(undefined, '2098-07-08T00:00:00+08:00').batches[1].endsAt).toBe('2099-08-01T00:00:00+08:00');
  expect(
    refused(() => resolvePlan({ ladder: [{ rung: 'red', offset: `P${PLAN_OFFSET_MAX_DAYS + 1}D` }] }, '2013-07-08T00:00:00+08:00')).details
      .field,
  ).toBe('plan.ladder[0].offset');
  expect(resolvePlan({ ladder: [{ rung: 'red', offset: `P${PLAN_OFFSET_MAX_DAYS}D` }] }, '2013-07-08T00:00:00+08:00').ladder).toHaveLength(
    1,
  );
  expect(
    refused(() => resolvePlan({ ladder: null } as unknown as PlanInput /* a client's wrong shape */, '2013-07-08T00:00:00+08:00')).details
      .field,
  ).toBe('plan.ladder');
});

it("the latest deadline a plan admits is a year and a day after its last batch ends (for the workflows' deadline rules)", () => {
  const plan = resolvePlan(undefined, '2013-07-08T00:00:00+08:00');
  expect(latestDeadline(plan).at).toBe('2015-08-02T00:00:00+08:00');
  expect(latestDeadline(plan).ms).toBe(Date.parse('2014-08-01T00:00:00+08:00') + PLAN_OFFSET_MAX_DAYS * 86_400_000);
});
