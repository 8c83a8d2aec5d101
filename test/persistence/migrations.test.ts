import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import {
  AuditLogEntity,
  createDataSource,
  dataSourceOptions,
  hashToken,
  MASSLINE_MIGRATIONS,
  PgWorkflowResetRepository,
  REPLAY_JOB_STATUSES,
  revertAllMigrations,
  runMigrations,
  SIMULATION_JOB_STATUSES,
  STUCK_RUN_SOURCES,
} from '../../libs/persistence/src';
import { resetRequestId } from '../../libs/audit/src';
import {
  BATCH_STATUSES,
  CAMPAIGN_STATUSES,
  CARDS,
  ESCALATION_SUBJECTS,
  ITEM_STATUSES,
  MEASURE_KINDS,
  MEASURE_STATUSES,
  PHASES,
  PROGRAMME_STATUSES,
  PROGRAMME_TRACKS,
  ROLES,
  RUNGS,
  UNIT_KINDS,
  UNIT_LEVELS,
} from '../../libs/domain/src';
import { createTestDatabase, type TestDatabase } from '../support';

const TABLES = [
  'activity_failures',
  'audit_log',
  'campaigns',
  'documents',
  'entries',
  'escalations',
  'holiday_arrangements',
  'idempotency_keys',
  'item_states',
  'measures',
  'notifications',
  'opinion_contacts',
  'plan_versions',
  'principals',
  'programme_states',
  'programmes',
  'rate_limit_windows',
  'replay_jobs',
  'sign_in_tokens',
  'simulation_jobs',
  'stuck_run_detector',
  'stuck_runs',
  'supervisor_presence',
  'supervisory_groups',
  'unit_states',
  'units',
];

const databases: TestDatabase[] = [];
/** A fresh, empty database on the shared test PostgreSQL; dropped after the file. */
async function emptyDatabase(prefix: string): Promise<string> {
  const db = await createTestDatabase(prefix);
  databases.push(db);
  return db.url;
}
afterAll(async () => {
  await Promise.all(databases.map((db) => db.drop()));
});

