import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import type { DataSource } from 'typeorm';
import {
  createActivities,
  IDEMPOTENCY_HEADER,
  notificationIdempotencyKey,
  outboxChannel,
  SIGNATURE_HEADER,
  signBody,
  webhookChannel,
  type ActivityDeps,
  type BatchStartProgress,
  type EscalationInput,
} from '../../activities';
import { unitHeader, unitWorkflowId, type EntryChange, type ItemView, type UnitView } from '../../libs/domain/src';
import { notificationDeliveryWorkflowId } from '../../libs/temporal/src';
import { createActivityRepositories, createDataSource, runMigrations } from '../../libs/persistence/src';
import { connectTemporal, type TemporalHandles } from '../../libs/temporal/src';
import { batchKey, campaignIdKey, phaseKey, unitCodeKey } from '../../libs/contracts/src';
import { createTestDatabase, testServices, type TestDatabase } from '../support';
import { enrolCampaign, itemView, unitView } from './fixtures';
import { ifSet } from '../support/if-set';

// No worker polls this queue: startBatchUnits only needs the workflows recorded.
const TASK_QUEUE = `idle-activities-${randomUUID()}`;
const NOW = new Date('2013-12-31T09:00:00.000Z');

let db: TestDatabase;
let dataSource: DataSource;
let temporal: TemporalHandles;

beforeAll(async () => {
  db = await createTestDatabase('activities');
  await runMigrations({ url: db.url });
  dataSource = createDataSource({ url: db.url });
  await dataSource.initialize();
  temporal = await connectTemporal(testServices().temporal);
});
afterAll(async () => {
  await ifSet(dataSource)?.destroy();
  await ifSet(temporal)?.connection.close();
  await ifSet(db)?.drop();
});

function deps(over: Partial<ActivityDeps> = {}): ActivityDeps {
  return {
    ...createActivityRepositories(dataSource),
    temporal: { client: temporal.client, taskQueue: TASK_QUEUE },
    channels: [outboxChannel()],
    clock: { now: () => NOW },
    ...over,
  };
}

const escalation = (over: Partial<EscalationInput> = {}): EscalationInput => {
  const unitId = randomUUID();
  const itemId = `${unitId}.item-1`;
  return {
    key: `massline-item-${itemId}:2013-12-31T00:00:00.000Z:yellow`,
    campaignId: randomUUID(),
    unitId,
    itemId,
    groupId: randomUUID(),
    subject: 'item',
    rung: 'yellow',
    deadline: '2013-12-31T00:00:00.000Z',
    firedAt: '2013-12-31T00:00:00.000Z',
    to: ['unit-head:' + unitId, 'group:g-1'],
    summary: 'Item not closed at its deadline',
    ...over,
  };
};

/** Runs `fn` and returns the non-retryable ApplicationFailure it throws. */
async function nonRetryableFailure(fn: () => Promise<unknown>): Promise<ApplicationFailure> {
  const error = await fn().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ApplicationFailure);
  expect((error as ApplicationFailure).nonRetryable).toBe(true);
  return error as ApplicationFailure;
}

