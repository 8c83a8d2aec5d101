// The auditors' tools against a real campaign: a unit driven through P1 → P3 by its principals over HTTP, one
// rectification item left to escalate through every rung, then the auditor's views of it — export, timeline,
// replay job, reconciliation (with a tampered row), referral dossier — over HTTP (and who may see them) and
// through `massline audit` in a terminal.
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import { promisify } from 'node:util';
import { randomUUID } from 'node:crypto';
import { docRefOf, PgStuckRunRepository, PgWorkflowResetRepository } from '../../libs/persistence/src';
import { Worker } from '@temporalio/worker';
import { apiContextOf } from '../../apps/api/src/main';
import { AuditStore, buildUnitTimeline, historyFromCliJson, renderTimeline } from '../../libs/audit/src';
import { startUnitWorkflow } from '../../libs/temporal/src';
import { addRecordUpdate } from '../../libs/contracts/src';
import { unitWorkflowId, type Actor } from '../../libs/domain/src';
import { testServices } from '../support';
import { type HttpResult } from '../api/harness';
import { eventually } from '../support/eventually';
import { buildWorld, type World } from '../api/world';
import { startAuditApi, workflowBundle, type AuditApi } from './api-harness';
import { runAudit } from '../../apps/cli/src/audit';
import type { Json } from '../support/json';
import { ifSet } from '../support/if-set';

/** `massline audit …` in this process, with the API's configuration in its environment. */
async function massline(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out = new PassThrough();
  const err = new PassThrough();
  const chunks = { out: [] as Buffer[], err: [] as Buffer[] };
  out.on('data', (c: Buffer) => chunks.out.push(c));
  err.on('data', (c: Buffer) => chunks.err.push(c));
  const env = {
    TEMPORAL_ADDRESS: api.config.temporal.address,
    TEMPORAL_NAMESPACE: api.config.temporal.namespace,
    DATABASE_URL: api.config.database.url,
    LOG_LEVEL: 'error',
    PATH: process.env.PATH,
  };
  const code = await runAudit(argv, { out, err, env });
  return { code, out: Buffer.concat(chunks.out).toString('utf8'), err: Buffer.concat(chunks.err).toString('utf8') };
}

const run = promisify(execFile);
const iso = (ms: number) => new Date(ms).toISOString();
const HOUR = 3_600_000;

async function cliShow(workflowId: string): Promise<string> {
  const { temporal } = testServices();
  const { stdout } = await run(
    temporal.cliPath,
    ['workflow', 'show', '--output', 'json', '--address', temporal.address, '--namespace', temporal.namespace, '-w', workflowId],
    {
      maxBuffer: 64 * 1024 * 1024,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' },
    },
  );
  return stdout;
}

let api: AuditApi;
let world: World;
let itemId: string;
let referralId: string;

type Call = (method: string, path: string, body?: unknown) => Promise<HttpResult & { text: string }>;
const as =
  (token: string | undefined): Call =>
  (method, path, body) =>
    api.call(method, path, { token, body });
let auditor: Call;

