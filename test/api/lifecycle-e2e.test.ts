// One unit through its whole lifecycle over HTTP only, on the real dev server with a compressed plan:
// records, opinions, problems, the supervised meeting, approvals, the task book with its disclosure, an
// objection and its answer, items with one extension, one verification refused then accepted, and one item
// left to escalate through every rung — then the dashboard, the escalation list and the cadre measure.
import { buildWorld, type World } from './world';
import { startApi, type ApiUnderTest } from './harness';
import { eventually } from '../support/eventually';
import { ifSet } from '../support/if-set';

let api: ApiUnderTest;
let w: World;

beforeAll(async () => {
  api = await startApi({ worker: true });
  w = await buildWorld(api, { disclosure: 'PT3S' });
});
afterAll(async () => {
  await ifSet(api)?.close();
});

const ago = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();
const inSeconds = (s: number) => new Date(Date.now() + s * 1000).toISOString();

it('drives one unit from P1 to DONE through the API, the ladder acting on its own', async () => {
  const U = `/api/units/${w.unitA}`;
  // A decision on the unit answers with the version it produced; the view is read back at least at that version.
  let unitVersion = 0;
  const as = (who: keyof World['tokens'] | 'public') => async (method: string, path: string, body?: unknown) => {
    const r = await api.call(method, path, { token: who === 'public' ? undefined : w.tokens[who], body });
    if (method !== 'GET' && path.startsWith(U) && typeof r.body?.version === 'number') unitVersion = Math.max(unitVersion, r.body.version);
    return r;
  };
  const unit = as('unitA');
  const sup = as('supA');
  const office = as('office');
  const citizen = as('public');
  const view = async () => {
    const r = await office('GET', `${U}?minVersion=${unitVersion}`);
    expect(r.body.version).toBeGreaterThanOrEqual(unitVersion);
    return r.body;
  };

  // ---------- P1 学习教育、听取意见 ----------
  expect((await unit('POST', `${U}/records`, { kind: 'study', title: 'Study session on the eight rules' })).status).toBe(201);
  const early = await unit('POST', `${U}/transitions`, { to: 'P2' });
  expect(early.status).toBe(409);
  expect(early.body.message).toContain('gate.P2.opinion');
  expect(early.body.details[0].unmetGates).toEqual(['gate.P2.opinion', 'gate.P2.solicitation-report']);
  expect(
    (await citizen('POST', `${U}/opinions`, { text: 'Fewer meetings, more visits to the grassroots', contact: 'resident of Xihu' })).status,
  ).toBe(202);
  expect((await unit('POST', `${U}/records`, { kind: 'investigation', title: 'Visits to three neighbourhoods' })).status).toBe(201);
  expect((await unit('POST', `${U}/records`, { kind: 'solicitation-report', title: 'Report on 213 opinions received' })).status).toBe(201);
  expect((await view()).unmetGates).toEqual([]);
  const t1 = await unit('POST', `${U}/transitions`, { to: 'P2', comment: 'P1 deliverables complete' });
  expect(t1).toMatchObject({ status: 201, body: { status: 'pending' } });
  // A unit never approves itself (403); for a supervisor of another group the unit does not exist (404).
  expect((await unit('POST', `${U}/transitions/${t1.body.id}/decision`, { approve: true, comment: 'self' })).status).toBe(403);
  expect((await as('supB')('POST', `${U}/transitions/${t1.body.id}/decision`, { approve: true, comment: 'other group' })).status).toBe(404);
  expect((await sup('POST', `${U}/transitions/${t1.body.id}/decision`, { approve: true, comment: 'P1 gate met' })).body).toEqual({
    status: 'approved',
    version: expect.any(Number),
  });
  expect((await view()).phase).toBe('P2');

  // ---------- P2 查摆问题、开展批评 ----------
  const problem = await unit('POST', `${U}/problems`, {
    title: 'Too many meetings and documents',
    source: 'masses',
    category: 'formalism',
  });
  expect(problem.status).toBe(201);
  expect(
    (await unit('POST', `${U}/records`, { kind: 'comparison-check', title: 'Comparison-check materials of the leadership team' })).status,
  ).toBe(201);
  expect((await unit('POST', `${U}/meeting`, { scheduledAt: ago(120), location: 'Meeting room 3' })).status).toBe(201);
  // Held without the supervisory group's attestation: recorded invalid, to be reconvened.
  const invalid = await unit('POST', `${U}/meeting/held`, {
    startedAt: ago(110),
    endedAt: ago(60),
    minutes: 'Criticism and self-criticism',
  });
  expect(invalid.body.valid).toBe(false);
  expect(invalid.body.reason).toContain('meeting.full-attendance');
  const p3Early = await unit('POST', `${U}/transitions`, { to: 'P3' });
  expect(p3Early.status).toBe(409);
  expect(p3Early.body.message).toContain('gate.P3.valid-meeting');
  expect((await unit('POST', `${U}/meeting`, { scheduledAt: ago(50), location: 'Meeting room 3' })).status).toBe(201);
  expect((await sup('POST', `${U}/meeting/attendance`, { arrivedAt: ago(45), leftAt: ago(5) })).status).toBe(200);
  const valid = await unit('POST', `${U}/meeting/held`, {
    startedAt: ago(40),
    endedAt: ago(10),
    minutes: 'Reconvened with group A present throughout',
  });
  expect(valid.body).toEqual({ valid: true, version: expect.any(Number) });
  const t2 = await unit('POST', `${U}/transitions`, { to: 'P3' });
  expect(
    (await sup('POST', `${U}/transitions/${t2.body.id}/decision`, { approve: true, comment: 'meeting attended in full' })).body,
  ).toEqual({
    status: 'approved',
    version: expect.any(Number),
  });

  // ---------- P3 整改落实、建章立制 ----------
  const book = await unit('PUT', `${U}/task-book`, {
    signedBy: 'Party secretary Wang',
    items: [
      { problemIds: [problem.body.id], measure: 'Cut meetings by a third', owner: 'Office director Li', deadline: inSeconds(3600) },
      { problemIds: [problem.body.id], measure: 'Merge weekly reports', owner: 'Deputy Zhao', deadline: inSeconds(3600) },
      { problemIds: [problem.body.id], measure: 'Publish the meeting calendar', owner: 'Secretary Chen', deadline: inSeconds(9) },
    ],
  });
  expect(book.status).toBe(200);
  const [item1, item2, item3] = book.body.items.map((i: { id: string }) => i.id);
  // Before the task book takes effect an item is pending, read from the unit's task book (once projected).
  await view();
  expect((await office('GET', `/api/items/${item1}`)).body).toMatchObject({ id: item1, status: 'pending', rungs: [], projectedAt: null });
  expect((await citizen('POST', `${U}/task-book/objections`, { text: 'too early to object' })).status).toBe(409);
  const published = await unit('POST', `${U}/task-book/publish`);
  expect(published.status).toBe(200);
  expect(Date.parse(published.body.disclosureEndsAt)).toBeGreaterThan(Date.now());
  const objection = await citizen('POST', `${U}/task-book/objections`, { text: 'Item 3 is vague', itemId: item3 });
  expect(objection.status).toBe(202);
  expect(
    (await unit('POST', `${U}/task-book/objections/${objection.body.id}/answer`, { text: 'The calendar goes online monthly' })).status,
  ).toBe(200);
  await eventually(async () => ((await view()).taskBook?.status === 'effective' ? true : undefined), 'task book in effect', 20_000);
  const late = await citizen('POST', `${U}/task-book/objections`, { text: 'after the window' });
  expect(late.status).toBe(409);
  expect(late.body.message).toContain('objection.disclosure-window');

  // The supervisor works from the unit's item list (the read model): it verifies what the list shows submitted.
  const listed = (itemId: string, status: string) =>
    eventually(async () => {
      const r = await sup('GET', `${U}/items`);
      return r.body.items.find((i: { id: string }) => i.id === itemId)?.status === status ? true : undefined;
    }, `${itemId} listed as ${status}`);

  // Item 1: progress, completion, a verification refused, then accepted (销号).
  const I1 = `/api/items/${item1}`;
  await eventually(async () => ((await office('GET', I1)).body.status === 'open' ? true : undefined), 'item 1 open');
  expect((await unit('POST', `${I1}/progress`, { note: 'Two meetings merged', evidenceUri: 'https://docs.example/m1' })).status).toBe(201);
  expect((await unit('POST', `${I1}/completion`, { evidence: 'Meeting count down 35%' })).body.status).toBe('submitted');
  await listed(item1, 'submitted');
  expect((await sup('POST', `${I1}/verification`, { accept: false, comment: 'Show the counts by month' })).body.status).toBe('open');
  await listed(item1, 'open');
  expect((await unit('POST', `${I1}/completion`, { evidence: 'Monthly counts attached' })).body.status).toBe('submitted');
  await listed(item1, 'submitted');
  expect((await sup('POST', `${I1}/verification`, { accept: true, comment: 'Verified' })).body.status).toBe('closed');

  // Item 2: an extension, approved; then closed.
  const I2 = `/api/items/${item2}`;
  const ext = await unit('POST', `${I2}/extensions`, { newDeadline: inSeconds(7200), reason: 'Waiting for the provincial template' });
  expect(ext.body).toMatchObject({ status: 'pending' });
  const decided = await sup('POST', `${I2}/extensions/${ext.body.id}/decision`, { approve: true, comment: 'Reasonable' });
  expect(decided.body.status).toBe('approved');
  expect((await office('GET', `${I2}?minVersion=${decided.body.version}`)).body.deadline).toBe(decided.body.deadline);
  expect((await unit('POST', `${I2}/completion`, { evidence: 'Reports merged' })).status).toBe(200);
  await listed(item2, 'submitted');
  expect((await sup('POST', `${I2}/verification`, { accept: true, comment: 'Verified' })).body.status).toBe('closed');

  // Item 3: nobody acts; its ladder fires every rung on its own.
  const I3 = `/api/items/${item3}`;
  const escalated = await eventually(
    async () => {
      const r = await office('GET', I3);
      return r.body.rungs?.length === 4 ? r.body : undefined;
    },
    'every rung of item 3',
    30_000,
  );
  expect(escalated.rungs.map((r: { rung: string }) => r.rung)).toEqual(['reminder', 'yellow', 'red', 'referral']);
  expect(escalated.card).toBe('red');
  const list = await eventually(async () => {
    const r = await office('GET', `/api/escalations?campaignId=${w.campaignId}&pageSize=100`);
    const mine = r.body.items.filter((e: { itemId?: string }) => e.itemId === item3);
    return mine.length === 4 ? mine : undefined;
  }, 'escalations of item 3 recorded');
  expect(list.map((e: { rung: string; to: string[] }) => [e.rung, e.to])).toEqual([
    ['reminder', ['responsible-person:Secretary Chen', `unit-head:${w.unitA}`]],
    ['yellow', [`unit-head:${w.unitA}`, `group:${w.groupA}`]],
    ['red', ['office']],
    ['referral', ['discipline-inspection']],
  ]);
  // Operations see the same: escalations fired by rung, workflow calls by name and outcome.
  const metrics = String((await api.call('GET', '/metrics')).body);
  for (const rung of ['reminder', 'yellow', 'red', 'referral'])
    expect(metrics).toMatch(new RegExp(`massline_escalations_fired\\{rung="${rung}"\\} 1\\b`));
  expect(metrics).toMatch(/massline_workflow_calls_total\{call="requestTransition",outcome="refused"\} 2\b/);
  expect(metrics).toMatch(/massline_workflow_calls_total\{call="approveTransition",outcome="accepted"\} 2\b/);
  const referralsOnly = await office('GET', `/api/escalations?campaignId=${w.campaignId}&rung=referral`);
  expect(referralsOnly.body.total).toBe(1);
  // A supervisor of another group sees none of them.
  expect((await as('supB')('GET', `/api/escalations?campaignId=${w.campaignId}`)).body.total).toBe(0);
  expect((await sup('GET', `/api/escalations?campaignId=${w.campaignId}`)).body.total).toBe(4);

  const dashboard = await eventually(async () => {
    const r = await office('GET', `/api/campaigns/${w.campaignId}/dashboard`);
    return r.body.referrals === 1 && r.body.cards.red === 1 && r.body.overdueItems === 1 ? r.body : undefined;
  }, 'dashboard shows the referral');
  expect(dashboard.byBatch['1']).toMatchObject({ P1: 1, P3: 1 });

  // The referral proposed a cadre measure; the office confirms it.
  const measures = await eventually(async () => {
    const r = await office('GET', `${U}/measures`);
    return r.body.total === 1 ? r.body.items : undefined;
  }, 'measure proposed by the referral');
  expect(measures[0]).toMatchObject({ status: 'proposed', proposedBy: 'ladder', itemId: item3 });
  const confirmed = await office('POST', `/api/measures/${measures[0].id}/confirmation`);
  expect(confirmed.body).toMatchObject({ status: 'confirmed' });
  expect((await office('POST', `/api/measures/${measures[0].id}/confirmation`)).status).toBe(409);

  // The office carries item 3 into a long-term rule; the unit records its rules and finishes.
  expect(
    (await office('POST', `${I3}/carry-over`, { rule: 'Meeting calendar published monthly', comment: 'Becomes a standing rule' })).body
      .status,
  ).toBe('carried');
  expect((await unit('POST', `${U}/records`, { kind: 'rule', title: 'Rules on meetings and documents' })).status).toBe(201);
  await eventually(async () => ((await view()).unmetGates.length === 0 ? true : undefined), 'DONE gates met').catch(async (e: unknown) => {
    const v = await view();
    throw new Error(
      `${(e as Error).message}: ${JSON.stringify({ unmet: v.unmetGates, items: v.taskBook.items, records: v.counts.records })}`,
    );
  });
  const t3 = await unit('POST', `${U}/transitions`, { to: 'DONE', comment: 'Rectification complete' });
  expect(t3.status).toBe(201);
  expect((await sup('POST', `${U}/transitions/${t3.body.id}/decision`, { approve: true, comment: 'Completion approved' })).body).toEqual({
    status: 'approved',
    version: expect.any(Number),
  });
  const final = await view();
  expect(final).toMatchObject({ phase: 'DONE', status: 'done', card: 'none' });
  const transitions = await eventually(async () => {
    const r = await office('GET', `${U}/transitions`);
    return r.body.total === 3 && r.body.items.every((t: { status: string }) => t.status !== 'pending') ? r.body.items : undefined;
  }, 'every transition decided in the read model');
  expect(transitions.map((t: { to: string; decided: { actorId: string } }) => [t.to, t.decided.actorId])).toEqual([
    ['P2', w.ids.supA],
    ['P3', w.ids.supA],
    ['DONE', w.ids.supA],
  ]);

  const done = await eventually(async () => {
    const r = await office('GET', `/api/campaigns/${w.campaignId}/dashboard`);
    return r.body.byBatch['1'].DONE === 1 ? r.body : undefined;
  }, 'dashboard counts the unit done');
  expect(done).toMatchObject({
    byBatch: { '1': { P1: 1, P2: 0, P3: 0, DONE: 1 } },
    cards: { yellow: 0, red: 0 },
    referrals: 1,
    overdueItems: 0,
  });
  const listDone = await office('GET', `/api/campaigns/${w.campaignId}/units?phase=DONE`);
  expect(listDone.body.items.map((u: { id: string }) => u.id)).toEqual([w.unitA]);

  // The refusals along the way are in the audit log, with actor and rule.
  const { apiContextOf } = await import('../../apps/api/src/main');
  const refused = await apiContextOf(api.app).dataSource.query(
    `SELECT call, rule, actor_id FROM audit_log WHERE unit_id = $1 ORDER BY id`,
    [w.unitA],
  );
  expect(refused).toEqual(
    expect.arrayContaining([
      { call: 'requestTransition', rule: 'gate.P2.opinion', actor_id: w.ids.unitA },
      { call: 'requestTransition', rule: 'gate.P3.valid-meeting', actor_id: w.ids.unitA },
      { call: 'fileObjection', rule: 'objection.disclosure-window', actor_id: expect.stringMatching(/^public:/) },
      // Refused by scope before the workflow was asked: audited all the same.
      { call: 'approveTransition', rule: 'transition.no-self-approval', actor_id: w.ids.unitA },
      { call: 'approveTransition', rule: 'actor.scope', actor_id: w.ids.supB },
    ]),
  );
});
