// POST /api/campaigns/:id/plan-changes/preview on the real stack (dev server, a worker, PostgreSQL): what a change
// would move — a window moved, a ladder offset changed, a holiday added — listed by unit, item and rung with its
// moment before and after; and a preview changes nothing: every table and every workflow history as they were.
// POST /api/campaigns/:id/plan-changes applies a previewed change as a version (a stale preview is a 409), the units
// and items take it, and GET /api/campaigns/:id/plan-versions lists the versions with their diffs.
import { campaignWorkflowId, itemWorkflowId, unitWorkflowId } from '../../libs/domain/src';
import { driveToEffectiveTaskBook } from './drive';
import { OFFICE_TOKEN, startApi, type ApiUnderTest } from './harness';
import { apiContextOf } from '../../apps/api/src/main';
import { eventually } from '../support/eventually';
import { buildWorld, type World } from './world';
import { ifSet } from '../support/if-set';

jest.setTimeout(300_000);

let api: ApiUnderTest;
let w: World;
let items: string[];
const office = (method: string, p: string, body?: unknown) => api.call(method, p, { token: OFFICE_TOKEN, body });
const HOUR = 3_600_000;

beforeAll(async () => {
  api = await startApi({ worker: true });
  // Windows of an hour: unit B stays in P1 with its window's ladder ahead; unit A's items run ladders of hours.
  w = await buildWorld(api, {
    phaseMs: HOUR,
    ladder: [
      { rung: 'reminder', offset: '-PT30M' },
      { rung: 'yellow', offset: 'PT0S' },
      { rung: 'red', offset: 'PT1H' },
      { rung: 'referral', offset: 'PT2H' },
    ],
  });
  const deadline = new Date(Date.now() + 2 * HOUR).toISOString();
  ({ itemIds: items } = await driveToEffectiveTaskBook(api, w, [
    { measure: 'Fewer meetings', owner: 'Li', deadline },
    { measure: 'Visits to the grassroots', owner: 'Wang', deadline },
  ]));
  await eventually(async () => ((await office('GET', `/api/items/${items[1]}`)).body.status === 'open' ? true : undefined), 'items open');
});
afterAll(async () => {
  await ifSet(api)?.close();
});

/** Every row of every table, as text. */
async function tables(): Promise<string> {
  const ds = apiContextOf(api.app).dataSource;
  const names: Array<{ tablename: string }> = await ds.query(`SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1`);
  const out: string[] = [];
  for (const { tablename } of names) out.push(`${tablename}: ${JSON.stringify(await ds.query(`SELECT * FROM ${tablename} ORDER BY 1`))}`);
  return out.join('\n');
}

/** The length of every workflow history of the campaign. */
async function histories(): Promise<Record<string, number>> {
  const client = apiContextOf(api.app).temporal;
  const ids = [campaignWorkflowId(w.campaignId), unitWorkflowId(w.unitA), unitWorkflowId(w.unitB), ...items.map(itemWorkflowId)];
  const out: Record<string, number> = {};
  for (const id of ids) out[id] = (await client.workflow.getHandle(id).fetchHistory()).events?.length ?? 0;
  return out;
}

