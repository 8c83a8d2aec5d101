// The API side of the console, over HTTP against the real stack: the console's files at / (and never over the
// API's own paths), one-time sign-in links and the sessions they open, the public disclosure routes (what
// they show, what they never show, their rate limit, their OpenAPI entries), the supervisor's inbox and the
// lists the console reads, each within its caller's scope.
import { OFFICE_TOKEN, startApi, type ApiUnderTest } from '../api/harness';
import { eventually } from '../support/eventually';
import { buildWorld, type World } from '../api/world';
import { ifSet } from '../support/if-set';

let api: ApiUnderTest;
let w: World;

beforeAll(async () => {
  api = await startApi({ worker: true });
  w = await buildWorld(api, { disclosure: 'PT1H' }, 2);
}, 120_000);
afterAll(async () => {
  await ifSet(api)?.close();
});

const as = (token: string | undefined) => (method: string, p: string, body?: unknown, headers?: Record<string, string>) =>
  api.call(method, p, { token, body, headers });
const office = as(OFFICE_TOKEN);
const iso = (msFromNow: number) => new Date(Date.now() + msFromNow).toISOString();

/** Unit A through P1 and P2 to a published task book (two items), with an objection filed by a citizen. */
async function toDisclosure() {
  const unit = as(w.tokens.unitA);
  const sup = as(w.tokens.supA);
  const U = `/api/units/${w.unitA}`;
  await unit('POST', `${U}/records`, { kind: 'study', title: 'study' });
  await unit('POST', `${U}/records`, { kind: 'solicitation-report', title: 'report' });
  expect(
    (await as(undefined)('POST', `${U}/opinions`, { text: 'fewer meetings', contact: 'contact-that-must-never-be-public' })).status,
  ).toBe(202);
  let t = await unit('POST', `${U}/transitions`, { to: 'P2' });
  await sup('POST', `${U}/transitions/${t.body.id}/decision`, { approve: true, comment: 'ok' });
  const problem = await unit('POST', `${U}/problems`, { title: 'too many meetings', source: 'masses', category: 'formalism' });
  await unit('POST', `${U}/records`, { kind: 'comparison-check', title: 'materials' });
  await unit('POST', `${U}/meeting`, { scheduledAt: iso(-120 * 60_000), location: 'room 3' });
  await sup('POST', `${U}/meeting/attendance`, { arrivedAt: iso(-110 * 60_000), leftAt: iso(-5 * 60_000) });
  expect(
    (await unit('POST', `${U}/meeting/held`, { startedAt: iso(-100 * 60_000), endedAt: iso(-10 * 60_000), minutes: 'm' })).body.valid,
  ).toBe(true);
  t = await unit('POST', `${U}/transitions`, { to: 'P3' });
  await sup('POST', `${U}/transitions/${t.body.id}/decision`, { approve: true, comment: 'ok' });
  const book = await unit('PUT', `${U}/task-book`, {
    signedBy: 'Party secretary Wang',
    items: [
      { problemIds: [problem.body.id], measure: 'Cut meetings by a third', owner: 'Director Li', deadline: iso(20 * 86_400_000) },
      { problemIds: [problem.body.id], measure: 'Merge weekly reports', owner: 'Deputy Zhao', deadline: iso(30 * 86_400_000) },
    ],
  });
  expect(book.status).toBe(200);
  return { unit, U, items: book.body.items.map((i: { id: string }) => i.id) as string[] };
}

describe('the console at /', () => {
  it('serves the app at / and at its own paths, with its security headers; assets gzipped and cached for good', async () => {
    for (const p of ['/', '/office/campaigns/x', '/public/units/abc', '/sign-in']) {
      const res = await fetch(`${api.url}${p}`, { headers: { accept: 'text/html' } });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('text/html');
      expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
      expect(res.headers.get('cache-control')).toBe('no-cache');
      const html = await res.text();
      expect(html).toContain('<div id="root">');
    }
    const html = await (await fetch(`${api.url}/`)).text();
    const asset = /src="(\/assets\/[^"]+\.js)"/.exec(html)![1];
    const js = await fetch(`${api.url}${asset}`, { headers: { 'accept-encoding': 'gzip' } });
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toContain('text/javascript');
    expect(js.headers.get('content-encoding')).toBe('gzip');
    expect(js.headers.get('cache-control')).toContain('immutable');
    const again = await fetch(`${api.url}${asset}`, { headers: { 'if-none-match': js.headers.get('etag')! } });
    expect(again.status).toBe(304);
  });

  it('leaves the API its paths: an unknown API route, a missing asset and a traversal are plain 404s', async () => {
    const unknown = await api.call('GET', '/api/nothing-here');
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ statusCode: 404 });
    expect((await api.call('GET', '/assets/missing-0000.js')).status).toBe(404);
    expect((await fetch(`${api.url}/assets/..%2f..%2fpackage.json`)).status).toBe(404);
    expect((await api.call('GET', '/health/live')).status).toBe(200);
    expect((await api.call('GET', '/docs-json')).body.openapi).toMatch(/^3\./);
    expect((await api.call('POST', '/office')).status).toBe(404);
  });
});

