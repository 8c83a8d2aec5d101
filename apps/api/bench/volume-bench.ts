// `npm run bench volume`: a real campaign's volume against the real API, worker, Temporal dev server and
// PostgreSQL on this machine.
//   unit   one unit takes 10,000 public opinions of 5,000 characters, 2,000 records of the maximum length, 20
//          reconvened meetings with 100,000-character minutes and a 200-item task book, then keeps deciding:
//          p50 of its first and last decisions, history bytes per decision at the 1st and the last, the query's
//          p50, its runs (continued as new) and a replay of all of them.
//   units  10,000 units enrolled and started reach P1: the time, the worker still alive, the campaign
//          workflow's event count.
// Options: BENCH_PART (unit, units; default both), BENCH_OPINIONS (10000), BENCH_RECORDS (2000), BENCH_MEETINGS
// (20), BENCH_ITEMS (200), BENCH_UNITS (10000), BENCH_CONCURRENCY (8 requests in flight).
import { bundleWorkflows, fetchHistories, fetchJsonHistoryChain, replayHistories, type JsonHistory } from '../../../libs/audit/src';
import { campaignWorkflowId, LIMITS, TEXT_LIMITS, unitWorkflowId } from '../../../libs/domain/src';
import { unitStateQuery } from '../../../libs/contracts/src';
import { benchPlan, count, field, list, percentile, startBenchStack, text, type BenchStack } from './stack';

const int = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const OPINIONS = int('BENCH_OPINIONS', 10_000);
const RECORDS = int('BENCH_RECORDS', 2_000);
const MEETINGS = int('BENCH_MEETINGS', 20);
const ITEMS = int('BENCH_ITEMS', 200);
const UNITS = int('BENCH_UNITS', 10_000);
const CONCURRENCY = int('BENCH_CONCURRENCY', 8);
const PART = process.env.BENCH_PART ?? 'both';

const say = (s: string) => process.stdout.write(`${s}\n`);
const iso = (ms: number) => new Date(ms).toISOString();
/** A text of `n` characters in Chinese (three bytes each), different for every seed. */
const chinese = (n: number, seed: number) => {
  const base = `第${seed}条：群众路线教育实践活动，改进作风，密切联系群众，反对形式主义、官僚主义、享乐主义和奢靡之风。`;
  return base.repeat(Math.ceil(n / base.length)).slice(0, n);
};

/** Runs `count` calls, `CONCURRENCY` at a time, and returns each call's latency (ms) in call order. */
async function timed(count: number, call: (i: number) => Promise<unknown>): Promise<number[]> {
  const latencies = new Array<number>(count);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(CONCURRENCY, count) }, async () => {
      while (next < count) {
        const i = next++;
        const t0 = performance.now();
        await call(i);
        latencies[i] = performance.now() - t0;
      }
    }),
  );
  return latencies;
}

/** History bytes each decision cost: from its accepted update up to the next one, across every run in order, by event type. */
function bytesPerDecision(runs: Array<{ history: JsonHistory }>): Array<{ bytes: number; byType: Record<string, number> }> {
  const out: Array<{ bytes: number; byType: Record<string, number> }> = [];
  for (const { history } of runs) {
    for (const e of history.events) {
      const bytes = Buffer.byteLength(JSON.stringify(e), 'utf8');
      if (e.eventType === 'EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED') out.push({ bytes: 0, byType: {} });
      const last = out.at(-1);
      if (!last) continue;
      last.bytes += bytes;
      const type = e.eventType.replace('EVENT_TYPE_', '');
      last.byType[type] = (last.byType[type] ?? 0) + bytes;
    }
  }
  return out;
}

