#!/usr/bin/env node
'use strict';
// `npm start`: installs what is missing (dependencies, the Temporal CLI — or with `-- --cluster` the Temporal
// server —, the time-skipping test server that simulations run on), builds the TypeScript into dist/ (incremental), then runs `massline up`, which starts everything and
// stops it on Ctrl-C. Arguments after `npm start --` go to `massline up`.

const path = require('path');
const { spawn } = require('child_process');
const { ensureTemporalCli, ensureTemporalServer, ensureTestServer, log, MissingPrerequisiteError, PROJECT_ROOT } = require('./lib/tools');
const { ensureDependencies, ensureBuild, step, fail } = require('./lib/bootstrap');

async function main() {
  const started = Date.now();
  await step('dependencies ready', ensureDependencies);
  const env = { ...process.env };
  const cluster = process.argv.slice(2).includes('--cluster');
  // The cluster runs the Temporal server itself (built once into the cache); a Temporal given from outside needs
  // no CLI; otherwise the CLI's dev server.
  if (cluster) {
    const tools = await step('Temporal server ready', ensureTemporalServer);
    if (!tools.uiServer) log(`the Temporal Web UI server is not available: ${tools.uiProblem || 'it did not build'}`);
  } else if (!env.TEMPORAL_ADDRESS) env.TEMPORAL_CLI = await step('Temporal CLI ready', ensureTemporalCli);
  // Simulations (POST /api/simulations, massline simulate) run on Temporal's time-skipping test server (Java). Without
  // Java or Maven everything else still starts; a simulation then fails, saying what to install.
  try {
    await step('time-skipping test server ready (for simulations)', ensureTestServer);
  } catch (e) {
    if (!(e instanceof MissingPrerequisiteError)) throw e;
    log(`simulations are not available until this is installed:\n  ${e.message.replace(/\n/g, '\n  ')}`);
  }
  await step('build ready', ensureBuild);
  log(`bootstrap done in ${((Date.now() - started) / 1000).toFixed(1)} s; starting massline`);

  const child = spawn(
    process.execPath,
    [path.join(PROJECT_ROOT, 'dist', 'apps', 'cli', 'src', 'main.js'), 'up', ...process.argv.slice(2)],
    {
      cwd: PROJECT_ROOT,
      stdio: 'inherit',
      env,
    },
  );
  // Ctrl-C in a terminal reaches `massline up` directly (same process group); it stops everything in order.
  // A SIGTERM sent to this script alone is passed on.
  process.on('SIGINT', () => undefined);
  process.on('SIGTERM', () => child.kill('SIGTERM'));
  child.on('close', (code, signal) => process.exit(code === null ? (signal === 'SIGINT' ? 130 : 1) : code));
}

process.chdir(path.resolve(__dirname, '..'));
main().catch(fail);
