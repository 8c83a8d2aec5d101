#!/usr/bin/env node
'use strict';
// `npm test`: installs what is missing (dependencies, the Temporal CLI, the Java test server, Schemathesis), type-checks,
// then runs jest with the given arguments and exits with jest's code.
//   npm test                      everything
//   npm test -- test/infra        only matching test files (jest arguments pass through)
//   npm test -- --no-typecheck    skip the type, format and lint checks (they run first, and fail fast)

const path = require('path');
const { ensureTemporalCli, ensureTestServer, log, PROJECT_ROOT } = require('./lib/tools');
const { ensureDependencies, ensureBuild, run, runJestAndExit, step, fail } = require('./lib/bootstrap');
const { ensureSchemathesis } = require('./lib/schemathesis');
const { ensureChromium } = require('./lib/browser');

async function main() {
  const started = Date.now();
  const args = process.argv.slice(2);
  const typecheck = !args.includes('--no-typecheck');
  const jestArgs = args.filter((a) => a !== '--no-typecheck');

  await step('dependencies ready', ensureDependencies);
  const cli = await step('Temporal CLI ready', ensureTemporalCli);
  const testServer = await step('Java test server ready', ensureTestServer);
  const schemathesis = await step('Schemathesis ready', ensureSchemathesis);
  // The console's browser tests drive Debian's Chromium.
  const chromium = await step('Chromium ready', ensureChromium);
  log(`  ${cli}\n[massline]   ${testServer}\n[massline]   ${schemathesis}\n[massline]   ${chromium}`);

  if (typecheck) {
    const code = await step('type check done', () =>
      run(process.execPath, [require.resolve('typescript/bin/tsc', { paths: [PROJECT_ROOT] }), '-p', 'tsconfig.json', '--noEmit']),
    );
    if (code !== 0) {
      log('the type check failed: no tests were run (fix the errors above, or pass --no-typecheck)');
      process.exit(code);
    }
    const formatted = await step('format check done', () =>
      run(process.execPath, [
        require.resolve('prettier/bin/prettier.cjs', { paths: [PROJECT_ROOT] }),
        '--check',
        '--log-level',
        'warn',
        '.',
      ]),
    );
    if (formatted !== 0) {
      log('files above are not formatted: no tests were run (npm run format formats them)');
      process.exit(formatted);
    }
    const linted = await step('lint done', () =>
      // (eslint's package exports no bin path: resolved from its package.json)
      run(process.execPath, [
        path.join(path.dirname(require.resolve('eslint/package.json', { paths: [PROJECT_ROOT] })), 'bin', 'eslint.js'),
        '--max-warnings',
        '0',
        '.',
      ]),
    );
    if (linted !== 0) {
      log('the lint found the problems above: no tests were run');
      process.exit(linted);
    }
  }

  // Tests that run the system as a user would (`massline up`) use the compiled apps.
  await step('build ready', () => ensureBuild({ allowTypeErrors: true }));

  runJestAndExit({
    label: 'npm test',
    args: jestArgs,
    started,
    env: { TEMPORAL_CLI: process.env.TEMPORAL_CLI || cli, CHROMIUM_PATH: process.env.CHROMIUM_PATH || chromium },
  });
}

process.chdir(path.resolve(__dirname, '..'));
main().catch(fail);
