// The versioning guard: every history recorded under test/fixtures/histories/ must replay against the
// current workflow code. A change that would break a running campaign's histories fails the build here;
// see libs/audit/README.md for changing workflow code safely (patched / deprecatePatch).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { bundleWorkflows, currentWorkflowsPath, historyFromCliJson, replayHistories, type ReplayItem } from '../../libs/audit/src';
import { quietRuntime } from './api-harness';
import {
  CLOCK_INDEPENDENT_COMMANDS,
  PLAN_VERSIONS,
  PROJECTIONS_AS_ACTIVITIES,
  WINDOW_RUNG_OF_A_LEFT_PHASE_CARDS_NOTHING,
} from '../../libs/contracts/src';

const DIR = path.resolve(__dirname, '../fixtures/histories');

interface Fixture extends ReplayItem {
  file: string;
  workflowType: string;
  /** The `patched()` ids its run recorded. */
  patches: string[];
}

/** The ids of a history's patch markers (their payloads are base64 in the JSON form). */
const patchesOf = (json: {
  events: Array<{ markerRecordedEventAttributes?: { details?: Record<string, { payloads?: Array<{ data?: string }> }> } }>;
}): string[] =>
  json.events.flatMap((e) => {
    const data = e.markerRecordedEventAttributes?.details?.['patch-data']?.payloads?.[0]?.data;
    return data ? [(JSON.parse(Buffer.from(data, 'base64').toString('utf8')) as { id: string }).id] : [];
  });

function loadFixtures(): Fixture[] {
  const files = fs.existsSync(DIR)
    ? fs
        .readdirSync(DIR)
        .filter((f) => f.endsWith('.json'))
        .sort()
    : [];
  return files.map((file) => {
    const json = JSON.parse(fs.readFileSync(path.join(DIR, file), 'utf8'));
    const started = json.events?.[0]?.workflowExecutionStartedEventAttributes ?? {};
    return {
      file,
      workflowId: started.workflowId ?? file.replace(/\.json$/, ''),
      workflowType: started.workflowType?.name ?? 'unknown',
      patches: patchesOf(json),
      history: historyFromCliJson(json),
    };
  });
}

const describeFailures = (failures: Array<{ workflowId: string; error: string }>, fixtures: Fixture[]) =>
  failures
    .map((f) => `${fixtures.find((x) => x.workflowId === f.workflowId)?.file ?? f.workflowId} (${f.workflowId}): ${f.error}`)
    .join('\n');

describe('replay guard: recorded histories against the current workflow code', () => {
  const fixtures = loadFixtures();
  beforeAll(() => quietRuntime());

  it('has a corpus covering every workflow type', () => {
    const types = new Set(fixtures.map((f) => f.workflowType));
    for (const type of ['campaignWorkflow', 'unitLifecycleWorkflow', 'rectificationItemWorkflow', 'programmeWorkflow'])
      expect(types).toContain(type);
  });

  it('has the newest generation recorded: the current files carry every patch their workflow type asks for', () => {
    const current = fixtures.filter((f) => !/^v\d+-/.test(f.file));
    const asks: Record<string, string[]> = {
      campaignWorkflow: [CLOCK_INDEPENDENT_COMMANDS],
      // The later patch implies the clock rule: these record it alone.
      unitLifecycleWorkflow: [PROJECTIONS_AS_ACTIVITIES],
      rectificationItemWorkflow: [PROJECTIONS_AS_ACTIVITIES],
      programmeWorkflow: [PROJECTIONS_AS_ACTIVITIES],
    };
    const ON_OCCASION = [PLAN_VERSIONS, WINDOW_RUNG_OF_A_LEFT_PHASE_CARDS_NOTHING];
    for (const [type, patches] of Object.entries(asks)) {
      const runs = current.filter((f) => f.workflowType === type);
      expect([type, runs.length > 0]).toEqual([type, true]);
      // A continued run asks again at its start: each run carries them, and otherwise only the patches asked on an
      // occasion (a plan version taken, a window's rung after its phase was left).
      for (const f of runs) {
        expect([f.file, patches.filter((p) => !f.patches.includes(p))]).toEqual([f.file, []]);
        expect([f.file, f.patches.filter((p) => !patches.includes(p) && !ON_OCCASION.includes(p))]).toEqual([f.file, []]);
      }
    }
  });

  it('replays every recorded history without a divergence', async () => {
    const bundle = await bundleWorkflows(currentWorkflowsPath());
    const result = await replayHistories(fixtures, { bundle });
    expect(result.replayed).toBe(fixtures.length);
    // On failure, name the file, the workflow and the first diverging event.
    expect(describeFailures(result.failures, fixtures)).toBe('');
  });

  it('catches a non-deterministic change, naming the workflow and the first diverging event', async () => {
    const bundle = await bundleWorkflows(require.resolve('./fixtures/changed-workflows'));
    const units = fixtures.filter((f) => f.workflowType === 'unitLifecycleWorkflow');
    const others = fixtures.filter((f) => f.workflowType !== 'unitLifecycleWorkflow').slice(0, 2);
    // Two replay workers side by side: each failure must still be pinned to its own workflow.
    const result = await replayHistories([...others.slice(0, 1), ...units, ...others.slice(1)], { bundle, concurrency: 2 });
    expect(result.replayed).toBe(units.length + others.length);
    // Only the changed workflow's histories break, each named with the event where the code went its own way.
    expect(result.failures.map((f) => f.workflowId).sort()).toEqual(units.map((u) => u.workflowId).sort());
    for (const failure of result.failures) {
      expect(failure.kind).toBe('nondeterminism');
      expect(failure.workflowId).toMatch(/^massline-unit-/);
      expect(failure.eventId).toBeGreaterThan(1);
      expect(failure.error).toMatch(new RegExp(`first diverging event: ${failure.eventId} [A-Za-z]+`));
    }
  });
});
