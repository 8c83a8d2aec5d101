// Records the corpus of the versioning guard: real runs of every path of the massline workflows, driven over
// HTTP against the dev server with the real worker, saved under test/fixtures/histories/ in the engine's
// standard JSON. Runs only when asked:
//
//   MASSLINE_RECORD_HISTORIES=1 npx jest test/audit/record-histories.test.ts
//
// Record again after a deliberate, versioned change (see libs/audit/README.md) — never to silence the guard.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { exportHistory, fetchJsonHistoryChain, visibilityQuery } from '../../libs/audit/src';
import { programmeWorkflowId } from '../../libs/domain/src';
import { OFFICE_TOKEN, type HttpResult } from '../api/harness';
import { eventually } from '../support/eventually';
import { compressedPlan } from '../api/plans';
import { startAuditApi, type AuditApi } from './api-harness';
import { apiContextOf } from '../../apps/api/src/main';
import { ifSet } from '../support/if-set';

const RECORD = process.env.MASSLINE_RECORD_HISTORIES === '1';
export const HISTORIES_DIR = path.resolve(__dirname, '../fixtures/histories');
const iso = (ms: number) => new Date(ms).toISOString();
const HOUR = 3_600_000;

type Call = (method: string, path: string, body?: unknown) => Promise<HttpResult>;

