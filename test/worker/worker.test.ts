import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { bundleWorkflowCode, DefaultLogger, Runtime, type WorkflowBundle } from '@temporalio/worker';
import { IDEMPOTENCY_HEADER, notificationIdempotencyKey, type EscalationInput } from '../../activities';
import { createMasslineWorker, resolveWorkflowsPath } from '../../apps/worker/src';
import type { ShutdownProgress } from '../../apps/worker/src/worker';
import { createDataSource, runMigrations } from '../../libs/persistence/src';
import { connectTemporal, notificationDeliveryWorkflowId, type TemporalHandles } from '../../libs/temporal/src';
import { createTestDatabase, testConfig, testServices, type TestDatabase } from '../support';
import { unitView } from '../activities/fixtures';
import { eventually } from '../support/eventually';
import { ifSet } from '../support/if-set';

let db: TestDatabase;
let temporal: TemporalHandles;
let bundle: WorkflowBundle;
let hook: Server;
let hookUrl: string;
const hookRequests: Array<{ idempotencyKey: string; body: string }> = [];
let hookAnswers: number[] = [];
/** While set, the hook holds each request until it is called (a webhook that does not answer). */
let holdHook: Promise<void> | undefined;

beforeAll(async () => {
  // The SDK logs state changes at info and the failures this file provokes on purpose at warn.
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  db = await createTestDatabase('worker');
  await runMigrations({ url: db.url });
  temporal = await connectTemporal(testServices().temporal);
  bundle = await bundleWorkflowCode({ workflowsPath: require.resolve('./fixtures/activity-workflows'), logger: quietBundlerLogger });
  hook = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += String(chunk)));
    req.on('end', () => {
      hookRequests.push({ idempotencyKey: String(req.headers[IDEMPOTENCY_HEADER.toLowerCase()]), body });
      void (holdHook ?? Promise.resolve()).then(() => {
        res.statusCode = hookAnswers.shift() ?? 200;
        res.end();
      });
    });
  });
  await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
  hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/notices`;
});
afterAll(async () => {
  ifSet(hook)?.closeAllConnections();
  await new Promise<void>((resolve) => (ifSet(hook) ? hook.close(() => resolve()) : resolve()));
  await ifSet(temporal)?.connection.close();
  await ifSet(db)?.drop();
});

// The bundler reports its progress at info level; keep the test output to failures.
const quietBundlerLogger = {
  log: () => undefined,
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: (m: string) => console.warn(m),
  error: (m: string) => console.error(m),
};

describe('createMasslineWorker', () => {
  it('resolves the workflows entry module next to this tree (workflows/index.ts here, dist/workflows/index.js compiled)', () => {
    const path = resolveWorkflowsPath();
    expect(path).toBe(join(dirname(require.resolve('../../workflows/campaign')), 'index.ts'));
    expect(existsSync(path)).toBe(true);
  });

  it('built from the configuration alone, runs the activities under Temporal: retries a failed webhook on its own workflow, and a refused row until it is fixed', async () => {
    const taskQueue = `worker-${randomUUID()}`;
    const config = testConfig({ databaseUrl: db.url, taskQueue, env: { MASSLINE_WEBHOOK_URL: hookUrl } });
    const massline = await createMasslineWorker({ config, workflowBundle: bundle });
    const running = massline.run();
    try {
      const unitId = randomUUID();
      const input: EscalationInput = {
        key: `massline-item-${unitId}.item-1:2014-01-10T00:00:00.000Z:red`,
        campaignId: randomUUID(),
        unitId,
        itemId: `${unitId}.item-1`,
        groupId: randomUUID(),
        subject: 'item',
        rung: 'red',
        deadline: '2014-01-10T00:00:00.000Z',
        firedAt: '2014-01-24T00:00:00.000Z',
        to: ['office'],
        summary: '14 days overdue',
      };
      hookAnswers = [500, 502];
      const result = await temporal.client.workflow.execute('escalate', {
        taskQueue,
        workflowId: `test-escalate-${unitId}`,
        args: [input],
      });
      expect(result).toEqual({ created: [true, false] });
      // The delivery runs on its own workflow: attempt 1 fails on the webhook, attempt 2 again, attempt 3 sends it.
      const delivery = await temporal.client.workflow.getHandle(notificationDeliveryWorkflowId(input.key)).result();
      expect(delivery).toEqual({ delivered: 1 });
      expect(hookRequests.map((r) => r.idempotencyKey)).toEqual(Array(3).fill(notificationIdempotencyKey(input.key, 'office')));

      const check = createDataSource({ url: db.url });
      await check.initialize();
      try {
        const rows = await check.query('SELECT channel, status, attempts FROM notifications WHERE escalation_key = $1 ORDER BY channel', [
          input.key,
        ]);
        expect(rows).toEqual([
          { channel: 'outbox', status: 'sent', attempts: 0 },
          { channel: 'webhook', status: 'sent', attempts: 3 },
        ]);
        expect((await check.query('SELECT count(*)::int AS n FROM escalations WHERE key = $1', [input.key]))[0].n).toBe(1);
      } finally {
        await check.destroy();
      }

      // A view the database can never hold is retried (never dropped), and shows as a failing activity meanwhile.
      const projectId = `test-project-${unitId}`;
      await temporal.client.workflow.start('project', {
        taskQueue,
        workflowId: projectId,
        args: [unitView({ version: 1, id: 'unit-without-uuid' })],
      });
      const watch = createDataSource({ url: db.url });
      await watch.initialize();
      try {
        const failing = await eventually(async () => {
          const rows = await watch.query('SELECT activity, attempts, last_error FROM activity_failures WHERE workflow_id = $1', [
            projectId,
          ]);
          return rows[0]?.attempts >= 3 && rows[0];
        }, 'a failing projection recorded');
        expect(failing).toMatchObject({ activity: 'projectUnit', last_error: expect.stringContaining('database refused the row') });
        const description = await temporal.client.workflow.getHandle(projectId).describe();
        expect(description.status.name).toBe('RUNNING');
        await temporal.client.workflow.getHandle(projectId).terminate('test over');
      } finally {
        await watch.destroy();
      }
    } finally {
      massline.shutdown();
      await running;
    }
    expect(massline.worker.getState()).toBe('STOPPED');
  });

  it('says, while its shutdown waits, what it waits for: here a notice whose webhook does not answer', async () => {
    const taskQueue = `worker-${randomUUID()}`;
    const config = testConfig({ databaseUrl: db.url, taskQueue, env: { MASSLINE_WEBHOOK_URL: hookUrl } });
    const reports: ShutdownProgress[] = [];
    const massline = await createMasslineWorker({
      config,
      workflowBundle: bundle,
      stuckRuns: false,
      onSlowShutdown: (p) => reports.push(p),
      shutdownReportEveryMs: 500,
    });
    const running = massline.run();
    let release = (): void => undefined;
    holdHook = new Promise<void>((resolve) => (release = resolve));
    const unitId = randomUUID();
    const key = `massline-item-${unitId}.item-1:2014-01-10T00:00:00.000Z:yellow`;
    try {
      const asked = hookRequests.length;
      await temporal.client.workflow.execute('escalate', {
        taskQueue,
        workflowId: `test-escalate-${unitId}`,
        args: [
          {
            key,
            campaignId: randomUUID(),
            unitId,
            itemId: `${unitId}.item-1`,
            groupId: randomUUID(),
            subject: 'item',
            rung: 'yellow',
            deadline: '2014-01-10T00:00:00.000Z',
            firedAt: '2014-01-10T00:00:00.000Z',
            to: ['office'],
            summary: 'due today',
          } satisfies EscalationInput,
        ],
      });
      await eventually(() => hookRequests.length > asked, 'the notice reaching the webhook, which holds it');
      massline.shutdown();
      const report = await eventually(() => reports.find((r) => r.activities === 1), 'a report naming the activity in flight');
      expect(report).toMatchObject({ activities: 1, localActivities: 0, stuckRunDetector: false });
      expect(report.state).not.toBe('RUNNING');
      expect(report.stoppingForMs).toBeGreaterThanOrEqual(500);
    } finally {
      holdHook = undefined;
      release();
      massline.shutdown();
      await running;
      await temporal.client.workflow
        .getHandle(notificationDeliveryWorkflowId(key))
        .terminate('test over')
        .catch(() => undefined);
    }
    expect(massline.worker.getState()).toBe('STOPPED');
    // Reports come one per interval, each later than the one before.
    const moments = reports.map((r) => r.stoppingForMs);
    expect(moments).toEqual([...moments].sort((a, b) => a - b));
  });
});
