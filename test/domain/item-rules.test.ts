import {
  applyDecideExtension,
  applyItemRung,
  applyRequestExtension,
  applySubmitCompletion,
  applyVerifyItem,
  checkCarryOver,
  checkDecideExtension,
  checkRequestExtension,
  checkSubmitCompletion,
  checkVerifyItem,
  DomainError,
  newItemState,
  type Actor,
} from '../../libs/domain/src';

const T0 = Date.parse('2013-11-10T00:00:00+08:00');
const unit: Actor = { id: 'p-unit', role: 'unit', unitId: 'u1' };
const sup: Actor = { id: 'p-sup', role: 'supervisor', groupId: 'g1' };
const otherSup: Actor = { id: 'p-sup-2', role: 'supervisor', groupId: 'g2' };
const office: Actor = { id: 'p-office', role: 'office' };
const fresh = () =>
  newItemState({ campaignId: 'c', unitId: 'u1', itemId: 'u1.item-1', groupId: 'g1', measure: 'm', owner: 'o', problemIds: ['problem-1'], deadline: '2013-12-01T00:00:00+08:00' }, T0);

function refusal(fn: () => unknown): DomainError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(DomainError);
    return e as DomainError;
  }
  throw new Error('expected a refusal');
}

describe('rectification item rules', () => {
  it('verification only of a submitted item, by the assigned group', () => {
    const s = fresh();
    expect(refusal(() => checkVerifyItem(s, { actor: sup, accept: true, comment: 'ok' })).details.rule).toBe('item.verification-submitted');
    applySubmitCompletion(s, { actor: unit, evidence: 'e' }, { now: T0 });
    expect(refusal(() => checkSubmitCompletion(s, { actor: unit, evidence: 'e' })).details.rule).toBe('item.completion-open');
    expect(refusal(() => checkVerifyItem(s, { actor: otherSup, accept: true, comment: 'ok' })).details.rule).toBe('actor.supervisor-group');
    expect(refusal(() => checkVerifyItem(s, { actor: unit, accept: true, comment: 'ok' })).details.rule).toBe('item.verification-by-group');
    applyVerifyItem(s, { actor: sup, accept: false, comment: 'evidence missing' }, { now: T0 });
    expect(s.view.status).toBe('open');
    applySubmitCompletion(s, { actor: unit, evidence: 'e2' }, { now: T0 });
    applyItemRung(s, { rung: 'yellow', firedAt: 'x', deadline: s.view.deadline, to: [] }, { now: T0 });
    expect(s.view.card).toBe('yellow');
    applyVerifyItem(s, { actor: sup, accept: true, comment: 'closed' }, { now: T0 });
    expect(s.view).toMatchObject({ status: 'closed', card: 'none' });
    expect(s.view.verifications.map((v) => v.accept)).toEqual([false, true]);
  });

  it('an extension is requested by the unit, later than the deadline, and decided by the group', () => {
    const s = fresh();
    expect(refusal(() => checkRequestExtension(s, { actor: unit, newDeadline: '2013-11-30T00:00:00+08:00', reason: 'r' }, { now: T0 })).details.rule).toBe('item.extension-later');
    const { id } = applyRequestExtension(s, { actor: unit, newDeadline: '2014-01-10T00:00:00+08:00', reason: 'r' }, { now: T0 });
    expect(refusal(() => checkRequestExtension(s, { actor: unit, newDeadline: '2014-01-20T00:00:00+08:00', reason: 'r' }, { now: T0 })).details.rule).toBe('item.extension-one-pending');
    expect(refusal(() => checkDecideExtension(s, { actor: unit, extensionId: id, approve: true, comment: '' })).details.rule).toBe('extension.no-self-approval');
    applyItemRung(s, { rung: 'red', firedAt: 'x', deadline: s.view.deadline, to: [] }, { now: T0 });
    const r = applyDecideExtension(s, { actor: sup, extensionId: id, approve: true, comment: 'ok' }, { now: T0 });
    expect(r).toEqual({ status: 'approved', deadline: '2014-01-10T00:00:00+08:00' });
    expect(s.view.card).toBe('none');
    expect(s.view.rungs).toHaveLength(1); // fired rungs stay
  });

  it('carry-over only by the office, and not of a closed item', () => {
    const s = fresh();
    expect(refusal(() => checkCarryOver(s, { actor: sup, rule: 'r', comment: '' })).details.rule).toBe('actor.office-only');
    expect(() => checkCarryOver(s, { actor: office, rule: 'r', comment: '' })).not.toThrow();
    s.view.status = 'closed';
    expect(refusal(() => checkCarryOver(s, { actor: office, rule: 'r', comment: '' })).details.rule).toBe('item.carry-over-open');
  });
});