beforeAll(async () => {
  api = await startAuditApi();
  world = await buildWorld(api);
  auditor = as(world.tokens.auditor);
  const unit = as(world.tokens.unitA);
  const sup = as(world.tokens.supA);
  const publicCaller = as(undefined);
  const u = `/api/units/${world.unitA}`;
  const ok = async (p: ReturnType<Call>, status: number) => {
    const r = await p;
    if (r.status !== status) throw new Error(`expected ${status}, got ${r.status}: ${JSON.stringify(r.body)}`);
    return r.body;
  };

  // A refused request first: the gate to P2 is not met (the workflow's validator says no; the API logs it).
  await ok(unit('POST', `${u}/transitions`, { to: 'P2', comment: 'too early' }), 409);
  // P1
  await ok(unit('POST', `${u}/records`, { kind: 'study', title: 'Study of the mass line' }), 201);
  await ok(publicCaller('POST', `${u}/opinions`, { text: 'Too many meetings', contact: 'citizen@example.org' }), 202);
  await ok(unit('POST', `${u}/records`, { kind: 'solicitation-report', title: 'Solicitation report' }), 201);
  let t = await ok(unit('POST', `${u}/transitions`, { to: 'P2', comment: 'P1 deliverables in' }), 201);
  await ok(sup('POST', `${u}/transitions/${t.id}/decision`, { approve: true, comment: 'study and listening done' }), 200);
  // P2
  const problem = await ok(unit('POST', `${u}/problems`, { title: 'Meetings too long', source: 'masses', category: 'formalism' }), 201);
  await ok(unit('POST', `${u}/records`, { kind: 'comparison-check', title: 'Comparison-check materials' }), 201);
  const now = Date.now();
  await ok(unit('POST', `${u}/meeting`, { scheduledAt: iso(now - 3 * HOUR), location: 'Room 3' }), 201);
  await ok(sup('POST', `${u}/meeting/attendance`, { arrivedAt: iso(now - 3 * HOUR - 60_000), leftAt: iso(now - HOUR + 60_000) }), 200);
  const held = await ok(
    unit('POST', `${u}/meeting/held`, {
      startedAt: iso(now - 3 * HOUR),
      endedAt: iso(now - HOUR),
      minutes: 'criticism and self-criticism',
    }),
    200,
  );
  expect(held.valid).toBe(true);
  t = await ok(unit('POST', `${u}/transitions`, { to: 'P3', comment: 'problems found' }), 201);
  await ok(sup('POST', `${u}/transitions/${t.id}/decision`, { approve: true, comment: 'meeting valid, attended throughout' }), 200);
  // P3: one item with a deadline a few seconds away, disclosed for 3 s (the compressed plan's ladder is in seconds).
  const book = await ok(
    unit('PUT', `${u}/task-book`, {
      signedBy: 'Party secretary Wang',
      items: [{ problemIds: [problem.id], measure: 'Halve the meetings', owner: 'Deputy Li', deadline: iso(Date.now() + 8_000) }],
    }),
    200,
  );
  itemId = book.items[0].id;
  await ok(unit('POST', `${u}/task-book/publish`), 200);
  await eventually(
    async () => ((await auditor('GET', `/api/items/${itemId}`)).body?.status === 'open' ? true : undefined),
    'the task book to take effect',
    30_000,
  );
  // The unit asks for more time, the supervisor grants it: the ladder restarts on the new deadline.
  await ok(unit('POST', `/api/items/${itemId}/progress`, { note: 'Two meetings merged' }), 201);
  const ext = await ok(
    unit('POST', `/api/items/${itemId}/extensions`, { newDeadline: iso(Date.now() + 6_000), reason: 'waiting for the new rules' }),
    201,
  );
  await ok(sup('POST', `/api/items/${itemId}/extensions/${ext.id}/decision`, { approve: true, comment: 'one extension only' }), 200);
  // Left alone, the item runs through reminder, yellow, red and referral.
  referralId = await eventually(
    async () => {
      const r = await auditor('GET', `/api/escalations?campaignId=${world.campaignId}&rung=referral`);
      return r.body?.items?.find((e: { itemId?: string }) => e.itemId === itemId)?.id;
    },
    'the referral rung',
    60_000,
  );
}, 180_000);

afterAll(async () => {
  await ifSet(api)?.close();
});

describe('GET /api/units/:id/history', () => {
  it('is what `temporal workflow show --output json` prints for the unit workflow, and replays with the SDK replayer', async () => {
    const workflowId = unitWorkflowId(world.unitA);
    // The unit may still be taking signals from its item: compare two reads of the same length of history.
    const [fromApi, fromCli] = await eventually(async () => {
      const cli = await cliShow(workflowId);
      const r = await auditor('GET', `/api/units/${world.unitA}/history`);
      expect(r.status).toBe(200);
      expect(r.headers.get('content-type')).toMatch(/^application\/json/);
      const text = r.text;
      return JSON.parse(text).events.length === JSON.parse(cli).events.length ? [text, cli] : undefined;
    }, 'a stable history');
    expect(fromApi).toBe(fromCli);
    await expect(
      Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, historyFromCliJson(fromApi), workflowId),
    ).resolves.toBeUndefined();
  });

  it('is for auditors only; an unknown unit is a 404', async () => {
    expect((await as(world.tokens.office)('GET', `/api/units/${world.unitA}/history`)).status).toBe(403);
    expect((await as(world.tokens.supA)('GET', `/api/units/${world.unitA}/history`)).status).toBe(403);
    expect((await auditor('GET', `/api/units/${randomUUID()}/history`)).status).toBe(404);
    expect((await auditor('GET', `/api/units/not-a-unit/history`)).status).toBe(404);
    // A run may be named (a unit that continued as new has several); an unknown run is a 404.
    const { runId } = await apiContextOf(api.app).temporal.workflow.getHandle(unitWorkflowId(world.unitA)).describe();
    const run = await auditor('GET', `/api/units/${world.unitA}/history?runId=${runId}`);
    expect(run.status).toBe(200);
    expect(JSON.parse(run.text).events[0].eventType).toBe('EVENT_TYPE_WORKFLOW_EXECUTION_STARTED');
    expect((await auditor('GET', `/api/units/${world.unitA}/history?runId=${randomUUID()}`)).status).toBe(404);
    expect((await auditor('GET', `/api/units/${world.unitA}/history?runId=yesterday`)).status).toBe(400);
  });
});

