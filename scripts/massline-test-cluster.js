#!/usr/bin/env node
'use strict';
// `npm run test:cluster`: the cluster test (test/cluster, opt-in: not part of `npm test`). Installs what is
// missing (dependencies, the Temporal server and its tools, built once into the cache), builds dist/, then runs
// jest with jest.cluster.config.js; arguments after `--` go to jest. MASSLINE_CLUSTER_REPORT=<file> writes the
// measurements (boot, phases, rung lateness, memory per process) to a file as well.

const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawn } = require('child_process');
const { ensureTemporalServer, log, PROJECT_ROOT } = require('./lib/tools');
const { ensureDependencies, ensureBuild, step, fail } = require('./lib/bootstrap');

async function main() {
  const started = Date.now();
  await step('dependencies ready', ensureDependencies);
  const tools = await step('Temporal server ready', ensureTemporalServer);
  log(`  ${tools.server}\n[massline]   ${tools.uiServer || `no Web UI server: ${tools.uiProblem}`}`);
  await step('build ready', () => ensureBuild());
  const jest = require.resolve('jest/bin/jest', { paths: [PROJECT_ROOT] });
  const resultsFile = path.join(os.tmpdir(), `massline-jest-cluster-${process.pid}.json`);
  const child = spawn(process.execPath, [jest, '--config', 'jest.cluster.config.js', '--json', `--outputFile=${resultsFile}`, ...process.argv.slice(2)], {
    cwd: PROJECT_ROOT,
    stdio: 'inherit',
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
    log(`npm run test:cluster finished in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    let exitCode = code === null ? (signal === 'SIGINT' ? 130 : 1) : code;
    if (exitCode === 0 && results && results.numTotalTests === 0) exitCode = 1;
    process.exit(exitCode);
  });
}

process.chdir(path.resolve(__dirname, '..'));
main().catch(fail);
