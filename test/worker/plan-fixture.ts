import type { Plan } from '../../libs/domain/src';

/** The seed calendar (DOMAIN.md "Calendar") as a resolved plan, for tests that only carry a plan along. */
export const defaultPlan: Plan = {
  batches: [
    {
      batch: 1,
      startsAt: '2013-07-08T00:00:00+08:00',
      endsAt: '2014-01-31T23:59:59+08:00',
      phases: {
        P1: { startsAt: '2013-07-08T00:00:00+08:00', endsAt: '2013-08-31T23:59:59+08:00' },
        P2: { startsAt: '2013-09-01T00:00:00+08:00', endsAt: '2013-10-31T23:59:59+08:00' },
        P3: { startsAt: '2013-11-01T00:00:00+08:00', endsAt: '2014-01-31T23:59:59+08:00' },
      },
    },
    {
      batch: 2,
      startsAt: '2014-02-01T00:00:00+08:00',
      endsAt: '2014-07-31T23:59:59+08:00',
      phases: {
        P1: { startsAt: '2014-02-01T00:00:00+08:00', endsAt: '2014-03-31T23:59:59+08:00' },
        P2: { startsAt: '2014-04-01T00:00:00+08:00', endsAt: '2014-05-31T23:59:59+08:00' },
        P3: { startsAt: '2014-06-01T00:00:00+08:00', endsAt: '2014-07-31T23:59:59+08:00' },
      },
    },
  ],
  disclosure: 'P7D',
  ladder: [
    { rung: 'reminder', offset: '-P7D' },
    { rung: 'yellow', offset: 'PT0S' },
    { rung: 'red', offset: 'P14D' },
    { rung: 'referral', offset: 'P30D' },
  ],
  windowLadder: [
    { rung: 'yellow', offset: 'PT0S' },
    { rung: 'red', offset: 'P14D' },
  ],
  calendar: { count: 'calendar-days', holidays: [], workdays: [] },
};
