// One access table (libs/domain access.ts) for the API and the workflows: the API's check (which answers an
// object outside the caller's reach as unknown) and the workflows' validators (the rules' checks) refuse the same
// caller of the same action with the same rule, and the rules' checks refuse exactly what the table refuses.
import {
  ACCESS,
  checkAddRecord,
  checkCarryOver,
  checkDecideExtension,
  checkDecideTransition,
  checkGoalAchievement,
  checkGoalVerification,
  checkItemPlanVersion,
  checkUnitPlanVersion,
  checkVerifyItem,
  DomainError,
  mayAccess,
  newItemState,
  newProgrammeView,
  newUnitState,
  defaultPlan,
  requireAccess,
  ROLE_REACH,
  ROLES,
  type AccessSubject,
  type AccessTarget,
  type Action,
} from '../../libs/domain/src';
import { doc } from '../support/texts';

const cast: Record<string, AccessSubject> = {
  office: { id: 'p-office', role: 'office' },
  auditor: { id: 'p-auditor', role: 'auditor' },
  unitA: { id: 'p-unit-a', role: 'unit', unitId: 'uA', campaignId: 'c1' },
  unitB: { id: 'p-unit-b', role: 'unit', unitId: 'uB', campaignId: 'c1' },
  supA: { id: 'p-sup-a', role: 'supervisor', groupId: 'gA', campaignId: 'c1' },
  supB: { id: 'p-sup-b', role: 'supervisor', groupId: 'gB', campaignId: 'c1' },
  citizen: { id: 'public:1', role: 'public' },
};
/** Unit A of group A; programmes are led by unit A. */
const unitA = { unitId: 'uA', groupId: 'gA', campaignId: 'c1', leadUnitId: 'uA' };

/** 'allowed', 'hidden', or the rule that refused. */
type Outcome = string;
function outcome(fn: () => unknown): Outcome {
  try {
    fn();
    return 'allowed';
  } catch (e) {
    if (!(e instanceof DomainError)) throw e;
    if (e.code === 'NOT_FOUND') return 'hidden';
    return String(e.details.rule);
  }
}
const api = (who: AccessSubject, action: Action, target: AccessTarget = unitA) =>
  outcome(() => requireAccess(who, action, { ...target, hidden: { what: 'unit', id: 'uA' } }));
const workflow = (who: AccessSubject, action: Action, target: AccessTarget = unitA) => outcome(() => requireAccess(who, action, target));

