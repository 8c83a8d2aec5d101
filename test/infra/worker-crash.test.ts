// A worker killed with SIGKILL and restarted loses nothing: the compiled worker process runs the campaign, dies
// without warning right after the start call and again with a decision in flight, and after each restart the
// unit workflows carry on — every unit started exactly once, projected into PostgreSQL, the decision applied.
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { Client, Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { hasExited, stopProcess, waitForExit } from '../../apps/cli/src/embedded/process';
import { compressedPlan } from '../api/plans';
import { OFFICE_TOKEN, startApi, type ApiUnderTest } from '../api/harness';
import { eventually } from '../support/eventually';
import { ifSet } from '../support/if-set';

const root = path.resolve(__dirname, '..', '..');
const workerMain = path.join(root, 'dist', 'apps', 'worker', 'src', 'main.js');

describe('a worker killed with SIGKILL', () => {
  let api: ApiUnderTest;
  let connection: Connection;
  let client: Client;
  let worker: ChildProcess | undefined;
  let workerLog = '';

  /** The compiled worker as `npm start` runs it, configured like the API under test. */
  const startWorker = async (): Promise<ChildProcess> => {
    const { config } = api;
    const env = {
      ...process.env,
      DATABASE_URL: config.database.url!,
      TEMPORAL_ADDRESS: config.temporal.address,
      TEMPORAL_NAMESPACE: config.temporal.namespace,
      TEMPORAL_TASK_QUEUE: config.temporal.taskQueue,
      MASSLINE_DATA_DIR: config.dataDir,
      LOG_LEVEL: 'warn',
      // No engine metrics port: other tests run workers at the same time.
      MASSLINE_WORKER_METRICS_PORT: '0',
    };
    const child = spawn(process.execPath, [workerMain], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    for (const stream of [child.stdout, child.stderr]) stream.on('data', (d) => (workerLog = (workerLog + String(d)).slice(-20_000)));
    // Ready when it polls the workflow task queue.
    await eventually(
      async () => {
        if (hasExited(child)) throw new Error(`the worker exited:\n${workerLog}`);
        const { pollers } = await connection.workflowService.describeTaskQueue({
          namespace: config.temporal.namespace,
          taskQueue: { name: config.temporal.taskQueue },
          taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
        });
        // A killed worker's poller lingers in this list for a while: count only pollers of this process.
        return pollers.some((p) => p.identity?.startsWith(`${child.pid}@`)) ? true : undefined;
      },
      'the worker to poll its task queue',
      120_000,
    );
    return child;
  };

  const kill = async (child: ChildProcess) => {
    child.kill('SIGKILL');
    await waitForExit(child);
  };

  beforeAll(async () => {
    if (!fs.existsSync(workerMain)) throw new Error(`${workerMain} is missing: run npm run build (npm test does)`);
    api = await startApi();
    connection = await Connection.connect({ address: api.config.temporal.address });
    client = new Client({ connection, namespace: api.config.temporal.namespace });
  });

  afterAll(async () => {
    if (worker) await stopProcess(worker, 'SIGTERM', 30_000);
    await ifSet(connection)?.close();
    await ifSet(api)?.close();
  });

  it('restarted, carries the unit workflows on: each unit started once, projected, and a decision in flight applied', async () => {
    const office = (method: string, p: string, body?: unknown) => api.call(method, p, { token: OFFICE_TOKEN, body });
    worker = await startWorker();

    const campaign = await office('POST', '/api/campaigns', { name: 'crash rehearsal', plan: compressedPlan() });
    expect(campaign.status).toBe(201);
    const campaignId: string = campaign.body.id;
    const groupId: string = (await office('POST', `/api/campaigns/${campaignId}/groups`, { name: 'A' })).body.id;
    const codes = ['K-1', 'K-2', 'K-3'];
    const enrolment = await office('POST', `/api/campaigns/${campaignId}/units`, {
      units: codes.map((code) => ({ code, name: `unit ${code}`, kind: 'organ', level: 'municipal', groupId })),
    });
    const unitIds: string[] = enrolment.body.results.map((r: { id: string }) => r.id);
    expect(unitIds).toHaveLength(codes.length);
    const unitPrincipal = await office('POST', '/api/principals', { name: 'head of K-1', role: 'unit', unitId: unitIds[0] });
    expect(unitPrincipal.status).toBe(201);

    // 1. Killed right after the start call: the campaign workflow is starting its units.
    expect((await office('POST', `/api/campaigns/${campaignId}/start`)).status).toBe(202);
    await kill(worker);
    worker = await startWorker();

    for (const id of unitIds) {
      await eventually(
        async () => {
          const r = await office('GET', `/api/units/${id}`);
          return r.status === 200 && r.body.status === 'active' && r.body.phase === 'P1' ? true : undefined;
        },
        `unit ${id} running in P1`,
        60_000,
      );
    }
    // Each unit once, and the read model (written by activities) has every unit.
    const unitWorkflows: string[] = [];
    await eventually(async () => {
      unitWorkflows.length = 0;
      for await (const wf of client.workflow.list({ query: `MasslineCampaign = '${campaignId}' AND MasslineKind = 'unit'` })) {
        unitWorkflows.push(wf.workflowId);
      }
      return unitWorkflows.length === codes.length ? true : undefined;
    }, 'the unit workflows to be listed');
    expect(new Set(unitWorkflows).size).toBe(codes.length);
    await eventually(async () => {
      const r = await office('GET', `/api/campaigns/${campaignId}/units`);
      const items: Array<{ code: string; phase: string }> = Array.isArray(r.body) ? r.body : (r.body?.items ?? []);
      const projected = items
        .filter((u) => u.phase === 'P1')
        .map((u) => u.code)
        .sort();
      return projected.length === codes.length ? projected : undefined;
    }, 'the projection of every unit');

    // 2. Killed with a decision in flight: the unit's record waits for a worker and is applied after the restart,
    // once. A call that waits longer than the API allows gets 503 and is repeated with the same Idempotency-Key,
    // as a client would.
    await kill(worker);
    const title = 'Study session held while the worker was down';
    const record = () =>
      api.call('POST', `/api/units/${unitIds[0]}/records`, {
        token: unitPrincipal.body.token,
        headers: { 'idempotency-key': `crash-record-${campaignId}` },
        body: { kind: 'study', title },
      });
    const inFlight = record();
    worker = await startWorker();
    let recorded = await inFlight;
    const answers = [recorded.status];
    while (recorded.status === 503 && answers.length < 10) {
      recorded = await record();
      answers.push(recorded.status);
    }
    expect(answers.filter((status) => status !== 503)).toEqual([201]);
    // The list is the read model, projected after the decision: wait for the record, then count it.
    const withTitle = async () =>
      ((await office('GET', `/api/units/${unitIds[0]}/records?pageSize=500`)).body.items as Array<{ title: string }>).filter(
        (r) => r.title === title,
      );
    await eventually(async () => ((await withTitle()).length ? true : undefined), 'the record in the read model');
    expect(await withTitle()).toHaveLength(1);

    // Nothing failed or restarted in the histories.
    for (const id of unitWorkflows) {
      const description = await client.workflow.getHandle(id).describe();
      expect(description.status.name).toBe('RUNNING');
    }
  });
});