describe('GET /api/units/:id/timeline', () => {
  it('says who did what, when and why — from the history, with the refused request merged in', async () => {
    const r = await auditor('GET', `/api/units/${world.unitA}/timeline`);
    expect(r.status).toBe(200);
    const entries = r.body as Array<Record<string, Json>>;
    const times = entries.map((e) => e.at);
    expect([...times].sort()).toEqual(times);
    expect(entries[0]).toMatchObject({ action: 'workflowStarted', actor: 'system', role: 'system' });

    const refused = entries.find((e) => e.outcome === 'refused');
    expect(refused).toMatchObject({
      action: 'requestTransition',
      actor: world.ids.unitA,
      role: 'unit',
      source: 'audit-log',
      comment: 'too early',
    });
    expect(refused!.rule).toMatch(/gate/);
    expect(refused!.label.en).toBe('Refused: Transition requested');

    const study = entries.find((e) => e.action === 'addRecord' && e.detail.kind === 'study');
    expect(study).toMatchObject({
      actor: world.ids.unitA,
      role: 'unit',
      outcome: 'accepted',
      label: { en: 'Study session recorded', zh: '学习教育记录' },
    });
    const opinion = entries.find((e) => e.action === 'addOpinion');
    expect(opinion!.role).toBe('public');
    expect(opinion!.detail.contact).toBeUndefined(); // a citizen's contact is not shown
    const approvals = entries.filter((e) => e.action === 'approveTransition');
    expect(approvals.map((e) => [e.actor, e.role, e.comment, e.label.en, e.label.zh])).toEqual([
      [world.ids.supA, 'supervisor', 'study and listening done', 'Transition approved', '批准环节转换'],
      [world.ids.supA, 'supervisor', 'meeting valid, attended throughout', 'Transition approved', '批准环节转换'],
    ]);
    expect(entries.filter((e) => e.action === 'phaseEntered').map((e) => e.detail.phase)).toEqual(expect.arrayContaining(['P2', 'P3']));
    expect(entries.find((e) => e.action === 'meetingAttendance')).toMatchObject({ actor: world.ids.supA, role: 'supervisor' });
    expect(entries.find((e) => e.action === 'meetingHeld')!.detail.result).toEqual({ valid: true, version: expect.any(Number) });
    expect(entries.find((e) => e.action === 'itemStarted')!.detail.itemId).toBe(itemId);
    // The refusal sits before the first accepted record, where it happened.
    expect(entries.indexOf(refused!)).toBeLessThan(entries.indexOf(study!));
  });

  it("merges the items' timelines on request, and each item has its own: every rung, the extension, the decisions", async () => {
    const withItems = (await auditor('GET', `/api/units/${world.unitA}/timeline?includeItems=true`)).body as Array<Record<string, Json>>;
    expect(withItems.some((e) => e.itemId === itemId && e.action === 'escalation')).toBe(true);

    const r = await auditor('GET', `/api/items/${itemId}/timeline`);
    expect(r.status).toBe(200);
    const entries = r.body as Array<Record<string, Json>>;
    const rungs = entries.filter((e) => e.action === 'escalation').map((e) => e.detail.rung);
    expect(rungs).toEqual(expect.arrayContaining(['reminder', 'yellow', 'red', 'referral']));
    expect(entries.find((e) => e.action === 'escalation' && e.detail.rung === 'referral')!.label).toEqual({
      en: 'Referral to discipline inspection',
      zh: '移交纪检监察机关',
    });
    expect(entries.find((e) => e.action === 'requestExtension')).toMatchObject({ actor: world.ids.unitA, role: 'unit' });
    expect(entries.find((e) => e.action === 'decideExtension')).toMatchObject({
      actor: world.ids.supA,
      role: 'supervisor',
      comment: 'one extension only',
      label: { en: 'Extension approved', zh: '批准延期' },
    });
    // The history holds the note's digest; the timeline gives both it and the text it stands for.
    expect(entries.find((e) => e.action === 'reportProgress')!.detail.note).toEqual({
      digest: docRefOf('Two meetings merged').digest,
      chars: 19,
      text: 'Two meetings merged',
    });
  });

  it("is open to the office and the unit's supervisors, not to another group's, nor to the unit itself", async () => {
    expect((await as(world.tokens.office)('GET', `/api/units/${world.unitA}/timeline`)).status).toBe(200);
    expect((await as(world.tokens.supA)('GET', `/api/units/${world.unitA}/timeline`)).status).toBe(200);
    expect((await as(world.tokens.supB)('GET', `/api/units/${world.unitA}/timeline`)).status).toBe(404);
    expect((await as(world.tokens.unitA)('GET', `/api/units/${world.unitA}/timeline`)).status).toBe(403);
    expect((await as(world.tokens.supB)('GET', `/api/items/${itemId}/timeline`)).status).toBe(404);
    expect((await auditor('GET', `/api/units/${world.unitA}/timeline?includeItems=maybe`)).status).toBe(400);
    expect((await auditor('GET', `/api/units/${randomUUID()}/timeline`)).status).toBe(404);
  });

  it('renders the same timeline from an exported file as from the live history', async () => {
    const text = await auditor('GET', `/api/units/${world.unitA}/history`);
    const fromFile = renderTimeline(JSON.parse(text.text), { workflowId: unitWorkflowId(world.unitA) });
    const live = ((await auditor('GET', `/api/units/${world.unitA}/timeline`)).body as Array<Record<string, unknown>>).filter(
      (e) => e.source === 'history',
    );
    expect(fromFile.map((e) => [e.action, e.actor, e.eventId])).toEqual(
      live.slice(0, fromFile.length).map((e) => [e.action, e.actor, e.eventId]),
    );
  });
});

