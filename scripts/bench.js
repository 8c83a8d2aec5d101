#!/usr/bin/env node
'use strict';
// `npm run bench <name>`: the benchmarks whose output goes into issue notes (never timed assertions in tests).
//   api     p50/p99 of a read, a list and a decision call through the real API (autocannon)
//   replay  replay throughput (histories/s, events/s) over 1,000 unit histories
//   volume  one unit holding 10,000 opinions, 2,000 records, 20 meetings and a 200-item task book; 10,000 units started
//   console the console's first-load JavaScript (gzipped) and time to interactive of the dashboard, 10,000 units
//   stuck   the stuck-run detector's full pass over N open runs at each describe rate (and for 100,000)
//   baseline massline beside a bare Temporal baseline on one dev server, A/B alternated: start, decisions (1 and 10
//           concurrent), history cost per decision, read-your-writes lag, reads, worker memory, replay; each with
//           the ratio and the machine's load
//   simulate  the full seed calendar simulated for 1,000 units (BENCH_UNITS=10000 …): time, CPU and peak memory
// Each bench starts its own Temporal dev server and PostgreSQL unless TEMPORAL_ADDRESS / DATABASE_URL are set.
const { spawnSync } = require('child_process');
const path = require('path');
const { ensureDependencies, ensureBuild } = require('./lib/bootstrap');

const root = path.resolve(__dirname, '..');
const benches = {
  api: { built: true, run: [path.join(root, 'dist', 'apps', 'api', 'bench', 'api-bench.js')] },
  replay: { built: false, run: [path.join(root, 'test', 'bench', 'run-ts.js'), 'replay'] },
  volume: { built: true, run: [path.join(root, 'dist', 'apps', 'api', 'bench', 'volume-bench.js')] },
  console: { built: true, run: [path.join(root, 'test', 'bench', 'run-ts.js'), 'console'] },
  stuck: { built: false, run: [path.join(root, 'test', 'bench', 'run-ts.js'), 'stuck-runs'] },
  baseline: { built: true, run: [path.join(root, 'dist', 'apps', 'api', 'bench', 'baseline-bench.js')] },
  simulate: { built: false, run: [path.join(root, 'test', 'bench', 'run-ts.js'), 'simulate'] },
};

async function main() {
  const name = process.argv[2];
  const bench = benches[name];
  if (!bench) {
    process.stderr.write(`usage: npm run bench <${Object.keys(benches).join('|')}>\n`);
    return 2;
  }
  await ensureDependencies();
  if (bench.built) await ensureBuild();
  const result = spawnSync(process.execPath, [...bench.run, ...process.argv.slice(3)], { cwd: root, stdio: 'inherit' });
  return result.status ?? 1;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`${(err && err.stack) || err}\n`);
    process.exit(1);
  },
);
