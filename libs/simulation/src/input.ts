// A simulation's input, checked as a whole: a valid plan, units that each name a group and a batch of the plan,
// a profile, a seed. Errors name the field, as the API's do.
import { invalidInput, validatePlan, type Plan } from '../../domain/src';
import type { SimulationInput } from './agenda';
import { resolveProfile } from './profile';
import { checkUnits, SIMULATION_MAX_GROUPS, type UnitRow } from './units';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export const SEED_MAX_CHARS = 100;

/** What a simulation's job is doing, in order. */
export const SIMULATION_STAGES = ['preparing', 'running', 'settling', 'reporting', 'done'] as const;
export type SimulationStage = (typeof SIMULATION_STAGES)[number];

export function checkSeed(seed: unknown, field = 'seed'): string {
  if (typeof seed === 'number' && Number.isSafeInteger(seed)) return String(seed);
  if (typeof seed !== 'string' || !seed.trim() || seed.length > SEED_MAX_CHARS) {
    throw invalidInput(field, `expected a whole number or a text of 1 to ${SEED_MAX_CHARS} characters, got ${JSON.stringify(seed)}`);
  }
  return seed;
}

export function validateSimulationInput(raw: unknown): SimulationInput {
  if (!isObject(raw)) throw invalidInput('input', 'expected an object');
  for (const k of Object.keys(raw))
    if (!['name', 'plan', 'groups', 'units', 'profile', 'seed'].includes(k)) throw invalidInput(`input.${k}`, 'unknown field');
  const name =
    typeof raw.name === 'string' && raw.name.trim() && raw.name.length <= 200
      ? raw.name
      : (() => {
          throw invalidInput('name', 'expected a name of 1 to 200 characters');
        })();
  validatePlan(raw.plan);
  const plan = raw.plan as Plan;
  const { units, groups: named } = checkUnits(raw.units as UnitRow[], 'units');
  if (!Array.isArray(raw.groups) || raw.groups.some((g) => typeof g !== 'string' || !g.trim()))
    throw invalidInput('groups', 'expected a list of group names');
  const groups = [...new Set(raw.groups as string[])].sort();
  if (groups.length > SIMULATION_MAX_GROUPS) throw invalidInput('groups', `at most ${SIMULATION_MAX_GROUPS} groups`);
  const known = new Set(groups);
  named.forEach((g) => {
    if (!known.has(g)) throw invalidInput('units', `group ${JSON.stringify(g)} is not among the groups`);
  });
  const batches = new Set(plan.batches.map((b) => b.batch));
  units.forEach((u, i) => {
    if (!batches.has(u.batch)) throw invalidInput(`units[${i}].batch`, `batch ${u.batch} is not in the plan`);
  });
  return { name, plan, groups, units, profile: resolveProfile(raw.profile), seed: checkSeed(raw.seed ?? '1') };
}
