// npm run bench simulate: the full default calendar (both batches, 389 days) simulated for BENCH_UNITS units
// (default 1,000), with the wall time of each stage, the CPU time and peak memory of every process involved (this
// one: the driver, the worker and its activities; the Java test server; the scratch PostgreSQL). BENCH_CONCURRENCY
// (agenda steps in flight, default 32), BENCH_CACHE (workflows cached, default the simulator's limit) and
// BENCH_TRACING=1|0 (the worker's tracing interceptors bundled or not; default: when the cache may evict) vary the run.
import * as fs from 'node:fs';
import { execFileSync } from 'node:child_process';
import { defaultPlan } from '../../libs/domain/src';
import { DEFAULT_PROFILE, defaultGroupCount, seedMixUnits } from '../../libs/simulation/src';
import { runSimulation } from '../../apps/cli/src/simulate/engine';

const TICK = 100; // clock ticks a second (Linux)

/** Every process below this one, sampled each second: CPU seconds and peak resident memory, by command. */
function sampleDescendants() {
  const seen = new Map<number, { cmd: string; cpu: number; peakRss: number }>();
  const children = (pid: number): number[] => {
    // Children of every thread (the Temporal core starts the test server from one of its own).
    try {
      return fs.readdirSync(`/proc/${pid}/task`).flatMap((tid) => {
        try {
          return fs.readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
        } catch {
          return [];
        }
      });
    } catch {
      return [];
    }
  };
  const sample = () => {
    const stack = [process.pid];
    while (stack.length) {
      const pid = stack.pop()!;
      try {
        const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        const cpu = (Number(fields[11]) + Number(fields[12])) / TICK;
        const rss = Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) * 1024;
        const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
        const name = cmd.some((c) => c.includes('java'))
          ? 'java test server'
          : cmd.some((c) => c.endsWith('postgres') || c.startsWith('postgres:'))
            ? 'postgres'
            : pid === process.pid
              ? 'node (driver, worker, activities)'
              : (cmd[0]?.split('/').pop() ?? String(pid));
        const prev = seen.get(pid) ?? { cmd: name, cpu: 0, peakRss: 0 };
        // (the name of the last sample: a launcher script becomes the JVM it execs)
        seen.set(pid, { cmd: name, cpu: Math.max(prev.cpu, cpu), peakRss: Math.max(prev.peakRss, rss) });
      } catch {
        // gone
      }
      stack.push(...children(pid));
    }
  };
  const timer = setInterval(sample, 1000);
  sample();
  // BENCH_JFR=<file>: the test server records a Java Flight Recording (profile settings), dumped every 10 s.
  const jfr = process.env.BENCH_JFR;
  const dump = () => {
    for (const [pid, p] of seen) {
      if (p.cmd !== 'java test server') continue;
      try {
        execFileSync('jcmd', [String(pid), 'JFR.dump', 'name=sim', `filename=${jfr}`], { stdio: 'ignore' });
      } catch {
        // gone
      }
    }
  };
  const jfrTimer = jfr ? setInterval(dump, 10_000) : undefined;
  return {
    dump,
    stop() {
      clearInterval(timer);
      if (jfrTimer) clearInterval(jfrTimer);
      sample();
      const byCmd = new Map<string, { cpu: number; peakRss: number }>();
      for (const p of seen.values()) {
        const a = byCmd.get(p.cmd) ?? { cpu: 0, peakRss: 0 };
        // Peak memory of a kind of process: the sum of each one's peak (PostgreSQL runs several).
        byCmd.set(p.cmd, { cpu: a.cpu + p.cpu, peakRss: a.peakRss + p.peakRss });
      }
      return [...byCmd].map(([cmd, v]) => ({
        process: cmd,
        cpuSeconds: Number(v.cpu.toFixed(1)),
        peakRssMiB: Math.round(v.peakRss / 1048576),
      }));
    },
  };
}

export async function main() {
  const count = Number(process.env.BENCH_UNITS ?? 1000);
  const { units, groups } = seedMixUnits(count, defaultGroupCount(count));
  const plan = defaultPlan('2013-07-08T00:00:00+08:00');
  const started = Date.now();
  const load = fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  if (process.env.BENCH_JFR)
    process.env.JAVA_TOOL_OPTIONS = `${process.env.JAVA_TOOL_OPTIONS ?? ''} -XX:StartFlightRecording=name=sim,settings=profile`.trim();
  const processes = sampleDescendants();
  const { report, stats } = await runSimulation(
    { name: 'bench', plan, units, groups, profile: DEFAULT_PROFILE, seed: process.env.BENCH_SEED ?? 'bench' },
    {
      onProgress: (p) => {
        if (p.stage === 'reporting' && process.env.BENCH_JFR) processes.dump();
        process.stderr.write(
          `\r${p.stage} ${p.note ?? ''} ${p.at?.slice(0, 10) ?? ''} ${p.actionsDone}/${p.actionsTotal} ${((Date.now() - started) / 1000).toFixed(0)} s   `,
        );
      },
      log: (l) => process.stderr.write(`${l}\n`),
      ...(process.env.BENCH_TEST_SERVER ? { testServer: process.env.BENCH_TEST_SERVER } : {}),
      ...(process.env.BENCH_CONCURRENCY ? { concurrency: Number(process.env.BENCH_CONCURRENCY) } : {}),
      ...(process.env.BENCH_CACHE ? { cacheLimit: Number(process.env.BENCH_CACHE) } : {}),
      ...(process.env.BENCH_TRACING ? { tracing: process.env.BENCH_TRACING === '1' } : {}),
    },
  );
  const usage = processes.stop();
  process.stderr.write('\n');
  const loadAfter = fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  console.log(
    JSON.stringify(
      {
        units: count,
        wallSeconds: Math.round((Date.now() - started) / 100) / 10,
        loadBefore: load,
        loadAfter,
        stats,
        processes: usage,
        totals: report.totals,
      },
      null,
      2,
    ),
  );
}