describe('projectUnit', () => {
  const row = async (unitId: string) =>
    (
      await dataSource.query('SELECT phase, card, version, view, unmet_gates, projected_at FROM unit_states WHERE unit_id = $1', [unitId])
    )[0];
  const projection = (view: UnitView, changes: EntryChange[] = []) => ({
    campaignId: view.campaignId,
    unitId: view.id,
    view: unitHeader(view),
    changes,
  });
  const change = (kind: EntryChange['kind'], id: string, rev: number, data: unknown): EntryChange => ({
    kind,
    id,
    seq: Number(id.split('-').pop()),
    rev,
    at: '2013-07-09T00:00:00.000Z',
    data,
  });
  const entries = async (unitId: string) =>
    dataSource.query<Array<{ kind: string; entry_id: string; rev: number; data: Record<string, unknown> }>>(
      'SELECT kind, entry_id, rev, data FROM entries WHERE subject_id = $1 ORDER BY kind, seq',
      [unitId],
    );

  it('writes a newer or equal version and ignores an older one', async () => {
    let clock = new Date('2013-07-08T00:00:00Z');
    const activities = createActivities(deps({ clock: { now: () => clock } }));
    const v1 = unitView({ version: 1 });
    await activities.projectUnit(projection(v1));
    expect(await row(v1.id)).toMatchObject({ phase: 'P1', version: 1, unmet_gates: ['gate.P2.study-record'] });

    const v3 = { ...v1, version: 3, phase: 'P2' as const, card: 'yellow' as const, unmetGates: [] };
    clock = new Date('2013-09-01T00:00:00Z');
    await activities.projectUnit(projection(v3));
    // A slow retry of version 2 lands after version 3: it must not win.
    clock = new Date('2013-09-02T00:00:00Z');
    await activities.projectUnit(projection({ ...v1, version: 2, phase: 'P1' }));
    expect(await row(v1.id)).toMatchObject({ phase: 'P2', version: 3 });
    // Version 3 as a workflow task computed it whose worker died before the task completed (its clock, its card),
    // then as the retried task computed it, the one the history holds: the second replaces the first.
    await activities.projectUnit(projection({ ...v3, card: 'red' as const, phaseSince: '2013-09-02T00:00:00.000Z' }));
    clock = new Date('2013-09-03T00:00:00Z');
    await activities.projectUnit(projection(v3));
    const after = await row(v1.id);
    expect(after).toMatchObject({ phase: 'P2', card: 'yellow', version: 3, unmet_gates: [] });
    expect(after.view).toEqual(v3);
    expect(after.projected_at).toEqual(new Date('2013-09-03T00:00:00Z'));
  });

  it('projects entries by change: each once, merged by revision, never overwritten by an older one; null removes', async () => {
    const activities = createActivities(deps());
    const v = unitView({ version: 3 });
    const objection = change('objection', 'objection-1', 2, { id: 'objection-1', text: { digest: 'a'.repeat(64), chars: 4 } });
    await activities.projectUnit(
      projection(v, [
        change('record', 'record-1', 2, { id: 'record-1', title: 't' }),
        objection,
        change('task-book-item', 'x.item-2', 3, { id: 'x.item-2' }),
      ]),
    );
    // The answer arrives as what changed only; a retry of the older batch changes nothing.
    await activities.projectUnit(
      projection({ ...v, version: 4 }, [change('objection', 'objection-1', 4, { answer: { text: { digest: 'b'.repeat(64), chars: 2 } } })]),
    );
    await activities.projectUnit(projection(v, [objection]));
    // A shorter draft drops an item (data null); without a view, only entries are written.
    await activities.projectUnit({ campaignId: v.campaignId, unitId: v.id, changes: [change('task-book-item', 'x.item-2', 5, null)] });
    expect(await entries(v.id)).toEqual([
      {
        kind: 'objection',
        entry_id: 'objection-1',
        rev: 4,
        data: { id: 'objection-1', text: { digest: 'a'.repeat(64), chars: 4 }, answer: { text: { digest: 'b'.repeat(64), chars: 2 } } },
      },
      { kind: 'record', entry_id: 'record-1', rev: 2, data: { id: 'record-1', title: 't' } },
    ]);
    expect((await row(v.id)).version).toBe(4);
  });

  it('a view the database can never hold fails retryably (named INVALID_INPUT): it is retried and shown, never dropped', async () => {
    const activities = createActivities(deps());
    const error = await activities.projectUnit(projection(unitView({ version: 1, id: 'not-a-uuid' }))).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ApplicationFailure);
    expect((error as ApplicationFailure).nonRetryable).toBe(false);
    expect((error as ApplicationFailure).type).toBe('INVALID_INPUT');
  });
});

