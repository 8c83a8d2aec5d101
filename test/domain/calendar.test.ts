import * as fs from 'fs';
import * as path from 'path';
import {
  addPlanDuration,
  addWorkingDays,
  CN_CALENDAR_2013_2014,
  defaultCalendar,
  isWorkingDay,
  parseDuration,
  parseInstant,
  type CalendarPlan,
} from '../../libs/domain/src';

const cal = defaultCalendar();
const working: CalendarPlan = { ...cal, count: 'working-days' };

describe('working-day calendar (weekends and holidays off, swapped workdays worked)', () => {
  it.each(CN_CALENDAR_2013_2014.vectors.map((v) => [v.from, v.workingDays, v.is]))(
    'the %s + %d working days vector is %s',
    (from, n, is) => {
      expect(addWorkingDays(from, n, cal)).toBe(is);
    },
  );

  it('carries the State Council data of the shared file unchanged', () => {
    const shared = path.resolve(__dirname, '../../../shared/data/cn-calendar-2013-2014.json');
    const source = fs.existsSync(shared) ? JSON.parse(fs.readFileSync(shared, 'utf8')) : null;
    // The shared data folder sits beside the repository on the build machine; the copy must match it there.
    if (source) {
      expect([...CN_CALENDAR_2013_2014.holidays]).toEqual(source.holidays);
      expect([...CN_CALENDAR_2013_2014.workdays]).toEqual(source.workdays);
      expect(CN_CALENDAR_2013_2014.vectors).toEqual(source.vectors);
    }
    expect(CN_CALENDAR_2013_2014.holidays).toHaveLength(56);
    expect(CN_CALENDAR_2013_2014.workdays).toHaveLength(17);
  });

  it('skips weekends', () => {
    // Fri 2013-07-12 + 1 → Mon 2013-07-15
    expect(addWorkingDays('2013-07-12', 1, cal)).toBe('2013-07-15');
    expect(isWorkingDay('2013-07-13', cal)).toBe(false);
  });

  it('skips holidays (National Day week)', () => {
    expect(isWorkingDay('2013-10-02', cal)).toBe(false);
    expect(addWorkingDays('2013-09-30', 1, cal)).toBe('2013-10-08');
  });

  it('counts swapped weekend workdays (调休)', () => {
    expect(isWorkingDay('2013-09-29', cal)).toBe(true); // a Sunday that is worked
    expect(addWorkingDays('2013-09-27', 1, cal)).toBe('2013-09-29');
  });

  it('counts backwards for negative N, strictly before', () => {
    expect(addWorkingDays('2013-10-08', -1, cal)).toBe('2013-09-30');
    expect(addWorkingDays('2013-10-08', -2, cal)).toBe('2013-09-29');
    expect(addWorkingDays('2013-07-15', -1, cal)).toBe('2013-07-12');
  });

  it('N = 0 is the date itself', () => {
    expect(addWorkingDays('2013-10-01', 0, cal)).toBe('2013-10-01');
  });

  it('a calendar with every day off fails loudly instead of looping', () => {
    const allOff = { holidays: [], workdays: [] as string[] };
    const days: string[] = [];
    for (let t = Date.UTC(2013, 0, 1); t < Date.UTC(2025, 0, 1); t += 86_400_000) days.push(new Date(t).toISOString().slice(0, 10));
    expect(() => addWorkingDays('2013-01-01', 1, { ...allOff, holidays: days })).toThrow(/no 1 working days/);
  });
});

describe('ladder offsets under each counting rule', () => {
  const deadline = parseInstant('2013-09-26T18:00:00+08:00', 'deadline');

  it('calendar-days: plain addition', () => {
    expect(addPlanDuration(deadline, parseDuration('P7D'), cal)).toBe(parseInstant('2013-10-03T18:00:00+08:00', 'x'));
  });

  it('working-days: whole days count working days from the deadline, time of day kept', () => {
    expect(addPlanDuration(deadline, parseDuration('P7D'), working)).toBe(parseInstant('2013-10-11T18:00:00+08:00', 'x'));
    expect(addPlanDuration(deadline, parseDuration('P8D'), working)).toBe(parseInstant('2013-10-12T18:00:00+08:00', 'x'));
  });

  it('working-days: the sub-day part adds as calendar time', () => {
    expect(addPlanDuration(deadline, parseDuration('P7DT8H'), working)).toBe(parseInstant('2013-10-12T02:00:00+08:00', 'x'));
    expect(addPlanDuration(deadline, parseDuration('PT5S'), working)).toBe(deadline + 5_000);
  });

  it('working-days: a negative offset counts back (reminder -P7D)', () => {
    // 7 working days before Fri 2013-10-11: 10-10, 10-09, 10-08, 09-30, 09-29 (swapped Sunday), 09-27, 09-26.
    const at = parseInstant('2013-10-11T09:00:00+08:00', 'x');
    expect(addPlanDuration(at, parseDuration('-P7D'), working)).toBe(parseInstant('2013-09-26T09:00:00+08:00', 'x'));
  });

  it('days are reckoned in China Standard Time, not UTC', () => {
    // 2013-09-30T20:00Z is already 2013-10-01 04:00 in Beijing: a holiday; the next working day is 10-08.
    const at = Date.UTC(2013, 8, 30, 20);
    expect(addPlanDuration(at, parseDuration('P1D'), working)).toBe(parseInstant('2013-10-08T04:00:00+08:00', 'x'));
  });
});
