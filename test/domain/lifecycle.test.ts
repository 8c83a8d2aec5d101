import {
  batchOf,
  compareCards,
  GATES,
  meetingValidity,
  unmetGates,
  unmetGatesFor,
  worstCard,
  type GateFacts,
  type UnitKind,
  type UnitLevel,
} from '../../libs/domain/src';
import { doc } from '../support/texts';

describe('batch follows from kind and level (DOMAIN.md "Calendar")', () => {
  it.each<[UnitKind, UnitLevel, 1 | 2]>([
    ['organ', 'municipal', 1],
    ['enterprise', 'municipal', 1],
    ['university', 'municipal', 1],
    ['affiliated', 'municipal', 1],
    ['organ', 'district', 2],
    ['affiliated', 'district', 2],
    ['enterprise', 'district', 2],
    ['grassroots', 'district', 2],
    ['grassroots', 'municipal', 2],
  ])('%s at %s level → batch %d', (kind, level, batch) => {
    expect(batchOf(kind, level)).toBe(batch);
  });

  it('an explicit batch set by the office wins', () => {
    expect(batchOf('organ', 'municipal', 2)).toBe(2);
    expect(batchOf('grassroots', 'district', 1)).toBe(1);
  });
});

describe('card ordering', () => {
  it('none < yellow < red; the worst wins', () => {
    expect(compareCards('none', 'yellow')).toBeLessThan(0);
    expect(compareCards('red', 'yellow')).toBeGreaterThan(0);
    expect(worstCard()).toBe('none');
    expect(worstCard('yellow', 'none')).toBe('yellow');
    expect(worstCard('yellow', 'red', 'none')).toBe('red');
  });
});

const empty = (): GateFacts => ({
  counts: {
    records: { study: 0, investigation: 0, 'solicitation-report': 0, 'comparison-check': 0, rule: 0 },
    opinions: 0,
    problems: 0,
    meetings: 0,
    transitions: 0,
  },
  validMeeting: false,
});

describe('gates by rule name (from the counts and facts the workflow keeps)', () => {
  it('P2 needs a study record, an opinion and a solicitation report', () => {
    const f = empty();
    expect(unmetGates('P1', f)).toEqual([...GATES.P2]);
    f.counts.records.study = 1;
    expect(unmetGatesFor('P2', f)).toEqual(['gate.P2.opinion', 'gate.P2.solicitation-report']);
    f.counts.opinions = 1;
    f.counts.records['solicitation-report'] = 1;
    expect(unmetGatesFor('P2', f)).toEqual([]);
  });

  it('P3 needs a problem, comparison-check materials and a VALID meeting', () => {
    const f = empty();
    f.counts.problems = 1;
    f.counts.records['comparison-check'] = 1;
    f.counts.meetings = 1;
    expect(unmetGatesFor('P3', f)).toEqual(['gate.P3.valid-meeting']);
    f.validMeeting = true;
    expect(unmetGatesFor('P3', f)).toEqual([]);
  });

  it('DONE needs an effective task book, every item closed or carried, and a rule', () => {
    const f = empty();
    expect(unmetGatesFor('DONE', f)).toEqual([...GATES.DONE]);
    const item = (status: 'open' | 'closed' | 'carried') => ({
      id: status,
      problemIds: [],
      measure: doc('m'),
      owner: 'o',
      deadline: 'd',
      status,
      card: 'none' as const,
    });
    const taskBook = {
      signedBy: 'head',
      items: [item('closed'), item('open')],
      status: 'effective' as const,
      objectionCounts: { filed: 0, unanswered: 0 },
    };
    f.taskBook = taskBook;
    f.counts.records.rule = 1;
    expect(unmetGatesFor('DONE', f)).toEqual(['gate.DONE.items-closed']);
    taskBook.items[1] = item('carried');
    expect(unmetGatesFor('DONE', f)).toEqual([]);
    expect(unmetGates('DONE', f)).toEqual([]);
  });
});

describe('meeting validity (全程参与)', () => {
  const att = (groupId: string, arrivedAt: string, leftAt: string) => ({
    supervisorId: 's',
    groupId,
    arrivedAt,
    leftAt,
    attestedAt: leftAt,
  });
  const held = { startedAt: '2013-09-20T09:00:00+08:00', endedAt: '2013-09-20T12:00:00+08:00' };

  it('valid when a member of the assigned group arrived ≤ start and left ≥ end', () => {
    expect(meetingValidity({ attendance: [att('g1', '2013-09-20T09:00:00+08:00', '2013-09-20T12:00:00+08:00')] }, held, 'g1')).toEqual({
      valid: true,
    });
  });

  it('invalid when the member arrived late or left early', () => {
    const late = meetingValidity({ attendance: [att('g1', '2013-09-20T09:05:00+08:00', '2013-09-20T12:00:00+08:00')] }, held, 'g1');
    expect(late.valid).toBe(false);
    expect(late.reason).toMatch(/meeting\.full-attendance/);
    expect(meetingValidity({ attendance: [att('g1', '2013-09-20T08:00:00+08:00', '2013-09-20T11:59:00+08:00')] }, held, 'g1').valid).toBe(
      false,
    );
  });

  it('invalid when the attestation is from another group', () => {
    expect(meetingValidity({ attendance: [att('g2', '2013-09-20T08:00:00+08:00', '2013-09-20T13:00:00+08:00')] }, held, 'g1').valid).toBe(
      false,
    );
  });

  it('invalid without any attestation', () => {
    expect(meetingValidity({ attendance: [] }, held, 'g1').reason).toMatch(/no attestation/);
  });
});
