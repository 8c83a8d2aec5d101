// Reading an enrolment file (CSV or Excel .xlsx): one unit a row, headers in English or Chinese, kinds and
// levels by their codes or their Chinese names, the supervisory group by its name (or id).
import { UNIT_KINDS, UNIT_LEVELS, type UnitKind, type UnitLevel } from '../../../../../libs/domain/src';
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

const HEADERS: Record<keyof Omit<EnrolRow, 'line'>, string[]> = {
  code: ['code', '代码', '单位代码', '编码'],
  name: ['name', '名称', '单位名称'],
  kind: ['kind', '类型', '单位类型'],
  level: ['level', '层级', '级别'],
  batch: ['batch', '批次'],
  parentCode: ['parentcode', 'parent', '上级代码', '上级单位代码'],
  group: ['group', 'groupid', '督导组'],
};

/** RFC 4180 CSV: quoted fields, doubled quotes, commas and newlines inside quotes; a BOM is dropped. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  const s = text.replace(/^\uFEFF/, '');
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (quoted) {
      if (c === '"' && s[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"' && field === '') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && s[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (field !== '' || row.length) {
    row.push(field);
    rows.push(row);
  }
  return rows.filter((r) => r.some((f) => f.trim() !== ''));
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
  const header = table[0].map((h) => cellText(h).trim().toLowerCase().replace(/[\s_]/g, ''));
  const col = (key: keyof typeof HEADERS) => header.findIndex((h) => HEADERS[key].includes(h));
  const idx = Object.fromEntries((Object.keys(HEADERS) as Array<keyof typeof HEADERS>).map((k) => [k, col(k)])) as Record<
    keyof typeof HEADERS,
    number
  >;
  for (const required of ['code', 'name', 'kind', 'level', 'group'] as const) {
    if (idx[required] < 0) {
      throw Object.assign(new Error(`column "${required}" (${HEADERS[required].slice(1).join(' / ')}) is missing`), {
        column: `${required}（${HEADERS[required].slice(1).join(' / ')}）`,
      });
    }
  }
  return table.slice(1).map((cells, i) => {
    const cell = (k: keyof typeof HEADERS) => (idx[k] >= 0 ? cellText(cells[idx[k]]).trim() : '');
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
