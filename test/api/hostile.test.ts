// What outside testing found (hostile clients, an honest contract), each answer pinned: tokens never stored
// for replays and keys that expire, instants inside 2000–2099, programme goals not in the past, the public limit
// at its exact boundary, the OpenAPI document as the API behaves, and the parser's corners.
import { randomUUID } from 'node:crypto';
import { connect } from 'node:net';
import { apiContextOf } from '../../apps/api/src/main';
import { OFFICE_TOKEN, startApi, type ApiUnderTest } from './harness';
import type { Json } from '../support/json';
import { ifSet } from '../support/if-set';

let api: ApiUnderTest;
let campaignId: string;
let groupA: string;
let unitA: string;

const office = (method: string, path: string, body?: unknown, headers?: Record<string, string>) =>
  api.call(method, path, { token: OFFICE_TOKEN, body, headers });
const db = () => apiContextOf(api.app).dataSource;

beforeAll(async () => {
  api = await startApi();
  campaignId = (await office('POST', '/api/campaigns', { name: 'Hangzhou 2013', startsAt: '2013-07-08T00:00:00+08:00' })).body.id;
  groupA = (await office('POST', `/api/campaigns/${campaignId}/groups`, { name: 'group A' })).body.id;
  const enrolled = await office('POST', `/api/campaigns/${campaignId}/units`, {
    units: [{ code: 'HZ-ORG-1', name: 'Municipal organ', kind: 'organ', level: 'municipal', groupId: groupA }],
  });
  unitA = enrolled.body.results[0].id;
});
afterAll(async () => {
  await ifSet(api)?.close();
});

describe('1. tokens exist only as hashes; Idempotency-Keys expire', () => {
  it('a principal created with an Idempotency-Key: the token is answered once, never stored, and a replay answers without it', async () => {
    const key = `principal-${randomUUID()}`;
    const first = await office('POST', '/api/principals', { name: 'auditor Zhou', role: 'auditor' }, { 'idempotency-key': key });
    expect(first.status).toBe(201);
    expect(first.body.token).toMatch(/^ml_/);
    const rows: Array<{ response: unknown }> = await db().query('SELECT response FROM idempotency_keys WHERE key = $1', [key]);
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows[0].response)).not.toContain(first.body.token);
    const replay = await office('POST', '/api/principals', { name: 'auditor Zhou', role: 'auditor' }, { 'idempotency-key': key });
    expect(replay.status).toBe(201);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.body).toEqual({ id: first.body.id, name: 'auditor Zhou', role: 'auditor' });
    // No table holds the token in plain text.
    const anywhere = await db().query(
      `SELECT (SELECT count(*) FROM idempotency_keys WHERE response::text LIKE $1)::int AS keys,
              (SELECT count(*) FROM principals WHERE token_hash LIKE $1 OR name LIKE $1)::int AS principals`,
      [`%${first.body.token}%`],
    );
    expect(anywhere).toEqual([{ keys: 0, principals: 0 }]);
    const doc = await api.call('GET', '/docs-json');
    expect(doc.body.paths['/api/principals'].post.description).toMatch(/without its token/);
    expect(doc.body.components.schemas.CreatedPrincipalDto.required ?? []).not.toContain('token');
  });

  it('a completed key older than MASSLINE_IDEMPOTENCY_TTL_HOURS is no longer replayed, and the sweep removes it', async () => {
    expect(api.config.idempotencyTtlHours).toBe(24);
    const key = `expiring-${randomUUID()}`;
    const path = `/api/campaigns/${campaignId}/groups`;
    const first = await office('POST', path, { name: 'group expiring' }, { 'idempotency-key': key });
    expect(first.status).toBe(201);
    await db().query(`UPDATE idempotency_keys SET created_at = now() - interval '25 hours' WHERE key = $1`, [key]);
    // Expired: the key is free again, so this is a new request (the group exists now: 409 by the group rule, not a replay).
    const after = await office('POST', path, { name: 'group expiring' }, { 'idempotency-key': key });
    expect(after.status).toBe(409);
    expect(after.headers.get('idempotent-replayed')).toBeNull();
    expect(after.body.message).toContain('already has a group named');
    // Another expired key, then the sweep.
    const stale = `stale-${randomUUID()}`;
    expect((await office('POST', path, { name: `group ${stale}` }, { 'idempotency-key': stale })).status).toBe(201);
    await db().query(`UPDATE idempotency_keys SET created_at = now() - interval '25 hours' WHERE key = $1`, [stale]);
    const fresh = `fresh-${randomUUID()}`;
    expect((await office('POST', path, { name: `group ${fresh}` }, { 'idempotency-key': fresh })).status).toBe(201);
    const removed = await apiContextOf(api.app).idempotencySweeper.sweepNow();
    expect(removed).toBeGreaterThanOrEqual(1);
    const left = await db().query('SELECT key FROM idempotency_keys WHERE key = ANY($1) ORDER BY key', [[stale, fresh]]);
    expect(left).toEqual([{ key: fresh }]);
  });
});