describe('the access table', () => {
  it('names only known roles, and every role has a reach', () => {
    expect(Object.keys(ROLE_REACH).sort()).toEqual([...ROLES].sort());
    for (const [action, rule] of Object.entries(ACCESS)) {
      for (const role of rule.roles)
        expect({ action, role, known: [...ROLES, 'public'].includes(role) }).toEqual({ action, role, known: true });
      // A unit is refused its own case with a rule of its own only where a supervisor decides.
      if ('selfRule' in rule) expect({ action, roles: rule.roles }).toEqual({ action, roles: ['supervisor'] });
    }
  });

  it.each(Object.keys(ACCESS) as Action[])('%s: the API and the workflows refuse alike (the API hides what is out of reach)', (action) => {
    for (const [name, who] of Object.entries(cast)) {
      const a = api(who, action);
      const w = workflow(who, action);
      if (a === 'hidden') expect({ name, workflow: w }).not.toEqual({ name, workflow: 'allowed' });
      else expect({ name, workflow: w }).toEqual({ name, workflow: a });
      // What a caller is shown it may do is what it may do.
      expect({ name, may: mayAccess(who, action, unitA) }).toEqual({ name, may: a === 'allowed' });
    }
  });

  it('the door checks the role alone; the object is checked with its scope', () => {
    expect(outcome(() => requireAccess(cast.unitB, 'unit.records.add'))).toBe('allowed');
    expect(api(cast.unitB, 'unit.records.add')).toBe('hidden');
    expect(workflow(cast.unitB, 'unit.records.add')).toBe('actor.unit-scope');
    expect(outcome(() => requireAccess(cast.auditor, 'campaign.create'))).toBe('actor.office-only');
    expect(outcome(() => requireAccess(cast.unitA, 'campaign.dashboard'))).toBe('actor.role');
  });

  it('a scope rule without the object it needs is a programming error, not a refusal', () => {
    expect(() => requireAccess(cast.unitA, 'unit.records.add', {})).toThrow(/needs the target's unitId/);
  });
});

describe("the rules' checks read the table", () => {
  const plan = defaultPlan('2013-07-08T00:00:00+08:00');
  const T0 = Date.parse('2013-07-08T00:00:00+08:00');
  const unit = newUnitState({ campaignId: 'c1', unitId: 'uA', code: 'A', name: 'Unit A', batch: 1, groupId: 'gA' }, plan, T0);
  const item = newItemState(
    {
      campaignId: 'c1',
      unitId: 'uA',
      itemId: 'uA.item-1',
      groupId: 'gA',
      measure: doc('m'),
      owner: 'o',
      problemIds: ['problem-1'],
      deadline: '2013-12-01T00:00:00+08:00',
    },
    T0,
  );
  const programme = newProgrammeView(
    {
      programmeId: 'p1',
      name: 'p',
      track: 'action',
      leadLeader: 'mayor',
      leadUnitId: 'uA',
      responsibleUnitIds: ['uB'],
      goals: [{ title: 'g', dueAt: '2014-01-01T00:00:00+08:00' }],
    },
    T0,
  );
  /** Each check with the action it takes; the check's other refusals (state, input) come after who may act. */
  const checks: Array<[Action, (actor: AccessSubject) => unknown]> = [
    ['unit.records.add', (actor) => checkAddRecord(unit, { actor, kind: 'study', title: 't' })],
    [
      'unit.transition.decide',
      (actor) => checkDecideTransition(unit, { actor, transitionId: 'transition-1', approve: false, comment: 'c' }),
    ],
    ['item.verify', (actor) => checkVerifyItem(item, { actor, accept: true, comment: 'c' })],
    ['item.extension.decide', (actor) => checkDecideExtension(item, { actor, extensionId: 'extension-1', approve: true, comment: 'c' })],
    ['item.carry-over', (actor) => checkCarryOver(item, { actor, rule: doc('r'), comment: 'c' })],
    ['programme.goal.achieve', (actor) => checkGoalAchievement(programme, { actor, goalId: 'p1.goal-1', evidence: doc('e') })],
    ['programme.goal.verify', (actor) => checkGoalVerification(programme, { actor, goalId: 'p1.goal-1', accept: true, comment: 'c' })],
    // a plan version given to a running unit or item: whom the table lets apply a plan change
    ['campaign.plan-change.apply', (actor) => checkUnitPlanVersion(unit, { actor, version: 2, plan })],
    [
      'campaign.plan-change.apply',
      (actor) => checkItemPlanVersion(item, { actor, version: 2, plan: { ladder: plan.ladder, calendar: plan.calendar } }),
    ],
  ];

  it.each(checks)('%s', (action, check) => {
    for (const [name, who] of Object.entries(cast)) {
      const byTable = workflow(who, action);
      const byCheck = outcome(() => check(who));
      // Allowed by the table: whatever the check says next is not about who acts.
      if (byTable === 'allowed')
        expect({ name, rule: byCheck }).not.toEqual({
          name,
          rule: expect.stringMatching(/^actor\.|\.no-self-approval$|-by-group$|lead-unit$/),
        });
      else expect({ name, rule: byCheck }).toEqual({ name, rule: byTable });
    }
  });

  it('the wrong lead unit is refused by the same rule wherever it is asked', () => {
    const rule = outcome(() => checkGoalAchievement(programme, { actor: cast.unitB, goalId: 'p1.goal-1', evidence: doc('e') }));
    expect(rule).toBe('programme.lead-unit');
    expect(outcome(() => requireAccess(cast.unitB, 'programme.goal.achieve', { leadUnitId: 'uA' }))).toBe(rule);
  });
});
