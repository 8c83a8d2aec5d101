// Workflows must stay deterministic and bundle-safe, and dependencies point down (apps → activities/workflows →
// libs). What each area may import, and that workflows and the domain read no environment and start no Node timer,
// are lint rules (eslint.config.mjs, run by npm test): here they are shown to refuse what they must. What a lint
// rule cannot see, a circle of imports among the libs' files, is checked here.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const root = path.resolve(__dirname, '..', '..');

/** Code linted as if it were an existing file (the type-aware rules need the file to be in the project). */
interface Sample {
  file: string;
  code: string;
}

/**
 * The restricting rules ESLint reports for each sample (`line:rule`), all linted by one ESLint process with the
 * project's own config (eslint.config.mjs): the type-aware set-up is paid once.
 */
function restrictedIn(samples: Sample[]): string[][] {
  const script = `
    const { ESLint } = require('eslint');
    const samples = JSON.parse(require('node:fs').readFileSync(0, 'utf8'));
    (async () => {
      const eslint = new ESLint({ cwd: ${JSON.stringify(root)} });
      const out = [];
      for (const s of samples) {
        const [r] = await eslint.lintText(s.code, { filePath: s.file });
        out.push(r.messages.filter((m) => /restricted/.test(m.ruleId ?? '')).map((m) => m.line + ':' + m.ruleId));
      }
      process.stdout.write(JSON.stringify(out));
    })();`;
  return JSON.parse(
    execFileSync(process.execPath, ['-e', script], { cwd: root, input: JSON.stringify(samples), encoding: 'utf8' }),
  ) as string[][];
}

function importsOf(dir: string): Array<{ file: string; spec: string }> {
  const found: Array<{ file: string; spec: string }> = [];
  for (const name of fs.readdirSync(path.join(root, dir))) {
    if (!name.endsWith('.ts')) continue;
    const text = fs.readFileSync(path.join(root, dir, name), 'utf8');
    for (const m of text.matchAll(/^\s*import\s+(type\s+)?[^;]*?from\s+'([^']+)'/gms)) found.push({ file: `${dir}/${name}`, spec: m[2] });
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

const line = (...parts: string[]) => parts.join('\n');

/** Each area given imports it may not make (and some it may), as one of its files. */
const SAMPLES = {
  workflow: {
    file: 'workflows/clock.ts',
    code: line(
      "import { Client } from '@temporalio/client';",
      "import { createActivities } from '../activities';",
      "import { newUnitState } from '../libs/domain/src/unit-rules';",
      "import { DEFAULT_ACTIVITY_RETRY } from '../activities/types';",
      "import type { DbActivities } from '../activities/types';",
      "import { condition } from '@temporalio/workflow';",
      "import { PLAN_VERSIONS } from '../libs/contracts/src';",
      'export const used = [Client, createActivities, newUnitState, DEFAULT_ACTIVITY_RETRY, condition, PLAN_VERSIONS];',
      'export type Used = DbActivities;',
      'export const env = process.env.X;',
      'export const timer = setTimeout;',
    ),
  },
  domain: {
    file: 'libs/domain/src/time.ts',
    code: line(
      "import { z } from 'zod';",
      "import { PLAN_VERSIONS } from '../../contracts/src';",
      "import { LIMITS } from './limits';",
      'export const used = [z, PLAN_VERSIONS, LIMITS, setInterval];',
    ),
  },
  contracts: {
    file: 'libs/contracts/src/patches.ts',
    code: line(
      "import { Client } from '@temporalio/client';",
      "import { PHASES } from '../../domain/src';",
      'export const used = [Client, PHASES];',
    ),
  },
  lib: {
    file: 'libs/audit/src/labels.ts',
    code: line(
      "import { unitLifecycleWorkflow } from '../../../workflows/unit';",
      "import { createActivities } from '../../../activities';",
      "import { loadConfig } from '../../config/src';",
      "import { createMasslineWorker } from '../../../apps/worker/src/worker';",
      'export const used = [unitLifecycleWorkflow, createActivities, loadConfig, createMasslineWorker];',
    ),
  },
  activity: {
    file: 'activities/index.ts',
    code: line(
      "import { unitLifecycleWorkflow } from '../workflows/unit';",
      "import { PHASES } from '../libs/domain/src';",
      'export const used = [unitLifecycleWorkflow, PHASES];',
    ),
  },
} satisfies Record<string, Sample>;

describe('import boundaries and purity (lint rules)', () => {
  let found: Record<keyof typeof SAMPLES, string[]>;
  beforeAll(() => {
    const keys = Object.keys(SAMPLES) as Array<keyof typeof SAMPLES>;
    const results = restrictedIn(keys.map((k) => SAMPLES[k]));
    found = Object.fromEntries(keys.map((k, i) => [k, results[i]])) as typeof found;
  }, 120_000); // one ESLint process with the project's type-aware set-up: seconds, more on a loaded machine
  const imports = '@typescript-eslint/no-restricted-imports';

  it('workflows/ imports only the workflow SDK, its own files, libs/domain, libs/contracts and the activities as types; no environment or Node timer', () => {
    expect(found.workflow).toEqual([
      `1:${imports}`,
      `2:${imports}`,
      `3:${imports}`,
      `4:${imports}`,
      '10:no-restricted-globals',
      '11:no-restricted-globals',
    ]);
  });

  it('libs/domain imports nothing outside itself; libs/contracts only the SDK and the domain', () => {
    expect(found.domain).toEqual([`1:${imports}`, `2:${imports}`, '4:no-restricted-globals']);
    expect(found.contracts).toEqual([`1:${imports}`]);
  });

  it('no lib imports workflows/, activities/ or apps/, and activities import no workflow or app', () => {
    expect(found.lib).toEqual([`1:${imports}`, `2:${imports}`, `4:${imports}`]);
    expect(found.activity).toEqual([`1:${imports}`]);
  });

  it('no file under libs/ is part of an import cycle', () => {
    const graph = new Map<string, string[]>();
    for (const file of tsFilesUnder('libs')) {
      const targets = importsOf(path.dirname(file))
        .filter((i) => i.file === file && i.spec.startsWith('.'))
        .map((i) => resolveImport(file, i.spec));
      graph.set(file, targets);
    }
    expect(graph.size).toBeGreaterThan(50);
    expect(cyclesOf(graph)).toEqual([]);
  });
});