describe('previewing a plan change', () => {
  it('lists every live deadline and rung that would move, by unit, item and rung, and changes nothing', async () => {
    const campaign = (await office('GET', `/api/campaigns/${w.campaignId}`)).body;
    const p1 = campaign.plan.batches.find((b: { batch: number }) => b.batch === 1).phases.P1;
    const newP1End = new Date(Date.parse(p1.endsAt) + HOUR / 2).toISOString();
    const change = {
      // Unit B's window ends half an hour later; the items' red card comes an hour later.
      batches: [{ batch: 1, phases: { P1: { endsAt: newP1End }, P2: { startsAt: newP1End } } }],
      ladder: [
        { rung: 'reminder', offset: '-PT30M' },
        { rung: 'yellow', offset: 'PT0S' },
        { rung: 'red', offset: 'PT2H' },
        { rung: 'referral', offset: 'PT2H' },
      ],
    };

    // Refused as it should be, changing nothing.
    expect(
      (
        await office('POST', `/api/campaigns/${w.campaignId}/plan-changes/preview`, {
          change: { batches: [{ batch: 1, startsAt: newP1End }] },
        })
      ).body,
    ).toMatchObject({
      statusCode: 400,
      details: [expect.objectContaining({ field: 'change.batches[0].startsAt', rule: 'plan-change.fixed' })],
    });
    expect((await office('POST', `/api/campaigns/${w.campaignId}/plan-changes/preview`, { change: {} })).status).toBe(400);
    expect(
      (await api.call('POST', `/api/campaigns/${w.campaignId}/plan-changes/preview`, { token: w.tokens.supA, body: { change } })).status,
    ).toBe(403);

    const tablesBefore = await tables();
    const historiesBefore = await histories();
    const r = await office('POST', `/api/campaigns/${w.campaignId}/plan-changes/preview`, { change });
    expect(r.status).toBe(200);
    const preview = r.body;
    expect(preview).toMatchObject({
      batches: [1, 2],
      from: { '1': 1, '2': 1 },
      version: 2,
      digest: expect.stringMatching(/^[0-9a-f]{64}$/),
    });

    // Unit B: its P1 window and the window ladder's rungs, half an hour later.
    const b = preview.moves.filter((m: { unitId: string }) => m.unitId === w.unitB);
    expect(b.map((m: { rung: string | null; subject: string }) => [m.subject, m.rung])).toEqual([
      ['phase-window', null],
      ['phase-window', 'yellow'],
      ['phase-window', 'red'],
    ]);
    expect(b[0]).toMatchObject({ before: p1.endsAt, unit: { code: 'U-1', name: 'unit 1' }, phase: 'P1', firesAtOnce: false });
    expect(Date.parse(b[0].after) - Date.parse(b[0].before)).toBe(HOUR / 2);
    // Unit A's items: the red card an hour later, each item; nothing else of theirs moves.
    const red = preview.moves.filter((m: { subject: string }) => m.subject === 'item');
    expect(red.map((m: { item: { n: number }; rung: string }) => [m.item.n, m.rung]).sort()).toEqual([
      [1, 'red'],
      [2, 'red'],
    ]);
    for (const m of red) expect(Date.parse(m.after) - Date.parse(m.before)).toBe(HOUR);
    expect(preview.counts).toEqual({ '1': { deadlines: 1, rungs: 4, firesAtOnce: 0, units: 2, items: 2 } });
    expect(preview.total).toBe(5);
    expect(preview.diff).toEqual(
      expect.arrayContaining([
        { path: 'batches.1.phases.P1.endsAt', before: p1.endsAt, after: expect.any(String) },
        { path: 'ladder.red', before: 'PT1H', after: 'PT2H' },
      ]),
    );
    expect(preview.days.reduce((s: number, d: { before: number }) => s + d.before, 0)).toBe(5);

    // Batch 2 alone takes nothing of batch 1's: nothing live moves.
    expect((await office('POST', `/api/campaigns/${w.campaignId}/plan-changes/preview`, { change, batches: [2] })).body).toMatchObject({
      total: 0,
      counts: {},
    });

    // Nothing changed: every table, every history.
    expect(await histories()).toEqual(historiesBefore);
    expect(await tables()).toBe(tablesBefore);
  });
});

