// The HTTP contract without workflows running: auth, validation, enrolment, lists, idempotency, rate limit,
// OpenAPI, operations. Real PostgreSQL and the real dev server; no worker (units stay "waiting").
import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { API_ROUTES, openApiPath, specRoutes } from './routes';
import { OFFICE_TOKEN, startApi, type ApiUnderTest } from './harness';
import { apiContextOf } from '../../apps/api/src/main';
import { canonicalJson } from '../../apps/api/src/common/idempotency.interceptor';
import { ifSet } from '../support/if-set';

let api: ApiUnderTest;
let campaignId: string;
let groupA: string;
let groupB: string;
let unitA: { id: string; code: string };
let unitB: { id: string; code: string };
const tokens: Record<string, string> = {};

const office = (method: string, path: string, body?: unknown, headers?: Record<string, string>) =>
  api.call(method, path, { token: OFFICE_TOKEN, body, headers });

beforeAll(async () => {
  api = await startApi();
  const c = await office('POST', '/api/campaigns', { name: 'Hangzhou 2013', startsAt: '2013-07-08T00:00:00+08:00' });
  campaignId = c.body.id;
  groupA = (await office('POST', `/api/campaigns/${campaignId}/groups`, { name: 'group A' })).body.id;
  groupB = (await office('POST', `/api/campaigns/${campaignId}/groups`, { name: 'group B' })).body.id;
  const enrolled = await office('POST', `/api/campaigns/${campaignId}/units`, {
    units: [
      { code: 'HZ-ORG-1', name: 'Municipal organ', kind: 'organ', level: 'municipal', groupId: groupA },
      { code: 'HZ-GR-1', name: 'Grassroots', kind: 'grassroots', level: 'district', groupId: groupB },
    ],
  });
  [unitA, unitB] = enrolled.body.results;
  for (const [name, body] of Object.entries({
    unitA: { name: 'unit A staff', role: 'unit', unitId: unitA.id },
    unitB: { name: 'unit B staff', role: 'unit', unitId: unitB.id },
    supA: { name: 'supervisor A', role: 'supervisor', groupId: groupA },
    supB: { name: 'supervisor B', role: 'supervisor', groupId: groupB },
    auditor: { name: 'auditor', role: 'auditor' },
  })) {
    const r = await office('POST', '/api/principals', body);
    expect(r.status).toBe(201);
    tokens[name] = r.body.token;
  }
});
afterAll(async () => {
  await ifSet(api)?.close();
});

