#!/usr/bin/env node
'use strict';
// `npm run test:cluster`: the cluster test (test/cluster, opt-in: not part of `npm test`). Installs what is
// missing (dependencies, the Temporal server and its tools, built once into the cache), builds dist/, then runs
// jest with jest.cluster.config.js; arguments after `--` go to jest. MASSLINE_CLUSTER_REPORT=<file> writes the
// measurements (boot, phases, rung lateness, memory per process) to a file as well.

const path = require('path');
const { ensureTemporalServer, log } = require('./lib/tools');
const { ensureDependencies, ensureBuild, runJestAndExit, step, fail } = require('./lib/bootstrap');

async function main() {
  const started = Date.now();
  await step('dependencies ready', ensureDependencies);
  const tools = await step('Temporal server ready', ensureTemporalServer);
  log(`  ${tools.server}\n[massline]   ${tools.uiServer || `no Web UI server: ${tools.uiProblem}`}`);
  await step('build ready', () => ensureBuild());
  runJestAndExit({ label: 'npm run test:cluster', args: ['--config', 'jest.cluster.config.js', ...process.argv.slice(2)], started });
}

process.chdir(path.resolve(__dirname, '..'));
main().catch(fail);
