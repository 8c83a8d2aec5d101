// A child process of the baseline bench that runs autocannon on one set of requests and sends the result back,
// so that the load generator does not share an event loop with anything it measures.
import { fork } from 'node:child_process';

export interface LoadRequest {
  url: string;
  connections: number;
  seconds: number;
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

export function runLoad(request: LoadRequest): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = fork(__filename, ['--load'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    child.once('message', (m) => resolve(m as LoadResult));
    child.once('error', reject);
    child.once('exit', (code) => (code ? reject(new Error(`load generator exited with ${code}`)) : undefined));
    child.send(request);
  });
}

async function generate(r: LoadRequest): Promise<LoadResult> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const autocannon = require('autocannon') as (opts: object) => Promise<any>;
  const out = await autocannon({ url: r.url, connections: r.connections, duration: r.seconds, requests: r.requests });
  return {
    requests: out.requests.total,
    perSecond: out.requests.total / r.seconds,
    p50: out.latency.p50,
    p90: out.latency.p90,
    p99: out.latency.p99,
    non2xx: out.non2xx,
    errors: out.errors,
  };
}

if (require.main === module && process.argv.includes('--load')) {
  process.once('message', (m: LoadRequest) => {
    generate(m).then(
      (result) => process.send!(result, () => process.exit(0)),
      (e) => {
        process.stderr.write(`${String(e)}\n`);
        process.exit(1);
      },
    );
  });
}
