#!/usr/bin/env node
'use strict';
// `npm test`: installs what is missing (dependencies, the Temporal CLI, the Java test server), type-checks,
// then runs jest with the given arguments and exits with jest's code.
//   npm test                      everything
//   npm test -- test/infra        only matching test files (jest arguments pass through)
//   npm test -- --no-typecheck    skip the type check (it runs first, and fails fast)

const path = require('path');
const { ensureTemporalCli, ensureTestServer, log, PROJECT_ROOT } = require('./lib/tools');
const { ensureDependencies, run, step, fail } = require('./lib/bootstrap');

async function main() {
  const started = Date.now();
  const args = process.argv.slice(2);
  const typecheck = !args.includes('--no-typecheck');
  const jestArgs = args.filter((a) => a !== '--no-typecheck');

  await step('dependencies ready', ensureDependencies);
  const cli = await step('Temporal CLI ready', ensureTemporalCli);
  const testServer = await step('Java test server ready', ensureTestServer);
  log(`  ${cli}\n[massline]   ${testServer}`);

  if (typecheck) {
    const code = await step('type check done', () =>
      run(process.execPath, [require.resolve('typescript/bin/tsc', { paths: [PROJECT_ROOT] }), '-p', 'tsconfig.json', '--noEmit']),
    );
    if (code !== 0) {
      log('the type check failed: no tests were run (fix the errors above, or pass --no-typecheck)');
      process.exit(code);
    }
  }

  const jest = require.resolve('jest/bin/jest', { paths: [PROJECT_ROOT] });
  const child = require('child_process').spawn(process.execPath, [jest, ...jestArgs], {
    cwd: PROJECT_ROOT,
    stdio: 'inherit',
    env: { ...process.env, TEMPORAL_CLI: process.env.TEMPORAL_CLI || cli },
  });
  // Ctrl-C reaches jest through the terminal; a plain SIGTERM to this script is passed on.
  process.on('SIGTERM', () => child.kill('SIGTERM'));
  process.on('SIGINT', () => undefined);
  child.on('close', (code, signal) => {
    log(`npm test finished in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    process.exit(code === null ? (signal === 'SIGINT' ? 130 : 1) : code);
  });
}

process.chdir(path.resolve(__dirname, '..'));
main().catch(fail);
