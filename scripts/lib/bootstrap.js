'use strict';
// Bootstrapping shared by `npm start` and `npm test`: dependencies installed, TypeScript built, each step
// timed. Plain Node.js with no dependencies, so it runs on a fresh clone before `npm ci`.

const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawn } = require('child_process');
const { PROJECT_ROOT, log } = require('./tools');
const { buildConsole } = require('../../apps/console/scripts/build');

function readJson(file) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

/** Runs a command with inherited output; resolves with its exit code. */
function run(cmd, args, opts = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: PROJECT_ROOT, stdio: 'inherit', ...opts });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve(code === null ? (signal === 'SIGINT' ? 130 : 1) : code));
  });
}

/** Times one bootstrap step and says how long it took. */
async function step(label, fn) {
  const started = Date.now();
  const result = await fn();
  log(`${label} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  return result;
}

/**
 * Why node_modules does not match package-lock.json, or undefined when it does. npm keeps a copy of what it
 * installed in node_modules/.package-lock.json: when that is at least as new as package-lock.json nothing
 * changed; when it is older (a pull, a checkout), the versions are compared before deciding to reinstall.
 */
function dependenciesOutOfDate() {
  const modules = path.join(PROJECT_ROOT, 'node_modules');
  if (!fs.existsSync(modules)) return 'node_modules is missing';
  const lockFile = path.join(PROJECT_ROOT, 'package-lock.json');
  const installedFile = path.join(modules, '.package-lock.json');
  if (!fs.existsSync(installedFile)) return 'node_modules was not installed by npm from package-lock.json';
  if (fs.statSync(installedFile).mtimeMs >= fs.statSync(lockFile).mtimeMs) return undefined;
  const lock = readJson(lockFile);
  const installed = readJson(installedFile);
  if (!lock || !installed) return 'package-lock.json or node_modules/.package-lock.json cannot be read';
  for (const [where, entry] of Object.entries(lock.packages || {})) {
    if (!where || entry.optional || entry.link) continue; // optional ones are platform binaries, maybe not installed
    const got = (installed.packages || {})[where];
    if (!got || got.version !== entry.version) return `${where.replace(/^node_modules\//, '')} ${entry.version} is not installed`;
  }
  return undefined;
}

/** `npm ci` when node_modules is missing or does not match package-lock.json (MASSLINE_SKIP_INSTALL=1: never). */
async function ensureDependencies() {
  const why = dependenciesOutOfDate();
  if (!why) return false;
  if (process.env.MASSLINE_SKIP_INSTALL === '1') {
    log(`dependencies look out of date (${why}), but MASSLINE_SKIP_INSTALL=1`);
    return false;
  }
  log(`installing dependencies with npm ci: ${why}`);
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const code = await run(npm, ['ci', '--no-audit', '--no-fund']);
  if (code !== 0) throw new Error(`npm ci failed (exit ${code})`);
  return true;
}

/** Newest modification time of the TypeScript sources that `npm run build` compiles. */
function newestSourceMtime() {
  let newest = 0;
  const visit = (dir) => {
    let entries;
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) {
        if (e.name !== 'node_modules') visit(full);
      } else if (e.name.endsWith('.ts') || e.name.endsWith('.json')) {
        newest = Math.max(newest, fs.statSync(full).mtimeMs);
      }
    }
  };
  for (const dir of ['apps', 'libs', 'workflows', 'activities']) visit(path.join(PROJECT_ROOT, dir));
  for (const file of ['tsconfig.json', 'tsconfig.build.json', 'package-lock.json']) {
    try {
      newest = Math.max(newest, fs.statSync(path.join(PROJECT_ROOT, file)).mtimeMs);
    } catch {
      /* absent */
    }
  }
  return newest;
}

/**
 * `npm run build` into dist/: the TypeScript (tsc, incremental), then the web console (dist/console), each
 * skipped when nothing it is made from changed since its last build.
 * `allowTypeErrors`: tsc still emits JavaScript on type errors; accept it (the caller type-checks separately).
 */
async function ensureBuild({ allowTypeErrors = false } = {}) {
  const server = await ensureServerBuild({ allowTypeErrors });
  const console = buildConsole();
  return server || console;
}

