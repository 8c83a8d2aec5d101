// A child process of the baseline bench that sends GETs from `connections` loops over kept-alive connections for
// `seconds` and reports each one's latency to the microsecond (autocannon rounds to whole milliseconds, too coarse
// for a read of a few), so that the load generator shares an event loop with nothing it measures.
import { fork } from 'node:child_process';
import { Agent, request } from 'node:http';

export interface LoadRequest {
  url: string;
  connections: number;
  seconds: number;
  /** Taken round robin. */
  requests: Array<{ method: string; path: string; headers?: Record<string, string> }>;
}
export interface LoadResult {
  requests: number;
  perSecond: number;
  p50: number;
  p90: number;
  p99: number;
  non2xx: number;
  errors: number;
}

export function runLoad(load: LoadRequest): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = fork(__filename, ['--load'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    child.once('message', (m) => resolve(m as LoadResult));
    child.once('error', reject);
    child.once('exit', (code) => (code ? reject(new Error(`load generator exited with ${code}`)) : undefined));
    child.send(load);
  });
}

async function generate(load: LoadRequest): Promise<LoadResult> {
  const base = new URL(load.url);
  const agent = new Agent({ keepAlive: true, maxSockets: load.connections });
  const once = (r: LoadRequest['requests'][number]) =>
    new Promise<number>((resolve, reject) => {
      const req = request({ host: base.hostname, port: base.port, method: r.method, path: r.path, headers: r.headers, agent }, (res) => {
        res.on('data', () => undefined);
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end();
    });
  const latencies: number[] = [];
  let non2xx = 0;
  let errors = 0;
  let next = 0;
  const started = performance.now();
  const until = started + load.seconds * 1000;
  await Promise.all(
    Array.from({ length: load.connections }, async () => {
      while (performance.now() < until) {
        const r = load.requests[next++ % load.requests.length];
        const t0 = performance.now();
        try {
          const status = await once(r);
          latencies.push(performance.now() - t0);
          if (status < 200 || status >= 300) non2xx++;
        } catch {
          errors++;
        }
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const at = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? NaN;
  return { requests: latencies.length, perSecond: latencies.length / elapsed, p50: at(50), p90: at(90), p99: at(99), non2xx, errors };
}

/** Hands the result to the bench over the IPC channel it was forked with, then exits. */
function report(result: LoadResult): void {
  if (!process.send) throw new Error('the load generator has no IPC channel: the bench forks it (runLoad)');
  process.send(result, () => process.exit(0));
}

if (require.main === module && process.argv.includes('--load')) {
  process.once('message', (m: LoadRequest) => {
    generate(m)
      .then(report)
      .catch((e: unknown) => {
        process.stderr.write(`${String(e)}\n`);
        process.exit(1);
      });
  });
}
