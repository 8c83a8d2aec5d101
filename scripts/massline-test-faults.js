#!/usr/bin/env node
'use strict';
// `npm run test:faults`: the full fault suite (test/faults/campaign.faults.ts; `npm test` runs a small version).
// Installs what is missing (dependencies, the Temporal CLI), builds dist/, then runs jest with
// jest.faults.config.js; arguments after `--` go to jest. MASSLINE_FAULTS_SEED replays a run's fault schedule;
// MASSLINE_FAULTS_REPORT=<file> writes its table to a file as well.

const path = require('path');
const { ensureTemporalCli, log } = require('./lib/tools');
const { ensureDependencies, ensureBuild, runJestAndExit, step, fail } = require('./lib/bootstrap');

async function main() {
  const started = Date.now();
  await step('dependencies ready', ensureDependencies);
  const cli = await step('Temporal CLI ready', ensureTemporalCli);
  log(`  ${cli}`);
  await step('build ready', () => ensureBuild());
  runJestAndExit({ label: 'npm run test:faults', args: ['--config', 'jest.faults.config.js', ...process.argv.slice(2)], started, env: { TEMPORAL_CLI: process.env.TEMPORAL_CLI || cli } });
}

process.chdir(path.resolve(__dirname, '..'));
main().catch(fail);