describe('a unit that continued as new', () => {
  it('has one timeline across its runs, and each run replays', async () => {
    const ctx = apiContextOf(api.app);
    const unitId = randomUUID();
    const workflowId = unitWorkflowId(unitId);
    const campaign = await as(world.tokens.office)('GET', `/api/campaigns/${world.campaignId}`);
    // A short history limit makes the unit continue as new after a few decisions.
    await startUnitWorkflow(
      ctx.temporal,
      {
        campaignId: world.campaignId,
        unitId,
        code: 'LONG',
        name: 'long-lived unit',
        batch: 1,
        groupId: world.groupA,
        plan: campaign.body.plan,
        historyLimit: 40,
      },
      api.config.temporal.taskQueue,
    );
    const handle = ctx.temporal.workflow.getHandle(workflowId);
    const firstRun = (await handle.describe()).runId;
    const actor: Actor = { id: 'unit-staff-long', role: 'unit', unitId };
    for (let i = 1; i <= 12; i++)
      await handle.executeUpdate(addRecordUpdate, { args: [{ actor, kind: 'study' as const, title: `study ${i}` }] });
    await eventually(async () => ((await handle.describe()).runId !== firstRun ? true : undefined), 'a continued run');
    await handle.executeUpdate(addRecordUpdate, { args: [{ actor, kind: 'study' as const, title: 'study 13' }] });

    const { entries } = await buildUnitTimeline({ client: ctx.temporal, store: new AuditStore(ctx.dataSource), unitId });
    expect(entries.filter((e) => e.action === 'addRecord').map((e) => e.detail.title)).toEqual(
      Array.from({ length: 13 }, (_, i) => `study ${i + 1}`),
    );
    expect(entries.filter((e) => e.action === 'workflowStarted')).toHaveLength(1);
    expect(entries.some((e) => e.action === 'workflowContinuedAsNew')).toBe(false);

    const replay = await massline('replay', '--workflow', workflowId, '--json');
    expect(JSON.parse(replay.out)).toMatchObject({ total: 1, failures: [] });
  });
});

