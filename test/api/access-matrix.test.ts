// Who may do what (API.md, DOMAIN.md): every endpoint × every role × in scope / out of scope, against a
// running campaign. An allowed caller gets the endpoint's answer for the unit's state (2xx, or the lifecycle's
// 404/409 when the state does not permit it). One rule for refusals: a caller for whom the object is outside
// its scope gets 404, worded as for an unknown id and naming no other principal or group; a caller who may see
// it but not do this gets 403 naming the rule (a role the route never admits: 403 too); no token, 401.
import { randomUUID } from 'node:crypto';
import { buildWorld, type World } from './world';
import { startApi, type ApiUnderTest } from './harness';
import { eventually } from '../support/eventually';
import { dto } from '../support/dto';
import { AddRecordDto, DecisionDto } from '../../apps/api/src/units/units.dto';
import { CreateCampaignDto } from '../../apps/api/src/campaigns/campaigns.dto';
import { API_ROUTES } from './routes';
import { ifSet } from '../support/if-set';

type Who = 'anonymous' | 'office' | 'auditor' | 'unitA' | 'unitB' | 'supA' | 'supB';
const EVERYONE: Who[] = ['anonymous', 'office', 'auditor', 'unitA', 'unitB', 'supA', 'supB'];

interface Row {
  call: string;
  path: (w: World) => string;
  body?: (w: World) => unknown;
  /** Status for each caller that may call it; every other authenticated caller gets 403, anonymous 401. */
  allowed: Partial<Record<Who, number>>;
  /** Public channel: no token needed, so anonymous is answered like anyone. */
  isPublic?: boolean;
  /** Callers for whom the object is outside their scope: 404 (unless allowed). */
  hidden?: Who[];
}

let api: ApiUnderTest;
let w: World;
let programmeId: string;
/** A second campaign, with a group and a unit of its own: outside the scope of every unit and supervisor of w. */
let other: { campaignId: string };
const OUTSIDE_A: Who[] = ['unitB', 'supB'];

