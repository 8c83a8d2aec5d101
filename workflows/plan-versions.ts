// Plan versions in the workflows: a unit or an item takes a new version through an Update (the office changed the
// plan); its running ladder stops at that moment and starts again on the new plan. Rungs fired before stay, and a
// rung keeps the version whose ladder computed it.
import type { PlanChangeable } from '../libs/domain/src';

/** When a ladder running on `version` stops because the subject took another version; undefined while it has not. */
export function planChangeStop(s: PlanChangeable, version: number): number | undefined {
  return (s.view.planVersion ?? 1) !== version && s.planChangedAt ? Date.parse(s.planChangedAt) : undefined;
}
