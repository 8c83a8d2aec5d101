'use strict';
// Schemathesis (PyPI), the contract fuzzer `npm test` runs against the API: installed once per user into a
// virtual environment in the tool cache (like the Temporal CLI and the Java test server in tools.js), pinned,
// guarded by the cache's lock and recorded by a stamp. Plain Node.js, no dependencies.
//
//   node scripts/lib/schemathesis.js     prepares it and prints the path of `st`

const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');
const { cacheDir, log, MissingPrerequisiteError, runWithProgress, which, withLock } = require('./tools');

const SCHEMATHESIS_VERSION = '4.32.5';
/** Bumped when the way the environment is made changes, so environments made the old way are made again. */
const RECIPE = 1;

function venvDir() {
  return path.join(cacheDir(), `schemathesis-${SCHEMATHESIS_VERSION}`);
}

function stBinary() {
  return path.join(venvDir(), 'bin', 'st');
}

/** A Python 3.9+ with venv: MASSLINE_PYTHON, then python3 on PATH. */
function findPython() {
  const candidates = [process.env.MASSLINE_PYTHON, which('python3'), which('python')].filter(Boolean);
  for (const py of candidates) {
    const r = spawnSync(py, ['-c', 'import sys, venv; print("%d.%d" % sys.version_info[:2])'], { encoding: 'utf8', timeout: 30_000 });
    if (r.status !== 0) continue;
    const [major, minor] = r.stdout.trim().split('.').map(Number);
    if (major === 3 && minor >= 9) return py;
  }
  return undefined;
}

function cached() {
  const stamp = (() => {
    try {
      return JSON.parse(fs.readFileSync(path.join(venvDir(), 'massline-stamp.json'), 'utf8'));
    } catch {
      return undefined;
    }
  })();
  if (!stamp || stamp.version !== SCHEMATHESIS_VERSION || stamp.recipe !== RECIPE) return undefined;
  return fs.existsSync(stBinary()) ? stBinary() : undefined;
}

/** Path of Schemathesis' `st`, installing it into the cache the first time (a minute, from PyPI). */
async function ensureSchemathesis() {
  const hit = cached();
  if (hit) return hit;
  return withLock(`schemathesis-${SCHEMATHESIS_VERSION}`, async () => {
    const again = cached();
    if (again) return again;
    const python = findPython();
    if (!python) {
      throw new MissingPrerequisiteError(
        'npm test runs Schemathesis, which needs Python 3.9+ with venv (e.g. apt-get install python3 python3-venv); or set MASSLINE_PYTHON',
      );
    }
    const dir = venvDir();
    fs.rmSync(dir, { recursive: true, force: true });
    log(`installing Schemathesis ${SCHEMATHESIS_VERSION} from PyPI into ${dir} (once per user)`);
    await runWithProgress(python, ['-m', 'venv', dir], { label: 'python -m venv' });
    const pip = path.join(dir, 'bin', 'pip');
    await runWithProgress(
      pip,
      ['install', '--disable-pip-version-check', '--no-input', '--quiet', `schemathesis==${SCHEMATHESIS_VERSION}`],
      {
        label: 'pip install schemathesis',
      },
    );
    const version = spawnSync(stBinary(), ['--version'], { encoding: 'utf8', timeout: 60_000 });
    if (version.status !== 0 || !version.stdout.includes(SCHEMATHESIS_VERSION)) {
      throw new Error(`Schemathesis did not install: ${version.stdout}${version.stderr}`);
    }
    fs.writeFileSync(
      path.join(dir, 'massline-stamp.json'),
      JSON.stringify({ version: SCHEMATHESIS_VERSION, recipe: RECIPE, python, preparedAt: new Date().toISOString() }, null, 2) + '\n',
    );
    return stBinary();
  });
}

module.exports = { SCHEMATHESIS_VERSION, ensureSchemathesis };

if (require.main === module) {
  ensureSchemathesis()
    .then((st) => process.stdout.write(`schemathesis: ${st}\n`))
    .catch((e) => {
      log(e.message);
      process.exit(1);
    });
}
