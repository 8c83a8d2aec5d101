// `npm run bench:api`: p50/p99 latency of a read (GET /api/units/:id, a workflow query), a list read (the
// PostgreSQL projection) and a decision call (POST /api/units/:id/records, a Temporal Update with its
// validator) against the real API, worker, Temporal dev server and PostgreSQL on this machine.
// Load comes from autocannon in a child process, so it does not share the API's event loop.
// Uses TEMPORAL_ADDRESS / DATABASE_URL when set; otherwise starts a dev server and a PostgreSQL of its own.
// Options: BENCH_DURATION (seconds per scenario, default 10), BENCH_CONNECTIONS (default 10), BENCH_UNITS (20),
// BENCH_ONLY (run only the scenarios whose name contains it: read, list, decision).
import { fork } from 'node:child_process';
import { benchPlan, list, startBenchStack, text, type BenchStack } from './stack';

interface Scenario {
  name: string;
  requests: Array<{ method: string; path: string; headers: Record<string, string>; body?: string }>;
}
interface Measured {
  scenario: string;
  requests: number;
  perSecond: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  non2xx: number;
  errors: number;
}
/** The part of autocannon's result read here (the package ships no types). */
interface AutocannonResult {
  requests: { total: number; average: number };
  latency: { p50: number; p90: number; p99: number; max: number };
  non2xx: number;
  errors: number;
}

const seconds = Number(process.env.BENCH_DURATION ?? 10);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 10);
const unitCount = Number(process.env.BENCH_UNITS ?? 20);

/** Child process: run autocannon on one scenario and send the result back. */
async function loadGenerator(url: string, scenario: Scenario): Promise<void> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- autocannon ships no types; only the bench loads it
  const autocannon = require('autocannon') as (opts: object) => Promise<AutocannonResult>;
  const r = await autocannon({ url, connections, duration: seconds, requests: scenario.requests });
  const m: Measured = {
    scenario: scenario.name,
    requests: r.requests.total,
    perSecond: r.requests.average,
    p50: r.latency.p50,
    p90: r.latency.p90,
    p99: r.latency.p99,
    max: r.latency.max,
    non2xx: r.non2xx,
    errors: r.errors,
  };
  if (!process.send) throw new Error('the load generator runs as a child process with an IPC channel (--load)');
  process.send(m);
}

function measure(url: string, scenario: Scenario): Promise<Measured> {
  return new Promise((resolve, reject) => {
    const child = fork(__filename, ['--load'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    child.once('message', (m) => resolve(m as Measured));
    child.once('error', reject);
    child.once('exit', (code) => (code ? reject(new Error(`load generator exited with ${code}`)) : undefined));
    child.send({ url, scenario });
  });
}

const say = (s: string) => process.stdout.write(`${s}\n`);

/** A running campaign of `unitCount` units, each with its principal, all of them active; answers its id and the units. */
async function activeUnits({
  call,
  officeToken,
}: BenchStack): Promise<{ campaignId: string; units: Array<{ id: string; token: string }> }> {
  // Batch 1 opens now, phases of an hour (nothing escalates during the run).
  const campaignId = text(await call('POST', '/api/campaigns', officeToken, { name: 'bench', plan: benchPlan(3_600_000) }), 'id');
  const groupId = text(await call('POST', `/api/campaigns/${campaignId}/groups`, officeToken, { name: 'g' }), 'id');
  const enrolled = await call('POST', `/api/campaigns/${campaignId}/units`, officeToken, {
    units: Array.from({ length: unitCount }, (_, i) => ({
      code: `B${i}`,
      name: `unit ${i}`,
      kind: 'organ',
      level: 'municipal',
      groupId,
    })),
  });
  const units: Array<{ id: string; token: string }> = [];
  for (const r of list(enrolled, 'results')) {
    const id = text(r, 'id');
    units.push({
      id,
      token: text(await call('POST', '/api/principals', officeToken, { name: text(r, 'code'), role: 'unit', unitId: id }), 'token'),
    });
  }
  await call('POST', `/api/campaigns/${campaignId}/start`, officeToken);
  for (const u of units) {
    for (let i = 0; ; i++) {
      if (text(await call('GET', `/api/units/${u.id}`, officeToken), 'status') === 'active') break;
      if (i > 600) throw new Error(`unit ${u.id} did not start`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return { campaignId, units };
}

/** The three scenarios: a unit's read, a campaign's list, a unit's decision (each unit with its own token). */
function scenariosOf(officeToken: string, campaignId: string, units: Array<{ id: string; token: string }>): Scenario[] {
  const json = { 'content-type': 'application/json' };
  return [
    {
      name: 'read: GET /api/units/:id (workflow query)',
      requests: units.map((u) => ({ method: 'GET', path: `/api/units/${u.id}`, headers: { authorization: `Bearer ${officeToken}` } })),
    },
    {
      name: 'list: GET /api/campaigns/:id/units (projection)',
      requests: [
        { method: 'GET', path: `/api/campaigns/${campaignId}/units?pageSize=50`, headers: { authorization: `Bearer ${officeToken}` } },
      ],
    },
    {
      name: 'decision: POST /api/units/:id/records (workflow update)',
      requests: units.map((u) => ({
        method: 'POST',
        path: `/api/units/${u.id}/records`,
        headers: { ...json, authorization: `Bearer ${u.token}` },
        body: JSON.stringify({ kind: 'investigation', title: 'bench investigation' }),
      })),
    },
  ];
}

async function main(): Promise<void> {
  const stack = await startBenchStack('api');
  try {
    const { campaignId, units } = await activeUnits(stack);
    const scenarios = scenariosOf(stack.officeToken, campaignId, units);
    say(
      `massline API bench: ${connections} connections, ${seconds} s per scenario, ${unitCount} units (API, worker, Temporal dev server and PostgreSQL on this machine)`,
    );
    const results: Measured[] = [];
    const only = process.env.BENCH_ONLY; // e.g. "list": run the scenarios whose name contains it
    for (const s of scenarios.filter((x) => !only || x.name.includes(only))) {
      await measure(stack.url, { ...s, requests: s.requests.slice(0, 2) }); // warm-up
      const m = await measure(stack.url, s);
      results.push(m);
      say(
        `  ${m.scenario.padEnd(58)} p50 ${String(m.p50).padStart(4)} ms  p90 ${String(m.p90).padStart(4)} ms  p99 ${String(m.p99).padStart(4)} ms  ` +
          `${Math.round(m.perSecond)} req/s  (${m.requests} requests, ${m.non2xx} non-2xx, ${m.errors} errors)`,
      );
    }
    say(JSON.stringify({ connections, seconds, units: unitCount, results }));
    if (results.some((r) => r.non2xx > 0 || r.errors > 0)) process.exitCode = 1;
  } finally {
    await stack.stop();
  }
}

if (process.argv.includes('--load')) {
  process.once('message', (m: { url: string; scenario: Scenario }) => {
    loadGenerator(m.url, m.scenario).then(
      () => process.exit(0),
      (e: unknown) => {
        process.stderr.write(`${String(e)}\n`);
        process.exit(1);
      },
    );
  });
} else if (require.main === module) {
  main().catch((e: unknown) => {
    process.stderr.write(`bench failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  });
}
