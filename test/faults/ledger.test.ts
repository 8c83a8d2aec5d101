// The fault suite's ledger, pure: which rungs came due (per deadline, until it was replaced or the item closed;
// per phase window, until the unit left the phase), how due and fired compare, and when the firing process was back.
import {
  backAt,
  compare,
  dueMomentOf,
  dueRungs,
  firedBeforeDue,
  firesFrom,
  itemRungKey,
  spread,
  windowRungKey,
  type ItemRecord,
  type UnitRecord,
} from './ledger';

const ladder = [
  { rung: 'reminder' as const, offset: '-PT10S' },
  { rung: 'yellow' as const, offset: 'PT0S' },
  { rung: 'red' as const, offset: 'PT10S' },
  { rung: 'referral' as const, offset: 'PT20S' },
];
const windowLadder = [
  { rung: 'yellow' as const, offset: 'PT0S' },
  { rung: 'red' as const, offset: 'PT15S' },
];
const plan = { ladder, windowLadder, calendar: { count: 'calendar-days' as const, holidays: [], workdays: [] } };
const T = Date.parse('2030-03-01T08:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();
const item = (o: Partial<ItemRecord> & { deadlines: ItemRecord['deadlines'] }): ItemRecord => ({
  itemId: 'u.item-1',
  status: 'open',
  ...o,
});
const rungsOf = (records: ItemRecord[], units: UnitRecord[] = []) =>
  dueRungs(records, units, plan).map((d) => [d.rung, d.dueMs - T, d.kind]);

describe('the rungs that came due', () => {
  it('are every rung of a deadline that stayed open', () => {
    expect(rungsOf([item({ deadlines: [{ deadline: iso(T), since: 0 }] })])).toEqual([
      ['reminder', -10_000, 'item open to the end'],
      ['yellow', 0, 'item open to the end'],
      ['red', 10_000, 'item open to the end'],
      ['referral', 20_000, 'item open to the end'],
    ]);
  });

  it('stop at the close: a rung due at the very moment of the close is not due', () => {
    expect(rungsOf([item({ deadlines: [{ deadline: iso(T), since: 0 }], status: 'closed', finalAt: T + 5_000 })])).toEqual([
      ['reminder', -10_000, 'item closed'],
      ['yellow', 0, 'item closed'],
    ]);
    expect(
      rungsOf([item({ deadlines: [{ deadline: iso(T), since: 0 }], status: 'carried', finalAt: T + 10_000 })]).map((r) => r[0]),
    ).toEqual(['reminder', 'yellow']);
  });

  it('of a replaced deadline are those due before the extension was approved; the new deadline has its own', () => {
    const deadlines = [
      { deadline: iso(T), since: 0 },
      { deadline: iso(T + 60_000), since: T - 5_000 },
      { deadline: iso(T + 120_000), since: T + 52_000 },
    ];
    expect(rungsOf([item({ deadlines })])).toEqual([
      ['reminder', -10_000, 'item extended (replaced deadline)'],
      ['reminder', 50_000, 'item extended (replaced deadline)'],
      ['reminder', 110_000, 'item open to the end'],
      ['yellow', 120_000, 'item open to the end'],
      ['red', 130_000, 'item open to the end'],
      ['referral', 140_000, 'item open to the end'],
    ]);
  });

  it('include a rung whose moment had passed before the item began (its ladder fires it at once): its lateness counts from the start', () => {
    const due = dueRungs([item({ deadlines: [{ deadline: iso(T), since: T + 15_000 }], status: 'closed', finalAt: T + 16_000 })], [], plan);
    expect(due.map((d) => [d.rung, firesFrom(d) - T])).toEqual([
      ['reminder', 15_000],
      ['yellow', 15_000],
      ['red', 15_000],
    ]);
  });

  it('of a phase window are those due before the unit left the phase', () => {
    const unit: UnitRecord = {
      unitId: 'u',
      phases: [
        { phase: 'P1', windowEndsAt: iso(T), enteredAt: T - 9_000, leftAt: T - 1 },
        { phase: 'P2', windowEndsAt: iso(T + 1_000), enteredAt: T - 1, leftAt: T + 3_000 },
        { phase: 'P3', windowEndsAt: iso(T + 60_000), enteredAt: T + 3_000 },
      ],
    };
    expect(dueRungs([], [unit], plan).map((d) => d.key)).toEqual([
      windowRungKey('u', 'P2', 'yellow'),
      windowRungKey('u', 'P3', 'yellow'),
      windowRungKey('u', 'P3', 'red'),
    ]);
  });

  it('are none for an item that never started', () => {
    expect(rungsOf([item({ deadlines: [{ deadline: iso(T), since: 0 }], status: 'pending' })])).toEqual([]);
  });
});

describe('due against fired', () => {
  it('names what was lost, what fired without being due, and what fired twice', () => {
    const due = dueRungs([item({ deadlines: [{ deadline: iso(T), since: 0 }], status: 'closed', finalAt: T + 5_000 })], [], plan);
    const k = (rung: string) => itemRungKey('u.item-1', iso(T), rung);
    const c = compare(due, [
      { key: k('reminder'), firedAt: T - 9_000 },
      { key: k('reminder'), firedAt: T - 8_000 },
      { key: k('red'), firedAt: T + 11_000 },
    ]);
    expect(c.matched.map((m) => [m.rung, m.firedAt - T])).toEqual([['reminder', -9_000]]);
    expect(c.lost.map((d) => d.rung)).toEqual(['yellow']);
    expect(c.extra).toEqual([{ key: k('red'), firedAt: T + 11_000 }]);
    expect(c.doubled).toEqual([{ key: k('reminder'), times: 2 }]);
    // The same deadline written with another offset is the same deadline.
    expect(itemRungKey('x', '2030-03-01T16:00:00+08:00', 'red')).toBe(itemRungKey('x', T, 'red'));
  });
});

describe('a rung recorded as fired before it was due', () => {
  const windowEnds = { P1: iso(T), P2: iso(T + 60_000) };

  it("is due at its deadline's or its window's moment, moved by its rung's offset", () => {
    expect(dueMomentOf(itemRungKey('u.item-1', T, 'reminder'), plan, windowEnds)! - T).toBe(-10_000);
    expect(dueMomentOf(itemRungKey('u.item-1', T, 'referral'), plan, windowEnds)! - T).toBe(20_000);
    expect(dueMomentOf(windowRungKey('u', 'P2', 'red'), plan, windowEnds)! - T).toBe(75_000);
    expect(dueMomentOf(windowRungKey('u', 'P3', 'red'), plan, windowEnds)).toBeUndefined();
  });

  it('is named, against the plan and against the dueAt its record carries', () => {
    const early = firedBeforeDue(
      [
        { key: itemRungKey('u.item-1', T, 'yellow'), firedAt: T }, // at its moment: fine
        { key: itemRungKey('u.item-1', T, 'red'), firedAt: T + 9_999 }, // a millisecond early
        { key: windowRungKey('u', 'P1', 'yellow'), firedAt: T + 5_000, dueAt: T + 6_000 }, // early by its own record
        { key: windowRungKey('u', 'P1', 'red'), firedAt: T + 40_000 }, // late: fine
      ],
      plan,
      windowEnds,
    );
    expect(early.map((e) => [e.key, e.dueMs - T])).toEqual([
      [itemRungKey('u.item-1', T, 'red'), 10_000],
      [windowRungKey('u', 'P1', 'yellow'), 6_000],
    ]);
  });
});

describe('when what a rung needs was back', () => {
  const outages = [
    { what: 'worker' as const, how: 'SIGKILL', from: 100, to: 200 },
    { what: 'temporal' as const, how: 'stopped', from: 190, to: 300 },
    { what: 'postgres' as const, how: 'frozen', from: 400, to: 500 },
    { what: 'api' as const, how: 'SIGKILL', from: 600, to: 700 },
  ];
  it('is the rung`s own moment when nothing it needs was down while it waited', () => {
    expect(
      [
        [50, 60],
        [350, 380],
        [650, 660],
      ].map(([d, f]) => backAt(d, f, outages)),
    ).toEqual([50, 350, 650]);
  });
  it('is the last end of an outage of the worker, Temporal or PostgreSQL that overlapped its wait', () => {
    expect(
      [
        [100, 320],
        [150, 350],
        [195, 310],
        [299, 301],
      ].map(([d, f]) => backAt(d, f, outages)),
    ).toEqual([300, 300, 300, 300]);
    expect(backAt(450, 520, outages)).toBe(500);
    // Down again after the rung's moment, before it fired: the clock starts again when it is back.
    expect(backAt(50, 250, outages)).toBe(300);
  });
  it('percentiles are nearest-rank', () => {
    expect(spread([5, 1, 4, 2, 3, 10, 9, 8, 7, 6])).toEqual({ n: 10, p50: 5, p90: 9, p99: 10, max: 10 });
    expect(spread([]).n).toBe(0);
  });
});