/** Mean bytes per decision of a stretch, by event type (the largest first). */
function breakdown(stretch: Array<{ byType: Record<string, number> }>): string {
  const sum: Record<string, number> = {};
  for (const d of stretch) for (const [t, b] of Object.entries(d.byType)) sum[t] = (sum[t] ?? 0) + b;
  return Object.entries(sum)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 6)
    .map(([t, b]) => `${t} ${Math.round(b / stretch.length)}`)
    .join(', ');
}
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
const ms = (x: number) => `${x.toFixed(1)} ms`;

/** The unit under load: its API path and the tokens of its unit and its supervisor. */
interface LoadedUnit {
  id: string;
  path: string;
  unitToken: string;
  supToken: string;
}

/** A started campaign of one unit in its own group, with a principal for the unit and one for its supervisor. */
async function enrolOneUnit({ call, officeToken }: BenchStack): Promise<LoadedUnit> {
  const campaignId = text(await call('POST', '/api/campaigns', officeToken, { name: 'volume', plan: benchPlan() }), 'id');
  const groupId = text(await call('POST', `/api/campaigns/${campaignId}/groups`, officeToken, { name: 'g' }), 'id');
  const enrolled = await call('POST', `/api/campaigns/${campaignId}/units`, officeToken, {
    units: [{ code: 'V-1', name: 'unit', kind: 'organ', level: 'municipal', groupId }],
  });
  const id = text(enrolled, 'results.0.id');
  const unitToken = text(await call('POST', '/api/principals', officeToken, { name: 'unit', role: 'unit', unitId: id }), 'token');
  const supToken = text(await call('POST', '/api/principals', officeToken, { name: 'sup', role: 'supervisor', groupId }), 'token');
  await call('POST', `/api/campaigns/${campaignId}/start`, officeToken);
  return { id, path: `/api/units/${id}`, unitToken, supToken };
}

/** The unit asks to move to `to` and its supervisor approves. */
async function advance({ call }: BenchStack, unit: LoadedUnit, to: 'P2' | 'P3', comment: string): Promise<void> {
  const transition = text(await call('POST', `${unit.path}/transitions`, unit.unitToken, { to }), 'id');
  await call('POST', `${unit.path}/transitions/${transition}/decision`, unit.supToken, { approve: true, comment });
}

/** P1: `RECORDS` records of the maximum length (the first the solicitation report), then on to P2. */
async function recordP1(stack: BenchStack, unit: LoadedUnit): Promise<void> {
  const { call } = stack;
  const records = await timed(RECORDS, (i) =>
    call('POST', `${unit.path}/records`, unit.unitToken, {
      kind: i === 0 ? 'solicitation-report' : 'study',
      title: `记录 ${i}`,
      body: chinese(TEXT_LIMITS.recordBody, 100_000 + i),
    }),
  );
  say(`  ${RECORDS} records of ${TEXT_LIMITS.recordBody} characters: p50 ${ms(percentile(records, 50))}`);
  await advance(stack, unit, 'P2', 'P1 done');
}

/**
 * Meetings: each held without full attendance (invalid, reconvened) but the last; one after another (a
 * supervisor is in one room at a time), all over before now.
 */
async function holdMeetings({ call }: BenchStack, unit: LoadedUnit): Promise<void> {
  const HOUR = 3_600_000;
  const base = Date.now() - (MEETINGS + 1) * 5 * HOUR;
  for (let k = 0; k < MEETINGS; k++) {
    const start = base + k * 5 * HOUR;
    const end = start + 3 * HOUR;
    const full = k === MEETINGS - 1;
    await call('POST', `${unit.path}/meeting`, unit.unitToken, { scheduledAt: iso(start), location: `room ${k}` });
    await call('POST', `${unit.path}/meeting/attendance`, unit.supToken, {
      arrivedAt: iso(full ? start - 600_000 : start + HOUR),
      leftAt: iso(end + 600_000),
    });
    await call('POST', `${unit.path}/meeting/held`, unit.unitToken, {
      startedAt: iso(start),
      endedAt: iso(end),
      minutes: chinese(TEXT_LIMITS.minutes, 200_000 + k),
    });
  }
}