describe('POST /api/audit/replays', () => {
  it("replays the campaign's histories as a job with progress, and finds none that diverges", async () => {
    const started = await auditor('POST', '/api/audit/replays', { campaignId: world.campaignId });
    expect(started.status).toBe(202);
    const job = await eventually(
      async () => {
        const r = await auditor('GET', `/api/audit/replays/${started.body.id}`);
        expect(r.status).toBe(200);
        expect(['running', 'done']).toContain(r.body.status);
        return r.body.status === 'done' ? r.body : undefined;
      },
      'the replay job',
      120_000,
    );
    // The campaign, both units and the item (every run of each).
    expect(job.total).toBeGreaterThanOrEqual(4);
    expect(job.replayed).toBe(job.total);
    expect(job.failures).toEqual([]);
  });

  it('replays workflows named by unit or item id', async () => {
    const started = await auditor('POST', '/api/audit/replays', { workflowIds: [world.unitA, itemId] });
    expect(started.status).toBe(202);
    const job = await eventually(
      async () => {
        const r = await auditor('GET', `/api/audit/replays/${started.body.id}`);
        return r.body.status === 'done' ? r.body : undefined;
      },
      'the replay job',
      120_000,
    );
    expect(job).toMatchObject({ total: 2, replayed: 2, failures: [] });
  });

  it('refuses a request that names nothing, a bad range, an unknown campaign, and anyone but an auditor', async () => {
    expect((await auditor('POST', '/api/audit/replays', {})).status).toBe(400);
    const reversed = await auditor('POST', '/api/audit/replays', {
      closedAfter: '2014-02-01T00:00:00+08:00',
      closedBefore: '2014-01-01T00:00:00+08:00',
    });
    expect(reversed.status).toBe(400);
    expect(reversed.body.message).toContain('closedBefore');
    expect((await auditor('POST', '/api/audit/replays', { closedAfter: 'yesterday' })).body.message).toContain('closedAfter');
    expect((await auditor('POST', '/api/audit/replays', { campaignId: world.campaignId, colour: 'red' })).status).toBe(400);
    expect((await auditor('POST', '/api/audit/replays', { campaignId: randomUUID() })).status).toBe(404);
    expect((await as(world.tokens.office)('POST', '/api/audit/replays', { campaignId: world.campaignId })).status).toBe(403);
    expect((await auditor('GET', `/api/audit/replays/${randomUUID()}`)).status).toBe(404);
  });
});

describe('POST /api/audit/reconciliations', () => {
  it('finds the read model in agreement with the workflows, then catches a tampered unit row and item row', async () => {
    const clean = await eventually(async () => {
      const r = await auditor('POST', '/api/audit/reconciliations', { campaignId: world.campaignId });
      expect(r.status).toBe(200);
      return r.body.inFlight.length === 0 ? r.body : undefined;
    }, 'projections to settle');
    expect(clean.checked).toBeGreaterThanOrEqual(3);
    expect(clean.mismatches).toEqual([]);

    const db = apiContextOf(api.app).dataSource;
    await db.query(`UPDATE unit_states SET phase = 'DONE' WHERE unit_id = $1`, [world.unitB]);
    await db.query(`UPDATE item_states SET owner = 'nobody' WHERE item_id = $1`, [itemId]);
    const r = await auditor('POST', '/api/audit/reconciliations', { campaignId: world.campaignId });
    expect(r.status).toBe(200);
    expect(r.body.mismatches).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ unitId: world.unitB, field: 'phase', projection: 'DONE', history: 'P1' }),
        expect.objectContaining({ itemId, field: 'owner', projection: 'nobody', history: 'Deputy Li' }),
      ]),
    );
    expect(r.body.mismatches).toHaveLength(2);
  });

  it('is for auditors; an unknown campaign is a 404 and a malformed one a 400', async () => {
    expect((await as(world.tokens.office)('POST', '/api/audit/reconciliations', { campaignId: world.campaignId })).status).toBe(403);
    expect((await auditor('POST', '/api/audit/reconciliations', { campaignId: randomUUID() })).status).toBe(404);
    expect((await auditor('POST', '/api/audit/reconciliations', { campaignId: 'c1' })).status).toBe(400);
  });
});