describe('operations', () => {
  it('answers /health/live, and /health/ready 503 naming the worker that does not poll (no worker runs here)', async () => {
    expect((await api.call('GET', '/health/live')).status).toBe(200);
    const ready = await api.call('GET', '/health/ready');
    expect(ready.status).toBe(503);
    expect(ready.body.details[0]).toEqual({
      database: 'up',
      records: 'up',
      frontend: 'up',
      history: 'up',
      matching: 'up',
      worker: expect.stringMatching(/^down: no worker polls/),
      workflows: 'up',
    });
  });

  it('serves Prometheus metrics: request latency by route, workflow calls, escalations fired', async () => {
    await api.call('GET', '/api/me', { token: OFFICE_TOKEN });
    const m = await api.call('GET', '/metrics');
    expect(m.status).toBe(200);
    expect(m.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(m.body).toMatch(/massline_http_request_duration_seconds_bucket\{[^}]*route="\/api\/me"/);
    expect(m.body).toMatch(/# TYPE massline_workflow_calls_total counter/);
    expect(m.body).toMatch(/# TYPE massline_escalations_fired gauge/);
  });

  it('echoes X-Request-Id and writes it into the JSON log line of the request', async () => {
    const r = await api.call('GET', '/api/me', { token: OFFICE_TOKEN, headers: { 'x-request-id': 'req-abc-123' } });
    expect(r.headers.get('x-request-id')).toBe('req-abc-123');
    const line = api.logLines.map((l) => JSON.parse(l)).find((l) => l.requestId === 'req-abc-123' && l.msg === 'request');
    expect(line).toMatchObject({ level: 'info', method: 'GET', route: '/api/me', status: 200 });
    const minted = await api.call('GET', '/api/me', { token: OFFICE_TOKEN, headers: { 'x-request-id': 'bad id with spaces' } });
    expect(minted.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('publishes an OpenAPI document at /docs-json with every route of API.md, and Swagger UI at /docs', async () => {
    const doc = await api.call('GET', '/docs-json');
    expect(doc.status).toBe(200);
    expect(doc.body.openapi).toMatch(/^3\./);
    const missing = API_ROUTES.filter(([m, p]) => !doc.body.paths[openApiPath(p)]?.[m.toLowerCase()]);
    expect(missing).toEqual([]);
    const spec = specRoutes();
    if (spec) {
      // The list above covers the spec (outside the audit table, which the audit module serves).
      const listed = new Set(API_ROUTES.map(([m, p]) => `${m} ${p}`));
      const notDocs = spec.routes.filter(([, p]) => !p.startsWith('/docs'));
      // `GET /api/public/...` names a family of routes: at least one of them is documented, each with a GET.
      const families = notDocs.filter(([, p]) => p.endsWith('/...'));
      for (const [m, p] of families) {
        const members = Object.entries(doc.body.paths as Record<string, Record<string, unknown>>).filter(([path]) =>
          path.startsWith(p.slice(0, -3)),
        );
        expect(members.length).toBeGreaterThan(0);
        expect(members.every(([, ops]) => ops[m.toLowerCase()])).toBe(true);
      }
      expect(notDocs.filter(([m, p]) => !p.endsWith('/...') && !listed.has(`${m} ${p}`))).toEqual([]);
      // The audit table is served by the audit module, part of the same app and document.
      expect(spec.audit.filter(([m, p]) => !doc.body.paths[openApiPath(p)]?.[m.toLowerCase()])).toEqual([]);
    }
    // Error answers are described in the one error shape.
    const decision = doc.body.paths['/api/units/{id}/transitions/{tid}/decision'].post;
    expect(decision.responses['409'].content['application/json'].schema.$ref).toMatch(/ErrorResponseDto$/);
    expect(decision.responses['503']).toBeDefined();
    expect(decision.parameters.map((p: { name: string }) => p.name)).toContain('Idempotency-Key');
    expect(doc.body.components.schemas.EnrolUnitDto.required).toEqual(expect.arrayContaining(['code', 'name', 'kind', 'level', 'groupId']));
    const ui = await api.call('GET', '/docs');
    expect(ui.status).toBe(200);
    expect(String(ui.body)).toMatch(/swagger/i);
  });
});

describe('authentication', () => {
  it('401 without a token, with an unknown token, with a malformed header', async () => {
    for (const headers of [{}, { authorization: 'Bearer nope-not-a-token' }, { authorization: 'Basic abc' }] as Array<
      Record<string, string>
    >) {
      const r = await api.call('GET', '/api/me', { headers });
      expect(r.status).toBe(401);
      expect(r.body).toMatchObject({ statusCode: 401, error: 'Unauthorized' });
      expect(typeof r.body.message).toBe('string');
    }
  });

  it('a created principal gets a token shown once, stored only hashed', async () => {
    const r = await office('POST', '/api/principals', { name: 'second office', role: 'office' });
    expect(r.status).toBe(201);
    const me = await api.call('GET', '/api/me', { token: r.body.token });
    expect(me.body).toEqual({ id: r.body.id, name: 'second office', role: 'office' });
    const rows = await apiContextOf(api.app).dataSource.query('SELECT token_hash FROM principals WHERE id = $1', [r.body.id]);
    expect(rows[0].token_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(rows[0].token_hash).not.toContain(r.body.token);
  });

  it('scope follows the role: unit needs unitId, supervisor needs groupId, office and auditor neither', async () => {
    const cases: Array<[unknown, string]> = [
      [{ name: 'x', role: 'unit' }, 'unitId'],
      [{ name: 'x', role: 'unit', unitId: unitA.id, groupId: groupA }, 'groupId'],
      [{ name: 'x', role: 'supervisor' }, 'groupId'],
      [{ name: 'x', role: 'auditor', unitId: unitA.id }, 'unitId'],
      [{ name: 'x', role: 'king' }, 'role'],
    ];
    for (const [body, field] of cases) {
      const r = await office('POST', '/api/principals', body);
      expect(r.status).toBe(400);
      expect(r.body.message).toContain(field);
    }
    // A scope naming a unit that does not exist: an unknown id (404), naming the field.
    const unknown = await office('POST', '/api/principals', { name: 'x', role: 'unit', unitId: randomUUID() });
    expect(unknown.status).toBe(404);
    expect(unknown.body.message).toMatch(/^unitId: unit \S+ not found$/);
  });

  it('the office token is announced on first start, and the API finds it again on a restart', async () => {
    expect(api.announced).toEqual(['office token: the one given in MASSLINE_ADMIN_TOKEN']);
    const again = await startApi({ db: api.db });
    try {
      expect(again.announced).toEqual([]);
      expect((await again.call('GET', '/api/me', { token: OFFICE_TOKEN })).status).toBe(200);
    } finally {
      await again.close();
    }
  });
});

it('without MASSLINE_ADMIN_TOKEN, a generated office token is printed once and kept (0600) in <dataDir>/office-token', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'massline-api-data-'));
  const first = await startApi({ env: { MASSLINE_ADMIN_TOKEN: '', MASSLINE_DATA_DIR: dataDir } });
  try {
    const file = join(dataDir, 'office-token');
    expect(first.announced).toHaveLength(1);
    const m = /^office token: (\S+) \(also saved in (.+)\)$/.exec(first.announced[0]);
    expect(m?.[2]).toBe(file);
    const token = m![1];
    expect(readFileSync(file, 'utf8').trim()).toBe(token);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect((await first.call('GET', '/api/me', { token })).body.role).toBe('office');
    const again = await startApi({ db: first.db, env: { MASSLINE_ADMIN_TOKEN: '', MASSLINE_DATA_DIR: dataDir } });
    try {
      expect(again.announced).toEqual([`office token: saved in ${file} at first start`]);
      expect((await again.call('GET', '/api/me', { token })).status).toBe(200);
    } finally {
      await again.close();
    }
  } finally {
    await first.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

describe('validation', () => {
  it('refuses unknown fields, wrong types and missing fields with 400 naming the field', async () => {
    const cases: Array<[string, string, unknown, string]> = [
      ['POST', '/api/campaigns', { name: 'x', colour: 'red' }, 'colour'],
      ['POST', '/api/campaigns', { name: 42 }, 'name'],
      ['POST', '/api/campaigns', {}, 'name'],
      ['POST', '/api/campaigns', { name: 'x', startsAt: '2013-07-08' }, 'startsAt'],
      ['POST', '/api/campaigns', { name: 'x', startsAt: '2013-02-30T00:00:00+08:00' }, 'startsAt'],
      ['POST', '/api/campaigns', { name: 'x'.repeat(201) }, 'name'],
      ['POST', `/api/campaigns/${campaignId}/groups`, { name: '' }, 'name'],
      ['POST', `/api/campaigns/${campaignId}/units`, { units: [] }, 'units'],
      [
        'POST',
        `/api/campaigns/${campaignId}/units`,
        { units: [{ code: 'X', name: 'x', kind: 'castle', level: 'municipal', groupId: groupA }] },
        'units[0].kind',
      ],
      [
        'POST',
        `/api/campaigns/${campaignId}/units`,
        { units: [{ code: 'X', name: 'x', kind: 'organ', level: 'municipal', groupId: 'g' }] },
        'units[0].groupId',
      ],
      [
        'POST',
        `/api/campaigns/${campaignId}/units`,
        { units: [{ code: 'X', name: 'x', kind: 'organ', level: 'municipal', groupId: groupA, batch: 3 }] },
        'units[0].batch',
      ],
    ];
    for (const [method, path, body, field] of cases) {
      const r = await office(method, path, body);
      expect({ path, body, status: r.status }).toEqual({ path, body, status: 400 });
      expect(r.body.message).toContain(field);
      expect(r.body.details.some((d: { field: string }) => d.field === field)).toBe(true);
    }
  });

  it('an invalid plan is a 400 naming the plan field', async () => {
    const cases: Array<[unknown, string]> = [
      [{ disclosure: 'seven days' }, 'plan.disclosure'],
      [{ ladder: [{ rung: 'purple', offset: 'P1D' }] }, 'plan.ladder[0].rung'],
      [{ ladder: [{ rung: 'yellow', offset: 'soon' }] }, 'plan.ladder[0].offset'],
      [
        { batches: [{ batch: 1, phases: { P2: { startsAt: '2013-10-01T00:00:00+08:00', endsAt: '2013-09-01T00:00:00+08:00' } } }] },
        'plan.batches[0].phases.P2.endsAt',
      ],
      [{ calendar: { count: 'lunar' } }, 'plan.calendar.count'],
      [{ calendar: { workdays: ['2013-09-23'] } }, 'plan.calendar.workdays[0]'],
      [{ colour: 'red' }, 'plan.colour'],
    ];
    for (const [plan, field] of cases) {
      const r = await office('POST', '/api/campaigns', { name: 'bad plan', plan });
      expect({ plan, status: r.status }).toEqual({ plan, status: 400 });
      expect(r.body.message).toContain(field);
    }
  });

  it('answers malformed JSON with 400 and an oversized body with 413, in the error shape', async () => {
    const bad = await api.call('POST', '/api/campaigns', { token: OFFICE_TOKEN, raw: '{"name": ' });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ statusCode: 400, error: 'Bad Request', message: 'body: malformed JSON' });
    const big = await api.call('POST', '/api/campaigns', {
      token: OFFICE_TOKEN,
      raw: JSON.stringify({ name: 'x'.repeat(9 * 1024 * 1024) }),
    });
    expect(big.status).toBe(413);
    expect(big.body).toMatchObject({ statusCode: 413, message: 'body: request body too large' });
  });

  it('refuses arrays where objects belong, and bodies nested deeper than any DTO, with 400', async () => {
    for (const units of [[[]], [null], [1], [[{ code: 'X' }]]]) {
      const r = await office('POST', `/api/campaigns/${campaignId}/units`, { units });
      expect({ units, status: r.status }).toEqual({ units, status: 400 });
      expect(r.body.message).toContain('units[0]');
    }
    for (const depth of [40, 100_000]) {
      const raw = '{"name":"x","plan":' + '{"a":'.repeat(depth) + '1' + '}'.repeat(depth) + '}';
      const r = await api.call('POST', '/api/campaigns', { token: OFFICE_TOKEN, raw });
      expect(r.status).toBe(400);
      expect(r.body.message).toBe('body: nested more than 32 levels deep');
    }
  });

  it('refuses NUL characters, which the database cannot store, naming the field', async () => {
    // Search words in a query string too, and the document says so (Schemathesis sent one the schema allowed).
    const doc = (await api.call('GET', '/docs-json')).body;
    for (const route of ['/api/public/campaigns/{id}/units', '/api/principals']) {
      const q = (doc.paths[route].get.parameters as Array<{ name: string; schema: { pattern?: string } }>).find((p) => p.name === 'q');
      expect(q?.schema.pattern).toBe('^[^\\u0000]*$');
    }
    const search = await api.call('GET', `/api/public/campaigns/${campaignId}/units?q=a%00b`);
    expect(search.status).toBe(400);
    expect(search.body.details[0].field).toBe('q');
    const r = await office('POST', `/api/campaigns/${campaignId}/groups`, { name: 'group\u0000' });
    expect(r.status).toBe(400);
    expect(r.body.message).toBe('name: must not contain NUL (\\u0000) characters');
    const nested = await office('POST', `/api/campaigns/${campaignId}/units`, {
      units: [{ code: 'N-1', name: 'a\u0000b', kind: 'organ', level: 'municipal', groupId: groupA }],
    });
    expect(nested.status).toBe(400);
    expect(nested.body.details[0].field).toBe('units[0].name');
  });

  it('ids of the wrong form are unknown ids (404), never a database error', async () => {
    for (const path of [
      '/api/campaigns/not-a-uuid',
      '/api/units/1%27%20OR%201=1',
      `/api/items/${unitA.id}.item-x`,
      `/api/units/${randomUUID()}`,
    ]) {
      const r = await office('GET', path);
      expect({ path, status: r.status }).toEqual({ path, status: 404 });
      expect(r.body.error).toBe('Not Found');
    }
  });

  it('caps list pages at 500', async () => {
    const r = await office('GET', `/api/campaigns/${campaignId}/units?pageSize=501`);
    expect(r.status).toBe(400);
    expect(r.body.message).toContain('pageSize');
  });
});

describe('campaigns, groups and enrolment', () => {
  it('a campaign defaults to the seed calendar anchored at startsAt', async () => {
    const r = await office('GET', `/api/campaigns/${campaignId}`);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ id: campaignId, name: 'Hangzhou 2013', status: 'draft' });
    expect(r.body.plan.batches[0].phases.P1).toEqual({ startsAt: '2013-07-08T00:00:00+08:00', endsAt: '2013-09-01T00:00:00+08:00' });
    expect(r.body.plan.disclosure).toBe('P7D');
    expect(r.body.counts.units).toBe(2);
  });

  it('a group name is unique within its campaign (409)', async () => {
    const r = await office('POST', `/api/campaigns/${campaignId}/groups`, { name: 'group A' });
    expect(r.status).toBe(409);
  });

  it('enrolment derives the batch from kind and level, is idempotent by code and reports each unit', async () => {
    const other = await office('POST', '/api/campaigns', { name: 'other' });
    const foreignGroup = (await office('POST', `/api/campaigns/${other.body.id}/groups`, { name: 'g' })).body.id;
    const r = await office('POST', `/api/campaigns/${campaignId}/units`, {
      units: [
        { code: 'HZ-ORG-1', name: 'Municipal organ', kind: 'organ', level: 'municipal', groupId: groupA },
        { code: 'HZ-UNI-1', name: 'University', kind: 'university', level: 'municipal', groupId: groupA, parentCode: 'HZ-ORG-1' },
        { code: 'HZ-ENT-9', name: 'Enterprise set to batch 2', kind: 'enterprise', level: 'municipal', batch: 2, groupId: groupB },
        { code: 'HZ-X', name: 'foreign group', kind: 'organ', level: 'district', groupId: foreignGroup },
        { code: 'HZ-UNI-1', name: 'duplicate', kind: 'university', level: 'municipal', groupId: groupA },
        { code: 'HZ-Y', name: 'orphan', kind: 'affiliated', level: 'district', groupId: groupA, parentCode: 'NOPE' },
      ],
    });
    expect(r.status).toBe(200);
    expect(r.body.results.map((x: { status: string }) => x.status)).toEqual(['exists', 'created', 'created', 'error', 'error', 'error']);
    expect(r.body.results[0].id).toBe(unitA.id);
    expect(r.body.results[3].error).toContain('groupId');
    expect(r.body.results[4].error).toContain('units[1]');
    expect(r.body.results[5].error).toContain('parentCode');
    const batches = await apiContextOf(api.app).dataSource.query('SELECT code, batch FROM units WHERE campaign_id = $1 ORDER BY code', [
      campaignId,
    ]);
    expect(batches).toEqual([
      { code: 'HZ-ENT-9', batch: 2 },
      { code: 'HZ-GR-1', batch: 2 },
      { code: 'HZ-ORG-1', batch: 1 },
      { code: 'HZ-UNI-1', batch: 1 },
    ]);
  });

  it('enrols 10,000 units in one call, one result per unit, and refuses 10,001', async () => {
    const c = await office('POST', '/api/campaigns', { name: 'city-wide' });
    const g = (await office('POST', `/api/campaigns/${c.body.id}/groups`, { name: 'g' })).body.id;
    const units = Array.from({ length: 10_000 }, (_, i) => ({
      code: `U${String(i).padStart(5, '0')}`,
      name: `unit ${i}`,
      kind: i % 2 ? 'grassroots' : 'organ',
      level: i % 2 ? 'district' : 'municipal',
      groupId: g,
    }));
    const r = await office('POST', `/api/campaigns/${c.body.id}/units`, { units });
    expect(r.status).toBe(200);
    expect(r.body.results).toHaveLength(10_000);
    expect(r.body.results.every((x: { status: string; id?: string }) => x.status === 'created' && x.id)).toBe(true);
    const list = await office('GET', `/api/campaigns/${c.body.id}/units?batch=2&pageSize=500&page=3`);
    expect(list.body.total).toBe(5_000);
    expect(list.body.items).toHaveLength(500);
    expect(list.body.items[0].code).toBe('U02001'); // the 1,001st odd-numbered (batch 2) unit
    const again = await office('POST', `/api/campaigns/${c.body.id}/units`, { units: units.slice(0, 3) });
    expect(again.body.results.map((x: { status: string }) => x.status)).toEqual(['exists', 'exists', 'exists']);
    const tooMany = await office('POST', `/api/campaigns/${c.body.id}/units`, { units: [...units, { ...units[0], code: 'U10000' }] });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.message).toContain('units');
  });

  it('lists units with their projected state (waiting before the batch opens), filtered and paged', async () => {
    const all = await office('GET', `/api/campaigns/${campaignId}/units`);
    expect(all.status).toBe(200);
    expect(all.body.total).toBe(4);
    expect(all.body.items[0]).toMatchObject({ code: 'HZ-ENT-9', phase: null, status: 'waiting', card: 'none' });
    const filtered = await office('GET', `/api/campaigns/${campaignId}/units?batch=1&card=none&groupId=${groupA}&page=1&pageSize=1`);
    expect(filtered.body).toMatchObject({ total: 2, items: [{ code: 'HZ-ORG-1' }] });
    // No unit claims P1 before its batch opens.
    expect((await office('GET', `/api/campaigns/${campaignId}/units?phase=P1`)).body.total).toBe(0);
    expect((await office('GET', `/api/campaigns/${campaignId}/units?phase=P9`)).status).toBe(400);
  });

  it('answers GET /api/units/:id from the enrolment while the batch has not opened', async () => {
    const r = await api.call('GET', `/api/units/${unitA.id}`, { token: tokens.unitA });
    expect(r.status).toBe(200);
    // Waiting for its batch: no phase is claimed yet.
    expect(r.body).toMatchObject({
      id: unitA.id,
      code: 'HZ-ORG-1',
      batch: 1,
      phase: null,
      status: 'waiting',
      card: 'none',
      unmetGates: [],
    });
    expect(r.body.window).toEqual({ startsAt: '2013-07-08T00:00:00+08:00', endsAt: '2013-09-01T00:00:00+08:00' });
  });

  it('a lifecycle call on a unit whose batch has not opened is a 409 naming the rule, and changes nothing', async () => {
    const db = apiContextOf(api.app).dataSource;
    const before = await db.query('SELECT (SELECT count(*) FROM audit_log) AS a, (SELECT count(*) FROM unit_states) AS s');
    const r = await api.call('POST', `/api/units/${unitA.id}/records`, { token: tokens.unitA, body: { kind: 'study', title: 'study' } });
    expect(r.status).toBe(409);
    expect(r.body.message).toContain('unit.running');
    expect(await db.query('SELECT (SELECT count(*) FROM audit_log) AS a, (SELECT count(*) FROM unit_states) AS s')).toEqual(before);
  });

  it('dashboard counts come from the read model', async () => {
    const r = await office('GET', `/api/campaigns/${campaignId}/dashboard`);
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      byBatch: { '1': { P1: 0, P2: 0, P3: 0, DONE: 0, waiting: 2 }, '2': { P1: 0, P2: 0, P3: 0, DONE: 0, waiting: 2 } },
      cards: { yellow: 0, red: 0 },
      referrals: 0,
      overdueItems: 0,
    });
  });
});

