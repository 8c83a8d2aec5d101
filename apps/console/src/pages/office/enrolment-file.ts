// Reading an enrolment file (CSV or Excel .xlsx): one unit a row, headers in English or Chinese, kinds and
// levels by their codes or their Chinese names, the supervisory group by its name (or id).
import {
  enrolmentColumnAliases,
  enrolmentColumns,
  parseCsv,
  UNIT_KINDS,
  UNIT_LEVELS,
  type EnrolmentColumn,
  type UnitKind,
  type UnitLevel,
} from '../../../../../libs/domain/src';
import { KIND_LABEL, LEVEL_LABEL } from '../../i18n';

export interface EnrolRow {
  line: number;
  code: string;
  name: string;
  kind: string;
  level: string;
  batch?: number;
  parentCode?: string;
  group: string;
}

const byLabel = <K extends string>(values: readonly K[], labels: Record<K, readonly [string, string]>, raw: string): string => {
  const v = raw.trim();
  const hit = values.find((k) => k === v.toLowerCase() || labels[k][0] === v || labels[k][1].toLowerCase() === v.toLowerCase());
  return hit ?? v;
};

/** A cell as text: a spreadsheet's cells are strings, numbers, booleans or dates; an empty one is ''. */
const cellText = (v: unknown): string =>
  typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' || v instanceof Date ? String(v) : '';

/** Rows of cells (the first holds the headers) → enrolment rows; throws naming a missing column. */
export function toEnrolRows(table: readonly (readonly unknown[])[]): EnrolRow[] {
  if (!table.length) throw Object.assign(new Error('the file is empty'), { column: undefined });
  const { index, missing } = enrolmentColumns(table[0].map(cellText));
  if (missing) {
    throw Object.assign(new Error(`column "${missing}" (${enrolmentColumnAliases(missing)}) is missing`), {
      column: `${missing}（${enrolmentColumnAliases(missing)}）`,
    });
  }
  return table.slice(1).map((cells, i) => {
    const cell = (k: EnrolmentColumn) => (index[k] >= 0 ? cellText(cells[index[k]]).trim() : '');
    const batch = cell('batch');
    return {
      line: i + 2,
      code: cell('code'),
      name: cell('name'),
      kind: byLabel<UnitKind>(UNIT_KINDS, KIND_LABEL, cell('kind')),
      level: byLabel<UnitLevel>(UNIT_LEVELS, LEVEL_LABEL, cell('level')),
      ...(batch ? { batch: Number(batch) } : {}),
      ...(cell('parentCode') ? { parentCode: cell('parentCode') } : {}),
      group: cell('group'),
    };
  });
}

export async function readEnrolmentFile(file: File): Promise<EnrolRow[]> {
  if (/\.xlsx$/i.test(file.name)) {
    const { readSheet } = await import('read-excel-file/browser');
    return toEnrolRows(await readSheet(file));
  }
  return toEnrolRows(parseCsv(await file.text()));
}