const item = (w: World) => `${w.unitA}.item-1`;
const ROWS: Row[] = [
  { call: 'POST /api/principals', path: () => '/api/principals', body: () => ({ name: 'p', role: 'auditor' }), allowed: { office: 201 } },
  { call: 'GET /api/me', path: () => '/api/me', allowed: { office: 200, auditor: 200, unitA: 200, unitB: 200, supA: 200, supB: 200 } },
  { call: 'POST /api/campaigns', path: () => '/api/campaigns', body: () => ({ name: 'c' }), allowed: { office: 201 } },
  {
    call: 'GET /api/campaigns/:id',
    path: (w) => `/api/campaigns/${w.campaignId}`,
    allowed: { office: 200, auditor: 200, unitA: 200, unitB: 200, supA: 200, supB: 200 },
  },
  { call: 'POST /api/campaigns/:id/start', path: (w) => `/api/campaigns/${w.campaignId}/start`, allowed: { office: 409 } },
  {
    call: 'POST /api/campaigns/:id/groups',
    path: (w) => `/api/campaigns/${w.campaignId}/groups`,
    body: () => ({ name: `g-${randomUUID()}` }),
    allowed: { office: 201 },
  },
  {
    call: 'POST /api/campaigns/:id/units',
    path: (w) => `/api/campaigns/${w.campaignId}/units`,
    body: (w) => ({
      units: [{ code: `X-${randomUUID().slice(0, 8)}`, name: 'x', kind: 'grassroots', level: 'district', groupId: w.groupA }],
    }),
    allowed: { office: 200 },
  },
  {
    call: 'GET /api/campaigns/:id/units (group A)',
    path: (w) => `/api/campaigns/${w.campaignId}/units?groupId=${w.groupA}`,
    allowed: { office: 200, auditor: 200, supA: 200 },
    hidden: ['supB'],
  },
  {
    call: 'GET /api/campaigns/:id (another campaign)',
    path: () => `/api/campaigns/${other.campaignId}`,
    allowed: { office: 200, auditor: 200 },
    hidden: ['unitA', 'unitB', 'supA', 'supB'],
  },
  {
    call: 'GET /api/campaigns/:id/units (another campaign)',
    path: () => `/api/campaigns/${other.campaignId}/units`,
    allowed: { office: 200, auditor: 200 },
    hidden: ['supA', 'supB'],
  },
  {
    call: 'GET /api/campaigns/:id/groups',
    path: (w) => `/api/campaigns/${w.campaignId}/groups`,
    allowed: { office: 200, auditor: 200, supA: 200, supB: 200 },
  },
  {
    call: 'GET /api/campaigns/:id/groups (another campaign)',
    path: () => `/api/campaigns/${other.campaignId}/groups`,
    allowed: { office: 200, auditor: 200 },
    hidden: ['supA', 'supB'],
  },
  {
    call: 'GET /api/escalations (another campaign)',
    path: () => `/api/escalations?campaignId=${other.campaignId}`,
    allowed: { office: 200, auditor: 200 },
    hidden: ['supA', 'supB'],
  },
  {
    call: 'GET /api/campaigns/:id/units (own group)',
    path: (w) => `/api/campaigns/${w.campaignId}/units`,
    allowed: { office: 200, auditor: 200, supA: 200, supB: 200 },
  },
  {
    call: 'GET /api/campaigns/:id/dashboard',
    path: (w) => `/api/campaigns/${w.campaignId}/dashboard`,
    allowed: { office: 200, auditor: 200 },
  },
  // Plan changes (beyond API.md): the office previews and applies (a digest no preview gave is stale: 409); auditors read the versions.
  {
    call: 'POST /api/campaigns/:id/plan-changes/preview',
    path: (w) => `/api/campaigns/${w.campaignId}/plan-changes/preview`,
    body: () => ({ change: { disclosure: 'P9D' } }),
    allowed: { office: 200 },
  },
  {
    call: 'POST /api/campaigns/:id/plan-changes',
    path: (w) => `/api/campaigns/${w.campaignId}/plan-changes`,
    body: () => ({ change: { disclosure: 'P9D' }, reason: 'r', previewDigest: '0'.repeat(64) }),
    allowed: { office: 409 },
  },
  {
    call: 'GET /api/campaigns/:id/plan-versions',
    path: (w) => `/api/campaigns/${w.campaignId}/plan-versions`,
    allowed: { office: 200, auditor: 200 },
  },
  {
    call: 'GET /api/units/:id',
    path: (w) => `/api/units/${w.unitA}`,
    allowed: { office: 200, auditor: 200, unitA: 200, supA: 200 },
    hidden: OUTSIDE_A,
  },
  {
    call: 'POST /api/units/:id/records',
    path: (w) => `/api/units/${w.unitA}/records`,
    body: () => ({ kind: 'study', title: 'study session' }),
    allowed: { unitA: 201 },
    hidden: OUTSIDE_A,
  },
  {
    call: 'POST /api/units/:id/opinions',
    path: (w) => `/api/units/${w.unitA}/opinions`,
    body: () => ({ text: 'hold fewer meetings' }),
    isPublic: true,
    allowed: Object.fromEntries(EVERYONE.map((k) => [k, 202])),
  },
  {
    call: 'POST /api/units/:id/problems',
    path: (w) => `/api/units/${w.unitA}/problems`,
    body: () => ({ title: 'too many meetings', source: 'masses', category: 'formalism' }),
    allowed: { unitA: 409 }, // problems belong to P2; the unit is in P1
    hidden: OUTSIDE_A,
  },
  {
    call: 'POST /api/units/:id/meeting',
    path: (w) => `/api/units/${w.unitA}/meeting`,
    body: () => ({ scheduledAt: new Date().toISOString(), location: 'hall' }),
    allowed: { unitA: 409 },
    hidden: OUTSIDE_A,
  },
  {
    call: 'POST /api/units/:id/meeting/attendance',
    path: (w) => `/api/units/${w.unitA}/meeting/attendance`,
    body: () => ({ arrivedAt: '2013-09-10T08:00:00+08:00', leftAt: '2013-09-10T12:00:00+08:00' }),
    allowed: { supA: 409 },
    hidden: OUTSIDE_A,
  },
  {
    call: 'POST /api/units/:id/meeting/held',
    path: (w) => `/api/units/${w.unitA}/meeting/held`,
    body: () => ({ startedAt: '2013-09-10T08:30:00+08:00', endedAt: '2013-09-10T11:30:00+08:00', minutes: 'minutes' }),
    allowed: { unitA: 409 },
    hidden: OUTSIDE_A,
  },
  {
    call: 'POST /api/units/:id/transitions',
    path: (w) => `/api/units/${w.unitA}/transitions`,
    body: () => ({ to: 'P2' }),
    allowed: { unitA: 409 },
    hidden: OUTSIDE_A,
  },
  {
    call: 'POST /api/units/:id/transitions/:tid/decision',
    path: (w) => `/api/units/${w.unitA}/transitions/transition-9/decision`,
    body: () => ({ approve: true, comment: 'ok' }),
    allowed: { supA: 404 },
    hidden: OUTSIDE_A,
  },
  {
    call: 'PUT /api/units/:id/task-book',
    path: (w) => `/api/units/${w.unitA}/task-book`,
    body: () => ({
      signedBy: 'head',
      items: [{ problemIds: ['problem-1'], measure: 'm', owner: 'o', deadline: '2030-01-01T00:00:00+08:00' }],
    }),
    allowed: { unitA: 400 }, // no such problem yet
    hidden: OUTSIDE_A,
  },
  {
    call: 'POST /api/units/:id/task-book/publish',
    path: (w) => `/api/units/${w.unitA}/task-book/publish`,
    allowed: { unitA: 409 },
    hidden: OUTSIDE_A,
  },
  {
    call: 'POST /api/units/:id/task-book/objections',
    path: (w) => `/api/units/${w.unitA}/task-book/objections`,
    body: () => ({ text: 'deadline too late' }),
    isPublic: true,
    allowed: Object.fromEntries(EVERYONE.map((k) => [k, 409])), // no task book disclosed
  },
  {
    call: 'POST /api/units/:id/task-book/objections/:oid/answer',
    path: (w) => `/api/units/${w.unitA}/task-book/objections/objection-1/answer`,
    body: () => ({ text: 'answered' }),
    allowed: { unitA: 404 },
    hidden: OUTSIDE_A,
  },
  {
    call: 'GET /api/units/:id/items',
    path: (w) => `/api/units/${w.unitA}/items`,
    allowed: { office: 200, auditor: 200, unitA: 200, supA: 200 },
    hidden: OUTSIDE_A,
  },
  {
    call: 'GET /api/items/:itemId',
    path: (w) => `/api/items/${item(w)}`,
    allowed: { office: 404, auditor: 404, unitA: 404, supA: 404 },
    hidden: OUTSIDE_A,
  },
  {
    call: 'POST /api/items/:itemId/progress',
    path: (w) => `/api/items/${item(w)}/progress`,
    body: () => ({ note: 'n' }),
    allowed: { unitA: 404 },
    hidden: OUTSIDE_A,
  },
  {
    call: 'POST /api/items/:itemId/completion',
    path: (w) => `/api/items/${item(w)}/completion`,
    body: () => ({ evidence: 'e' }),
    allowed: { unitA: 404 },
    hidden: OUTSIDE_A,
  },
  {
    call: 'POST /api/items/:itemId/verification',
    path: (w) => `/api/items/${item(w)}/verification`,
    body: () => ({ accept: true, comment: 'c' }),
    allowed: { supA: 404 },
    hidden: OUTSIDE_A,
  },
  {
    call: 'POST /api/items/:itemId/extensions',
    path: (w) => `/api/items/${item(w)}/extensions`,
    body: () => ({ newDeadline: '2030-01-01T00:00:00+08:00', reason: 'r' }),
    allowed: { unitA: 404 },
    hidden: OUTSIDE_A,
  },
  {
    call: 'POST /api/items/:itemId/extensions/:eid/decision',
    path: (w) => `/api/items/${item(w)}/extensions/extension-1/decision`,
    body: () => ({ approve: true, comment: 'c' }),
    allowed: { supA: 404 },
    hidden: OUTSIDE_A,
  },
  {
    call: 'POST /api/items/:itemId/carry-over',
    path: (w) => `/api/items/${item(w)}/carry-over`,
    body: () => ({ rule: 'r', comment: 'c' }),
    allowed: { office: 404 },
    hidden: OUTSIDE_A,
  },
  {
    call: 'GET /api/escalations',
    path: (w) => `/api/escalations?campaignId=${w.campaignId}`,
    allowed: { office: 200, auditor: 200, supA: 200, supB: 200 },
  },
  {
    call: 'POST /api/programmes',
    path: () => '/api/programmes',
    body: (w) => ({
      name: 'organ efficiency',
      track: 'governance',
      leadLeader: 'vice mayor',
      leadUnitId: w.unitA,
      responsibleUnitIds: [w.unitB],
      goals: [{ title: 'stage 1', dueAt: '2030-01-01T00:00:00+08:00' }],
    }),
    allowed: { office: 201 },
  },
  {
    call: 'POST /api/programmes/:id/goals/:gid/achievement',
    path: () => `/api/programmes/${programmeId}/goals/${programmeId}.goal-1/achievement`,
    body: () => ({ evidence: 'report' }),
    allowed: { unitA: 200 }, // the lead unit only
  },
  {
    call: 'POST /api/programmes/:id/goals/:gid/verification',
    path: () => `/api/programmes/${programmeId}/goals/${programmeId}.goal-1/verification`,
    body: () => ({ accept: false, comment: 'not yet' }),
    allowed: { office: 200 },
  },
  {
    call: 'POST /api/units/:id/measures',
    path: (w) => `/api/units/${w.unitA}/measures`,
    body: () => ({ kind: 'reminder-talk', subject: 'head of unit A', reason: 'slow rectification' }),
    allowed: { office: 201 },
  },
  {
    call: 'GET /api/units/:id/measures',
    path: (w) => `/api/units/${w.unitA}/measures`,
    allowed: { office: 200, auditor: 200, unitA: 200, supA: 200 },
    hidden: OUTSIDE_A,
  },
];

