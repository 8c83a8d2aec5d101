// Workflows must stay deterministic and bundle-safe: workflows/ imports only the Temporal workflow SDK (and
// @temporalio/common for search-attribute keys and error classes), its own files, pure libs/domain, the
// contracts it shares with its callers (libs/contracts), and the activity interface as a type; libs/domain
// imports nothing outside itself. Dependencies point down: no lib imports workflows/, activities/ or apps/, and
// no lib's files import each other in a circle.
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

function tsFilesUnder(dir: string): string[] {
  return fs.readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((e) => {
    const rel = `${dir}/${e.name}`;
    if (e.isDirectory()) return e.name === 'node_modules' ? [] : tsFilesUnder(rel);
    return e.name.endsWith('.ts') ? [rel] : [];
  });
}

/** The file a relative import names (a module file, or a folder's index), relative to the root. */
function resolveImport(from: string, spec: string): string {
  const base = path.posix.normalize(path.posix.join(path.posix.dirname(from), spec));
  const found = [`${base}.ts`, `${base}/index.ts`].find((f) => fs.existsSync(path.join(root, f)));
  return found ?? base;
}

/** Files that reach themselves through their imports, one list per circle (strongly connected component). */
function cyclesOf(graph: Map<string, string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (v: string) => {
    index.set(v, index.size);
    low.set(v, index.get(v)!);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1) cycles.push(component.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return cycles;
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
      i.spec === '../libs/contracts/src' ||
      (i.typeOnly && i.spec === '../activities/types');
    expect(found.filter((i) => !allowed(i))).toEqual([]);
  });

  it('libs/domain imports nothing outside itself', () => {
    const found = importsOf('libs/domain/src');
    expect(found.length).toBeGreaterThan(5);
    expect(found.filter((i) => !/^\.\/[\w-]+$/.test(i.spec))).toEqual([]);
  });

  it('libs/contracts imports only the Temporal SDK, its own files and libs/domain', () => {
    const found = importsOf('libs/contracts/src');
    expect(found.length).toBeGreaterThan(3);
    const allowed = (i: { spec: string }) =>
      i.spec === '@temporalio/workflow' || i.spec === '@temporalio/common' || /^\.\/[\w-]+$/.test(i.spec) || i.spec === '../../domain/src';
    expect(found.filter((i) => !allowed(i))).toEqual([]);
  });

  it('no file under libs/ imports workflows/, activities/ or apps/, and none is part of an import cycle', () => {
    const graph = new Map<string, string[]>();
    for (const file of tsFilesUnder('libs')) {
      const targets = importsOf(path.dirname(file))
        .filter((i) => i.file === file && i.spec.startsWith('.'))
        .map((i) => resolveImport(file, i.spec));
      graph.set(file, targets);
    }
    expect(graph.size).toBeGreaterThan(50);
    const upward = [...graph].flatMap(([file, targets]) => targets.filter((t) => !t.startsWith('libs/')).map((t) => `${file} → ${t}`));
    expect(upward).toEqual([]);
    expect(cyclesOf(graph)).toEqual([]);
  });

  it('no workflow or domain file reads the environment or the wall clock timers of Node', () => {
    for (const dir of ['workflows', 'libs/domain/src']) {
      for (const name of fs.readdirSync(path.join(root, dir)).filter((n) => n.endsWith('.ts'))) {
        const text = fs.readFileSync(path.join(root, dir, name), 'utf8').replace(/^\s*\/\/.*$/gm, '');
        expect({
          file: `${dir}/${name}`,
          env: /process\.env/.test(text),
          timers: /\b(setTimeout|setInterval|setImmediate)\(/.test(text),
        }).toEqual({
          file: `${dir}/${name}`,
          env: false,
          timers: false,
        });
      }
    }
  });
});
