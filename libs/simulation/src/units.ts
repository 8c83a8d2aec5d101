// The units of a simulation: a campaign's enrolment, a CSV file, or N units in the seed's mix of kinds and levels.
import {
  batchOf,
  enrolmentColumnAliases,
  enrolmentColumns,
  invalidInput,
  parseCsv,
  UNIT_KINDS,
  UNIT_LEVELS,
  type Batch,
  type EnrolmentColumn,
  type UnitKind,
  type UnitLevel,
} from '../../domain/src';
import type { SimUnit } from './agenda';

/** The most units one simulation runs (a campaign's largest enrolment). */
export const SIMULATION_MAX_UNITS = 10_000;
export const SIMULATION_MAX_GROUPS = 1_000;

/**
 * The seed's mix (DOMAIN.md "Calendar"): batch 1 is municipal organs, enterprises, universities and their
 * affiliated units; batch 2 is district and county organs, their affiliated units and grassroots organisations,
 * the larger part. The shares are a default of the simulator, not of the seed, which gives no numbers.
 */
export const SEED_MIX: ReadonlyArray<{ share: number; kind: UnitKind; level: UnitLevel; name: string }> = [
  { share: 0.1, kind: 'organ', level: 'municipal', name: '市级机关' },
  { share: 0.05, kind: 'enterprise', level: 'municipal', name: '市属企业' },
  { share: 0.02, kind: 'university', level: 'municipal', name: '市属高校' },
  { share: 0.08, kind: 'affiliated', level: 'municipal', name: '市直属单位' },
  { share: 0.15, kind: 'organ', level: 'district', name: '区县机关' },
  { share: 0.2, kind: 'affiliated', level: 'district', name: '区县直属单位' },
  { share: 0.4, kind: 'grassroots', level: 'district', name: '基层组织' },
];

/** Default number of supervisory groups for N units: one for every 20, at least one. */
export const defaultGroupCount = (units: number) => Math.max(1, Math.ceil(units / 20));

export const groupName = (i: number) => `督导组 ${i + 1}`;

/**
 * N units in the seed's mix (whole numbers per kind, largest remainders first), coded SIM-00001…, their groups
 * dealt out in turn within each batch so that every group has units of one batch at a time.
 */
export function seedMixUnits(count: number, groups: number): { units: SimUnit[]; groups: string[] } {
  if (!Number.isInteger(count) || count < 1 || count > SIMULATION_MAX_UNITS)
    throw invalidInput('units', `expected 1 to ${SIMULATION_MAX_UNITS} units, got ${count}`);
  if (!Number.isInteger(groups) || groups < 1 || groups > SIMULATION_MAX_GROUPS)
    throw invalidInput('groups', `expected 1 to ${SIMULATION_MAX_GROUPS} groups, got ${groups}`);
  const exact = SEED_MIX.map((m) => m.share * count);
  const whole = exact.map(Math.floor);
  const order = exact.map((x, i) => ({ i, rest: x - Math.floor(x) })).sort((a, b) => b.rest - a.rest || a.i - b.i);
  for (let k = 0; whole.reduce((s, n) => s + n, 0) < count; k++) whole[order[k % order.length].i]++;
  const units: SimUnit[] = [];
  const dealt: Record<Batch, number> = { 1: 0, 2: 0 };
  SEED_MIX.forEach((m, i) => {
    for (let n = 1; n <= whole[i]; n++) {
      const batch = batchOf(m.kind, m.level);
      const code = `SIM-${String(units.length + 1).padStart(5, '0')}`;
      units.push({ code, name: `${m.name} ${n}`, kind: m.kind, level: m.level, batch, group: groupName(dealt[batch]++ % groups) });
    }
  });
  return { units, groups: Array.from({ length: groups }, (_, i) => groupName(i)) };
}

export interface UnitRow {
  code: unknown;
  name: unknown;
  kind: unknown;
  level: unknown;
  batch?: unknown;
  group: unknown;
}

/** Units as given (a CSV's rows, a request's list): checked, batch from kind and level unless given. */
export function checkUnits(rows: UnitRow[], field = 'units'): { units: SimUnit[]; groups: string[] } {
  if (!Array.isArray(rows) || rows.length === 0) throw invalidInput(field, 'at least one unit');
  if (rows.length > SIMULATION_MAX_UNITS) throw invalidInput(field, `at most ${SIMULATION_MAX_UNITS} units`);
  const seen = new Set<string>();
  const groups = new Set<string>();
  const units = rows.map((r, i): SimUnit => {
    const f = `${field}[${i}]`;
    const text = (v: unknown, k: string, max: number) => {
      if (typeof v !== 'string' || !v.trim()) throw invalidInput(`${f}.${k}`, 'expected a non-empty text');
      if (v.length > max) throw invalidInput(`${f}.${k}`, `at most ${max} characters`);
      return v.trim();
    };
    const code = text(r.code, 'code', 64);
    if (seen.has(code)) throw invalidInput(`${f}.code`, `code ${code} given twice`);
    seen.add(code);
    const kind = r.kind as UnitKind;
    if (!UNIT_KINDS.includes(kind))
      throw invalidInput(`${f}.kind`, `expected one of ${UNIT_KINDS.join(', ')}, got ${JSON.stringify(r.kind)}`);
    const level = r.level as UnitLevel;
    if (!UNIT_LEVELS.includes(level))
      throw invalidInput(`${f}.level`, `expected one of ${UNIT_LEVELS.join(', ')}, got ${JSON.stringify(r.level)}`);
    const explicit = r.batch === undefined || r.batch === '' ? undefined : Number(r.batch);
    if (explicit !== undefined && explicit !== 1 && explicit !== 2)
      throw invalidInput(`${f}.batch`, `expected 1 or 2, got ${JSON.stringify(r.batch)}`);
    const group = text(r.group, 'group', 200);
    groups.add(group);
    return { code, name: text(r.name, 'name', 200), kind, level, batch: batchOf(kind, level, explicit), group };
  });
  if (groups.size > SIMULATION_MAX_GROUPS) throw invalidInput(field, `at most ${SIMULATION_MAX_GROUPS} supervisory groups`);
  return { units, groups: [...groups].sort() };
}

/** A CSV enrolment file (header row: code, name, kind, level, batch?, group) → units; errors name the line. */
export function unitsFromCsv(text: string): { units: SimUnit[]; groups: string[] } {
  const table = parseCsv(text);
  if (!table.length) throw invalidInput('units', 'the file is empty');
  const { index, missing } = enrolmentColumns(table[0]);
  if (missing) throw invalidInput('units', `column "${missing}" (${enrolmentColumnAliases(missing)}) is missing`);
  const rows = table.slice(1).map((cells) => {
    const cell = (k: EnrolmentColumn) => (index[k] >= 0 ? (cells[index[k]] ?? '').trim() : '');
    return {
      code: cell('code'),
      name: cell('name'),
      kind: cell('kind'),
      level: cell('level'),
      batch: cell('batch') || undefined,
      group: cell('group'),
    };
  });
  try {
    return checkUnits(rows, 'units');
  } catch (e) {
    // Name the file's line rather than the array index.
    const m = /^units\[(\d+)\]\.(\w+): (.*)$/.exec((e as Error).message);
    if (m) throw invalidInput(`line ${Number(m[1]) + 2}, ${m[2]}`, m[3]);
    throw e;
  }
}
