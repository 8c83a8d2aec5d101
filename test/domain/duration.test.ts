import { addDuration, DomainError, durationMs, parseDuration, tryParseDuration } from '../../libs/domain/src';

const DAY = 86_400_000;

describe('ISO-8601 durations of the plan', () => {
  it.each([
    ['P7D', 7 * DAY],
    ['-P7D', -7 * DAY],
    ['PT0S', 0],
    ['-PT0S', 0],
    ['PT5S', 5_000],
    ['PT1.5S', 1_500],
    ['P1DT2H', DAY + 2 * 3_600_000],
    ['P2W', 14 * DAY],
    ['PT90M', 90 * 60_000],
    ['+P30D', 30 * DAY],
    ['-P1DT2H30M', -(DAY + 2.5 * 3_600_000)],
  ])('%s is %d ms', (text, ms) => {
    expect(durationMs(parseDuration(text))).toBe(ms);
  });

  it('keeps whole days apart from the sub-day part (working-day counting needs them apart)', () => {
    expect(parseDuration('-P3DT4H')).toEqual({ days: 3, timeMs: 4 * 3_600_000, negative: true });
  });

  it.each(['', 'P', 'PT', 'P1DT', '7D', 'P7', 'P-7D', 'PT5', 'P1.5D', 'p7d', 'P7D ', 'T5S'])('refuses %j as unparsable', (text) => {
    const r = tryParseDuration(text);
    expect(typeof r).toBe('string');
    expect(r as string).toMatch(/not an ISO-8601 duration/);
  });

  it('refuses years and months with the reason', () => {
    expect(tryParseDuration('P1M')).toMatch(/years and months are not supported/);
    expect(tryParseDuration('P1Y')).toMatch(/years and months are not supported/);
  });

  it('refuses non-strings', () => {
    expect(tryParseDuration(7)).toMatch(/expected an ISO-8601 duration string/);
  });

  it('throws INVALID_INPUT naming the field', () => {
    try {
      parseDuration('P7X', 'plan.disclosure');
      throw new Error('not refused');
    } catch (e) {
      expect(e).toBeInstanceOf(DomainError);
      expect((e as DomainError).code).toBe('INVALID_INPUT');
      expect((e as DomainError).details.field).toBe('plan.disclosure');
      expect((e as DomainError).message).toMatch(/^plan\.disclosure: /);
    }
  });

  it('adds to an instant', () => {
    const t = Date.UTC(2013, 6, 8);
    expect(addDuration(t, parseDuration('-P7D'))).toBe(Date.UTC(2013, 6, 1));
    expect(addDuration(t, parseDuration('PT5S'))).toBe(t + 5_000);
  });
});