describe('3 and 10. every instant accepted is in the years 2000–2099, and so is every plan derived from one', () => {
  it('refuses instants outside the years, naming the field', async () => {
    const cases: Array<[string, string, unknown, string]> = [
      ['POST', '/api/campaigns', { name: 'far', startsAt: '9999-12-31T23:59:59Z' }, 'startsAt'],
      ['POST', '/api/campaigns', { name: 'early', startsAt: '1999-12-31T23:59:59Z' }, 'startsAt'],
      // The seed calendar from late 2099 would end in 2101.
      ['POST', '/api/campaigns', { name: 'late', startsAt: '2099-06-01T00:00:00+08:00' }, 'startsAt'],
      [
        'POST',
        '/api/campaigns',
        { name: 'window', plan: { batches: [{ batch: 2, endsAt: '2101-01-01T00:00:00+08:00' }] } },
        'plan.batches[0].endsAt',
      ],
      ['POST', '/api/campaigns', { name: 'ladder', plan: { ladder: [{ rung: 'yellow', offset: 'P400D' }] } }, 'plan.ladder[0].offset'],
      ['POST', '/api/campaigns', { name: 'disclosure', plan: { disclosure: 'P36500D' } }, 'plan.disclosure'],
      [
        'PUT',
        `/api/units/${unitA}/task-book`,
        { signedBy: 'head', items: [{ problemIds: ['problem-1'], measure: 'm', owner: 'o', deadline: '9999-12-31T00:00:00Z' }] },
        'items[0].deadline',
      ],
      ['POST', `/api/items/${unitA}.item-1/extensions`, { newDeadline: '2100-01-01T00:00:00Z', reason: 'r' }, 'newDeadline'],
      ['GET', '/api/escalations?since=0610-10-30T21:08:23Z', undefined, 'since'],
    ];
    const before = await db().query('SELECT count(*)::int AS n FROM campaigns');
    for (const [method, path, body, field] of cases) {
      const r = await api.call(method, path, { token: OFFICE_TOKEN, body });
      expect({ path, body, status: r.status }).toEqual({ path, body, status: 400 });
      expect(r.body.message).toContain(field);
    }
    expect(await db().query('SELECT count(*)::int AS n FROM campaigns')).toEqual(before);
    // The bounds themselves are accepted.
    expect((await office('POST', '/api/campaigns', { name: 'first', startsAt: '2000-01-01T00:00:00Z' })).status).toBe(201);
  });

  it('the document publishes the same bound as a pattern on every instant a request carries', async () => {
    const doc = await api.call('GET', '/docs-json');
    const pattern = new RegExp(doc.body.components.schemas.CreateCampaignDto.properties.startsAt.pattern);
    for (const ok of ['2000-01-01T00:00:00Z', '2013-07-08T09:00+08:00', '2096-02-29T23:59:59.123456789-14:00'])
      expect(pattern.test(ok)).toBe(true);
    for (const bad of ['1999-12-31T23:59:59Z', '2100-01-01T00:00:00Z', '2013-02-29T00:00:00Z', '2013-07-08T24:00:00Z', '2013-07-08']) {
      expect(pattern.test(bad)).toBe(false);
    }
  });
});