/** P2's problems and comparison check, on to P3, and a task book of `ITEMS` items published; answers its item count. */
async function publishTaskBook(stack: BenchStack, unit: LoadedUnit): Promise<number> {
  const { call } = stack;
  const problems: string[] = [];
  for (let k = 0; k < 10; k++)
    problems.push(
      text(
        await call('POST', `${unit.path}/problems`, unit.unitToken, {
          title: `问题 ${k}`,
          description: chinese(2_000, 300_000 + k),
          source: 'masses',
          category: 'formalism',
        }),
        'id',
      ),
    );
  await call('POST', `${unit.path}/records`, unit.unitToken, { kind: 'comparison-check', title: 'comparison-check' });
  await advance(stack, unit, 'P3', 'P2 done');
  const items = Math.min(ITEMS, LIMITS.taskBookItems);
  await call('PUT', `${unit.path}/task-book`, unit.unitToken, {
    signedBy: 'Party secretary',
    items: Array.from({ length: items }, (_, k) => ({
      problemIds: problems,
      measure: chinese(LIMITS.titleChars, 400_000 + k),
      owner: `owner ${k}`,
      deadline: iso(Date.now() + 30 * 86_400_000),
    })),
  });
  await call('POST', `${unit.path}/task-book/publish`, unit.unitToken);
  return items;
}

/** Latencies (ms) of `n` calls made one at a time. */
async function sequential(n: number, fn: () => Promise<unknown>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await fn();
    out.push(performance.now() - t0);
  }
  return out;
}

/** Queries, one at a time: the workflow's compact view, and GET /api/units/:id (the view with its texts). */
async function measureReads({ call, officeToken, temporal }: BenchStack, unit: LoadedUnit) {
  const handle = temporal.workflow.getHandle(unitWorkflowId(unit.id));
  const queries = await sequential(100, () => handle.query(unitStateQuery));
  const gets = await sequential(100, () => call('GET', unit.path, officeToken));
  const view = await call('GET', unit.path, officeToken);
  const queryBytes = Buffer.byteLength(JSON.stringify(await handle.query(unitStateQuery)), 'utf8');
  return { queries, gets, view, queryBytes };
}

/** The unit's history, every run of it: bytes per decision, the size of each run, and a replay against the current code. */
async function measureHistory({ temporal }: BenchStack, unit: LoadedUnit) {
  const workflowId = unitWorkflowId(unit.id);
  const chain = await fetchJsonHistoryChain(temporal, workflowId);
  const decisionCosts = bytesPerDecision(chain);
  const runs = chain.map((r) => ({ events: r.history.events.length, bytes: Buffer.byteLength(JSON.stringify(r.history.events)) }));
  const replay = await replayHistories(
    fetchHistories(
      temporal,
      chain.map((r) => ({ workflowId, ...(r.runId ? { runId: r.runId } : {}) })),
    ),
    { bundle: await bundleWorkflows() },
  );
  say(`  bytes per decision by event type, first 200: ${breakdown(decisionCosts.slice(0, 200))}`);
  say(`  bytes per decision by event type, last 200: ${breakdown(decisionCosts.slice(-200))}`);
  return { costs: decisionCosts.map((d) => d.bytes), runs, replay };
}

