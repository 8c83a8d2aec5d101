// Replay throughput: how fast the current workflow code replays 1,000 unit histories (histories/s, events/s).
//
// By default the histories are copies, under 1,000 distinct workflow ids, of the unit histories recorded from
// real runs in test/fixtures/histories/ (the full lifecycle: P1 → DONE with every detour) — replay cost does
// not depend on the id, and no server is needed. With BENCH_CAMPAIGN (and TEMPORAL_ADDRESS) set, it replays
// that campaign's live histories instead, fetched from the server (listing, fetch and replay all timed).
//
// Run: node test/bench/run-ts.js replay   (or through `npm run bench`, which dispatches here)
// Options: BENCH_HISTORIES (default 1000), BENCH_SOURCE=full|units (which recorded unit histories to copy:
// the full lifecycle only, or every recorded unit history in turn; default full), BENCH_CONCURRENCY (replay
// workers side by side, default 1), BENCH_CAMPAIGN.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import {
  bundleWorkflows,
  currentWorkflowsPath,
  historyFromCliJson,
  replayHistories,
  replaySelection,
  type ReplayItem,
} from '../../libs/audit/src';
import { loadConfig } from '../../libs/config/src';
import { connectTemporal } from '../../libs/temporal/src';
import type { Json } from '../support/json';

const FIXTURES = path.resolve(__dirname, '../fixtures/histories');
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 1);

interface Result {
  source: string;
  histories: number;
  events: number;
  failures: number;
  bundleMs: number;
  replayMs: number;
  historiesPerSecond: number;
  eventsPerSecond: number;
}

function recordedUnitHistories(source: string): Array<{ file: string; json: { events: Array<Record<string, Json>> } }> {
  const files = fs
    .readdirSync(FIXTURES)
    .filter((f) => f.endsWith('.json'))
    .sort();
  const units = files
    .map((file) => ({ file, json: JSON.parse(fs.readFileSync(path.join(FIXTURES, file), 'utf8')) }))
    .filter((h) => h.json.events[0]?.workflowExecutionStartedEventAttributes?.workflowType?.name === 'unitLifecycleWorkflow');
  const picked = source === 'units' ? units : units.filter((h) => h.file.includes('full-lifecycle'));
  if (!picked.length) throw new Error(`no recorded unit histories (${source}) in ${FIXTURES}`);
  return picked;
}

/** `count` histories with distinct workflow ids, copied round-robin from the recorded ones. */
function* replicas(count: number, source: string): Generator<ReplayItem> {
  const recorded = recordedUnitHistories(source);
  for (let i = 0; i < count; i++) {
    const { json } = recorded[i % recorded.length];
    const copy = structuredClone(json);
    const workflowId = `massline-unit-bench-${String(i).padStart(5, '0')}`;
    copy.events[0].workflowExecutionStartedEventAttributes.workflowId = workflowId;
    yield { workflowId, history: historyFromCliJson(copy) };
  }
}

async function replicated(count: number, source: string): Promise<Result> {
  const t0 = Date.now();
  const bundle = await bundleWorkflows(currentWorkflowsPath());
  const bundleMs = Date.now() - t0;
  const items = [...replicas(count, source)]; // decoded up front: only the replay is timed
  const t1 = Date.now();
  const r = await replayHistories(items, { bundle, concurrency });
  const replayMs = Date.now() - t1;
  return summarise(
    `${count} copies of recorded unit histories (${source}), ${concurrency} replay worker(s)`,
    r.replayed,
    r.events,
    r.failures.length,
    bundleMs,
    replayMs,
  );
}

async function live(campaignId: string): Promise<Result> {
  const config = loadConfig();
  const temporal = await connectTemporal(config);
  try {
    const t0 = Date.now();
    const bundle = await bundleWorkflows(currentWorkflowsPath());
    const bundleMs = Date.now() - t0;
    const t1 = Date.now();
    const r = await replaySelection({ client: temporal.client, selection: { campaignId }, bundle, concurrency });
    return summarise(
      `campaign ${campaignId} fetched from ${config.temporal.address}`,
      r.replayed,
      r.events,
      r.failures.length,
      bundleMs,
      Date.now() - t1,
    );
  } finally {
    await temporal.connection.close();
  }
}

function summarise(source: string, histories: number, events: number, failures: number, bundleMs: number, replayMs: number): Result {
  const s = replayMs / 1000;
  return {
    source,
    histories,
    events,
    failures,
    bundleMs,
    replayMs,
    historiesPerSecond: +(histories / s).toFixed(1),
    eventsPerSecond: Math.round(events / s),
  };
}

/** Entry point (`node test/bench/run-ts.js replay`). */
export async function main(): Promise<void> {
  Runtime.install({
    logger: new DefaultLogger('ERROR'),
    telemetryOptions: { logging: { filter: { core: 'ERROR', other: 'ERROR' }, forward: {} } },
  });
  const campaign = process.env.BENCH_CAMPAIGN;
  const result = campaign
    ? await live(campaign)
    : await replicated(Number(process.env.BENCH_HISTORIES ?? 1000), process.env.BENCH_SOURCE ?? 'full');
  process.stdout.write(
    `replay: ${result.histories} histories, ${result.events} events in ${(result.replayMs / 1000).toFixed(1)} s ` +
      `(bundle ${(result.bundleMs / 1000).toFixed(1)} s) → ${result.historiesPerSecond} histories/s, ${result.eventsPerSecond} events/s` +
      `${result.failures ? `, ${result.failures} FAILED` : ''}\n  ${result.source}\n${JSON.stringify(result)}\n`,
  );
  if (result.failures) process.exitCode = 1;
}

if (require.main === module) {
  main().catch((e: unknown) => {
    process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
    process.exit(1);
  });
}