it('4. a programme goal due in the past is refused, naming it, and no programme is defined', async () => {
  const before = await db().query('SELECT count(*)::int AS n FROM programmes');
  const r = await office('POST', '/api/programmes', {
    name: 'late goals',
    track: 'action',
    leadLeader: 'mayor',
    leadUnitId: unitA,
    responsibleUnitIds: [],
    goals: [
      { title: 'next year', dueAt: '2090-01-01T00:00:00+08:00' },
      { title: 'last year', dueAt: '2013-01-01T00:00:00+08:00' },
    ],
  });
  expect(r.status).toBe(400);
  expect(r.body.message).toContain('goals[1].dueAt');
  expect(await db().query('SELECT count(*)::int AS n FROM programmes')).toEqual(before);
  const doc = await api.call('GET', '/docs-json');
  const escalation = doc.body.components.schemas.EscalationDto.properties;
  expect(escalation.campaignId.nullable).toBe(true);
  expect(escalation.groupId.nullable).toBe(true);
});

it('5. exactly 60 public requests per address in any 60 seconds (the limiter on a stepped clock)', async () => {
  let now = Date.parse('2013-09-01T08:00:00Z');
  // The window is the deployment's (in PostgreSQL): this address's calls to the other API, on the real clock, are in it.
  await db().query('DELETE FROM rate_limit_windows');
  const limited = await startApi({ db: api.db, env: { MASSLINE_PUBLIC_RATE_LIMIT: '60' }, deps: { clock: () => now } });
  try {
    const opinion = () => limited.call('POST', `/api/units/${unitA}/opinions`, { body: { text: 'fewer meetings' } });
    const statuses: number[] = [];
    for (let i = 0; i < 60; i++) {
      statuses.push((await opinion()).status);
      now += 500; // 60 requests over 30 s
    }
    // The batch has not opened: each accepted request is refused by the lifecycle (409), none by the limit.
    expect(statuses.filter((s) => s === 409)).toHaveLength(60);
    const first = Date.parse('2013-09-01T08:00:00Z');
    now = first + 59_999; // the first request is still in the window
    const over = await opinion();
    expect(over.status).toBe(429);
    expect(over.headers.get('retry-after')).toBe('1');
    expect(over.body).toMatchObject({ statusCode: 429, error: 'Too Many Requests' });
    now = first + 60_000; // the first left the window: one slot
    expect((await opinion()).status).toBe(409);
    expect((await opinion()).status).toBe(429);
    now = first + 60_500; // the second left too
    expect((await opinion()).status).toBe(409);
    expect((await opinion()).status).toBe(429);
    // Another address has its own window (the limit is per address): the office's calls are not limited at all.
    expect((await limited.call('GET', '/api/me', { token: OFFICE_TOKEN })).status).toBe(200);
  } finally {
    await limited.close();
  }
});