describe('GET /api/escalations/:id/dossier', () => {
  it("assembles the item's and unit's escalation trail: every rung with its notices, the extension, the actors", async () => {
    const r = await auditor('GET', `/api/escalations/${referralId}/dossier`);
    expect(r.status).toBe(200);
    const d = r.body;
    expect(d.escalation).toMatchObject({ escalationId: referralId, rung: 'referral', itemId });
    expect(d.unit).toMatchObject({ id: world.unitA, code: 'U-0', groupId: world.groupA });
    // Two deadlines: the task book's and the extension's; rungs of both are kept.
    expect(d.item.deadlines).toHaveLength(2);
    expect(d.item.deadlines[1].by).toBe(world.ids.supA);
    const itemRungs = d.rungs.filter((x: { itemId: string | null }) => x.itemId === itemId).map((x: { rung: string }) => x.rung);
    expect(itemRungs).toEqual(expect.arrayContaining(['reminder', 'yellow', 'red', 'referral']));
    for (const rung of d.rungs) expect(rung.notices.length).toBeGreaterThan(0);
    expect(d.itemTrail.find((e: { action: string }) => e.action === 'decideExtension')).toMatchObject({
      actor: world.ids.supA,
      role: 'supervisor',
    });
    expect(d.unitTrail.some((e: { action: string }) => e.action === 'itemStarted')).toBe(true);
  });

  it('prints as an HTML page; supervisors of another group may not read it', async () => {
    const r = await auditor('GET', `/api/escalations/${referralId}/dossier?format=html`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^text\/html/);
    expect(r.body).toContain('移交材料');
    expect(r.body).toContain('Referral dossier');
    expect(r.body).toContain('U-0');
    expect(r.body).not.toContain('<script');
    expect((await as(world.tokens.supA)('GET', `/api/escalations/${referralId}/dossier`)).status).toBe(200);
    expect((await as(world.tokens.supB)('GET', `/api/escalations/${referralId}/dossier`)).status).toBe(404);
    expect((await as(world.tokens.unitA)('GET', `/api/escalations/${referralId}/dossier`)).status).toBe(403);
    expect((await auditor('GET', `/api/escalations/${randomUUID()}/dossier`)).status).toBe(404);
    expect((await auditor('GET', `/api/escalations/${referralId}/dossier?format=pdf`)).status).toBe(400);
  });
});

describe('massline audit (the CLI)', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'massline-audit-cli-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('export prints the history as the Temporal CLI does, or writes it to a file', async () => {
    const workflowId = unitWorkflowId(world.unitA);
    const [mine, theirs] = await eventually(async () => {
      const cli = await cliShow(workflowId);
      const r = await massline('export', world.unitA);
      expect(r.code).toBe(0);
      return JSON.parse(r.out).events.length === JSON.parse(cli).events.length ? [r.out, cli] : undefined;
    }, 'a stable history');
    expect(mine).toBe(theirs);
    const file = path.join(dir, 'item.json');
    expect((await massline('export', itemId, '--out', file)).code).toBe(0);
    expect(fs.readFileSync(file, 'utf8')).toBe(await cliShow(`massline-item-${itemId}`));
    expect((await massline('export', randomUUID())).code).toBe(1);
  });

  it('timeline prints who did what, when and why, refusals marked, in either language', async () => {
    const en = await massline('timeline', world.unitA, '--lang', 'en');
    expect(en.code).toBe(0);
    expect(en.out).toContain('Transition approved');
    expect(en.out).toContain('✗ Refused: Transition requested');
    expect(en.out).toContain('why: study and listening done');
    expect(en.out).toContain(`${world.ids.supA} (supervisor)`);
    const zh = await massline('timeline', itemId);
    expect(zh.out).toContain('移交纪检监察机关');
    expect(zh.out).toContain('批准延期');
    const json = await massline('timeline', world.unitA, '--items', '--json');
    expect(JSON.parse(json.out).some((e: { action: string; itemId?: string }) => e.itemId === itemId && e.action === 'escalation')).toBe(
      true,
    );
  });

  it('replay goes through a campaign, named workflows, or exported files, and says so in its exit status', async () => {
    const campaign = await massline('replay', '--campaign', world.campaignId, '--json');
    expect(campaign.code).toBe(0);
    const report = JSON.parse(campaign.out);
    expect(report.total).toBeGreaterThanOrEqual(4);
    expect(report.failures).toEqual([]);
    const named = await massline('replay', '--workflow', world.unitA, itemId, '--concurrency', '2');
    expect(named.code).toBe(0);
    expect(named.out).toMatch(/^replayed 2 of 2 histories \(\d+ events\) in [\d.]+ s: all follow from the current code/);
    const file = path.join(dir, 'unit.json');
    await massline('export', world.unitA, '--out', file);
    expect((await massline('replay', '--file', file)).code).toBe(0);
  });

  it('reconcile lists the tampered rows and exits 1', async () => {
    const r = await massline('reconcile', world.campaignId);
    expect(r.code).toBe(1);
    expect(r.out).toContain(`unit ${world.unitB} phase: projection "DONE" ≠ query "P1"`);
    expect(r.out).toContain(`item ${itemId} owner: projection "nobody" ≠ query "Deputy Li"`);
  });

  it('dossier writes the printable page', async () => {
    const file = path.join(dir, 'dossier.html');
    expect((await massline('dossier', referralId, '--html', '--out', file)).code).toBe(0);
    expect(fs.readFileSync(file, 'utf8')).toContain('移交材料');
    expect(JSON.parse((await massline('dossier', referralId)).out).escalation.rung).toBe('referral');
    expect((await massline('dossier', randomUUID())).code).toBe(1);
  });

  it('answers a usage error with exit status 2 and the help', async () => {
    for (const argv of [
      ['replay'],
      ['replay', '--campaign'],
      ['replay', '--closed-after', 'soon'],
      ['export'],
      ['frobnicate'],
      ['timeline', world.unitA, '--lang', 'fr'],
      ['reconcile', world.campaignId, '--colour'],
      ['replay', '--campaign', world.campaignId, '--concurrency', '0'],
    ]) {
      const r = await massline(...argv);
      expect({ argv, code: r.code }).toEqual({ argv, code: 2 });
      expect(r.err).toContain('massline audit');
    }
    expect((await massline('help')).code).toBe(0);
  });
});