describe('one-time sign-in links', () => {
  it('are made by the office only, open one session once, and the session ends at sign-out', async () => {
    expect((await as(w.tokens.auditor)('POST', `/api/principals/${w.ids.unitA}/sign-in-links`)).status).toBe(403);
    expect((await office('POST', '/api/principals/00000000-0000-4000-8000-000000000000/sign-in-links')).status).toBe(404);
    const link = await office('POST', `/api/principals/${w.ids.unitA}/sign-in-links`);
    expect(link.status).toBe(201);
    expect(link.body.path).toBe(`/sign-in#code=${link.body.code}`);
    expect(Date.parse(link.body.expiresAt)).toBeGreaterThan(Date.now());

    // A session token is never stored to replay: with an Idempotency-Key the code still works once, and the
    // same key again is a refusal, not the first answer replayed.
    const session = await as(undefined)('POST', '/api/sign-in', { code: link.body.code }, { 'Idempotency-Key': 'k-1' });
    expect((await as(undefined)('POST', '/api/sign-in', { code: link.body.code }, { 'Idempotency-Key': 'k-1' })).status).toBe(401);
    expect(session.status).toBe(200);
    expect(session.body.principal).toMatchObject({ id: w.ids.unitA, role: 'unit', unitId: w.unitA });
    expect((await as(session.body.token)('GET', '/api/me')).body).toMatchObject({ id: w.ids.unitA, role: 'unit' });
    // A session reaches what its principal's token reaches: the unit's own campaign (a campaign-scoped read).
    expect((await as(w.tokens.unitA)('GET', `/api/campaigns/${w.campaignId}`)).status).toBe(200);
    expect((await as(session.body.token)('GET', `/api/campaigns/${w.campaignId}`)).status).toBe(200);
    // The same code a second time, or a made-up one: refused.
    expect((await as(undefined)('POST', '/api/sign-in', { code: link.body.code })).status).toBe(401);
    expect((await as(undefined)('POST', '/api/sign-in', { code: 'sl_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa' })).status).toBe(401);
    expect((await as(undefined)('POST', '/api/sign-in', { code: 'not a code' })).status).toBe(400);

    expect((await as(session.body.token)('POST', '/api/sign-out')).body).toEqual({ ended: true });
    expect((await as(session.body.token)('GET', '/api/me')).status).toBe(401);
    // Signing out with a principal's own token forgets nothing on the server: the token stays valid.
    expect((await as(w.tokens.unitB)('POST', '/api/sign-out')).body).toEqual({ ended: false });
    expect((await as(w.tokens.unitB)('GET', '/api/me')).status).toBe(200);
  });
});