describe('projectItem', () => {
  it('writes a newer version and ignores an older one', async () => {
    const activities = createActivities(deps());
    const v2 = itemView({ version: 2, status: 'submitted' });
    const p = (view: ItemView) => ({ campaignId: view.campaignId, itemId: view.id, view, changes: [] });
    await activities.projectItem(p(v2));
    await activities.projectItem(p({ ...v2, version: 1, status: 'open' }));
    const [row] = await dataSource.query('SELECT status, version, owner, deadline FROM item_states WHERE item_id = $1', [v2.id]);
    expect(row).toEqual({ status: 'submitted', version: 2, owner: '张三', deadline: new Date(v2.deadline) });
    await activities.projectItem(p({ ...v2, version: 5, status: 'closed' }));
    const [closed] = await dataSource.query('SELECT status, version FROM item_states WHERE item_id = $1', [v2.id]);
    expect(closed).toEqual({ status: 'closed', version: 5 });
  });
});

describe('projectCampaignStatus', () => {
  it('moves a campaign forward only', async () => {
    const activities = createActivities(deps());
    const { campaignId } = await enrolCampaign(dataSource, []);
    const status = async () => (await dataSource.query('SELECT status, started_at FROM campaigns WHERE id = $1', [campaignId]))[0];
    await activities.projectCampaignStatus({ campaignId, status: 'running' });
    const running = await status();
    expect(running.status).toBe('running');
    expect(running.started_at).toBeInstanceOf(Date);
    await activities.projectCampaignStatus({ campaignId, status: 'done' });
    await activities.projectCampaignStatus({ campaignId, status: 'running' });
    expect(await status()).toEqual({ status: 'done', started_at: running.started_at });
  });
});

describe('recordEscalation', () => {
  const counts = async (key: string) => ({
    escalations: (await dataSource.query('SELECT count(*)::int AS n FROM escalations WHERE key = $1', [key]))[0].n,
    notifications: (
      await dataSource.query('SELECT channel, recipient, status FROM notifications WHERE escalation_key = $1 ORDER BY channel, recipient', [
        key,
      ])
    ).map((r: { channel: string; recipient: string; status: string }) => `${r.channel}:${r.recipient}:${r.status}`),
  });

  it('records a rung once, with one notification per recipient and channel, however often it is repeated', async () => {
    const channels = [outboxChannel(), webhookChannel({ url: 'http://127.0.0.1:9/unused' })];
    const activities = createActivities(deps({ channels }));
    const input = escalation();
    const first = await activities.recordEscalation(input);
    expect(first.created).toBe(true);
    // A retry after a lost response, and two attempts racing.
    const repeats = await Promise.all([
      activities.recordEscalation(input),
      activities.recordEscalation(input),
      activities.recordEscalation(input),
    ]);
    for (const repeat of repeats) expect(repeat).toEqual({ escalationId: first.escalationId, created: false });
    // The outbox row is the delivery itself; what the webhook must still send goes out on its own workflow.
    expect(await counts(input.key)).toEqual({
      escalations: 1,
      notifications: [
        `outbox:group:g-1:sent`,
        `outbox:unit-head:${input.unitId}:sent`,
        `webhook:group:g-1:queued`,
        `webhook:unit-head:${input.unitId}:queued`,
      ],
    });
    const delivery = await temporal.client.workflow.getHandle(notificationDeliveryWorkflowId(input.key)).describe();
    expect(delivery.type).toBe('notificationDeliveryWorkflow');
    expect(delivery.taskQueue).toBe(TASK_QUEUE);
    const [row] = await dataSource.query('SELECT rung, subject, fired_at, recipients, summary FROM escalations WHERE key = $1', [
      input.key,
    ]);
    expect(row).toEqual({
      rung: 'yellow',
      subject: 'item',
      fired_at: new Date(input.firedAt),
      recipients: input.to,
      summary: input.summary,
    });
  });

  it("keeps the facts the console words a rung with as fields: the unit's code and name, the item's owner", async () => {
    const activities = createActivities(deps());
    const [{ id: officeId }] = await dataSource.query(
      `INSERT INTO principals (name, role, token_hash) VALUES ('office', 'office', encode(sha256(gen_random_uuid()::text::bytea), 'hex')) RETURNING id`,
    );
    const [{ id: campaignId }] = await dataSource.query(
      `INSERT INTO campaigns (name, plan, starts_at, created_by) VALUES ('c', '{}'::jsonb, now(), $1) RETURNING id`,
      [officeId],
    );
    const [{ id: groupId }] = await dataSource.query(`INSERT INTO supervisory_groups (campaign_id, name) VALUES ($1, 'g') RETURNING id`, [
      campaignId,
    ]);
    const [{ id: unitId }] = await dataSource.query(
      `INSERT INTO units (campaign_id, code, name, kind, level, batch, group_id) VALUES ($1, 'HZ-001', '市财政局', 'organ', 'municipal', 1, $2) RETURNING id`,
      [campaignId, groupId],
    );
    const itemId = `${unitId}.item-1`;
    await dataSource.query(
      `INSERT INTO item_states (item_id, unit_id, campaign_id, group_id, status, card, deadline, measure, owner, view, version)
       VALUES ($1, $2, $3, $4, 'open', 'none', now(), 'm', '办公室主任 李某', '{}'::jsonb, 1)`,
      [itemId, unitId, campaignId, groupId],
    );
    const input = escalation({
      unitId,
      itemId,
      campaignId,
      groupId,
      key: `massline-item-${itemId}:2013-12-31T00:00:00.000Z:red`,
      rung: 'red',
    });
    await activities.recordEscalation(input);
    const [row] = await dataSource.query('SELECT unit_code, unit_name, owner, programme_name, goal_title FROM escalations WHERE key = $1', [
      input.key,
    ]);
    expect(row).toEqual({ unit_code: 'HZ-001', unit_name: '市财政局', owner: '办公室主任 李某', programme_name: null, goal_title: null });
  });

  it('starts no delivery when the outbox is the only channel', async () => {
    const activities = createActivities(deps());
    const input = escalation();
    await activities.recordEscalation(input);
    expect(await counts(input.key)).toMatchObject({ notifications: [`outbox:group:g-1:sent`, `outbox:unit-head:${input.unitId}:sent`] });
    await expect(temporal.client.workflow.getHandle(notificationDeliveryWorkflowId(input.key)).describe()).rejects.toThrow(/not found/i);
  });

  it('records a programme goal rung, which has neither campaign nor group', async () => {
    const activities = createActivities(deps());
    const input = escalation({ subject: 'programme-goal', campaignId: '', groupId: '', itemId: 'goal-1', to: ['office'] });
    expect((await activities.recordEscalation(input)).created).toBe(true);
    const [row] = await dataSource.query('SELECT campaign_id, group_id, item_id FROM escalations WHERE key = $1', [input.key]);
    expect(row).toEqual({ campaign_id: null, group_id: null, item_id: 'goal-1' });
  });
});

