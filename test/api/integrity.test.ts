// Rules that need the whole running system: a supervisor is in one room at a time (全程参与, across units), a
// campaign whose workflow cannot take a step says so, and programme goals' escalations as the document says.
import { randomUUID } from 'node:crypto';
import { apiContextOf } from '../../apps/api/src/main';
import { defaultPlan } from '../../libs/domain/src';
import { buildWorld, type World } from './world';
import { startApi, type ApiUnderTest } from './harness';
import { eventually } from '../support/eventually';
import { ifSet } from '../support/if-set';

let api: ApiUnderTest;
let w: World;
/** A second unit of group A (the world's unit A is the first). */
let unitC: string;
let unitCToken: string;
/** The version each unit's meeting was scheduled at: a read at it sees the meeting (the read model may lag). */
const scheduled: Record<string, number> = {};

const ago = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();
const db = () => apiContextOf(api.app).dataSource;

beforeAll(async () => {
  api = await startApi({ worker: true });
  w = await buildWorld(api, {}, 3);
  const list = await api.call('GET', `/api/campaigns/${w.campaignId}/units?groupId=${w.groupA}`, { token: w.tokens.office });
  unitC = list.body.items.find((u: { id: string }) => u.id !== w.unitA).id;
  unitCToken = (
    await api.call('POST', '/api/principals', { token: w.tokens.office, body: { name: 'head of unit C', role: 'unit', unitId: unitC } })
  ).body.token;
  // Both units of group A into P2, each with a meeting scheduled two hours ago.
  for (const [unit, token] of [
    [w.unitA, w.tokens.unitA],
    [unitC, unitCToken],
  ]) {
    const U = `/api/units/${unit}`;
    const as = (method: string, path: string, body?: unknown, t: string | undefined = token) => api.call(method, path, { token: t, body });
    for (const kind of ['study', 'investigation', 'solicitation-report'])
      expect((await as('POST', `${U}/records`, { kind, title: kind })).status).toBe(201);
    expect((await as('POST', `${U}/opinions`, { text: 'visit the grassroots' }, undefined)).status).toBe(202);
    const t = await as('POST', `${U}/transitions`, { to: 'P2' });
    expect(t.status).toBe(201);
    expect(
      (await as('POST', `${U}/transitions/${t.body.id}/decision`, { approve: true, comment: 'P1 complete' }, w.tokens.supA)).status,
    ).toBe(200);
    const meeting = await as('POST', `${U}/meeting`, { scheduledAt: ago(120), location: 'Meeting room 3' });
    expect(meeting.status).toBe(201);
    scheduled[unit] = meeting.body.version;
  }
});
afterAll(async () => {
  await ifSet(api)?.close();
});

describe('全程参与: a supervisor cannot attest presence at two meetings whose intervals overlap', () => {
  const attend = (unit: string, arrivedAt: string, leftAt: string) =>
    api.call('POST', `/api/units/${unit}/meeting/attendance`, { token: w.tokens.supA, body: { arrivedAt, leftAt } });
  const rows = () =>
    db().query('SELECT unit_id, state, arrived_at, left_at FROM supervisor_presence WHERE supervisor_id = $1 ORDER BY arrived_at', [
      w.ids.supA,
    ]);

  it('the second, overlapping attestation is a 409 naming the rule, and the unit timeline shows the refusal', async () => {
    expect((await attend(w.unitA, ago(100), ago(60))).status).toBe(200);
    const overlapping = await attend(unitC, ago(80), ago(40));
    expect(overlapping.status).toBe(409);
    expect(overlapping.body.message).toContain('meeting.attendance-overlap');
    expect(overlapping.body.details[0].rule).toBe('meeting.attendance-overlap');
    // Nothing reached unit C's meeting.
    const c = await api.call('GET', `/api/units/${unitC}?minVersion=${scheduled[unitC]}`, { token: w.tokens.office });
    expect(c.body.meeting.attendance).toEqual([]);
    const timeline = await api.call('GET', `/api/units/${unitC}/timeline`, { token: w.tokens.auditor });
    expect(timeline.status).toBe(200);
    expect(timeline.body).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ outcome: 'refused', rule: 'meeting.attendance-overlap', actor: w.ids.supA, source: 'audit-log' }),
      ]),
    );
    // Back to back is not overlapping (intervals are half-open).
    expect((await attend(unitC, ago(60), ago(20))).status).toBe(200);
    expect((await rows()).map((r: { state: string }) => r.state)).toEqual(['attested', 'attested']);
  });

  it('a re-attestation at the same meeting replaces the interval; one refused by the workflow leaves the table as it was', async () => {
    const again = await attend(w.unitA, ago(110), ago(65));
    expect(again.status).toBe(200);
    const before = await rows();
    expect(before).toHaveLength(2);
    const future = await attend(w.unitA, ago(10), new Date(Date.now() + 3_600_000).toISOString());
    expect(future.status).toBe(409);
    expect(future.body.message).toContain('meeting.attendance-in-future');
    expect(await rows()).toEqual(before);
    const a = await api.call('GET', `/api/units/${w.unitA}?minVersion=${again.body.version}`, { token: w.tokens.office });
    expect(a.body.meeting.attendance).toHaveLength(1);
    expect(Date.parse(a.body.meeting.attendance[0].arrivedAt)).toBe(new Date(before[0].arrived_at).getTime());
  });

  it('two overlapping attestations sent at once: exactly one is accepted', async () => {
    const [x, y] = await Promise.all([attend(w.unitA, ago(15), ago(8)), attend(unitC, ago(12), ago(2))]);
    expect([x.status, y.status].sort()).toEqual([200, 409]);
    const refused = x.status === 409 ? x : y;
    expect(refused.body.message).toContain('meeting.attendance-overlap');
    const states = (await rows()).map((r: { state: string }) => r.state);
    expect(states).toEqual(['attested', 'attested']);
  });
});