async function ensureServerBuild({ allowTypeErrors = false } = {}) {
  // Our own stamp, written only after a clean build: tsc updates its .tsbuildinfo even when the build failed.
  const stamp = path.join(PROJECT_ROOT, 'dist', '.massline-build-ok');
  const main = path.join(PROJECT_ROOT, 'dist', 'apps', 'cli', 'src', 'main.js');
  const builtAt = fs.existsSync(stamp) && fs.existsSync(main) ? fs.statSync(stamp).mtimeMs : 0;
  if (builtAt && builtAt >= newestSourceMtime()) return false;
  log('compiling TypeScript into dist/ (npm run build)');
  fs.rmSync(stamp, { force: true });
  const tsc = require.resolve('typescript/bin/tsc', { paths: [PROJECT_ROOT] });
  const started = Date.now();
  const code = await run(
    process.execPath,
    [tsc, '-p', 'tsconfig.build.json'],
    allowTypeErrors ? { stdio: ['ignore', 'ignore', 'inherit'] } : {},
  );
  // tsc exits 1 for bad options (nothing emitted), 2 for type errors (JavaScript emitted anyway).
  if (code === 2 && allowTypeErrors && fs.existsSync(main)) {
    log('the build has type errors (JavaScript emitted; the type check reports them)');
    return true;
  }
  if (code !== 0) throw new Error(`the build failed (tsc exit ${code}); fix the errors above`);
  fs.writeFileSync(stamp, `${new Date(started).toISOString()}\n`);
  // Sources saved while tsc ran are newer than the stamp's start time, so the next run builds again.
  fs.utimesSync(stamp, new Date(started), new Date(started));
  return true;
}

/** Prints a failure the way every bootstrap script does, and exits. */
function fail(e) {
  log(e && e.name === 'MissingPrerequisiteError' ? `missing prerequisite:\n${e.message}` : `${(e && e.message) || e}`);
  process.exit(1);
}

/**
 * The closing line of a jest run (its --json results): `tests: N passed, N failed, N skipped`, and the files that
 * failed outside their tests (a beforeAll or afterAll that threw or timed out fails the run with no test failed).
 */
function testSummary(results) {
  const skipped = results.numPendingTests + (results.numTodoTests || 0);
  const broken = (results.testResults || []).filter(
    (r) => r.status === 'failed' && !(r.assertionResults || []).some((a) => a.status === 'failed'),
  );
  const files = broken.length
    ? `, ${broken.length} ${broken.length === 1 ? 'file' : 'files'} failed outside its tests (${broken.map((r) => path.relative(PROJECT_ROOT, r.name)).join(', ')})`
    : '';
  return `tests: ${results.numPassedTests} passed, ${results.numFailedTests} failed, ${skipped} skipped${files}`;
}

/**
 * Runs jest (arguments as given) and exits with its code, after one plain closing line that any CI can read:
 * `tests: N passed, N failed, N skipped`. A run that executed no test is not a pass. Ctrl-C reaches jest
 * through the terminal; a plain SIGTERM to this script is passed on. `label` names the command in the last line.
 */
function runJestAndExit({ label, args, env = {}, started = Date.now() }) {
  const jest = require.resolve('jest/bin/jest', { paths: [PROJECT_ROOT] });
  const resultsFile = path.join(os.tmpdir(), `massline-jest-${process.pid}.json`);
  const child = spawn(process.execPath, [jest, '--json', `--outputFile=${resultsFile}`, ...args], {
    cwd: PROJECT_ROOT,
    stdio: 'inherit',
    env: { ...process.env, ...env },
  });
  process.on('SIGTERM', () => child.kill('SIGTERM'));
  process.on('SIGINT', () => undefined);
  child.on('close', (code, signal) => {
    const results = readJson(resultsFile);
    fs.rmSync(resultsFile, { force: true });
    if (results) process.stdout.write(`\n${testSummary(results)}\n`);
    log(`${label} finished in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    let exitCode = code === null ? (signal === 'SIGINT' ? 130 : 1) : code;
    if (exitCode === 0 && results && results.numTotalTests === 0) {
      log('no test was run');
      exitCode = 1;
    }
    process.exit(exitCode);
  });
}

module.exports = { ensureDependencies, ensureBuild, dependenciesOutOfDate, run, runJestAndExit, step, fail, testSummary };