describe('8. the OpenAPI document says what the API does', () => {
  let doc: Json;
  beforeAll(async () => {
    doc = (await api.call('GET', '/docs-json')).body;
  });

  it('lists, dates, nullable fields and public routes as they are answered', async () => {
    const groups = doc.paths['/api/campaigns/{id}/groups'].get.responses['200'].content['application/json'].schema;
    expect(groups.$ref).toMatch(/GroupListDto$/);
    const listed = await office('GET', `/api/campaigns/${campaignId}/groups`);
    expect(Object.keys(listed.body).sort()).toEqual(['items', 'total']);
    // Dates are strings with format date-time, never objects.
    for (const [name, schema] of Object.entries<Json>(doc.components.schemas)) {
      for (const [prop, p] of Object.entries<Json>(schema.properties ?? {})) {
        if (p.format === 'date-time') expect({ name, prop, type: p.type }).toEqual({ name, prop, type: 'string' });
      }
    }
    expect(doc.components.schemas.CampaignDto.properties.startedAt).toMatchObject({ type: 'string', nullable: true });
    expect(doc.components.schemas.UnitListEntryDto.properties.window).toEqual({
      nullable: true,
      allOf: [{ $ref: '#/components/schemas/WindowDto' }],
    });
    // Public channels need no token; every other /api route names the bearer scheme, an opaque token.
    expect(doc.paths['/api/units/{id}/opinions'].post.security).toBeUndefined();
    expect(doc.paths['/api/units/{id}/task-book/objections'].post.security).toBeUndefined();
    expect(doc.paths['/api/units/{id}/opinions'].post.responses['429']).toBeDefined();
    expect(doc.paths['/api/me'].get.security).toEqual([{ bearer: [] }]);
    expect(doc.components.securitySchemes.bearer).toEqual(expect.objectContaining({ type: 'http', scheme: 'bearer' }));
    expect(doc.components.securitySchemes.bearer.bearerFormat).toBeUndefined();
  });

  it('documents the limits it enforces: closed bodies, non-blank text, integer pages, the Idempotency-Key charset', () => {
    const create = doc.components.schemas.CreateCampaignDto;
    expect(create.additionalProperties).toBe(false);
    expect(doc.components.schemas.EnrolUnitDto.additionalProperties).toBe(false);
    const name = new RegExp(create.properties.name.pattern);
    expect(name.test('Hangzhou')).toBe(true);
    for (const blank of ['', '   ', '\u3000\t', 'a\u0000b']) expect(name.test(blank)).toBe(false);
    const page = doc.paths['/api/escalations'].get.parameters.find((p: { name: string }) => p.name === 'pageSize');
    expect(page.schema).toMatchObject({ type: 'integer', minimum: 1, maximum: 500 });
    const key = doc.paths['/api/campaigns'].post.parameters.find((p: { name: string }) => p.name === 'Idempotency-Key');
    expect(new RegExp(key.schema.pattern).test('has space')).toBe(false);
    expect(new RegExp(key.schema.pattern).test('key-1')).toBe(true);
    // Every POST and PUT documents the 400 of a malformed request and the 409 of a reused key; every /api route the 503.
    for (const [path, item] of Object.entries<Json>(doc.paths)) {
      for (const [method, op] of Object.entries<Json>(item)) {
        if (method === 'post' || method === 'put')
          expect({ path, method, s: Object.keys(op.responses) }).toEqual({ path, method, s: expect.arrayContaining(['400', '409']) });
        if (path.startsWith('/api/'))
          expect({ path, method, s: Object.keys(op.responses) }).toEqual({ path, method, s: expect.arrayContaining(['503']) });
      }
    }
  });

  it('issue 8: a 503 to a decision does not say whether it was applied — the document says to retry with the same key', () => {
    const decision = doc.paths['/api/units/{id}/transitions/{tid}/decision'].post;
    const key = decision.parameters.find((p: { name: string }) => p.name === 'Idempotency-Key');
    expect(key.description).toMatch(/503 to a decision does not tell whether it was applied/);
    expect(decision.responses['503'].description).toMatch(/same Idempotency-Key/);
  });

  it('an undeclared method on a documented path is a 405 with Allow, in the error shape', async () => {
    const r = await office('DELETE', `/api/campaigns/${campaignId}`);
    expect(r.status).toBe(405);
    expect(r.headers.get('allow')).toBe('GET, HEAD, OPTIONS');
    expect(r.body).toMatchObject({ statusCode: 405, error: 'Method Not Allowed' });
    const patch = await api.call('PATCH', '/api/me', { token: OFFICE_TOKEN });
    expect(patch.status).toBe(405);
    expect(patch.headers.get('allow')).toBe('GET, HEAD, OPTIONS');
    const options = await api.call('OPTIONS', '/api/campaigns');
    expect(options.status).toBe(204);
    // (GET /api/campaigns lists the campaigns, for the console)
    expect(options.headers.get('allow')).toBe('POST, GET, HEAD, OPTIONS');
    // An unknown path stays a 404.
    expect((await office('DELETE', '/api/nowhere')).status).toBe(404);
  });
});

