// The test harness itself: each shared service really answers, and the pieces a test starts stop cleanly.
import { Client as PgClient } from 'pg';
import { Connection, Client, WorkflowNotFoundError } from '@temporalio/client';
import { campaignIdKey, kindKey, MASSLINE_SEARCH_ATTRIBUTES } from '../../libs/contracts/src';
import { createTestDatabase, createTimeSkippingEnv, startDevServer, startPostgres, testServices } from '../support';
import { eventually } from '../support/eventually';

describe('shared Temporal dev server', () => {
  let connection: Connection;
  let client: Client;
  beforeAll(async () => {
    const { address, namespace } = testServices().temporal;
    connection = await Connection.connect({ address });
    client = new Client({ connection, namespace });
  });
  afterAll(() => connection.close());

  it('has every massline search attribute registered with its type', async () => {
    const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace: testServices().temporal.namespace });
    for (const key of MASSLINE_SEARCH_ATTRIBUTES) expect(Object.keys(customAttributes)).toContain(key.name);
  });

  it('lists a workflow by a massline search attribute', async () => {
    const campaign = `harness-${Date.now().toString(36)}`;
    const handle = await client.workflow.start('harnessProbeWorkflow', {
      workflowId: `${campaign}-probe`,
      taskQueue: `${campaign}-no-worker`, // nobody polls: the execution only has to exist
      typedSearchAttributes: [
        { key: campaignIdKey, value: campaign },
        { key: kindKey, value: 'probe' },
      ],
    });
    try {
      const ids = await eventually(async () => {
        const found: string[] = [];
        for await (const wf of client.workflow.list({ query: `MasslineCampaign = '${campaign}'` })) found.push(wf.workflowId);
        return found.length ? found : undefined;
      }, 'the workflow to be listed');
      expect(ids).toEqual([`${campaign}-probe`]);
    } finally {
      await handle.terminate('harness probe done').catch((e: unknown) => {
        if (!(e instanceof WorkflowNotFoundError)) throw e;
      });
    }
  });

  it('accepts Workflow Update calls (enabled by dynamic config)', async () => {
    // An update against a missing workflow is refused as not found, not as "update disabled".
    await expect(
      connection.workflowService.updateWorkflowExecution({
        namespace: testServices().temporal.namespace,
        workflowExecution: { workflowId: `missing-${Date.now()}` },
        request: { meta: { updateId: 'u1' }, input: { name: 'noop' } },
      }),
    ).rejects.toThrow(/not found/i);
  });
});

describe('shared PostgreSQL', () => {
  it('gives each test a database of its own, and drops it', async () => {
    const db = await createTestDatabase('harness');
    const client = new PgClient({ connectionString: db.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ db: string; version: string }>('SELECT current_database() AS db, version() AS version');
      expect(rows[0].db).toBe(db.name);
      expect(rows[0].version).toMatch(/^PostgreSQL \d+/);
    } finally {
      await client.end();
    }
    await db.drop();
    const admin = new PgClient({ connectionString: testServices().postgres.adminUrl });
    await admin.connect();
    try {
      const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [db.name]);
      expect(rowCount).toBe(0);
    } finally {
      await admin.end();
    }
  });
});

describe('a PostgreSQL of its own', () => {
  it('starts in a temporary folder, answers, and stops', async () => {
    const pg = await startPostgres();
    try {
      const client = new PgClient({ connectionString: pg.url });
      await client.connect();
      const { rows } = await client.query<{ one: number }>('SELECT 1 AS one');
      await client.end();
      expect(rows[0].one).toBe(1);
    } finally {
      await pg.stop();
    }
    const refused = new PgClient({ connectionString: pg.url, connectionTimeoutMillis: 2000 });
    await expect(refused.connect()).rejects.toThrow();
  });
});

describe('time-skipping test server', () => {
  it('starts from the cached launcher and skips time', async () => {
    const env = await createTimeSkippingEnv();
    try {
      expect(env.supportsTimeSkipping).toBe(true);
      const before = await env.currentTimeMs();
      await env.sleep('3 days');
      const after = await env.currentTimeMs();
      expect(after - before).toBeGreaterThanOrEqual(3 * 24 * 3600 * 1000);
    } finally {
      await env.teardown();
    }
  });
});

describe('a dev server of its own', () => {
  it('starts bare when asked (no massline search attributes) and stops', async () => {
    const server = await startDevServer({ searchAttributes: false });
    const connection = await Connection.connect({ address: server.address });
    try {
      const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace: server.namespace });
      expect(Object.keys(customAttributes).filter((name) => name.startsWith('Massline'))).toEqual([]);
    } finally {
      await connection.close();
      await server.stop();
    }
  });
});