describe('public disclosure (公示)', () => {
  it('shows a task book only once published, with items, owners and deadlines; objections only once answered; nothing personal', async () => {
    const pub = as(undefined);
    const campaigns = await pub('GET', '/api/public/campaigns');
    expect(campaigns.status).toBe(200);
    expect(campaigns.body.items.map((c: { id: string }) => c.id)).toContain(w.campaignId);
    // A campaign not started is not public.
    const draft = await office('POST', '/api/campaigns', { name: 'not started' });
    expect((await pub('GET', `/api/public/campaigns/${draft.body.id}`)).status).toBe(404);
    expect((await pub('GET', '/api/public/campaigns')).body.items.map((c: { id: string }) => c.id)).not.toContain(draft.body.id);

    const { unit, U, items } = await toDisclosure();
    // In draft: not disclosed.
    await eventually(
      async () => ((await pub('GET', `/api/public/units/${w.unitA}`)).body.phase === 'P3' ? true : undefined),
      'unit A in P3 (projection)',
    );
    expect((await pub('GET', `/api/public/units/${w.unitA}/task-book`)).status).toBe(404);
    expect((await pub('GET', `/api/public/units/${w.unitA}`)).body.taskBook).toBeNull();
    expect((await pub('GET', `/api/public/units/00000000-0000-4000-8000-000000000000`)).status).toBe(404);

    await unit('POST', `${U}/task-book/publish`);
    const first = await pub('POST', `${U}/task-book/objections`, { text: 'item 1 is vague', itemId: items[0] });
    const second = await pub('POST', `${U}/task-book/objections`, { text: 'not answered yet' });
    expect(first.status).toBe(202);
    await unit('POST', `${U}/task-book/objections/${first.body.id}/answer`, { text: 'monthly counts will be published' });

    const book = await eventually(async () => {
      const r = await pub('GET', `/api/public/units/${w.unitA}/task-book`);
      return r.status === 200 && r.body.objections.answered === 1 ? r.body : undefined;
    }, 'the disclosed task book');
    expect(book).toMatchObject({
      unitId: w.unitA,
      unitCode: 'U-0',
      status: 'disclosed',
      signedBy: 'Party secretary Wang',
      items: 2,
      objections: { filed: 2, answered: 1 },
    });
    expect(book.itemList).toEqual([
      expect.objectContaining({ id: items[0], measure: 'Cut meetings by a third', owner: 'Director Li', status: 'pending' }),
      expect.objectContaining({ id: items[1], measure: 'Merge weekly reports', owner: 'Deputy Zhao', status: 'pending' }),
    ]);
    const listed = await pub('GET', `/api/public/campaigns/${w.campaignId}/task-books?status=disclosed`);
    expect(listed.body).toMatchObject({ total: 1, items: [{ unitId: w.unitA, status: 'disclosed' }] });
    expect((await pub('GET', `/api/public/campaigns/${w.campaignId}/task-books?status=effective`)).body.total).toBe(0);
    expect((await pub('GET', `/api/public/campaigns/${w.campaignId}/task-books?status=draft`)).status).toBe(400);

    const objections = await pub('GET', `/api/public/units/${w.unitA}/task-book/objections`);
    expect(objections.body).toEqual({
      total: 1,
      items: [
        {
          id: first.body.id,
          itemId: items[0],
          text: 'item 1 is vague',
          filedAt: expect.any(String),
          answer: { text: 'monthly counts will be published', answeredAt: expect.any(String) },
        },
      ],
    });
    expect(JSON.stringify(objections.body)).not.toContain(second.body.id);

    // Nothing personal or internal on any public answer: no contact, no principal's id or name, no actor.
    const everything = JSON.stringify([
      (await pub('GET', '/api/public/campaigns')).body,
      (await pub('GET', `/api/public/campaigns/${w.campaignId}`)).body,
      (await pub('GET', `/api/public/campaigns/${w.campaignId}/units`)).body,
      listed.body,
      book,
      objections.body,
      (await pub('GET', `/api/public/units/${w.unitA}`)).body,
    ]);
    for (const secret of [
      'contact-that-must-never-be-public',
      'fewer meetings',
      w.ids.unitA,
      w.ids.supA,
      'head of unit A',
      'supervisor A',
      'public:',
      'actorId',
    ]) {
      expect(everything).not.toContain(secret);
    }
    // A NUL in the search is a 400 naming q, not a database error.
    const nul = await pub('GET', `/api/public/campaigns/${w.campaignId}/units?q=a%00b`);
    expect(nul.status).toBe(400);
    expect(nul.body.message).toContain('q');
    expect((await office('GET', '/api/principals?q=a%00b')).status).toBe(400);
    const search = await pub('GET', `/api/public/campaigns/${w.campaignId}/units?q=U-1`);
    expect(search.body).toMatchObject({ total: 1, items: [{ id: w.unitB, code: 'U-1' }] });
  });

  it('is documented in the OpenAPI document without a token and with its 429', async () => {
    const doc = (await api.call('GET', '/docs-json')).body;
    for (const p of [
      '/api/public/campaigns',
      '/api/public/campaigns/{id}',
      '/api/public/campaigns/{id}/units',
      '/api/public/campaigns/{id}/task-books',
      '/api/public/units/{id}',
      '/api/public/units/{id}/task-book',
      '/api/public/units/{id}/task-book/objections',
    ]) {
      const op = doc.paths[p].get;
      expect(op.security ?? []).toEqual([]);
      expect(op.responses['429']).toBeDefined();
      expect(op.responses['200'].content['application/json'].schema).toBeDefined();
    }
  });

  it('is rate-limited per address like the other public channels', async () => {
    const limited = await startApi({ env: { MASSLINE_PUBLIC_RATE_LIMIT: '3' } });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) statuses.push((await limited.call('GET', '/api/public/campaigns')).status);
      expect(statuses).toEqual([200, 200, 200, 429]);
      const refused = await limited.call('GET', '/api/public/campaigns');
      expect(refused.status).toBe(429);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
      // The console's own files are not a public API call: they are never limited.
      expect((await fetch(`${limited.url}/`)).status).toBe(200);
    } finally {
      await limited.close();
    }
  });
});

