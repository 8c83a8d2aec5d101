// Commands independent of the clock (workflows/clock.ts), proven without a server: every recorded history of the
// generations that follow the rule (v2-* and the current one) replays with each workflow task's clock moved to the
// previous task's start — what a workflow meets when new events reach it in a query task (README: "A history that
// never needs rewriting"). Histories recorded before the rule (v1-*) diverge when shifted so, which is what this
// test would catch if a new branch of the workflows decided a command by the clock again.
//
// Only that direction is asserted. A ladder compares the moment its subject stopped (an extension approved, an item
// closed, a phase left: the deciding task's clock) with each rung's due time, and a rung due before the stop still
// fires; moved to a later task's clock, a stop can fall after a rung it preceded (the current generation has two:
// an extension approved 3.7 s before its old deadline's rung, whose next task came when a timer fired 4 s later).
// No query task runs events at a later clock than the task that recorded them.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { bundleWorkflows, currentWorkflowsPath, historyFromCliJson, replayHistories, type ReplayItem } from '../../libs/audit/src';
import type { WorkflowBundle } from '@temporalio/worker';
import { quietRuntime } from './api-harness';
import { CLOCK_INDEPENDENT_COMMANDS, PROJECTIONS_AS_ACTIVITIES, PROJECTIONS_IN_TASK } from '../../libs/contracts/src';

const DIR = path.resolve(__dirname, '../fixtures/histories');
const MARKER = CLOCK_INDEPENDENT_COMMANDS;

interface CliEvent {
  eventId: string;
  eventType: string;
  eventTime: string;
}
interface Fixture {
  file: string;
  json: { events: CliEvent[] };
  workflowId: string;
}

/** A file's generation: its `vN-` prefix, or `current` (test/fixtures/histories/README.md). */
export const generationOf = (file: string): string => /^(v\d+)-/.exec(file)?.[1] ?? 'current';

function load(generations: string[]): Fixture[] {
  return fs
    .readdirSync(DIR)
    .filter((f) => f.endsWith('.json') && generations.includes(generationOf(f)))
    .sort()
    .map((file) => {
      const json = JSON.parse(fs.readFileSync(path.join(DIR, file), 'utf8'));
      const workflowId = json.events[0]?.workflowExecutionStartedEventAttributes?.workflowId ?? file;
      return { file, json, workflowId };
    });
}

/** The history with every workflow task's start moved to the start of the task `by` tasks away (-1: previous). */
export function shiftTaskClocks(json: { events: CliEvent[] }, by: -1 | 1): { events: CliEvent[] } {
  const events: CliEvent[] = JSON.parse(JSON.stringify(json.events));
  const started = events.filter((e) => e.eventType === 'EVENT_TYPE_WORKFLOW_TASK_STARTED');
  const times = started.map((e) => e.eventTime);
  started.forEach((e, i) => {
    const j = i + by;
    if (j >= 0 && j < times.length) e.eventTime = times[j];
  });
  return { ...json, events };
}

/** The `patched()` ids a run recorded (its core_patch markers; the payloads are base64 in the JSON form). */
export function patchIds(json: { events: CliEvent[] }): string[] {
  const ids: string[] = [];
  for (const e of json.events as Array<
    CliEvent & { markerRecordedEventAttributes?: { details?: Record<string, { payloads?: Array<{ data?: string }> }> } }
  >) {
    const data = e.markerRecordedEventAttributes?.details?.['patch-data']?.payloads?.[0]?.data;
    if (data) ids.push((JSON.parse(Buffer.from(data, 'base64').toString('utf8')) as { id: string }).id);
  }
  return ids;
}
/** Whether the run follows the clock rule: its own marker, or a later one that implies it (libs/contracts/src/patches.ts). */
const hasMarker = (f: Fixture) =>
  patchIds(f.json).some((id) => id === MARKER || id === PROJECTIONS_IN_TASK || id === PROJECTIONS_AS_ACTIVITIES);
const asItems = (fixtures: Fixture[], by: -1 | 1): ReplayItem[] =>
  fixtures.map((f) => ({
    workflowId: `${f.workflowId} (${f.file}, clocks ${by < 0 ? 'of the previous task' : 'of the next task'})`,
    history: historyFromCliJson(shiftTaskClocks(f.json, by)),
  }));

describe('replay with every task run at another task’s clock', () => {
  /** The generations recorded since the rule: every one but v1. */
  const since = [
    ...new Set(
      fs
        .readdirSync(DIR)
        .filter((f) => f.endsWith('.json'))
        .map(generationOf),
    ),
  ].filter((g) => g !== 'v1');
  const ruled = load(since);
  const current = load(['current']);
  const v1 = load(['v1']);
  let bundle: WorkflowBundle;
  beforeAll(async () => {
    quietRuntime();
    bundle = await bundleWorkflows(currentWorkflowsPath());
  }, 120_000);

  it('the generations since the rule follow it: every unit, item, campaign and programme run of each carries the marker', () => {
    expect(since).toContain('current');
    expect(since.length).toBeGreaterThan(1);
    const typeOf = (f: Fixture) =>
      (f.json.events[0] as unknown as { workflowExecutionStartedEventAttributes?: { workflowType?: { name?: string } } })
        .workflowExecutionStartedEventAttributes?.workflowType?.name;
    for (const generation of since) {
      const types = new Set(load([generation]).filter(hasMarker).map(typeOf));
      for (const type of ['campaignWorkflow', 'unitLifecycleWorkflow', 'rectificationItemWorkflow', 'programmeWorkflow'])
        expect([generation, types.has(type)]).toEqual([generation, true]);
    }
    expect(current.length).toBeGreaterThan(0);
    expect(v1.filter(hasMarker)).toEqual([]);
  });

  it("every history of the generations since the rule replays, each task run at the previous task's clock", async () => {
    const marked = ruled.filter(hasMarker);
    const result = await replayHistories(asItems(marked, -1), { bundle, concurrency: 2 });
    expect(result.replayed).toBe(marked.length);
    expect(result.failures.map((f) => `${f.workflowId}: ${f.error}`)).toEqual([]);
  }, 600_000);

  it('histories recorded before the rule diverge so (the shift is a real test)', async () => {
    const result = await replayHistories(asItems(v1, -1), { bundle, concurrency: 2 });
    expect(result.failures.length).toBeGreaterThan(0);
    for (const f of result.failures) expect(f.kind).toBe('nondeterminism');
  }, 600_000);
});