describe('applying a plan change', () => {
  it('applies a previewed change as version 2 that the units and items take; a stale preview is refused with 409, changing nothing', async () => {
    const campaign = (await office('GET', `/api/campaigns/${w.campaignId}`)).body;
    const redLater = {
      ladder: campaign.plan.ladder.map((r: { rung: string; offset: string }) => (r.rung === 'red' ? { rung: 'red', offset: 'PT90M' } : r)),
    };
    const disclosure = { disclosure: 'P9D' };
    const first = (await office('POST', `/api/campaigns/${w.campaignId}/plan-changes/preview`, { change: disclosure })).body;
    const second = (await office('POST', `/api/campaigns/${w.campaignId}/plan-changes/preview`, { change: redLater })).body;
    expect(second.total).toBe(2);

    // Refused as it should be: bad input, the wrong role, a digest that no preview gave.
    const apply = (body: unknown, token = OFFICE_TOKEN) => api.call('POST', `/api/campaigns/${w.campaignId}/plan-changes`, { token, body });
    expect((await apply({ change: redLater, previewDigest: second.digest })).body).toMatchObject({
      statusCode: 400,
      details: [expect.objectContaining({ field: 'reason' })],
    });
    expect((await apply({ change: redLater, reason: 'r', previewDigest: 'not-a-digest' })).body).toMatchObject({
      statusCode: 400,
      details: [expect.objectContaining({ field: 'previewDigest' })],
    });
    expect((await apply({ change: redLater, reason: 'r', previewDigest: second.digest }, w.tokens.auditor)).status).toBe(403);
    // The digest of another change's preview is not this change's.
    expect((await apply({ change: redLater, reason: 'r', previewDigest: first.digest })).body).toMatchObject({
      statusCode: 409,
      details: [expect.objectContaining({ rule: 'plan-change.stale-preview' })],
    });
    expect((await office('GET', `/api/campaigns/${w.campaignId}/plan-versions`)).body.items).toHaveLength(1);

    const applied = await apply({ change: redLater, reason: 'red cards later for the holidays', previewDigest: second.digest });
    expect(applied.status).toBe(201);
    expect(applied.body).toMatchObject({ version: 2, batches: [1, 2], previewDigest: second.digest, moves: 2 });
    // The first preview no longer holds (version 2 came since): refused, and no version 3.
    expect((await apply({ change: disclosure, reason: 'longer disclosure', previewDigest: first.digest })).body).toMatchObject({
      statusCode: 409,
      details: [expect.objectContaining({ rule: 'plan-change.stale-preview' })],
    });
    // The same confirmation again (its answer lost) answers with the version it made: no version 3.
    expect((await apply({ change: redLater, reason: 'again', previewDigest: second.digest })).body).toMatchObject({
      version: 2,
      previewDigest: second.digest,
      moves: 2,
    });

    // The rollout gives version 2 to both units and both items; their views say so.
    const versions = await eventually(async () => {
      const r = (await api.call('GET', `/api/campaigns/${w.campaignId}/plan-versions`, { token: w.tokens.auditor })).body;
      return r.items?.[1]?.rollout?.doneAt ? r : undefined;
    }, 'the rollout of version 2');
    expect(versions.current).toEqual({ '1': 2, '2': 2 });
    expect(versions.items.map((v: { version: number }) => v.version)).toEqual([1, 2]);
    expect(versions.items[0]).toMatchObject({ version: 1, diff: [], runningOn: [] });
    expect(versions.items[1]).toMatchObject({
      version: 2,
      basedOn: 1,
      batches: [1, 2],
      runningOn: [1, 2],
      reason: 'red cards later for the holidays',
      previewDigest: second.digest,
      diff: [{ path: 'ladder.red', before: 'PT1H', after: 'PT90M' }],
      rollout: { units: 2, items: 2 },
    });
    expect(versions.items[1].plan.ladder.find((r: { rung: string }) => r.rung === 'red').offset).toBe('PT90M');
    // Each item's read model follows its workflow's projection: version 2 once that has landed.
    for (const id of items)
      await eventually(
        async () => ((await office('GET', `/api/items/${id}`)).body.planVersion === 2 ? true : undefined),
        `item ${id} on version 2`,
      );
    expect((await api.call('GET', `/api/campaigns/${w.campaignId}/plan-versions`, { token: w.tokens.unitA })).status).toBe(403);

    // A preview now starts from version 2: the red card's moves are done, version 3 would be next.
    const again = (await office('POST', `/api/campaigns/${w.campaignId}/plan-changes/preview`, { change: disclosure })).body;
    expect(again).toMatchObject({ version: 3, from: { '1': 2, '2': 2 } });
  });
});