/** The unit part's figures, from the decisions' latencies, the reads and the history. */
function unitSummary(
  started: number,
  decisions: { first: number[]; last: number[] },
  reads: Awaited<ReturnType<typeof measureReads>>,
  history: Awaited<ReturnType<typeof measureHistory>>,
) {
  const { costs, runs, replay } = history;
  const p50First = percentile(decisions.first, 50);
  const p50Last = percentile(decisions.last, 50);
  return {
    part: 'unit',
    wallSeconds: Math.round((Date.now() - started) / 1000),
    holds: field(reads.view, 'counts'),
    objections: field(reads.view, 'taskBook.objectionCounts'),
    items: field(reads.view, 'taskBook.items.length'),
    decisions: costs.length,
    firstDecisionsP50Ms: +p50First.toFixed(1),
    lastDecisionsP50Ms: +p50Last.toFixed(1),
    lastOverFirst: +(p50Last / p50First).toFixed(2),
    bytesPerDecision: {
      first: costs[0],
      tenThousandth: costs[Math.min(9_999, costs.length - 1)],
      last: costs.at(-1),
      meanFirst200: Math.round(mean(costs.slice(0, 200))),
      meanLast200: Math.round(mean(costs.slice(-200))),
    },
    queryBytes: reads.queryBytes,
    queryP50Ms: +percentile(reads.queries, 50).toFixed(1),
    queryP99Ms: +percentile(reads.queries, 99).toFixed(1),
    getUnitP50Ms: +percentile(reads.gets, 50).toFixed(1),
    runs: runs.length,
    largestRun: { events: Math.max(...runs.map((r) => r.events)), bytes: Math.max(...runs.map((r) => r.bytes)) },
    replay: { histories: runs.length, events: replay.events, failures: replay.failures.length },
  };
}

function sayUnitSummary(summary: ReturnType<typeof unitSummary>): void {
  say(`  decisions ${summary.decisions}: last p50 / first p50 = ${summary.lastOverFirst}`);
  say(
    `  history bytes per decision: 1st ${summary.bytesPerDecision.first}, 10,000th ${summary.bytesPerDecision.tenThousandth}, mean of the first 200 ${summary.bytesPerDecision.meanFirst200}, of the last 200 ${summary.bytesPerDecision.meanLast200}`,
  );
  say(
    `  query (${summary.queryBytes} bytes) p50 ${ms(summary.queryP50Ms)} (p99 ${ms(summary.queryP99Ms)}); GET /api/units/:id p50 ${ms(summary.getUnitP50Ms)}`,
  );
  say(
    `  ${summary.runs} runs (continued as new), the largest ${summary.largestRun.events} events / ${(summary.largestRun.bytes / 1024 / 1024).toFixed(2)} MB; replay: ${summary.replay.histories} histories, ${summary.replay.events} events, ${summary.replay.failures} failures`,
  );
  say(JSON.stringify(summary));
}

/** One unit through P1 to a published task book, its public opinions timed while it holds nothing and when it holds everything. */
async function oneUnit(stack: BenchStack) {
  const unit = await enrolOneUnit(stack);
  const opinion = (i: number) =>
    stack.call('POST', `${unit.path}/opinions`, undefined, { text: chinese(TEXT_LIMITS.opinion, i), contact: `citizen ${i}` });
  const started = Date.now();

  // The first decisions: opinions while the unit holds nothing yet.
  const firstCount = Math.min(500, Math.floor(OPINIONS / 2));
  const first = await timed(firstCount, (i) => opinion(i));
  say(`  ${firstCount} opinions: p50 ${ms(percentile(first, 50))}, p90 ${ms(percentile(first, 90))}`);

  await recordP1(stack, unit);
  await holdMeetings(stack, unit);
  const items = await publishTaskBook(stack, unit);
  say(`  ${MEETINGS} meetings with ${TEXT_LIMITS.minutes}-character minutes, ${items}-item task book published`);

  // The rest of the opinions, the unit holding everything; the last of them are the "last decisions".
  const rest = await timed(OPINIONS - firstCount, (i) => opinion(firstCount + i));
  const last = rest.slice(-firstCount);
  say(`  ${OPINIONS - firstCount} more opinions: last ${last.length} p50 ${ms(percentile(last, 50))}, p90 ${ms(percentile(last, 90))}`);

  const reads = await measureReads(stack, unit);
  const history = await measureHistory(stack, unit);
  const summary = unitSummary(started, { first, last }, reads, history);
  sayUnitSummary(summary);
  return summary;
}

