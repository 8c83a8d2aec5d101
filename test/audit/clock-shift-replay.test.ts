// Commands independent of the clock (workflows/clock.ts), proven without a server: every recorded history of the
// current generation replays with each workflow task's clock moved to the previous task's start — what a
// workflow meets when new events reach it in a query task (README: "A history that never needs rewriting") — and
// to the next task's start. Histories recorded before the rule (v1-*) diverge when shifted so, which is what
// this test would catch if a new branch of the workflows decided a command by the clock again.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { bundleWorkflows, currentWorkflowsPath, historyFromCliJson, replayHistories, type ReplayItem } from '../../libs/audit/src';
import type { WorkflowBundle } from '@temporalio/worker';
import { quietRuntime } from './api-harness';
import { CLOCK_INDEPENDENT_COMMANDS } from '../../workflows/patches';

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

function load(prefix: 'current' | 'v1'): Fixture[] {
  return fs
    .readdirSync(DIR)
    .filter((f) => f.endsWith('.json') && (prefix === 'v1') === f.startsWith('v1-'))
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
  for (const e of json.events as Array<CliEvent & { markerRecordedEventAttributes?: { details?: Record<string, { payloads?: Array<{ data?: string }> }> } }>) {
    const data = e.markerRecordedEventAttributes?.details?.['patch-data']?.payloads?.[0]?.data;
    if (data) ids.push((JSON.parse(Buffer.from(data, 'base64').toString('utf8')) as { id: string }).id);
  }
  return ids;
}
const hasMarker = (f: Fixture) => patchIds(f.json).includes(MARKER);
const asItems = (fixtures: Fixture[], by: -1 | 1): ReplayItem[] =>
  fixtures.map((f) => ({ workflowId: `${f.workflowId} (${f.file}, clocks ${by < 0 ? 'of the previous task' : 'of the next task'})`, history: historyFromCliJson(shiftTaskClocks(f.json, by)) }));

describe('replay with every task run at another task’s clock', () => {
  const current = load('current');
  const v1 = load('v1');
  let bundle: WorkflowBundle;
  beforeAll(async () => {
    quietRuntime();
    bundle = await bundleWorkflows(currentWorkflowsPath());
  }, 120_000);

  it('the current generation follows the rule: every unit, item, campaign and programme run carries the marker', () => {
    const types = new Set(current.filter(hasMarker).map((f) => f.json.events[0] && (f.json.events[0] as unknown as Record<string, { workflowType?: { name?: string } }>).workflowExecutionStartedEventAttributes?.workflowType?.name));
    for (const type of ['campaignWorkflow', 'unitLifecycleWorkflow', 'rectificationItemWorkflow', 'programmeWorkflow']) expect(types).toContain(type);
    expect(v1.filter(hasMarker)).toEqual([]);
  });

  it('every history of the current generation replays, its clocks shifted either way', async () => {
    const marked = current.filter(hasMarker);
    const result = await replayHistories([...asItems(marked, -1), ...asItems(marked, 1)], { bundle });
    expect(result.replayed).toBe(2 * marked.length);
    expect(result.failures.map((f) => `${f.workflowId}: ${f.error}`)).toEqual([]);
  }, 600_000);

  it('histories recorded before the rule diverge so (the shift is a real test)', async () => {
    const result = await replayHistories(asItems(v1, -1), { bundle });
    expect(result.failures.length).toBeGreaterThan(0);
    for (const f of result.failures) expect(f.kind).toBe('nondeterminism');
  }, 600_000);
});