describe('idempotency', () => {
  it('replays the first answer for the same key and body, refuses the key with another body, and keeps nothing of a refused request', async () => {
    const key = `key-${randomUUID()}`;
    const path = `/api/campaigns/${campaignId}/groups`;
    const first = await office('POST', path, { name: 'group C' }, { 'idempotency-key': key });
    expect(first.status).toBe(201);
    const again = await office('POST', path, { name: 'group C' }, { 'idempotency-key': key });
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    const other = await office('POST', path, { name: 'group D' }, { 'idempotency-key': key });
    expect(other.status).toBe(409);
    expect(other.body.message).toContain(key);
    const groups = await apiContextOf(api.app).dataSource.query(
      'SELECT name FROM supervisory_groups WHERE campaign_id = $1 AND name IN ($2, $3)',
      [campaignId, 'group C', 'group D'],
    );
    expect(groups).toEqual([{ name: 'group C' }]);

    // A refused request (400) leaves the key free.
    const key2 = `key-${randomUUID()}`;
    expect((await office('POST', path, { name: '' }, { 'idempotency-key': key2 })).status).toBe(400);
    expect((await office('POST', path, { name: 'group E' }, { 'idempotency-key': key2 })).status).toBe(201);
  });

  it('a key still in flight is a 409; a claim abandoned by a crashed request is taken over after a minute', async () => {
    const db = apiContextOf(api.app).dataSource;
    const [{ id: officeId }] = await db.query(`SELECT id FROM principals WHERE role = 'office' ORDER BY created_at LIMIT 1`);
    const claim = (key: string, age: string) =>
      db.query(
        `INSERT INTO idempotency_keys (scope, key, method, path, body_hash, status_code, response, created_at)
         VALUES ($1, $2, 'POST', '/api/campaigns', $3, 0, NULL, now() - $4::interval)`,
        [
          officeId,
          key,
          createHash('sha256')
            .update(canonicalJson({ name: 'in flight' }))
            .digest('hex'),
          age,
        ],
      );
    await claim('in-flight', '1 second');
    const busy = await office('POST', '/api/campaigns', { name: 'in flight' }, { 'idempotency-key': 'in-flight' });
    expect(busy.status).toBe(409);
    expect(busy.body.message).toContain('still being answered');
    await claim('abandoned', '2 minutes');
    const taken = await office('POST', '/api/campaigns', { name: 'in flight' }, { 'idempotency-key': 'abandoned' });
    expect(taken.status).toBe(201);
    const replay = await office('POST', '/api/campaigns', { name: 'in flight' }, { 'idempotency-key': 'abandoned' });
    expect(replay.body.id).toBe(taken.body.id);
  });

  it('keys are per principal, and a malformed key is a 400 naming the header', async () => {
    const key = `key-${randomUUID()}`;
    const a = await office('POST', '/api/campaigns', { name: 'per principal' }, { 'idempotency-key': key });
    const second = await office('POST', '/api/principals', { name: 'office 3', role: 'office' });
    const b = await api.call('POST', '/api/campaigns', {
      token: second.body.token,
      body: { name: 'per principal' },
      headers: { 'idempotency-key': key },
    });
    expect(a.status).toBe(201);
    expect(b.status).toBe(201);
    expect(b.body.id).not.toBe(a.body.id);
    const bad = await office('POST', '/api/campaigns', { name: 'x' }, { 'idempotency-key': 'has space' });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toContain('Idempotency-Key');
  });
});