beforeAll(async () => {
  api = await startApi({ worker: true });
  w = await buildWorld(api);
  const p = await api.call('POST', '/api/programmes', {
    token: w.tokens.office,
    body: {
      name: 'nine actions: clean water',
      track: 'action',
      leadLeader: 'mayor',
      leadUnitId: w.unitA,
      responsibleUnitIds: [],
      goals: [{ title: 'g', dueAt: '2030-01-01T00:00:00+08:00' }],
    },
  });
  expect(p.status).toBe(201);
  programmeId = p.body.id;
  const c = await api.call('POST', '/api/campaigns', { token: w.tokens.office, body: { name: 'another campaign' } });
  other = { campaignId: c.body.id };
  expect(
    (await api.call('POST', `/api/campaigns/${other.campaignId}/groups`, { token: w.tokens.office, body: { name: 'its group' } })).status,
  ).toBe(201);
});
afterAll(async () => {
  await ifSet(api)?.close();
});

describe.each(ROWS)('$call', (row) => {
  it.each(EVERYONE)('as %s', async (who) => {
    const token = who === 'anonymous' ? undefined : w.tokens[who];
    const expected = row.allowed[who] ?? (who === 'anonymous' && !row.isPublic ? 401 : row.hidden?.includes(who) ? 404 : 403);
    const r = await api.call(row.call.split(' ')[0], row.path(w), { token, body: row.body?.(w) });
    // On a mismatch the answer's message shows why.
    expect({ who, status: r.status, ...(r.status !== expected ? { message: r.body?.message } : {}) }).toEqual({ who, status: expected });
    if (r.status >= 400) expect(r.body).toMatchObject({ statusCode: r.status, error: expect.any(String), message: expect.any(String) });
    if (r.status === 403) expect(r.body.message).toMatch(/\(rule: [a-z.-]+\)/);
    if (r.status === 404 && row.hidden?.includes(who)) expect(r.body.message).toMatch(/^(unit|item|campaign|group) \S+ not found$/);
    // No refusal names another principal or a supervisory group (the caller's own ids and those it asked for may appear).
    const own =
      who === 'anonymous' || who === 'office' ? [] : [w.ids[who], ...(who === 'supA' ? [w.groupA] : who === 'supB' ? [w.groupB] : [])];
    const others = [w.groupA, w.groupB, ...Object.values(w.ids)].filter((id) => !own.includes(id) && !row.path(w).includes(id));
    if (r.status >= 400)
      for (const id of others) expect({ who, message: r.body.message }).not.toEqual({ who, message: expect.stringContaining(id) });
  });
});

