#!/usr/bin/env node
'use strict';
// `npm run test:faults`: the full fault suite (test/faults/campaign.faults.ts; `npm test` runs a small version).
// Installs what is missing (dependencies, the Temporal CLI), builds dist/, then runs jest with
// jest.faults.config.js; arguments after `--` go to jest. MASSLINE_FAULTS_SEED replays a run's fault schedule;
// MASSLINE_FAULTS_REPORT=<file> writes its table to a file as well.

const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawn } = require('child_process');
const { ensureTemporalCli, log, PROJECT_ROOT } = require('./lib/tools');
const { ensureDependencies, ensureBuild, step, fail } = require('./lib/bootstrap');

async function main() {
  const started = Date.now();
  await step('dependencies ready', ensureDependencies);
  const cli = await step('Temporal CLI ready', ensureTemporalCli);
  log(`  ${cli}`);
  await step('build ready', () => ensureBuild());
  const jest = require.resolve('jest/bin/jest', { paths: [PROJECT_ROOT] });
  const resultsFile = path.join(os.tmpdir(), `massline-jest-faults-${process.pid}.json`);
  const child = spawn(process.execPath, [jest, '--config', 'jest.faults.config.js', '--json', `--outputFile=${resultsFile}`, ...process.argv.slice(2)], {
    cwd: PROJECT_ROOT,
    stdio: 'inherit',
    env: { ...process.env, TEMPORAL_CLI: process.env.TEMPORAL_CLI || cli },
  });
  process.on('SIGTERM', () => child.kill('SIGTERM'));
  process.on('SIGINT', () => undefined);
  child.on('close', (code, signal) => {
    let results;
    try {
      results = JSON.parse(fs.readFileSync(resultsFile, 'utf8'));
      fs.rmSync(resultsFile, { force: true });
    } catch {
      /* jest did not write it */
    }
    if (results) process.stdout.write(`\ntests: ${results.numPassedTests} passed, ${results.numFailedTests} failed, ${results.numPendingTests} skipped\n`);
    log(`npm run test:faults finished in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    let exitCode = code === null ? (signal === 'SIGINT' ? 130 : 1) : code;
    if (exitCode === 0 && results && results.numTotalTests === 0) exitCode = 1;
    process.exit(exitCode);
  });
}

process.chdir(path.resolve(__dirname, '..'));
main().catch(fail);
