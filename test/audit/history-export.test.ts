// The exported history is the engine's standard JSON: byte for byte what `temporal workflow show --output json`
// prints for the same run, and what the SDK replayer reads back.
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker, type WorkflowBundle } from '@temporalio/worker';
import { bundleWorkflows, exportHistory, historyFromCliJson, historyToCliJson } from '../../libs/audit/src';
import { campaignIdKey, kindKey } from '../../libs/contracts/src';
import { testServices } from '../support';
import { exerciseActivities } from './fixtures/workflows/exercise-activities';
import { eventually } from '../support/eventually';
import { ifSet } from '../support/if-set';

const run = promisify(execFile);
const workflowsPath = require.resolve('./fixtures/workflows/exercise');

async function cliShow(workflowId: string, runId?: string): Promise<string> {
  const { temporal } = testServices();
  const args = ['workflow', 'show', '--output', 'json', '--address', temporal.address, '--namespace', temporal.namespace, '-w', workflowId];
  if (runId) args.push('-r', runId);
  const { stdout } = await run(temporal.cliPath, args, {
    maxBuffer: 64 * 1024 * 1024,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' },
  });
  return stdout;
}

describe('history export (temporal workflow show --output json)', () => {
  const taskQueue = `audit-export-${randomUUID()}`;
  const workflowId = `audit-export-${randomUUID()}`;
  let connection: Connection;
  let client: Client;
  let nativeConnection: NativeConnection;
  let bundle: WorkflowBundle;
  const runIds: string[] = [];

  beforeAll(async () => {
    const { temporal } = testServices();
    connection = await Connection.connect({ address: temporal.address });
    client = new Client({ connection, namespace: temporal.namespace });
    nativeConnection = await NativeConnection.connect({ address: temporal.address });
    bundle = await bundleWorkflows(workflowsPath);
    const worker = await Worker.create({
      connection: nativeConnection,
      namespace: temporal.namespace,
      taskQueue,
      workflowBundle: bundle,
      activities: exerciseActivities,
    });
    await worker.runUntil(async () => {
      const handle = await client.workflow.start('exerciseWorkflow', {
        taskQueue,
        workflowId,
        args: [0],
        memo: { b: 2, a: 1 },
        typedSearchAttributes: [
          { key: kindKey, value: 'unit' },
          { key: campaignIdKey, value: 'audit-export' },
        ],
      });
      runIds.push(handle.firstExecutionRunId);
      await handle.executeUpdate('note', { args: [{ actor: { id: 'p-1', role: 'unit' }, text: 'first', comment: 'why not' }] });
      await expect(handle.executeUpdate('note', { args: [{ actor: { id: 'p-2', role: 'unit' }, text: '' }] })).rejects.toThrow();
      await handle.signal('poke', 'stop');
      // The run continues as new: stop the second run too.
      const second = await eventually(async () => {
        const d = await client.workflow.getHandle(workflowId).describe();
        return d.runId !== runIds[0] ? d.runId : undefined;
      }, 'the continued run');
      runIds.push(second);
      await client.workflow
        .getHandle(workflowId)
        .executeUpdate('note', { args: [{ actor: { id: 'p-3', role: 'supervisor' }, text: '第二' }] });
      await client.workflow.getHandle(workflowId).signal('poke', 'stop');
      expect(await client.workflow.getHandle(workflowId).result()).toBe('第二');
    });
  });

  afterAll(async () => {
    await ifSet(connection)?.close();
    await ifSet(nativeConnection)?.close();
  });

  it('prints every run exactly as the Temporal CLI does (latest run, a given run, a failed child)', async () => {
    const latest = await exportHistory(client, workflowId);
    expect(latest).toBe(await cliShow(workflowId));
    for (const runId of runIds) {
      const exported = await exportHistory(client, workflowId, runId);
      expect(exported).toBeDefined();
      expect(exported).toBe(await cliShow(workflowId, runId));
    }
    const child = `${workflowId}-child-0`;
    expect(await exportHistory(client, child)).toBe(await cliShow(child));
    // The histories hold what makes the format hard: updates, markers, memo, failures, int64, escapes.
    const first = JSON.parse((await exportHistory(client, workflowId, runIds[0]))!);
    const types = new Set(first.events.map((e: { eventType: string }) => e.eventType));
    for (const t of [
      'EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED',
      'EVENT_TYPE_MARKER_RECORDED',
      'EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES',
      'EVENT_TYPE_ACTIVITY_TASK_FAILED',
      'EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_FAILED',
      'EVENT_TYPE_TIMER_CANCELED',
      'EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW',
    ]) {
      expect(types).toContain(t);
    }
  });

  it('reads back into a history the SDK replayer accepts, and prints it again unchanged', async () => {
    for (const runId of runIds) {
      const exported = (await exportHistory(client, workflowId, runId))!;
      const history = historyFromCliJson(exported);
      expect(historyToCliJson(history)).toBe(exported);
      await expect(Worker.runReplayHistory({ workflowBundle: bundle }, history, workflowId)).resolves.toBeUndefined();
    }
  });

  it('answers undefined for a workflow that does not exist', async () => {
    expect(await exportHistory(client, `audit-missing-${randomUUID()}`)).toBeUndefined();
  });
});
