'use strict';
// Builds the web console into dist/console: the API's OpenAPI document is exported from the compiled API
// (no database, no workflow engine), the typed client's types are generated from it (openapi-typescript),
// the console is type-checked, then bundled by Vite. Part of `npm run build`, so `npm start` and `npm test`
// build it on a fresh clone; skipped when nothing it depends on changed since the last build.
//   node apps/console/scripts/build.js [--force]
// Plain Node.js: it runs from the bootstrap as well as from npm scripts.

const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');

const ROOT = path.resolve(__dirname, '..', '..', '..');
const CONSOLE = path.join(ROOT, 'apps', 'console');
const GENERATED = path.join(CONSOLE, 'src', 'api', 'generated');
const OUT = path.join(ROOT, 'dist', 'console');
const STAMP = path.join(OUT, '.massline-console-ok');
const OPENAPI_EXPORT = path.join(ROOT, 'dist', 'apps', 'api', 'src', 'console', 'openapi-export.js');

const log = (msg) => process.stderr.write(`[massline] ${msg}\n`);

/** Newest modification time of what the console is made from: its sources, the API's routes, the domain. */
function newestInputMtime() {
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
        if (e.name !== 'node_modules' && full !== GENERATED) visit(full);
      } else newest = Math.max(newest, fs.statSync(full).mtimeMs);
    }
  };
  for (const dir of [CONSOLE, path.join(ROOT, 'apps', 'api', 'src'), path.join(ROOT, 'libs', 'domain', 'src')]) visit(dir);
  for (const file of ['package-lock.json']) newest = Math.max(newest, fs.statSync(path.join(ROOT, file)).mtimeMs);
  return newest;
}

function consoleOutOfDate() {
  if (!fs.existsSync(STAMP) || !fs.existsSync(path.join(OUT, 'index.html'))) return 'dist/console is not built';
  return fs.statSync(STAMP).mtimeMs >= newestInputMtime() ? undefined : 'its sources changed';
}

function run(label, args) {
  const r = spawnSync(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) throw new Error(`console build: ${label} failed (exit ${r.status ?? r.signal})`);
}

/** A package's file by its place in the package (not through its exports map, which may rename it). */
const bin = (pkg, file) => path.join(path.dirname(require.resolve(`${pkg}/package.json`, { paths: [ROOT] })), file);

/** Builds the console; returns false when it was up to date (unless forced). */
function buildConsole({ force = false } = {}) {
  const why = force ? 'forced' : consoleOutOfDate();
  if (!why) return false;
  if (!fs.existsSync(OPENAPI_EXPORT)) throw new Error('console build: the API is not compiled yet (run tsc -p tsconfig.build.json first)');
  log(`building the web console into dist/console (${why})`);
  const started = Date.now();
  fs.rmSync(STAMP, { force: true });
  fs.mkdirSync(GENERATED, { recursive: true });
  const document = path.join(GENERATED, 'openapi.json');
  run('exporting the OpenAPI document', [OPENAPI_EXPORT, document]);
  run('generating the client types', [
    bin('openapi-typescript', 'bin/cli.js'),
    document,
    '--output',
    path.join(GENERATED, 'schema.d.ts'),
    '--silent',
  ]);
  run('type check', [bin('typescript', 'bin/tsc'), '-p', path.join(CONSOLE, 'tsconfig.json'), '--noEmit']);
  run('bundling', [bin('vite', 'bin/vite.js'), 'build', '--config', path.join(CONSOLE, 'vite.config.mts'), '--logLevel', 'warn']);
  fs.writeFileSync(STAMP, `${new Date(started).toISOString()}\n`);
  // Sources saved during the build are newer than its start: the next run builds again.
  fs.utimesSync(STAMP, new Date(started), new Date(started));
  log(`web console built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return true;
}

module.exports = { buildConsole, consoleOutOfDate, OUT };

if (require.main === module) {
  try {
    buildConsole({ force: process.argv.includes('--force') });
  } catch (e) {
    log(e.message);
    process.exit(1);
  }
}