describe('9. parser corners', () => {
  it('a body that is not UTF-8 is a 400 and is not stored', async () => {
    const name = Buffer.concat([Buffer.from('{"name":"bad '), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from('"}')]);
    const res = await fetch(`${api.url}/api/campaigns/${campaignId}/groups`, {
      method: 'POST',
      headers: { authorization: `Bearer ${OFFICE_TOKEN}`, 'content-type': 'application/json' },
      body: name,
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ statusCode: 400, message: 'body: not valid UTF-8' });
    expect(await db().query(`SELECT name FROM supervisory_groups WHERE name LIKE 'bad %'`)).toEqual([]);
  });

  it('null for an optional field is a 400 naming it (absent is fine; the document says string, not nullable), and nothing is created', async () => {
    const before = Number((await db().query(`SELECT count(*) AS n FROM campaigns`))[0].n);
    const cases: Array<[string, string, unknown, string]> = [
      ['POST', '/api/campaigns', { name: 'null start', plan: {}, startsAt: null }, 'startsAt'],
      ['POST', '/api/campaigns', { name: 'null plan', plan: null }, 'plan'],
      ['POST', '/api/principals', { name: 'p', role: 'unit', unitId: null }, 'unitId'],
    ];
    for (const [method, path, body, field] of cases) {
      const r = await api.call(method, path, { token: OFFICE_TOKEN, body });
      expect({ path, body, status: r.status }).toEqual({ path, body, status: 400 });
      expect(r.body.details?.field ?? r.body.message).toContain(field);
    }
    expect(Number((await db().query(`SELECT count(*) AS n FROM campaigns`))[0].n)).toBe(before);
    expect((await api.call('POST', '/api/campaigns', { token: OFFICE_TOKEN, body: { name: 'no start' } })).status).toBe(201);
  });

  it('__proto__, constructor and prototype keys are unknown fields like any other', async () => {
    const cases: Array<[string, string]> = [
      ['{"name":"x","__proto__":{"admin":true}}', '__proto__'],
      ['{"name":"x","constructor":{"prototype":{}}}', 'constructor'],
      [
        `{"units":[{"code":"P-1","name":"u","kind":"organ","level":"municipal","groupId":"${'0'.repeat(8)}-0000-4000-8000-${'0'.repeat(12)}","__proto__":{}}]}`,
        'units[0].__proto__',
      ],
    ];
    for (const [raw, field] of cases) {
      const path = field.startsWith('units') ? `/api/campaigns/${campaignId}/units` : `/api/campaigns/${campaignId}/groups`;
      const r = await api.call('POST', path, { token: OFFICE_TOKEN, raw });
      expect({ raw, status: r.status }).toEqual({ raw, status: 400 });
      expect(r.body.message).toBe(`${field}: unknown field`);
    }
    expect(await db().query(`SELECT name FROM supervisory_groups WHERE campaign_id = $1 AND name = 'x'`, [campaignId])).toEqual([]);
  });

  it("Node's own 400 (a malformed request) carries the error shape; no X-Powered-By anywhere", async () => {
    const { port } = new URL(api.url);
    const raw = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), '127.0.0.1', () =>
        socket.write('GET /api/me HTTP/1.1\r\nHost: x\r\nBad Header Name: 1\r\n\r\n'),
      );
      let data = '';
      socket.on('data', (c) => (data += c.toString()));
      socket.on('end', () => resolve(data));
      socket.on('error', reject);
    });
    expect(raw).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(raw).toMatch(/content-type: application\/json/i);
    expect(JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4))).toEqual({
      statusCode: 400,
      error: 'Bad Request',
      message: 'malformed HTTP request',
    });
    for (const path of ['/api/me', '/health/live', '/docs-json', '/nowhere']) {
      expect((await office('GET', path)).headers.get('x-powered-by')).toBeNull();
    }
  });
});
