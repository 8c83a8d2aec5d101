// 参加单位名单 — the enrolment file's layout: one unit a row under a header row in English or Chinese. The
// console's enrolment and the simulator's CSV input read the same columns.

/** Each column and the header names that mean it (compared lower-cased, without spaces or underscores). */
export const ENROLMENT_FILE_HEADERS = {
  code: ['code', '代码', '单位代码', '编码'],
  name: ['name', '名称', '单位名称'],
  kind: ['kind', '类型', '单位类型'],
  level: ['level', '层级', '级别'],
  batch: ['batch', '批次'],
  parentCode: ['parentcode', 'parent', '上级代码', '上级单位代码'],
  group: ['group', 'groupid', '督导组'],
} as const satisfies Record<string, readonly string[]>;
export type EnrolmentColumn = keyof typeof ENROLMENT_FILE_HEADERS;
export const REQUIRED_ENROLMENT_COLUMNS = ['code', 'name', 'kind', 'level', 'group'] as const satisfies readonly EnrolmentColumn[];

/** A column's other names, for a message about it (`代码 / 单位代码 / 编码`). */
export const enrolmentColumnAliases = (column: EnrolmentColumn): string => ENROLMENT_FILE_HEADERS[column].slice(1).join(' / ');

/**
 * Where each column stands in the header row (-1 when absent), and the first required column that is missing
 * (undefined when none is).
 */
export function enrolmentColumns(header: readonly string[]): { index: Record<EnrolmentColumn, number>; missing?: EnrolmentColumn } {
  const names = header.map((h) => h.trim().toLowerCase().replace(/[\s_]/g, ''));
  const columns = Object.keys(ENROLMENT_FILE_HEADERS) as EnrolmentColumn[];
  const index = Object.fromEntries(
    columns.map((c) => [c, names.findIndex((h) => (ENROLMENT_FILE_HEADERS[c] as readonly string[]).includes(h))]),
  ) as Record<EnrolmentColumn, number>;
  return { index, missing: REQUIRED_ENROLMENT_COLUMNS.find((c) => index[c] < 0) };
}

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
