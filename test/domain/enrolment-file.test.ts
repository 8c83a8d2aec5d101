// The enrolment file's layout, as the console's import and the simulator's CSV input both read it.
import { enrolmentColumnAliases, enrolmentColumns, parseCsv } from '../../libs/domain/src';

describe('the enrolment file', () => {
  it('reads RFC 4180 CSV: quotes, doubled quotes, commas and line breaks inside quotes, CRLF, a BOM, blank lines', () => {
    const text = '\uFEFFcode,name\r\n"A-1","Office, ""East"""\r\n\r\nA-2,"two\nlines"\n';
    expect(parseCsv(text)).toEqual([
      ['code', 'name'],
      ['A-1', 'Office, "East"'],
      ['A-2', 'two\nlines'],
    ]);
  });

  it('finds each column by its English or Chinese header, in any order and case, spaces and underscores aside', () => {
    const { index, missing } = enrolmentColumns(['督导组', ' Parent_Code ', '单位名称', 'KIND', '层级', '代码']);
    expect(missing).toBeUndefined();
    expect(index).toEqual({ group: 0, parentCode: 1, name: 2, kind: 3, level: 4, code: 5, batch: -1 });
  });

  it('names the first required column that is missing, with its other names', () => {
    expect(enrolmentColumns(['code', 'name', 'kind', 'group']).missing).toBe('level');
    expect(enrolmentColumns(['code', 'name', 'kind', 'level', 'groupid']).missing).toBeUndefined();
    expect(enrolmentColumnAliases('level')).toBe('层级 / 级别');
  });
});
