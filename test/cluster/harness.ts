// `massline up --cluster` as a user runs it (the compiled CLI), for test/cluster: started on free ports in a data
// folder of its own, its processes found through the state file it keeps, its output collected, stopped by Ctrl-C
// (test/support/massline-up.ts, shared with test/faults).
import * as fs from 'fs';
import { startMasslineUp, type RunningMassline } from '../support/massline-up';

export { cliMain, root, table } from '../support/massline-up';

export interface ClusterPorts {
  api: number;
  frontend: number;
  history: number;
  matching: number;
  worker: number;
  ui: number;
  pg: number;
}

export interface RunningCluster extends Omit<RunningMassline, 'ports' | 'apiUrl'> {
  /** data/cluster under dataDir. */
  clusterDir: string;
  ports: ClusterPorts;
  apiUrl(i: number): string;
}

export async function startCluster(opts: {
  workers: number;
  apis: number;
  env?: Record<string, string>;
  timeoutMs?: number;
}): Promise<RunningCluster> {
  const up = await startMasslineUp({ ...opts, cluster: true });
  const p = up.ports;
  return {
    ...up,
    clusterDir: up.stateDir,
    ports: { api: p.api, frontend: p.temporal, history: p.history!, matching: p.matching!, worker: p.temporalWorker!, ui: p.ui, pg: p.pg },
    apiUrl: (i) => up.apiUrl(i),
  };
}

/** Resident memory of a process, and — for PostgreSQL — the proportional share of it and its backends. */
export function memoryOf(pid: number, withChildren = false): { rssMb: number; pssMb?: number; processes: number } {
  const kb = (file: string, field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(fs.readFileSync(file, 'utf8'))?.[1] ?? 0);
  const rssMb = kb(`/proc/${pid}/status`, 'VmRSS') / 1024;
  if (!withChildren) return { rssMb, processes: 1 };
  const pids = [pid];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const ppid = Number(/PPid:\s+(\d+)/.exec(fs.readFileSync(`/proc/${entry}/status`, 'utf8'))?.[1]);
      if (ppid === pid) pids.push(Number(entry));
    } catch {
      /* gone */
    }
  }
  let pss = 0;
  for (const p of pids) {
    try {
      pss += kb(`/proc/${p}/smaps_rollup`, 'Pss');
    } catch {
      /* gone */
    }
  }
  return { rssMb, pssMb: pss / 1024, processes: pids.length };
}