/** Waits until the dashboard counts all `UNITS` units in P1, saying how many are every 15 s. */
async function untilAllInP1({ call, officeToken }: BenchStack, campaignId: string, since: number): Promise<void> {
  let lastSaid = 0;
  for (;;) {
    const inP1 = count(await call('GET', `/api/campaigns/${campaignId}/dashboard`, officeToken), 'byBatch.1.P1');
    if (inP1 >= UNITS) return;
    if (Date.now() - lastSaid > 15_000) {
      say(`    ${inP1} units in P1 after ${((Date.now() - since) / 1000).toFixed(0)} s`);
      lastSaid = Date.now();
    }
    await new Promise((r) => setTimeout(r, 1_000));
  }
}

async function manyUnits(stack: BenchStack) {
  const { call, officeToken } = stack;
  const campaignId = text(await call('POST', '/api/campaigns', officeToken, { name: 'ten thousand', plan: benchPlan() }), 'id');
  const groups: string[] = [];
  for (let g = 0; g < 50; g++)
    groups.push(text(await call('POST', `/api/campaigns/${campaignId}/groups`, officeToken, { name: `group ${g}` }), 'id'));
  const t0 = Date.now();
  const units = Array.from({ length: UNITS }, (_, i) => ({
    code: `HZ-${String(i).padStart(5, '0')}`,
    name: `unit ${i}`,
    kind: 'organ',
    level: 'municipal',
    groupId: groups[i % groups.length],
  }));
  const enrolled = await call('POST', `/api/campaigns/${campaignId}/units`, officeToken, { units });
  const enrolSeconds = (Date.now() - t0) / 1000;
  say(
    `  ${list(enrolled, 'results').filter((r) => field(r, 'status') === 'created').length} units enrolled in ${enrolSeconds.toFixed(1)} s`,
  );
  const t1 = Date.now();
  await call('POST', `/api/campaigns/${campaignId}/start`, officeToken);
  await untilAllInP1(stack, campaignId, t1);
  const startSeconds = (Date.now() - t1) / 1000;
  const campaignRuns = await fetchJsonHistoryChain(stack.temporal, campaignWorkflowId(campaignId));
  const campaignEvents = campaignRuns.reduce((n, r) => n + r.history.events.length, 0);
  const ready = await fetch(`${stack.url}/health/ready`);
  const summary = {
    part: 'units',
    units: UNITS,
    enrolSeconds: +enrolSeconds.toFixed(1),
    startToAllInP1Seconds: +startSeconds.toFixed(1),
    unitsPerSecond: +(UNITS / startSeconds).toFixed(1),
    campaignEvents,
    campaignRuns: campaignRuns.length,
    workerAlive: ready.status === 200,
  };
  say(
    `  all ${UNITS} units in P1 ${startSeconds.toFixed(1)} s after the start (${summary.unitsPerSecond} units/s); the campaign's history: ${campaignEvents} events in ${campaignRuns.length} run(s); ready: ${ready.status}`,
  );
  say(JSON.stringify(summary));
  return summary;
}

async function main(): Promise<void> {
  // The public channel's rate limit would hold 10,000 opinions from one address to an hour; lifted here.
  const stack = await startBenchStack('volume', { MASSLINE_PUBLIC_RATE_LIMIT: '1000000' });
  try {
    say(`massline volume bench (API, worker, Temporal dev server and PostgreSQL on this machine; ${CONCURRENCY} requests in flight)`);
    if (PART === 'both' || PART === 'unit') {
      say(
        `one unit: ${OPINIONS} opinions of ${TEXT_LIMITS.opinion} characters, ${RECORDS} records, ${MEETINGS} meetings, ${ITEMS}-item task book`,
      );
      await oneUnit(stack);
    }
    if (PART === 'both' || PART === 'units') {
      say(`${UNITS} units enrolled and started`);
      await manyUnits(stack);
    }
  } finally {
    await stack.stop();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`bench failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
