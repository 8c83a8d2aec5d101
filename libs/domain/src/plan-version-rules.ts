// A plan version taken by a running unit or item (the office changed the plan: POST /api/campaigns/:id/plan-changes).
// The version is recorded in the state; the workflow restarts its ladders on the new plan, and every rung fired from
// then on records the version whose ladder computed it. Rungs fired before stay as they fired.
import { invalidInput } from './errors';
import type { AccessTarget } from './access';
import { requireActor, violation } from './lifecycle';
import { addToInstant, validatePlan } from './plan';
import type { LadderRung, CalendarPlan, Plan } from './plan-types';
import type { ItemCtx, ItemState } from './item-rules';
import type { Acting, Ctx, UnitState } from './unit-rules';
import { refreshUnit } from './unit-rules';

export interface PlanVersionArgs<P> extends Acting {
  version: number;
  plan: P;
}
export type UnitPlanVersionArgs = PlanVersionArgs<Plan>;
export type ItemPlanVersionArgs = PlanVersionArgs<{ ladder: LadderRung[]; calendar: CalendarPlan }>;

/** A deep copy of plain data (the workflow sandbox has no structuredClone). */
const copyOf = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

/** The version a unit or an item runs on (1 when none was recorded: the plan the campaign started with). */
export const planVersionOf = (view: { planVersion?: number }): number => view.planVersion ?? 1;

/** Who may give a running unit or item a plan version: whom the access table lets apply a plan change. */
function checkVersion(current: number, a: PlanVersionArgs<unknown>, subject: string, target: AccessTarget) {
  const actor = requireActor(a.actor, 'campaign.plan-change.apply', target);
  if (!Number.isInteger(a.version) || a.version < 2)
    throw invalidInput('version', `expected a plan version from 2 on, got ${JSON.stringify(a.version)}`);
  if (a.version <= current) {
    throw violation(
      'plan-version.not-newer',
      `${subject} runs on plan version ${current} already; version ${a.version} is not newer`,
      actor,
      {},
      { version: a.version, current },
    );
  }
}

export function checkUnitPlanVersion(s: UnitState, a: UnitPlanVersionArgs) {
  checkVersion(planVersionOf(s.view), a, `unit ${s.view.id}`, {
    unitId: s.view.id,
    groupId: s.view.groupId,
    campaignId: s.view.campaignId,
  });
  validatePlan(a.plan);
  if (!a.plan.batches.some((b) => b.batch === s.view.batch)) throw invalidInput('plan.batches', `the plan has no batch ${s.view.batch}`);
}

/**
 * The unit takes the version: the plan (its windows, ladders, calendar, disclosure) becomes `ctx.plan`'s content —
 * the workflow's plan object is changed in place, so that everything reading it reads the new one — its current
 * window follows, and a disclosure under way ends by the new period. `at` is kept: the ladders restarted on the new
 * plan fire what fell due before it under the version they ran on.
 */
export function applyUnitPlanVersion(s: UnitState, a: UnitPlanVersionArgs, ctx: Ctx): { planVersion: number; items: number } {
  Object.assign(ctx.plan, copyOf(a.plan));
  s.view.planVersion = a.version;
  s.planChangedAt = new Date(ctx.now).toISOString();
  const tb = s.view.taskBook;
  if (tb?.status === 'disclosed' && tb.publishedAt && s.disclosureElapsed !== tb.disclosureEndsAt) {
    tb.disclosureEndsAt = addToInstant(tb.publishedAt, ctx.plan.disclosure, ctx.plan.calendar);
  }
  refreshUnit(s, ctx);
  return { planVersion: a.version, items: tb?.status === 'effective' ? tb.items.length : 0 };
}

export function checkItemPlanVersion(s: ItemState, a: ItemPlanVersionArgs) {
  checkVersion(planVersionOf(s.view), a, `item ${s.view.id}`, {
    unitId: s.view.unitId,
    groupId: s.view.groupId,
    campaignId: s.view.campaignId,
  });
  validatePlan({ ...placeholderPlan, ladder: a.plan?.ladder, calendar: a.plan?.calendar } as Plan);
}

/** The item takes the version's ladder and calendar (in place, as for the unit). */
export function applyItemPlanVersion(
  s: ItemState,
  a: ItemPlanVersionArgs,
  ctx: ItemCtx & { plan: { ladder: LadderRung[]; calendar: CalendarPlan } },
): { planVersion: number } {
  Object.assign(ctx.plan, copyOf({ ladder: a.plan.ladder, calendar: a.plan.calendar }));
  s.view.planVersion = a.version;
  s.planChangedAt = new Date(ctx.now).toISOString();
  s.view.version += 1;
  s.view.updatedAt = new Date(ctx.now).toISOString();
  return { planVersion: a.version };
}

/** A plan around an item's ladder and calendar, so that they are checked by the plan's own rules. */
const placeholderPlan: Omit<Plan, 'ladder' | 'calendar'> = {
  batches: [
    {
      batch: 1,
      startsAt: '2013-07-08T00:00:00+08:00',
      endsAt: '2013-07-09T00:00:00+08:00',
      phases: {
        P1: { startsAt: '2013-07-08T00:00:00+08:00', endsAt: '2013-07-08T08:00:00+08:00' },
        P2: { startsAt: '2013-07-08T08:00:00+08:00', endsAt: '2013-07-08T16:00:00+08:00' },
        P3: { startsAt: '2013-07-08T16:00:00+08:00', endsAt: '2013-07-09T00:00:00+08:00' },
      },
    },
  ],
  disclosure: 'P7D',
  windowLadder: [],
};

/** What a ladder reads to know that its subject took another plan version. */
export interface PlanChangeable {
  view: { planVersion?: number };
  planChangedAt?: string;
}
