// Workflows must stay deterministic and bundle-safe: workflows/ imports only the Temporal workflow SDK (and
// @temporalio/common for search-attribute keys and error classes), its own files, pure libs/domain, and the
// activity interface as a type; libs/domain imports nothing outside itself.
import * as fs from 'node:fs';
import * as path from 'node:path';

const root = path.resolve(__dirname, '..', '..');

function importsOf(dir: string): Array<{ file: string; spec: string; typeOnly: boolean }> {
  const found: Array<{ file: string; spec: string; typeOnly: boolean }> = [];
  for (const name of fs.readdirSync(path.join(root, dir))) {
    if (!name.endsWith('.ts')) continue;
    const text = fs.readFileSync(path.join(root, dir, name), 'utf8');
    for (const m of text.matchAll(/^\s*import\s+(type\s+)?[^;]*?from\s+'([^']+)'/gms)) {
      found.push({ file: `${dir}/${name}`, spec: m[2], typeOnly: Boolean(m[1]) });
    }
    for (const m of text.matchAll(/\brequire\(\s*'([^']+)'\s*\)/g)) found.push({ file: `${dir}/${name}`, spec: m[1], typeOnly: false });
  }
  return found;
}

describe('workflow purity', () => {
  it('workflows/ imports only @temporalio/workflow, @temporalio/common, its own files, libs/domain, and activity types', () => {
    const found = importsOf('workflows');
    expect(found.length).toBeGreaterThan(10);
    const allowed = (i: { spec: string; typeOnly: boolean }) =>
      i.spec === '@temporalio/workflow' ||
      i.spec === '@temporalio/common' ||
      /^\.\/[\w-]+$/.test(i.spec) ||
      i.spec === '../libs/domain/src' ||
      (i.typeOnly && i.spec === '../activities/types');
    expect(found.filter((i) => !allowed(i))).toEqual([]);
  });

  it('libs/domain imports nothing outside itself', () => {
    const found = importsOf('libs/domain/src');
    expect(found.length).toBeGreaterThan(5);
    expect(found.filter((i) => !/^\.\/[\w-]+$/.test(i.spec))).toEqual([]);
  });

  it('no workflow or domain file reads the environment or the wall clock timers of Node', () => {
    for (const dir of ['workflows', 'libs/domain/src']) {
      for (const name of fs.readdirSync(path.join(root, dir)).filter((n) => n.endsWith('.ts'))) {
        const text = fs.readFileSync(path.join(root, dir, name), 'utf8').replace(/^\s*\/\/.*$/gm, '');
        expect({ file: `${dir}/${name}`, env: /process\.env/.test(text), timers: /\b(setTimeout|setInterval|setImmediate)\(/.test(text) }).toEqual({
          file: `${dir}/${name}`,
          env: false,
          timers: false,
        });
      }
    }
  });
});