describe('deliverNotifications', () => {
  it('finds nothing to send for the outbox: its rows were delivered when recorded', async () => {
    const activities = createActivities(deps());
    const input = escalation();
    await activities.recordEscalation(input);
    expect(await activities.deliverNotifications({ escalationKey: input.key })).toEqual({ delivered: 0 });
    const rows = await dataSource.query('SELECT status, attempts, sent_at FROM notifications WHERE escalation_key = $1', [input.key]);
    expect(rows).toEqual([
      { status: 'sent', attempts: 0, sent_at: NOW },
      { status: 'sent', attempts: 0, sent_at: NOW },
    ]);
  });

  describe('through the webhook', () => {
    let server: Server;
    let url: string;
    const received: Array<{ headers: IncomingMessage['headers']; body: string }> = [];
    /** Status codes to answer, in order; 204 once they run out. */
    let answers: number[] = [];

    beforeAll(async () => {
      server = createServer((req, res) => {
        let body = '';
        req.setEncoding('utf8');
        req.on('data', (chunk: string) => (body += chunk));
        req.on('end', () => {
          received.push({ headers: req.headers, body });
          res.statusCode = answers.shift() ?? 204;
          res.end();
        });
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/massline`;
    });
    afterAll(async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    });
    beforeEach(() => {
      received.length = 0;
      answers = [];
    });

    it('throws on a non-2xx answer so Temporal retries, then sends only what is left, signed, with a stable idempotency key', async () => {
      const secret = 'shared-webhook-secret';
      const activities = createActivities(deps({ channels: [outboxChannel(), webhookChannel({ url, secret })] }));
      const input = escalation({ to: ['office'] });
      await activities.recordEscalation(input);

      answers = [503];
      await expect(activities.deliverNotifications({ escalationKey: input.key })).rejects.toThrow(
        /1 of 1 notifications not delivered: webhook → office: .*answered 503/,
      );
      const afterFailure = await dataSource.query(
        'SELECT channel, status, attempts, last_error FROM notifications WHERE escalation_key = $1 ORDER BY channel',
        [input.key],
      );
      expect(afterFailure).toEqual([
        { channel: 'outbox', status: 'sent', attempts: 0, last_error: null },
        { channel: 'webhook', status: 'queued', attempts: 1, last_error: expect.stringContaining('answered 503') },
      ]);

      // The retry: only the webhook row is tried again.
      expect(await activities.deliverNotifications({ escalationKey: input.key })).toEqual({ delivered: 1 });
      expect(await activities.deliverNotifications({ escalationKey: input.key })).toEqual({ delivered: 0 });
      expect(received).toHaveLength(2);
      for (const { headers, body } of received) {
        expect(headers['content-type']).toBe('application/json');
        expect(headers[IDEMPOTENCY_HEADER.toLowerCase()]).toBe(notificationIdempotencyKey(input.key, 'office'));
        expect(headers[SIGNATURE_HEADER.toLowerCase()]).toBe(signBody(body, secret));
        expect(JSON.parse(body)).toMatchObject({ escalationKey: input.key, recipient: 'office', rung: 'yellow', unitId: input.unitId });
      }
      expect(JSON.parse(received[0].body).attempt).toBe(1);
      expect(JSON.parse(received[1].body).attempt).toBe(2);
      const [webhookRow] = await dataSource.query(
        `SELECT status, attempts, last_error, sent_at FROM notifications WHERE escalation_key = $1 AND channel = 'webhook'`,
        [input.key],
      );
      expect(webhookRow).toEqual({ status: 'sent', attempts: 2, last_error: null, sent_at: NOW });
    });

    it('sends no signature without a secret, and keeps non-ASCII recipients in a valid header', async () => {
      const activities = createActivities(deps({ channels: [webhookChannel({ url })] }));
      const input = escalation({ to: ['responsible-person:张三'] });
      await activities.recordEscalation(input);
      expect(await activities.deliverNotifications({ escalationKey: input.key })).toEqual({ delivered: 1 });
      expect(received).toHaveLength(1);
      expect(received[0].headers[SIGNATURE_HEADER.toLowerCase()]).toBeUndefined();
      expect(decodeURIComponent(received[0].headers[IDEMPOTENCY_HEADER.toLowerCase()] as string)).toBe(
        `${input.key}|responsible-person:张三`,
      );
    });

    it('gives up a row whose channel is no longer configured, instead of retrying for ever', async () => {
      const withWebhook = createActivities(deps({ channels: [outboxChannel(), webhookChannel({ url })] }));
      const input = escalation({ to: ['office'] });
      await withWebhook.recordEscalation(input);
      const outboxOnly = createActivities(deps({ channels: [outboxChannel()] }));
      expect(await outboxOnly.deliverNotifications({ escalationKey: input.key })).toEqual({ delivered: 0 });
      const rows = await dataSource.query(
        'SELECT channel, status, last_error FROM notifications WHERE escalation_key = $1 ORDER BY channel',
        [input.key],
      );
      expect(rows).toEqual([
        { channel: 'outbox', status: 'sent', last_error: null },
        { channel: 'webhook', status: 'failed', last_error: 'channel webhook is not configured' },
      ]);
      expect(received).toHaveLength(0);
    });
  });
});

describe('proposeMeasure', () => {
  it('proposes one referral measure per key', async () => {
    const activities = createActivities(deps());
    const unitId = randomUUID();
    const input = {
      key: `massline-item-${unitId}.item-1:2013-12-31:referral`,
      campaignId: randomUUID(),
      unitId,
      itemId: `${unitId}.item-1`,
      subject: 'head of unit',
      reason: '30 days overdue',
    };
    await activities.proposeMeasure(input);
    await activities.proposeMeasure(input);
    const rows = await dataSource.query('SELECT kind, status, subject, item_id FROM measures WHERE proposal_key = $1', [input.key]);
    expect(rows).toEqual([{ kind: 'referral', status: 'proposed', subject: 'head of unit', item_id: input.itemId }]);
  });
});

describe('startBatchUnits', () => {
  const codes = (n: number, prefix: string) => Array.from({ length: n }, (_, i) => `${prefix}-${String(i + 1).padStart(3, '0')}`);
  const exists = async (unitId: string) =>
    temporal.client.workflow
      .getHandle(unitWorkflowId(unitId))
      .describe()
      .then(
        () => true,
        () => false,
      );

  it('starts every unit of the batch (and only that batch) once, paging by code and heartbeating each page', async () => {
    const batch1 = codes(7, 'B1');
    const { campaignId, unitIds } = await enrolCampaign(dataSource, [
      ...batch1.map((code) => ({ code, batch: 1 as const })),
      ...codes(2, 'B2').map((code) => ({ code, batch: 2 as const })),
    ]);
    const activities = createActivities(deps({ batchStart: { pageSize: 3, concurrency: 2 } }));
    const startBatchUnits = activities.startBatchUnits.bind(activities);
    const env = new MockActivityEnvironment();
    const heartbeats: BatchStartProgress[] = [];
    env.on('heartbeat', (d: BatchStartProgress) => heartbeats.push(d));

    expect(await env.run(startBatchUnits, { campaignId, batch: 1 as const })).toEqual({
      started: 7,
      existing: 0,
    });
    expect(heartbeats.map((h) => h.lastCode)).toEqual(['B1-003', 'B1-006', 'B1-007']);
    for (const code of batch1) expect(await exists(unitIds.get(code)!)).toBe(true);
    for (const code of codes(2, 'B2')) expect(await exists(unitIds.get(code)!)).toBe(false);

    const description = await temporal.client.workflow.getHandle(unitWorkflowId(unitIds.get('B1-004')!)).describe();
    expect(description.typedSearchAttributes.get(campaignIdKey)).toBe(campaignId);
    expect(description.typedSearchAttributes.get(unitCodeKey)).toBe('B1-004');
    expect(description.typedSearchAttributes.get(batchKey)).toBe(1);
    expect(description.typedSearchAttributes.get(phaseKey)).toBe('P1');

    // Run again (the campaign workflow's activity retried after a crash): nothing starts twice.
    expect(await new MockActivityEnvironment().run(startBatchUnits, { campaignId, batch: 1 as const })).toEqual({
      started: 0,
      existing: 7,
    });
  });

  it('resumes after the last code a previous attempt heartbeated', async () => {
    const all = codes(5, 'R');
    const { campaignId, unitIds } = await enrolCampaign(
      dataSource,
      all.map((code) => ({ code, batch: 2 as const })),
    );
    const activities = createActivities(deps({ batchStart: { pageSize: 2 } }));
    const startBatchUnits = activities.startBatchUnits.bind(activities);
    const env = new MockActivityEnvironment({
      heartbeatDetails: { lastCode: 'R-002', started: 2, existing: 0 } satisfies BatchStartProgress,
    });
    expect(await env.run(startBatchUnits, { campaignId, batch: 2 as const })).toEqual({
      started: 5,
      existing: 0,
    });
    expect(await exists(unitIds.get('R-001')!)).toBe(false);
    expect(await exists(unitIds.get('R-002')!)).toBe(false);
    for (const code of ['R-003', 'R-004', 'R-005']) expect(await exists(unitIds.get(code)!)).toBe(true);
  });

  it('fails without retrying for a campaign that does not exist', async () => {
    const activities = createActivities(deps());
    const startBatchUnits = activities.startBatchUnits.bind(activities);
    const failure = await nonRetryableFailure(() =>
      // The SDK logs every failed activity; this failure is the expected outcome.
      new MockActivityEnvironment(undefined, { logger: new DefaultLogger('ERROR') }).run(startBatchUnits, {
        campaignId: randomUUID(),
        batch: 1 as const,
      }),
    );
    expect(failure.type).toBe('NOT_FOUND');
  });
});