(RECORD ? describe : describe.skip)('recording the replay corpus (MASSLINE_RECORD_HISTORIES=1)', () => {
  let api: AuditApi;
  const as =
    (token: string | undefined): Call =>
    (method, p, body) =>
      api.call(method, p, { token, body });
  const office = () => as(OFFICE_TOKEN);
  const ok = async (p: Promise<HttpResult>, status: number) => {
    const r = await p;
    if (r.status !== status) throw new Error(`expected ${status}, got ${r.status}: ${JSON.stringify(r.body)}`);
    return r.body;
  };
  const principal = async (body: object) => (await ok(office()('POST', '/api/principals', body), 201)).token as string;

  async function campaign(name: string, plan: object, units: Array<{ code: string; batch: 1 | 2; group: 'A' | 'B' }>) {
    const c = await ok(office()('POST', '/api/campaigns', { name, plan }), 201);
    const groups = {
      A: (await ok(office()('POST', `/api/campaigns/${c.id}/groups`, { name: 'A' }), 201)).id as string,
      B: (await ok(office()('POST', `/api/campaigns/${c.id}/groups`, { name: 'B' }), 201)).id as string,
    };
    const enrolled = await ok(
      office()('POST', `/api/campaigns/${c.id}/units`, {
        units: units.map((u) => ({
          code: u.code,
          name: `unit ${u.code}`,
          kind: u.batch === 1 ? 'organ' : 'grassroots',
          level: u.batch === 1 ? 'municipal' : 'district',
          groupId: groups[u.group],
        })),
      }),
      200,
    );
    const ids: Record<string, string> = Object.fromEntries(enrolled.results.map((r: { code: string; id: string }) => [r.code, r.id]));
    return { id: c.id as string, groups, ids };
  }

  const start = (campaignId: string) => ok(office()('POST', `/api/campaigns/${campaignId}/start`), 202);
  const waitActive = (unitId: string) =>
    eventually(
      async () => ((await office()('GET', `/api/units/${unitId}`)).body?.status === 'active' ? true : undefined),
      `unit ${unitId} active`,
      60_000,
    );

  /** P1 and P2 deliverables and both approvals, with a rejected request and an invalid meeting on the way. */
  async function toP3(unitId: string, unit: Call, sup: Call, detours: boolean) {
    const u = `/api/units/${unitId}`;
    await ok(unit('POST', `${u}/transitions`, { to: 'P2', comment: 'too early' }), 409);
    await ok(unit('POST', `${u}/records`, { kind: 'study', title: 'Study of the mass line' }), 201);
    await ok(unit('POST', `${u}/records`, { kind: 'investigation', title: 'Visits to the districts' }), 201);
    await ok(as(undefined)('POST', `${u}/opinions`, { text: 'Too many meetings', contact: 'citizen@example.org' }), 202);
    await ok(unit('POST', `${u}/records`, { kind: 'solicitation-report', title: 'Solicitation report' }), 201);
    let t = await ok(unit('POST', `${u}/transitions`, { to: 'P2', comment: 'P1 deliverables in' }), 201);
    if (detours) {
      await ok(sup('POST', `${u}/transitions/${t.id}/decision`, { approve: false, comment: 'solicitation report too thin' }), 200);
      t = await ok(unit('POST', `${u}/transitions`, { to: 'P2', comment: 'report expanded' }), 201);
    }
    await ok(sup('POST', `${u}/transitions/${t.id}/decision`, { approve: true, comment: 'study and listening done' }), 200);
    const problem = await ok(unit('POST', `${u}/problems`, { title: 'Meetings too long', source: 'masses', category: 'formalism' }), 201);
    await ok(unit('POST', `${u}/problems`, { title: 'Cars for private use', source: 'self', category: 'hedonism' }), 201);
    await ok(unit('POST', `${u}/records`, { kind: 'comparison-check', title: 'Comparison-check materials' }), 201);
    // Each unit's meeting at another time: the supervisor is in one room at a time.
    const now = Date.now() - (detours ? 0 : 8 * HOUR);
    if (detours) {
      // The supervisor left before the end: the meeting is recorded invalid and must be reconvened.
      await ok(unit('POST', `${u}/meeting`, { scheduledAt: iso(now - 5 * HOUR), location: 'Room 1' }), 201);
      await ok(sup('POST', `${u}/meeting/attendance`, { arrivedAt: iso(now - 5 * HOUR), leftAt: iso(now - 4.5 * HOUR) }), 200);
      const held = await ok(
        unit('POST', `${u}/meeting/held`, { startedAt: iso(now - 5 * HOUR), endedAt: iso(now - 4 * HOUR), minutes: 'first meeting' }),
        200,
      );
      expect(held.valid).toBe(false);
    }
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
    return problem.id as string;
  }

  const waitItem = (itemId: string, status: string) =>
    eventually(
      async () => ((await office()('GET', `/api/items/${itemId}`)).body?.status === status ? true : undefined),
      `item ${itemId} ${status}`,
      60_000,
    );

  beforeAll(async () => {
    api = await startAuditApi();
  });
  afterAll(async () => {
    await ifSet(api)?.close();
  });

  it('drives every path and saves the histories', async () => {
    // ---- campaign A: long windows; a unit all the way to DONE, a unit whose item is referred ----
    const a = await campaign('recording A', compressedPlan({ disclosure: 'PT4S' }), [
      { code: 'FULL', batch: 1, group: 'A' },
      { code: 'REFERRED', batch: 1, group: 'A' },
    ]);
    const t = {
      full: await principal({ name: 'unit FULL', role: 'unit', unitId: a.ids.FULL }),
      referred: await principal({ name: 'unit REFERRED', role: 'unit', unitId: a.ids.REFERRED }),
      sup: await principal({ name: 'supervisor A', role: 'supervisor', groupId: a.groups.A }),
    };
    await start(a.id);
    await Promise.all([waitActive(a.ids.FULL), waitActive(a.ids.REFERRED)]);
    const sup = as(t.sup);

    const fullPath = (async () => {
      const unit = as(t.full);
      const u = `/api/units/${a.ids.FULL}`;
      const problemId = await toP3(a.ids.FULL, unit, sup, true);
      const far = Date.now() + 2 * HOUR;
      const book = await ok(
        unit('PUT', `${u}/task-book`, {
          signedBy: 'Party secretary Wang',
          items: [
            { problemIds: [problemId], measure: 'Halve the meetings', owner: 'Deputy Li', deadline: iso(far) },
            { problemIds: [problemId], measure: 'Merge the reports', owner: 'Deputy Zhao', deadline: iso(far) },
            { problemIds: [problemId], measure: 'Rules on official cars', owner: 'Director Sun', deadline: iso(far) },
          ],
        }),
        200,
      );
      const [i1, i2, i3] = book.items.map((i: { id: string }) => i.id);
      await ok(unit('POST', `${u}/task-book/publish`), 200);
      const objection = await ok(as(undefined)('POST', `${u}/task-book/objections`, { text: 'Item 2 is too vague', itemId: i2 }), 202);
      await ok(
        unit('POST', `${u}/task-book/objections/${objection.id}/answer`, { text: 'Reports will be merged by the end of the month' }),
        200,
      );
      await waitItem(i1, 'open');
      // item 1: verification refused, then accepted
      await ok(
        unit('POST', `/api/items/${i1}/progress`, { note: 'Weekly meeting dropped', evidenceUri: 'https://example.org/minutes/1' }),
        201,
      );
      await ok(unit('POST', `/api/items/${i1}/completion`, { evidence: 'Meetings down from 12 to 7' }), 200);
      await ok(sup('POST', `/api/items/${i1}/verification`, { accept: false, comment: 'not yet half' }), 200);
      await ok(unit('POST', `/api/items/${i1}/completion`, { evidence: 'Meetings down from 12 to 6' }), 200);
      await ok(sup('POST', `/api/items/${i1}/verification`, { accept: true, comment: 'verified on site' }), 200);
      // item 2: an extension refused, then closed
      const ext = await ok(
        unit('POST', `/api/items/${i2}/extensions`, { newDeadline: iso(far + HOUR), reason: 'waiting for the new template' }),
        201,
      );
      await ok(sup('POST', `/api/items/${i2}/extensions/${ext.id}/decision`, { approve: false, comment: 'the template exists' }), 200);
      await ok(unit('POST', `/api/items/${i2}/completion`, { evidence: 'One report a month' }), 200);
      await ok(sup('POST', `/api/items/${i2}/verification`, { accept: true, comment: 'verified' }), 200);
      // item 3: carried into a long-term rule by the office
      await ok(
        office()('POST', `/api/items/${i3}/carry-over`, {
          rule: 'Rules on official cars (2013)',
          comment: 'a standing rule, not a one-off',
        }),
        200,
      );
      await Promise.all([waitItem(i1, 'closed'), waitItem(i2, 'closed'), waitItem(i3, 'carried')]);
      await ok(unit('POST', `${u}/records`, { kind: 'rule', title: 'Rules on meetings and documents' }), 201);
      const done = await ok(unit('POST', `${u}/transitions`, { to: 'DONE', comment: 'rectification complete' }), 201);
      await ok(sup('POST', `${u}/transitions/${done.id}/decision`, { approve: true, comment: 'all items closed or carried' }), 200);
      await eventually(async () => ((await office()('GET', u)).body?.phase === 'DONE' ? true : undefined), 'FULL done', 60_000);
    })();

    const referredPath = (async () => {
      const unit = as(t.referred);
      const u = `/api/units/${a.ids.REFERRED}`;
      const problemId = await toP3(a.ids.REFERRED, unit, sup, false);
      const book = await ok(
        unit('PUT', `${u}/task-book`, {
          signedBy: 'Director Qian',
          items: [{ problemIds: [problemId], measure: 'Return the cars', owner: 'Deputy Zhou', deadline: iso(Date.now() + 9_000) }],
        }),
        200,
      );
      const itemId = book.items[0].id as string;
      await ok(unit('POST', `${u}/task-book/publish`), 200);
      await waitItem(itemId, 'open');
      const ext = await ok(
        unit('POST', `/api/items/${itemId}/extensions`, { newDeadline: iso(Date.now() + 6_000), reason: 'cars in use' }),
        201,
      );
      await ok(sup('POST', `/api/items/${itemId}/extensions/${ext.id}/decision`, { approve: true, comment: 'one week' }), 200);
      const measure = await eventually(
        async () => {
          const r = await office()('GET', `/api/units/${a.ids.REFERRED}/measures`);
          return r.body?.items?.find((m: { status: string }) => m.status === 'proposed');
        },
        'the proposed measure',
        60_000,
      );
      await ok(office()('POST', `/api/measures/${measure.id}/confirmation`), 200);
    })();

    // ---- campaign B: windows of seconds — a unit left in P1 gets its window cards; batch 2 opens ----
    const b = await campaign('recording B', compressedPlan({ phaseMs: 4_000 }), [
      { code: 'IDLE', batch: 1, group: 'B' },
      { code: 'SECOND', batch: 2, group: 'B' },
    ]);
    await start(b.id);
    const windowPath = (async () => {
      await eventually(
        async () => {
          const r = await office()('GET', `/api/escalations?campaignId=${b.id}&rung=red`);
          return r.body?.items?.some((e: { unitId: string }) => e.unitId === b.ids.IDLE) ? true : undefined;
        },
        'the window red card',
        60_000,
      );
      await waitActive(b.ids.SECOND);
    })();

    // ---- a programme: one goal achieved and verified (after a rejection), one left to escalate ----
    const leadToken = await principal({ name: 'lead unit', role: 'unit', unitId: a.ids.REFERRED });
    const programme = await ok(
      office()('POST', '/api/programmes', {
        name: 'Clean water (清水治污)',
        track: 'action',
        leadLeader: 'Vice-mayor Chen',
        leadUnitId: a.ids.REFERRED,
        responsibleUnitIds: [a.ids.FULL],
        // Under campaign A: its ladder of seconds applies, and the programme is listed with the campaign.
        campaignId: a.id,
        goals: [
          { title: 'Survey of every river', dueAt: iso(Date.now() + 2 * HOUR) },
          { title: 'First ten rivers cleaned', dueAt: iso(Date.now() + 8_000) },
        ],
      }),
      201,
    );
    const programmePath = (async () => {
      const view = await eventually(
        async () =>
          (await office()('GET', `/api/programmes/${programme.id}`)).body?.goals?.length
            ? (await office()('GET', `/api/programmes/${programme.id}`)).body
            : undefined,
        'the programme',
      );
      const goal = view.goals[0].id as string;
      const lead = as(leadToken);
      await ok(lead('POST', `/api/programmes/${programme.id}/goals/${goal}/achievement`, { evidence: 'survey report' }), 200);
      await ok(
        office()('POST', `/api/programmes/${programme.id}/goals/${goal}/verification`, { accept: false, comment: 'two rivers missing' }),
        200,
      );
      await ok(lead('POST', `/api/programmes/${programme.id}/goals/${goal}/achievement`, { evidence: 'complete survey' }), 200);
      await ok(office()('POST', `/api/programmes/${programme.id}/goals/${goal}/verification`, { accept: true, comment: 'complete' }), 200);
      await eventually(
        async () => {
          const r = await office()('GET', `/api/escalations?rung=referral`);
          return r.body?.items?.some((e: { subject: string }) => e.subject === 'programme-goal') ? true : undefined;
        },
        'the programme goal referral',
        60_000,
      );
    })();

    await Promise.all([fullPath, referredPath, windowPath, programmePath]);

    // ---- save every run of every workflow ----
    const client = apiContextOf(api.app).temporal;
    const workflowIds = new Set<string>([programmeWorkflowId(programme.id)]);
    expect(programmeWorkflowId(programme.id)).toMatch(/^massline-programme-/);
    for (const campaignId of [a.id, b.id]) {
      await eventually(
        async () => ((await client.workflow.count(visibilityQuery({ campaignId }))).count >= 3 ? true : undefined),
        'visibility',
      );
      for await (const info of client.workflow.list({ query: visibilityQuery({ campaignId }) })) workflowIds.add(info.workflowId);
    }
    const names: Record<string, string> = {
      [a.ids.FULL]: 'unit-full-lifecycle',
      [a.ids.REFERRED]: 'unit-item-referred',
      [b.ids.IDLE]: 'unit-window-overrun',
      [b.ids.SECOND]: 'unit-batch-2',
      [a.id]: 'campaign-A',
      [b.id]: 'campaign-B',
      [programme.id]: 'programme-goals',
    };
    const label = (workflowId: string) => {
      for (const [id, name] of Object.entries(names)) {
        if (workflowId.endsWith(id)) return name;
        if (workflowId.includes(`${id}.item-`)) return `${name.replace(/^unit-/, 'item-of-')}-${workflowId.split('.item-')[1]}`;
      }
      return workflowId;
    };
    fs.mkdirSync(HISTORIES_DIR, { recursive: true });
    for (const old of fs.readdirSync(HISTORIES_DIR)) if (old.startsWith('recorded-')) fs.rmSync(path.join(HISTORIES_DIR, old));
    let saved = 0;
    for (const workflowId of [...workflowIds].sort()) {
      const runs = await fetchJsonHistoryChain(client, workflowId);
      for (let i = 0; i < runs.length; i++) {
        const json = await exportHistory(client, workflowId, runs[i].runId);
        const suffix = runs.length > 1 ? `-run-${i + 1}` : '';
        fs.writeFileSync(path.join(HISTORIES_DIR, `recorded-${label(workflowId)}${suffix}.json`), json!);
        saved++;
      }
    }
    expect(saved).toBeGreaterThanOrEqual(10);
  }, 300_000);
});