async function withClient<T>(url: string, fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Tables, columns, constraints, indexes and triggers of the public schema, as one comparable text. */
const describeSchema = (url: string) =>
  withClient(url, async (c) => {
    const columns = await c.query(
      `SELECT table_name, column_name, data_type, is_nullable, column_default FROM information_schema.columns
        WHERE table_schema = 'public' ORDER BY table_name, column_name`,
    );
    const constraints = await c.query(
      `SELECT conrelid::regclass::text AS t, conname, pg_get_constraintdef(oid) AS def FROM pg_constraint
        WHERE connamespace = 'public'::regnamespace ORDER BY 1, 2`,
    );
    const indexes = await c.query(`SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY 1`);
    const triggers = await c.query(`SELECT tgname, tgrelid::regclass::text AS t FROM pg_trigger WHERE NOT tgisinternal ORDER BY 1`);
    return JSON.stringify({ columns: columns.rows, constraints: constraints.rows, indexes: indexes.rows, triggers: triggers.rows });
  });

const userTables = (url: string) =>
  withClient(url, async (c) =>
    (await c.query(`SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1`)).rows.map((r) => r.tablename as string),
  );

describe('migrations', () => {
  it('apply on an empty database and create every table', async () => {
    const url = await emptyDatabase('persist_m');
    expect(await userTables(url)).toEqual([]);
    const applied = await runMigrations({ url });
    expect(applied).toEqual(MASSLINE_MIGRATIONS.map((m) => m.name));
    expect(await userTables(url)).toEqual([...TABLES, 'massline_migrations'].sort());
  });

  it('are idempotent: a second run applies nothing and leaves the schema as it was', async () => {
    const url = await emptyDatabase('persist_m');
    await runMigrations({ url });
    const before = await describeSchema(url);
    expect(await runMigrations({ url })).toEqual([]);
    expect(await describeSchema(url)).toEqual(before);
  });

  it('run by several processes at once apply exactly once', async () => {
    const url = await emptyDatabase('persist_m');
    const runs = await Promise.all([runMigrations({ url }), runMigrations({ url }), runMigrations({ url })]);
    expect(runs.flat()).toEqual(MASSLINE_MIGRATIONS.map((m) => m.name));
    const count = await withClient(url, async (c) => (await c.query('SELECT count(*)::int AS n FROM massline_migrations')).rows[0].n);
    expect(count).toBe(MASSLINE_MIGRATIONS.length);
  });

  it('revert cleanly (down) to an empty schema, and apply again after', async () => {
    const url = await emptyDatabase('persist_m');
    await runMigrations({ url });
    const applied = await describeSchema(url);
    const dataSource = createDataSource({ url });
    await dataSource.initialize();
    try {
      expect(await revertAllMigrations(dataSource)).toEqual(MASSLINE_MIGRATIONS.map((m) => m.name).reverse());
    } finally {
      await dataSource.destroy();
    }
    expect(await userTables(url)).toEqual(['massline_migrations']);
    const leftovers = await withClient(
      url,
      async (c) => (await c.query(`SELECT proname FROM pg_proc WHERE pronamespace = 'public'::regnamespace`)).rows,
    );
    expect(leftovers).toEqual([]);
    await runMigrations({ url });
    expect(await describeSchema(url)).toEqual(applied);
  });

  it('match the entities: TypeORM finds no table or column to change', async () => {
    const url = await emptyDatabase('persist_m');
    await runMigrations({ url });
    const dataSource = createDataSource({ url });
    await dataSource.initialize();
    try {
      const pending = await dataSource.driver.createSchemaBuilder().log();
      // The migration declares checks, foreign keys and a few indexes the entities do not repeat; TypeORM would
      // drop those. Tables and columns, though, must agree exactly.
      const structural = pending.upQueries.map((q) => q.query).filter((q) => /CREATE TABLE|ADD "|ALTER COLUMN|DROP COLUMN|RENAME/.test(q));
      expect(structural).toEqual([]);
    } finally {
      await dataSource.destroy();
    }
  });
});

describe("the schema's CHECKs on the domain's vocabulary", () => {
  /** Columns that hold a value of one of libs/domain's lists, and the list. */
  const DOMAIN_LISTS: Record<string, readonly string[]> = {
    'escalations.rung': RUNGS,
    'escalations.phase': PHASES,
    'unit_states.phase': PHASES,
    'unit_states.card': CARDS,
    'item_states.card': CARDS,
    'programme_states.card': CARDS,
    'item_states.status': ITEM_STATUSES,
    'measures.kind': MEASURE_KINDS,
    'principals.role': ROLES,
    'units.kind': UNIT_KINDS,
    'units.level': UNIT_LEVELS,
    'campaigns.status': CAMPAIGN_STATUSES,
    'unit_states.status': BATCH_STATUSES,
    'escalations.subject': ESCALATION_SUBJECTS,
    'measures.status': MEASURE_STATUSES,
    'programmes.track': PROGRAMME_TRACKS,
    'programme_states.status': PROGRAMME_STATUSES,
    // Lists of the persistence lib itself, which the API's enums also derive from.
    'replay_jobs.status': REPLAY_JOB_STATUSES,
    'stuck_runs.source': STUCK_RUN_SOURCES,
    'simulation_jobs.status': SIMULATION_JOB_STATUSES,
  };

  it('allow exactly the values of the domain (a new rung, card or phase fails here until a migration allows it)', async () => {
    const url = await emptyDatabase('persist_m');
    await runMigrations({ url });
    const checks = await withClient(
      url,
      async (c) =>
        (
          await c.query(
            `SELECT conrelid::regclass::text AS t, pg_get_constraintdef(oid) AS def FROM pg_constraint
            WHERE connamespace = 'public'::regnamespace AND contype = 'c'`,
          )
        ).rows as Array<{ t: string; def: string }>,
    );
    const allowed = new Map<string, string[]>();
    for (const { t, def } of checks) {
      const m = /^CHECK \(\(?(\w+) = ANY \(\(?ARRAY\[(.*)\]\)?(?:::text\[\])?\)\)?\)$/.exec(def);
      if (m)
        allowed.set(
          `${t}.${m[1]}`,
          [...m[2].matchAll(/'([^']*)'/g)].map((v) => v[1]),
        );
    }
    for (const [column, list] of Object.entries(DOMAIN_LISTS))
      expect({ column, values: allowed.get(column) }).toEqual({ column, values: [...list] });
  });
});

describe('the end of the automatic recovery (StuckRunsAndResets)', () => {
  it("carries every workflow_recoveries row into the audit log — its resets as resets — and folds replay jobs' SDK defects into their failures; down puts both back", async () => {
    const url = await emptyDatabase('persist_r');
    const upTo = MASSLINE_MIGRATIONS.findIndex((m) => m.name === 'StuckRunsAndResets1764600000000');
    const before = new DataSource({ ...dataSourceOptions({ url }), migrations: MASSLINE_MIGRATIONS.slice(0, upTo) });
    expect(await runMigrations(before)).not.toContain('StuckRunsAndResets1764600000000');
    await before.destroy();
    const [resetRun, newRun, leftRun] = [randomUUID(), randomUUID(), randomUUID()];
    const item = `massline-item-${randomUUID()}.item-1`;
    await withClient(url, async (c) => {
      await c.query(
        `INSERT INTO workflow_recoveries (run_id, workflow_id, verdict, reason, failure, diverging_event_id, reset_event_id, new_run_id, claimed_by, claimed_at, settled_at) VALUES
           ($1, $2, 'reset', 'task 21 was written by this build, which cannot replay it', '[TMPRL1100] Nondeterminism error: …', 22, 21, $3, '7169@vm', '2026-01-02T03:04:05Z', '2026-01-02T03:04:06Z'),
           ($4, 'massline-unit-u1', 'left', 'the diverging task was written by another build', NULL, 40, NULL, NULL, '7170@vm', '2026-01-03T00:00:00Z', '2026-01-03T00:00:01Z')`,
        [resetRun, item, newRun, leftRun],
      );
      await c.query(
        `INSERT INTO replay_jobs (requested_by, request, status, failures, sdk_defects) VALUES ('a', '{}', 'done', '[{"workflowId":"w1","error":"e1"}]', '[{"workflowId":"w2","error":"e2","because":"ended by recovery"}]')`,
      );
    });
    await runMigrations({ url });
    const carried = () =>
      withClient(
        url,
        async (c) =>
          (
            await c.query(
              `SELECT at, actor_id, actor_role, call, workflow_id, unit_id, item_id, outcome, message, detail FROM audit_log ORDER BY at`,
            )
          ).rows,
      );
    const rows = await carried();
    expect(rows).toEqual([
      {
        at: new Date('2026-01-02T03:04:06Z'),
        actor_id: '7169@vm',
        actor_role: 'automatic recovery',
        call: 'workflow reset',
        workflow_id: item,
        unit_id: item.slice('massline-item-'.length, -'.item-1'.length),
        item_id: item.slice('massline-item-'.length),
        outcome: 'accepted',
        message: 'task 21 was written by this build, which cannot replay it',
        detail: expect.objectContaining({
          runId: resetRun,
          newRunId: newRun,
          eventId: 21,
          divergingEventId: 22,
          verdict: 'reset',
          requestId: resetRequestId(resetRun, 21),
          source: 'workflow_recoveries',
        }),
      },
      expect.objectContaining({
        actor_role: 'automatic recovery',
        call: 'stuck run',
        workflow_id: 'massline-unit-u1',
        unit_id: 'u1',
        item_id: null,
        detail: expect.objectContaining({ runId: leftRun, verdict: 'left' }),
      }),
    ]);
    expect(await userTables(url)).not.toContain('workflow_recoveries');
    const failures = () => withClient(url, async (c) => (await c.query(`SELECT * FROM replay_jobs`)).rows[0]);
    expect(await failures()).toMatchObject({ failures: [{ workflowId: 'w1' }, { workflowId: 'w2', because: 'ended by recovery' }] });
    expect(await failures()).not.toHaveProperty('sdk_defects');
    // The reset is listed with the operators' (GET /api/audit/resets reads these rows).
    const dataSource = createDataSource({ url });
    await dataSource.initialize();
    try {
      const { items, total } = await new PgWorkflowResetRepository(dataSource).list(0, 10);
      expect(total).toBe(1);
      expect(items[0]).toMatchObject({
        by: '7169@vm',
        role: 'automatic recovery',
        workflowId: item,
        runId: resetRun,
        newRunId: newRun,
        eventId: 21,
        requestId: resetRequestId(resetRun, 21),
      });

      // Down (to before it): the table back from the audit log (which keeps its rows), the SDK defects apart again;
      // up again adds no row.
      for (let later = MASSLINE_MIGRATIONS.length - upTo; later > 0; later--) await dataSource.undoLastMigration({ transaction: 'each' });
      await withClient(url, async (c) => {
        expect(
          (await c.query(`SELECT run_id, verdict, reset_event_id, new_run_id, claimed_by FROM workflow_recoveries ORDER BY run_id`)).rows,
        ).toEqual(
          [
            { run_id: resetRun, verdict: 'reset', reset_event_id: 21, new_run_id: newRun, claimed_by: '7169@vm' },
            { run_id: leftRun, verdict: 'left', reset_event_id: null, new_run_id: null, claimed_by: '7170@vm' },
          ].sort((a, b) => a.run_id.localeCompare(b.run_id)),
        );
      });
      expect(await failures()).toMatchObject({ failures: [{ workflowId: 'w1' }], sdk_defects: [{ workflowId: 'w2' }] });
      await runMigrations(dataSource);
      expect(await carried()).toHaveLength(2);
    } finally {
      await dataSource.destroy();
    }
  });
});

describe('audit_log', () => {
  let url: string;
  beforeAll(async () => {
    url = await emptyDatabase('persist_a');
    await runMigrations({ url });
  });

  it('accepts appends through the entity', async () => {
    const dataSource = createDataSource({ url });
    await dataSource.initialize();
    try {
      const saved = await dataSource.getRepository(AuditLogEntity).save({
        actorId: 'p-1',
        actorRole: 'supervisor',
        call: 'approveTransition',
        unitId: 'not-a-uuid-is-fine',
        outcome: 'refused',
        rule: 'gate.P2.study-record',
        message: 'no study record',
        detail: { to: 'P2' },
        workflowId: null,
        itemId: null,
      });
      expect(saved.id).toMatch(/^\d+$/);
      const row = await dataSource.getRepository(AuditLogEntity).findOneByOrFail({ id: saved.id });
      expect(row).toMatchObject({ actorId: 'p-1', outcome: 'refused', rule: 'gate.P2.study-record', detail: { to: 'P2' } });
      expect(row.at).toBeInstanceOf(Date);
    } finally {
      await dataSource.destroy();
    }
  });

  it.each([
    ['UPDATE', `UPDATE audit_log SET message = 'rewritten'`],
    ['DELETE', `DELETE FROM audit_log`],
    ['TRUNCATE', `TRUNCATE audit_log`],
  ])('refuses %s', async (op, sql) => {
    await withClient(url, async (c) => {
      await c.query(
        `INSERT INTO audit_log (actor_id, actor_role, call, outcome, message) VALUES ('p-2', 'unit', 'requestTransition', 'refused', 'kept')`,
      );
      const before = (await c.query('SELECT id, message FROM audit_log ORDER BY id')).rows;
      await expect(c.query(sql)).rejects.toThrow(`audit_log is append-only: ${op} refused`);
      expect((await c.query('SELECT id, message FROM audit_log ORDER BY id')).rows).toEqual(before);
    });
  });
});

describe('constraints', () => {
  let url: string;
  beforeAll(async () => {
    url = await emptyDatabase('persist_c');
    await runMigrations({ url });
  });

  it('store tokens only as sha256 hex and scope unit and supervisor principals', async () => {
    await withClient(url, async (c) => {
      const insert = (role: string, token: string, groupId: string | null = null) =>
        c.query(`INSERT INTO principals (name, role, token_hash, group_id) VALUES ('x', $1, $2, $3)`, [role, token, groupId]);
      await expect(insert('office', 'plain-token')).rejects.toThrow(/ck_principals_token_hash/);
      await expect(insert('unit', hashToken('u'))).rejects.toThrow(/ck_principals_scope/);
      await expect(insert('supervisor', hashToken('s'))).rejects.toThrow(/ck_principals_scope/);
      await insert('office', hashToken('o'));
      await expect(insert('auditor', hashToken('o'))).rejects.toThrow(/uq_principals_token_hash/);
    });
  });

  it('keep one unit per code per campaign', async () => {
    await withClient(url, async (c) => {
      const office = (
        await c.query(`INSERT INTO principals (name, role, token_hash) VALUES ('o', 'office', $1) RETURNING id`, [hashToken(randomUUID())])
      ).rows[0].id;
      const campaign = (
        await c.query(`INSERT INTO campaigns (name, plan, starts_at, created_by) VALUES ('c', '{}', now(), $1) RETURNING id`, [office])
      ).rows[0].id;
      const group = (await c.query(`INSERT INTO supervisory_groups (campaign_id, name) VALUES ($1, 'g1') RETURNING id`, [campaign])).rows[0]
        .id;
      const unit = () =>
        c.query(
          `INSERT INTO units (campaign_id, code, name, kind, level, batch, group_id) VALUES ($1, 'A-1', 'a', 'organ', 'municipal', 1, $2)`,
          [campaign, group],
        );
      await unit();
      await expect(unit()).rejects.toThrow(/uq_units_campaign_code/);
      await expect(
        c.query(
          `INSERT INTO units (campaign_id, code, name, kind, level, batch, group_id) VALUES ($1, 'A-2', 'a', 'organ', 'municipal', 3, $2)`,
          [campaign, group],
        ),
      ).rejects.toThrow(/units_batch_check/);
    });
  });
});