describe('public channels', () => {
  it('rate-limits opinions and objections per client address (429 with Retry-After)', async () => {
    // The window is the deployment's (in PostgreSQL): this address's earlier calls to the other API are in it.
    await apiContextOf(api.app).dataSource.query('DELETE FROM rate_limit_windows');
    const limited = await startApi({ db: api.db, env: { MASSLINE_PUBLIC_RATE_LIMIT: '3' } });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) {
        const path = i % 2 ? `/api/units/${unitA.id}/task-book/objections` : `/api/units/${unitA.id}/opinions`;
        statuses.push((await limited.call('POST', path, { body: { text: `opinion ${i}` } })).status);
      }
      // The unit's batch has not opened: accepted requests are refused by the lifecycle (409), the fourth by the limit.
      expect(statuses).toEqual([409, 409, 409, 429]);
      const r = await limited.call('POST', `/api/units/${unitA.id}/opinions`, { body: { text: 'again' } });
      expect(r.status).toBe(429);
      expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(r.body).toMatchObject({ statusCode: 429, error: 'Too Many Requests' });
      // Authenticated routes are not limited.
      expect((await limited.call('GET', '/api/me', { token: OFFICE_TOKEN })).status).toBe(200);
    } finally {
      await limited.close();
    }
  });

  it('needs no token', async () => {
    const r = await api.call('POST', `/api/units/${unitA.id}/opinions`, { body: { text: 'more study sessions please' } });
    expect(r.status).not.toBe(401);
  });
});
