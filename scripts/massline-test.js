#!/usr/bin/env node
'use strict';
// `npm test`: installs what is missing (dependencies, the Temporal CLI, the Java test server, Schemathesis), type-checks,
// then runs jest with the given arguments and exits with jest's code.
//   npm test                      everything
//   npm test -- test/infra        only matching test files (jest arguments pass through)
//   npm test -- --no-typecheck    skip the type check (it runs first, and fails fast)

const fs = require('fs');
const os = require('os');
const path = require('path');
const { ensureTemporalCli, ensureTestServer, log, PROJECT_ROOT } = require('./lib/tools');
const { ensureDependencies, ensureBuild, run, step, fail } = require('./lib/bootstrap');
const { ensureSchemathesis } = require('./lib/schemathesis');
const { ensureChromium } = require('./lib/browser');

/** One plain closing line that any CI can read, from jest's JSON results: `tests: N passed, N failed, N skipped`. */
function printSummary(resultsFile) {
  let results;
  try {
    results = JSON.parse(fs.readFileSync(resultsFile, 'utf8'));
  } catch {
    return undefined;
  } finally {
    fs.rmSync(resultsFile, { force: true });
  }
  const skipped = results.numPendingTests + (results.numTodoTests || 0);
  process.stdout.write(`\ntests: ${results.numPassedTests} passed, ${results.numFailedTests} failed, ${skipped} skipped\n`);
  return results;
}

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
  }

  // Tests that run the system as a user would (`massline up`) use the compiled apps.
  await step('build ready', () => ensureBuild({ allowTypeErrors: true }));

  const jest = require.resolve('jest/bin/jest', { paths: [PROJECT_ROOT] });
  const resultsFile = path.join(os.tmpdir(), `massline-jest-results-${process.pid}.json`);
  const child = require('child_process').spawn(process.execPath, [jest, '--json', `--outputFile=${resultsFile}`, ...jestArgs], {
    cwd: PROJECT_ROOT,
    stdio: 'inherit',
    env: { ...process.env, TEMPORAL_CLI: process.env.TEMPORAL_CLI || cli, CHROMIUM_PATH: process.env.CHROMIUM_PATH || chromium },
  });
  // Ctrl-C reaches jest through the terminal; a plain SIGTERM to this script is passed on.
  process.on('SIGTERM', () => child.kill('SIGTERM'));
  process.on('SIGINT', () => undefined);
  child.on('close', (code, signal) => {
    const results = printSummary(resultsFile);
    log(`npm test finished in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    let exitCode = code === null ? (signal === 'SIGINT' ? 130 : 1) : code;
    // A run that executed no test is not a pass.
    if (exitCode === 0 && results && results.numTotalTests === 0) {
      log('no test was run');
      exitCode = 1;
    }
    process.exit(exitCode);
  });
}

process.chdir(path.resolve(__dirname, '..'));
main().catch(fail);