describe('GET /api/audit/stuck-runs and GET /api/audit/resets', () => {
  it('list the stuck runs (oldest first; with the cleared ones on asking) and the recorded resets (newest first), a page at a time; auditors and the office only', async () => {
    const dataSource = apiContextOf(api.app).dataSource;
    const stuck = new PgStuckRunRepository(dataSource);
    const resets = new PgWorkflowResetRepository(dataSource);
    const wf = (n: number) => `massline-item-${world.unitA}.item-${90 + n}`;
    const runs = [randomUUID(), randomUUID(), randomUUID()];
    const nde = 'WORKFLOW_TASK_FAILED_CAUSE_NON_DETERMINISTIC_ERROR';
    const t0 = Date.now();
    await stuck.seen(
      {
        workflowId: wf(1),
        runId: runs[0],
        workflowType: 'rectificationItemWorkflow',
        attempt: 3,
        cause: nde,
        message: '[TMPRL1100] Nondeterminism error: …',
        source: 'history',
        failedEventId: 48,
        divergingEventId: 22,
        lastGoodEventId: 21,
      },
      new Date(t0),
    );
    await stuck.seen(
      {
        workflowId: wf(2),
        runId: runs[1],
        workflowType: 'rectificationItemWorkflow',
        attempt: 2,
        cause: 'WORKFLOW_TASK_TIMED_OUT',
        message: 'the workflow task timed out',
        source: 'history',
      },
      new Date(t0 + 1),
    );
    await stuck.seen(
      {
        workflowId: wf(3),
        runId: runs[2],
        workflowType: 'rectificationItemWorkflow',
        attempt: 2,
        cause: nde,
        message: 'moved since',
        source: 'replay',
      },
      new Date(t0 + 2),
    );
    expect(await stuck.moved([runs[2]])).toBe(1);

    const page = await auditor('GET', '/api/audit/stuck-runs?pageSize=1');
    expect(page.status).toBe(200);
    expect(page.body).toMatchObject({
      total: 2,
      items: [{ workflowId: wf(1), runId: runs[0], attempt: 3, cause: nde, lastGoodEventId: 21, divergingEventId: 22, source: 'history' }],
    });
    expect((await auditor('GET', '/api/audit/stuck-runs?pageSize=1&page=2')).body.items).toEqual([
      expect.objectContaining({ runId: runs[1], cause: 'WORKFLOW_TASK_TIMED_OUT' }),
    ]);
    const all = await auditor('GET', '/api/audit/stuck-runs?includeCleared=true');
    expect(all.body.total).toBe(3);
    expect(all.body.items.map((r: { runId: string }) => r.runId)).toEqual([runs[0], runs[1], runs[2]]);
    expect(all.body.items[2].clearedAt).toEqual(expect.any(String));
    // Named on /metrics (the value: the attempt) and in readiness, which stays as ready as the rest says.
    const metrics = (await api.call('GET', '/metrics')).text;
    expect(metrics).toContain(`massline_workflow_stuck{workflow_id="${wf(1)}",cause="${nde}"} 3`);
    expect(metrics).toContain(`massline_workflow_stuck{workflow_id="${wf(2)}",cause="WORKFLOW_TASK_TIMED_OUT"} 2`);
    expect(metrics).not.toContain(wf(3));
    expect(metrics).toMatch(/^massline_workflows_stuck 2$/m);
    const ready = await api.call('GET', '/health/ready');
    expect(ready.body.checks?.workflows ?? ready.body.details?.[0]?.workflows).toMatch(
      new RegExp(
        `^stuck: 2 runs whose workflow tasks keep failing, left for an operator \\(massline audit reset\\): ${wf(1).replace(/[.]/g, '\\.')} \\(NON_DETERMINISTIC_ERROR, attempt 3, since [^)]+\\); ${wf(2).replace(/[.]/g, '\\.')} \\(WORKFLOW_TASK_TIMED_OUT, attempt 2, since [^)]+\\)$`,
      ),
    );

    // Resets: one by an operator, recorded once however often the same request is recorded.
    const first = {
      by: 'ops-anna',
      workflowId: wf(1),
      unitId: world.unitA,
      itemId: `${world.unitA}.item-91`,
      runId: runs[0],
      newRunId: randomUUID(),
      eventId: 21,
      reason: 'stuck on the SDK defect',
      requestId: randomUUID(),
      detail: { to: 'last-good' },
    };
    expect(await resets.record(first)).toBe(true);
    expect(await resets.record({ ...first, reason: 'again' })).toBe(false);
    const second = {
      ...first,
      workflowId: wf(2),
      runId: runs[1],
      newRunId: randomUUID(),
      eventId: 7,
      reason: 'its worker kept timing out',
      requestId: randomUUID(),
      detail: { to: 7 },
    };
    expect(await resets.record(second)).toBe(true);
    const resetPage = await auditor('GET', '/api/audit/resets?pageSize=1');
    expect(resetPage.status).toBe(200);
    expect(resetPage.body).toMatchObject({
      total: 2,
      items: [
        {
          by: 'ops-anna',
          role: 'operator',
          workflowId: wf(2),
          runId: runs[1],
          eventId: 7,
          reason: 'its worker kept timing out',
          detail: { to: 7 },
        },
      ],
    });
    expect((await auditor('GET', '/api/audit/resets?pageSize=1&page=2')).body.items).toEqual([
      expect.objectContaining({
        workflowId: wf(1),
        newRunId: first.newRunId,
        eventId: 21,
        reason: 'stuck on the SDK defect',
        requestId: first.requestId,
      }),
    ]);
    expect((await auditor('GET', `/api/audit/resets?workflowId=${wf(1)}`)).body).toMatchObject({ total: 1, items: [{ runId: runs[0] }] });
    expect((await auditor('GET', '/api/audit/resets?workflowId=massline-unit-none')).body).toEqual({ items: [], total: 0 });

    for (const route of ['/api/audit/stuck-runs', '/api/audit/resets']) {
      expect((await as(world.tokens.office)('GET', route)).status).toBe(200);
      for (const who of [world.tokens.unitA, world.tokens.supA]) expect((await as(who)('GET', route)).status).toBe(403);
      expect((await as(undefined)('GET', route)).status).toBe(401);
      const bad = await auditor('GET', `${route}?pageSize=0`);
      expect(bad.status).toBe(400);
      expect(JSON.stringify(bad.body)).toMatch(/pageSize/);
    }
    const badFlag = await auditor('GET', '/api/audit/stuck-runs?includeCleared=maybe');
    expect(badFlag.status).toBe(400);
    expect(JSON.stringify(badFlag.body)).toMatch(/includeCleared/);
    const badId = await auditor('GET', '/api/audit/resets?workflowId=a%20b');
    expect(badId.status).toBe(400);
    expect(JSON.stringify(badId.body)).toMatch(/workflowId/);
    // The former route is gone with the automatic recovery.
    expect((await auditor('GET', '/api/audit/recoveries')).status).toBe(404);
  });
});
