// One table words every refusal (apps/console/src/refusals.ts): every rule a check names in the sources — the
// domain's rules and gates, the API's access rules, input rules — has its wording there in both languages, with
// no rule id, UUID or ISO time in it; a rule the table lacks would reach a person as a code, so this fails.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ACCESS, GATES, RECORD_KINDS } from '../../libs/domain/src';
import { REFUSALS, wordRefusal, type Words } from '../../apps/console/src/refusals';

const ROOT = path.join(__dirname, '..', '..');
const SOURCES = ['libs/domain/src', 'apps/api/src', 'activities', 'workflows'];
/** Where a rule is named: the checks that refuse, and the places that set `rule` by hand. */
const NAMING = /(violation|refuse|forbid|ruleViolation|inPhase|notFinal|bySupervisor|invalidInput|error)\(|rule: '|hiddenBy: '/;
const RULE = /'([a-z]+(?:-[a-z]+)*(?:\.[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*)+)'/g;

function files(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'generated' ? [] : files(full);
    return /\.ts$/.test(e.name) && !/\.d\.ts$/.test(e.name) ? [full] : [];
  });
}

function rulesNamedInSources(): Set<string> {
  const rules = new Set<string>();
  for (const dir of SOURCES) {
    for (const file of files(path.join(ROOT, dir))) {
      // A call may span lines: join each statement's lines before looking.
      // (the first argument of invalidInput is the field it names, not a rule)
      const text = fs
        .readFileSync(file, 'utf8')
        .replace(/\n\s+/g, ' ')
        .replace(/invalidInput\(\s*'[^']*'/g, 'invalidInput(FIELD');
      for (const line of text.split('\n')) {
        if (!NAMING.test(line)) continue;
        // plan and plan-change field paths (`plan.calendar.workdays`, `change.calendar`) are fields, and the access table's actions are actions, not rules
        for (const m of line.matchAll(RULE))
          if (!/^(plan|change)\.(batches|calendar|disclosure|ladder|windowLadder)\b/.test(m[1]) && !(m[1] in ACCESS)) rules.add(m[1]);
      }
    }
  }
  for (const kind of RECORD_KINDS) rules.add(`record.${kind}.phase`);
  for (const gates of Object.values(GATES)) for (const g of gates) rules.add(g);
  return rules;
}

const words = (lang: 'zh' | 'en'): Words => ({
  lang,
  phase: (p) => `[${String(p)}]`,
  gate: (g) => `[${String(g)}]`,
  role: (r) => `[${String(r)}]`,
  itemStatus: (s) => `[${String(s)}]`,
  time: () => '2013-07-08 09:00',
});

describe('the wording of refusals', () => {
  const named = rulesNamedInSources();

  it('finds the rules the sources name (the scan itself works)', () => {
    for (const r of [
      'gate.P2.study-record',
      'transition.next-phase',
      'meeting.attendance-overlap',
      'actor.role',
      'idempotency-key.reused',
      'campaign.no-units',
      'input.after',
      'enrol.group-unknown',
    ]) {
      expect(named).toContain(r);
    }
    expect(named.size).toBeGreaterThan(60);
  });

  it('has a wording for every rule named in the sources', () => {
    const missing = [...named].filter((r) => !(r in REFUSALS)).sort();
    expect(missing).toEqual([]);
  });

  it('words each in Chinese without a rule id, a UUID, a Z time or a Latin sentence, and in English', () => {
    const params = {
      phase: 'P1',
      next: 'P2',
      to: 'P2',
      allowed: ['P2'],
      max: 3,
      field: 'items[0].deadline',
      other: 'startedAt',
      role: 'unit',
      status: 'open',
      leftAt: '2013-07-08T01:00:00Z',
      endedAt: '2013-07-08T01:00:00Z',
      deadline: '2013-07-08T01:00:00Z',
      latest: '2015-08-02T00:00:00+08:00',
      disclosureEndsAt: '2013-07-08T01:00:00Z',
      name: 'A',
      line: 1,
      batch: 2,
      parentCode: 'X-1',
      year: 2026,
    };
    for (const rule of Object.keys(REFUSALS)) {
      const zh = wordRefusal({ category: 'RULE_VIOLATION', rule, params }, words('zh'));
      const en = wordRefusal({ category: 'RULE_VIOLATION', rule, params }, words('en'));
      expect(zh).toMatch(/[\u4e00-\u9fff]/);
      expect(zh).not.toContain(rule);
      expect(zh).not.toMatch(/\d{4}-\d{2}-\d{2}T|[0-9a-f]{8}-[0-9a-f]{4}-/);
      // Latin letters in Chinese text: only the phase labels' placeholders, codes like X-1, or a name given.
      expect(zh.replace(/\[[^\]]*\]|X-1|\bA\b/g, '')).not.toMatch(/[A-Za-z]{3,}/);
      expect(en).not.toMatch(/[\u4e00-\u9fff]/);
      expect(en.length).toBeGreaterThan(3);
    }
  });

  it('words a rule it does not know by its category, never as the code', () => {
    const zh = wordRefusal({ category: 'NOT_FOUND', rule: 'some.rule-added-later', params: {} }, words('zh'));
    expect(zh).toContain('未找到');
    expect(zh).not.toContain('some.rule');
  });
});