describe("the supervisor's inbox and the console's lists", () => {
  it('lists what waits on the group, oldest first, and only the own group', async () => {
    const U = `/api/units/${w.unitB}`;
    const unitB = as(w.tokens.unitB);
    await unitB('POST', `${U}/records`, { kind: 'study', title: 'study' });
    await unitB('POST', `${U}/records`, { kind: 'solicitation-report', title: 'report' });
    await as(undefined)('POST', `${U}/opinions`, { text: 'opinion' });
    const t = await unitB('POST', `${U}/transitions`, { to: 'P2', comment: 'P1 complete' });
    const inboxB = await eventually(async () => {
      const r = await as(w.tokens.supB)('GET', '/api/inbox');
      return r.body.total > 0 ? r.body : undefined;
    }, 'the transition in group B’s inbox');
    expect(inboxB.items).toEqual([
      expect.objectContaining({
        kind: 'transition',
        unitId: w.unitB,
        unitCode: 'U-1',
        subjectId: t.body.id,
        from: 'P1',
        to: 'P2',
        detail: 'P1 complete',
      }),
    ]);
    // Group A never sees group B's work; a unit has no inbox; the office sees every group's, or one.
    expect((await as(w.tokens.supA)('GET', '/api/inbox')).body.items.map((e: { unitId: string }) => e.unitId)).not.toContain(w.unitB);
    expect((await as(w.tokens.unitB)('GET', '/api/inbox')).status).toBe(403);
    expect(
      (await office('GET', `/api/inbox?groupId=${w.groupB}&kind=transition`)).body.items.map((e: { unitId: string }) => e.unitId),
    ).toEqual([w.unitB]);
    expect((await office('GET', `/api/inbox?kind=nonsense`)).status).toBe(400);
    // Decided, it leaves the inbox.
    await as(w.tokens.supB)('POST', `${U}/transitions/${t.body.id}/decision`, { approve: false, comment: 'report missing figures' });
    await eventually(
      async () => ((await as(w.tokens.supB)('GET', '/api/inbox')).body.total === 0 ? true : undefined),
      'group B’s inbox empty',
    );
  });

  it('gives each role the campaigns of its scope, and the office the principals without their tokens', async () => {
    expect((await as(w.tokens.unitA)('GET', '/api/campaigns')).body).toMatchObject({ total: 1, items: [{ id: w.campaignId, units: 2 }] });
    expect((await as(w.tokens.supB)('GET', '/api/campaigns')).body.items.map((c: { id: string }) => c.id)).toEqual([w.campaignId]);
    expect((await office('GET', '/api/campaigns')).body.total).toBeGreaterThanOrEqual(2);
    const principals = await office('GET', `/api/principals?campaignId=${w.campaignId}&role=unit`);
    expect(principals.body.items.map((p: { unitCode: string }) => p.unitCode).sort()).toEqual(['U-0', 'U-1']);
    expect(JSON.stringify(principals.body)).not.toMatch(/token/i);
    expect((await as(w.tokens.auditor)('GET', '/api/principals')).status).toBe(403);
    expect((await office('GET', `/api/campaigns/${w.campaignId}/measures?status=proposed`)).body).toEqual({ items: [], total: 0 });
    expect((await as(w.tokens.unitA)('GET', `/api/campaigns/${w.campaignId}/measures`)).status).toBe(403);
    expect((await as(w.tokens.unitA)('GET', '/api/programmes')).body).toMatchObject({ total: expect.any(Number) });
  });
});