it('every route of the contract is in the matrix', () => {
  const routes = new Set(ROWS.map((r) => r.call.replace(/ \(.*\)$/, '')));
  const missing = API_ROUTES.filter(([m, p]) => !p.startsWith('/health') && p !== '/metrics' && !routes.has(`${m} ${p}`));
  expect(missing).toEqual([]);
});

it('scope is enforced in the services too, not only by the guard', async () => {
  const { apiContextOf } = await import('../../apps/api/src/main');
  const services = apiContextOf(api.app).services;
  const supB = { id: w.ids.supB, name: 'supervisor B', role: 'supervisor' as const, groupId: w.groupB };
  await expect(services.units.get(supB, w.unitA)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  await expect(
    services.units.decideTransition(supB, w.unitA, 'transition-1', dto(DecisionDto, { approve: true, comment: 'x' })),
  ).rejects.toMatchObject({
    code: 'NOT_FOUND',
  });
  const unitB = { id: w.ids.unitB, name: 'unit B', role: 'unit' as const, unitId: w.unitB };
  await expect(services.units.addRecord(unitB, w.unitA, dto(AddRecordDto, { kind: 'study', title: 't' }))).rejects.toMatchObject({
    code: 'NOT_FOUND',
  });
  const supA = { id: w.ids.supA, name: 'supervisor A', role: 'supervisor' as const, groupId: w.groupA };
  await expect(services.units.addRecord(supA, w.unitA, dto(AddRecordDto, { kind: 'study', title: 't' }))).rejects.toMatchObject({
    code: 'FORBIDDEN',
    details: { rule: 'actor.unit-only' },
  });
  const auditor = { id: w.ids.auditor, name: 'auditor', role: 'auditor' as const };
  await expect(services.campaigns.create(auditor, dto(CreateCampaignDto, { name: 'x' }))).rejects.toMatchObject({ code: 'FORBIDDEN' });
});

it('a decision retried under the same Idempotency-Key after a lost answer is applied once (the update id follows the key)', async () => {
  const { apiContextOf } = await import('../../apps/api/src/main');
  const db = apiContextOf(api.app).dataSource;
  const key = `record-${randomUUID()}`;
  const send = () =>
    api.call('POST', `/api/units/${w.unitB}/records`, {
      token: w.tokens.unitB,
      body: { kind: 'investigation', title: 'retried after a lost answer' },
      headers: { 'idempotency-key': key },
    });
  const first = await send();
  expect(first.status).toBe(201);
  // As if the API had died after the workflow accepted the update but before the answer was stored.
  await db.query('DELETE FROM idempotency_keys WHERE key = $1', [key]);
  const retried = await send();
  expect(retried.status).toBe(201);
  expect(retried.body).toEqual(first.body);
  // The list is the read model, projected after the decision: wait for the record, then count it.
  const retriedRecords = async () => {
    const records = await api.call('GET', `/api/units/${w.unitB}/records?pageSize=500`, { token: w.tokens.office });
    return (records.body.items as Array<{ title: string }>).filter((r) => r.title === 'retried after a lost answer');
  };
  await eventually(async () => ((await retriedRecords()).length ? true : undefined), 'the record in the read model');
  expect(await retriedRecords()).toHaveLength(1);
});

it('a programme goal over HTTP: achieved by the lead unit, refused once by the office, then verified; the programme is done', async () => {
  const office = (method: string, path: string, body?: unknown) => api.call(method, path, { token: w.tokens.office, body });
  const created = await office('POST', '/api/programmes', {
    name: 'Three public expenses',
    track: 'governance',
    leadLeader: 'Executive vice mayor',
    leadUnitId: w.unitB,
    responsibleUnitIds: [w.unitA],
    goals: [{ title: 'Publish the 2013 budget lines', dueAt: '2030-06-30T00:00:00+08:00' }],
    campaignId: w.campaignId,
  });
  expect(created.status).toBe(201);
  const goal = created.body.goals[0].id;
  expect(goal).toBe(`${created.body.id}.goal-1`);
  const P = `/api/programmes/${created.body.id}/goals/${goal}`;
  const read = async () => (await api.call('GET', `/api/programmes/${created.body.id}`, { token: w.tokens.auditor })).body;
  expect((await read()).goals[0]).toMatchObject({ status: 'open', card: 'none' });
  // Only the lead unit records achievement; only the office verifies.
  expect((await api.call('POST', `${P}/achievement`, { token: w.tokens.unitA, body: { evidence: 'not the lead' } })).status).toBe(403);
  expect(
    (await api.call('POST', `${P}/achievement`, { token: w.tokens.unitB, body: { evidence: 'Budget lines online' } })).body.status,
  ).toBe('achieved');
  expect((await api.call('POST', `${P}/verification`, { token: w.tokens.supB, body: { accept: true, comment: 'x' } })).status).toBe(403);
  expect((await office('POST', `${P}/verification`, { accept: false, comment: 'Travel costs missing' })).body.status).toBe('open');
  const again = await office('POST', `${P}/verification`, { accept: true, comment: 'not achieved yet' });
  expect(again.status).toBe(409);
  expect(again.body.message).toContain('goal.verification-achieved');
  await api.call('POST', `${P}/achievement`, { token: w.tokens.unitB, body: { evidence: 'Travel costs added' } });
  expect((await office('POST', `${P}/verification`, { accept: true, comment: 'Complete' })).body.status).toBe('closed');
  expect(await read()).toMatchObject({ status: 'done', goals: [{ status: 'closed' }] });
  expect(
    (await office('POST', `/api/programmes/${created.body.id}/goals/${created.body.id}.goal-9/achievement`, { evidence: 'x' })).status,
  ).toBe(404);
  // A lead unit that is not enrolled is refused up front.
  const bad = await office('POST', '/api/programmes', {
    ...{ name: 'x', track: 'action', leadLeader: 'l', responsibleUnitIds: [], goals: [{ title: 'g', dueAt: '2030-01-01T00:00:00+08:00' }] },
    leadUnitId: randomUUID(),
  });
  expect(bad.status).toBe(404);
  expect(bad.body.message).toContain('leadUnitId');
});