it('3. a campaign whose workflow task fails on every attempt reads "stalled", and the metric counts it', async () => {
  // A plan from before the years were bounded, as the seed calendar from 9999-12-31 made it: it runs into
  // five-digit years (written straight into the table: the API refuses it now).
  const plan = defaultPlan('9999-12-31T23:59:59Z');
  expect(plan.batches[1].endsAt).toMatch(/^\d{5}-/);
  const [{ id }] = await db().query(
    `INSERT INTO campaigns (name, plan, status, starts_at, created_by) VALUES ($1, $2, 'draft', $3, $4) RETURNING id`,
    [`from year 9999 ${randomUUID()}`, JSON.stringify(plan), '2013-07-08T00:00:00+08:00', w.ids.auditor],
  );
  // (with a unit: a campaign without one is refused before its workflow starts)
  const [{ id: groupId }] = await db().query(`INSERT INTO supervisory_groups (campaign_id, name) VALUES ($1, 'G') RETURNING id`, [id]);
  await db().query(
    `INSERT INTO units (campaign_id, code, name, kind, level, batch, group_id) VALUES ($1, 'Y-1', 'unit', 'organ', 'municipal', 1, $2)`,
    [id, groupId],
  );
  expect((await api.call('POST', `/api/campaigns/${id}/start`, { token: w.tokens.office })).status).toBe(202);
  // The read says what the stuck-run detector last saw (a pass every 30 s): never asks the engine.
  const stalled = await eventually(
    async () => {
      const r = await api.call('GET', `/api/campaigns/${id}`, { token: w.tokens.office });
      return r.body.status === 'stalled' ? r.body : undefined;
    },
    'the campaign reported stalled',
    150_000,
  );
  expect(stalled.stalled.attempts).toBeGreaterThanOrEqual(3);
  expect(stalled.stalled.cause).toMatch(/^WORKFLOW_TASK_FAILED_CAUSE_/);
  expect(Date.parse(stalled.stalled.seenAt)).toBeGreaterThanOrEqual(Date.parse(stalled.stalled.since));
  const metrics = await api.call('GET', '/metrics');
  expect(metrics.body).toMatch(/^massline_campaigns_stalled 1$/m);
  // The world's own campaign runs normally.
  expect((await api.call('GET', `/api/campaigns/${w.campaignId}`, { token: w.tokens.office })).body.status).toBe('running');
  const doc = await api.call('GET', '/docs-json');
  expect(doc.body.components.schemas.CampaignDto.properties.status.enum).toContain('stalled');
}, 240_000);

it("4. a programme goal's escalations carry campaignId and a null groupId, as the document says", async () => {
  const created = await api.call('POST', '/api/programmes', {
    token: w.tokens.office,
    body: {
      name: 'Clean water',
      track: 'action',
      leadLeader: 'mayor',
      leadUnitId: w.unitA,
      responsibleUnitIds: [],
      goals: [{ title: 'First stage', dueAt: new Date(Date.now() + 3_000).toISOString() }],
      campaignId: w.campaignId,
    },
  });
  expect(created.status).toBe(201);
  const fired = await eventually(async () => {
    const r = await api.call('GET', `/api/escalations?campaignId=${w.campaignId}&pageSize=500`, { token: w.tokens.office });
    const goal = r.body.items.filter((e: { subject: string }) => e.subject === 'programme-goal');
    return goal.length ? goal : undefined;
  }, 'a programme goal escalation');
  expect(fired[0]).toMatchObject({ campaignId: w.campaignId, groupId: null, unitId: w.unitA });
  const schema = (await api.call('GET', '/docs-json')).body.components.schemas.EscalationDto.properties;
  expect(schema.groupId).toMatchObject({ type: 'string', nullable: true });
});
