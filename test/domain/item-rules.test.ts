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
  itemLadderStoppedAt,
  LIMITS,
  newItemState,
  type Actor,
} from '../../libs/domain/src';
import { doc } from '../support/texts';

const T0 = Date.parse('2013-11-10T00:00:00+08:00');
const unit: Actor = { id: 'p-unit', role: 'unit', unitId: 'u1' };
const sup: Actor = { id: 'p-sup', role: 'supervisor', groupId: 'g1' };
const otherSup: Actor = { id: 'p-sup-2', role: 'supervisor', groupId: 'g2' };
const office: Actor = { id: 'p-office', role: 'office' };
const fresh = () =>
  newItemState(
    {
      campaignId: 'c',
      unitId: 'u1',
      itemId: 'u1.item-1',
      groupId: 'g1',
      measure: doc('m'),
      owner: 'o',
      problemIds: ['problem-1'],
      deadline: '2013-12-01T00:00:00+08:00',
    },
    T0,
  );

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
    applySubmitCompletion(s, { actor: unit, evidence: doc('e') }, { now: T0 });
    expect(refusal(() => checkSubmitCompletion(s, { actor: unit, evidence: doc('e') })).details.rule).toBe('item.completion-open');
    expect(refusal(() => checkVerifyItem(s, { actor: otherSup, accept: true, comment: 'ok' })).details.rule).toBe('actor.supervisor-group');
    expect(refusal(() => checkVerifyItem(s, { actor: unit, accept: true, comment: 'ok' })).details.rule).toBe('item.verification-by-group');
    applyVerifyItem(s, { actor: sup, accept: false, comment: 'evidence missing' }, { now: T0 });
    expect(s.view.status).toBe('open');
    applySubmitCompletion(s, { actor: unit, evidence: doc('e2') }, { now: T0 });
    applyItemRung(s, { rung: 'yellow', firedAt: 'x', deadline: s.view.deadline, to: [] }, { now: T0 });
    expect(s.view.card).toBe('yellow');
    applyVerifyItem(s, { actor: sup, accept: true, comment: 'closed' }, { now: T0 });
    expect(s.view).toMatchObject({ status: 'closed', card: 'none' });
    expect(s.changes.filter((c) => c.kind === 'verification').map((c) => (c.data as { accept: boolean }).accept)).toEqual([false, true]);
    expect(s.view.counts.verifications).toBe(2);
    expect(s.view.lastVerification).toMatchObject({ id: 'verification-2', accept: true, comment: 'closed' });
    expect(s.view.finalAt).toBe(new Date(T0).toISOString());
  });

  it('an extension is requested by the unit, later than the deadline, and decided by the group', () => {
    const s = fresh();
    expect(
      refusal(() => checkRequestExtension(s, { actor: unit, newDeadline: '2013-11-30T00:00:00+08:00', reason: doc('r') }, { now: T0 }))
        .details.rule,
    ).toBe('item.extension-later');
    const { id } = applyRequestExtension(s, { actor: unit, newDeadline: '2014-01-10T00:00:00+08:00', reason: doc('r') }, { now: T0 });
    expect(
      refusal(() => checkRequestExtension(s, { actor: unit, newDeadline: '2014-01-20T00:00:00+08:00', reason: doc('r') }, { now: T0 }))
        .details.rule,
    ).toBe('item.extension-one-pending');
    expect(refusal(() => checkDecideExtension(s, { actor: unit, extensionId: id, approve: true, comment: '' })).details.rule).toBe(
      'extension.no-self-approval',
    );
    applyItemRung(s, { rung: 'red', firedAt: 'x', deadline: s.view.deadline, to: [] }, { now: T0 });
    const r = applyDecideExtension(s, { actor: sup, extensionId: id, approve: true, comment: 'ok' }, { now: T0 });
    expect(r).toEqual({ status: 'approved', deadline: '2014-01-10T00:00:00+08:00' });
    expect(s.view.card).toBe('none');
    expect(s.view.rungs).toHaveLength(1); // fired rungs stay
    expect(s.view.pendingExtension).toBeUndefined();
    expect(s.view.deadlineSince).toBe(new Date(T0).toISOString());
    expect(refusal(() => checkDecideExtension(s, { actor: sup, extensionId: id, approve: true, comment: 'again' })).details.rule).toBe(
      'extension.already-decided',
    );
  });

  it("an extension's new deadline lies within the campaign plan's latest deadline", () => {
    const s = fresh();
    const latest = '2015-02-01T00:00:00+08:00';
    const e = refusal(() =>
      checkRequestExtension(
        s,
        { actor: unit, newDeadline: '2099-01-01T00:00:00+08:00', reason: doc('r') },
        { now: T0, latestDeadline: latest },
      ),
    );
    expect(e.details.rule).toBe('item.extension-within-plan');
    expect(() =>
      checkRequestExtension(s, { actor: unit, newDeadline: latest, reason: doc('r') }, { now: T0, latestDeadline: latest }),
    ).not.toThrow();
  });

  it('extensions are bounded: each restarts the ladder, so an item takes at most LIMITS.extensionsPerItem', () => {
    const s = fresh();
    let deadline = Date.parse(s.view.deadline);
    for (let i = 0; i < LIMITS.extensionsPerItem; i++) {
      deadline += 86_400_000;
      const { id } = applyRequestExtension(
        s,
        { actor: unit, newDeadline: new Date(deadline).toISOString(), reason: doc(`r${i}`) },
        { now: T0 },
      );
      applyDecideExtension(s, { actor: sup, extensionId: id, approve: i % 2 === 0, comment: 'decided' }, { now: T0 });
    }
    const e = refusal(() =>
      checkRequestExtension(
        s,
        { actor: unit, newDeadline: new Date(deadline + 86_400_000).toISOString(), reason: doc('one more') },
        { now: T0 },
      ),
    );
    expect(e.details.rule).toBe('item.extension-limit');
    expect(s.view.counts.extensions).toBe(LIMITS.extensionsPerItem);
    // The replaced deadlines the state keeps for the ladders: one per approved extension, so bounded too.
    expect(s.replaced).toHaveLength(LIMITS.extensionsPerItem / 2);
  });

  it("a ladder's stop moment: the deadline's replacement, or the item's close", () => {
    const s = fresh();
    const first = s.view.deadline;
    expect(itemLadderStoppedAt(s, first)).toBeUndefined();
    const { id } = applyRequestExtension(s, { actor: unit, newDeadline: '2014-01-10T00:00:00+08:00', reason: doc('r') }, { now: T0 });
    applyDecideExtension(s, { actor: sup, extensionId: id, approve: true, comment: 'ok' }, { now: T0 + 1000 });
    expect(itemLadderStoppedAt(s, first)).toBe(T0 + 1000);
    const second = s.view.deadline;
    expect(itemLadderStoppedAt(s, second)).toBeUndefined();
    // Extended again while the first deadline's ladder may still be catching up: that ladder still stopped at
    // the first replacement (the fault suite saw a rung due between the two fire as if it had not).
    const again = applyRequestExtension(s, { actor: unit, newDeadline: '2014-01-20T00:00:00+08:00', reason: doc('r') }, { now: T0 + 1500 });
    applyDecideExtension(s, { actor: sup, extensionId: again.id, approve: true, comment: 'ok' }, { now: T0 + 1800 });
    expect([itemLadderStoppedAt(s, first), itemLadderStoppedAt(s, second), itemLadderStoppedAt(s, s.view.deadline)]).toEqual([
      T0 + 1000,
      T0 + 1800,
      undefined,
    ]);
    applySubmitCompletion(s, { actor: unit, evidence: doc('e') }, { now: T0 + 2000 });
    applyVerifyItem(s, { actor: sup, accept: true, comment: 'closed' }, { now: T0 + 3000 });
    expect(itemLadderStoppedAt(s, s.view.deadline)).toBe(T0 + 3000);
    expect(itemLadderStoppedAt(s, first)).toBe(T0 + 1000);
  });

  it('carry-over only by the office, and not of a closed item', () => {
    const s = fresh();
    expect(refusal(() => checkCarryOver(s, { actor: sup, rule: doc('r'), comment: '' })).details.rule).toBe('actor.office-only');
    expect(() => checkCarryOver(s, { actor: office, rule: doc('r'), comment: '' })).not.toThrow();
    s.view.status = 'closed';
    expect(refusal(() => checkCarryOver(s, { actor: office, rule: doc('r'), comment: '' })).details.rule).toBe('item.carry-over-open');
  });
});
