#!/usr/bin/env node
'use strict';
// `npm run test:faults`: the full fault suite (test/faults/campaign.faults.ts; `npm test` runs a small version).
// Installs what is missing (dependencies, the Temporal CLI), builds dist/, then runs jest with
// jest.faults.config.js; arguments after `--` go to jest. MASSLINE_FAULTS_SEED replays a run's fault schedule;
// MASSLINE_FAULTS_REPORT=<file> writes its table to a file as well. `--diagnostic-queries` (or
// MASSLINE_FAULTS_DIAGNOSTIC_QUERIES=1) runs the suite with workflow queries on random units and items all along,
// counting the divergences they lead to rather than failing on them.

const path = require('path');
const { ensureTemporalCli, log } = require('./lib/tools');
const { ensureDependencies, ensureBuild, runJestAndExit, step, fail } = require('./lib/bootstrap');

async function main() {
  const started = Date.now();
  await step('dependencies ready', ensureDependencies);
  const cli = await step('Temporal CLI ready', ensureTemporalCli);
  log(`  ${cli}`);
  await step('build ready', () => ensureBuild());
  const args = process.argv.slice(2);
  const diagnostic = args.includes('--diagnostic-queries') || process.env.MASSLINE_FAULTS_DIAGNOSTIC_QUERIES === '1';
  runJestAndExit({
    label: `npm run test:faults${diagnostic ? ' --diagnostic-queries' : ''}`,
    args: ['--config', 'jest.faults.config.js', ...args.filter((a) => a !== '--diagnostic-queries')],
    started,
    env: { TEMPORAL_CLI: process.env.TEMPORAL_CLI || cli, MASSLINE_FAULTS_DIAGNOSTIC_QUERIES: diagnostic ? '1' : '0' },
  });
}

process.chdir(path.resolve(__dirname, '..'));
main().catch(fail);
