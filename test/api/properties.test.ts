// Property-based tests over the DTOs (fast-check): no input yields a 500, and a refused request changes
// neither the unit's workflow history nor the database — the one trace it may leave is its row in the
// append-only audit log, when a workflow rule refused it.
import fc from 'fast-check';
import { unitWorkflowId } from '../../libs/domain/src';
import { unitStateQuery } from '../../libs/contracts/src';
import { apiContextOf } from '../../apps/api/src/main';
import { buildWorld, type World } from './world';
import { startApi, type ApiUnderTest } from './harness';
import { eventually } from '../support/eventually';
import { ifSet } from '../support/if-set';

let api: ApiUnderTest;
let w: World;

beforeAll(async () => {
  api = await startApi({ worker: true });
  w = await buildWorld(api);
});
afterAll(async () => {
  await ifSet(api)?.close();
});

// ---------- generators ----------

/** Values a field should never accept (or should bound): wrong types, blanks, oversize, bad times, odd keys. */
const hostile = fc.oneof(
  fc.constant(null),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.string({ maxLength: 12 }),
  fc.constantFrom(
    '',
    '   ',
    '\u0000',
    'x'.repeat(100_001),
    '2013-02-30T00:00:00+08:00',
    '2013-07-08',
    'P',
    '-PT5S',
    'P1Y',
    '__proto__',
    '../../etc',
  ),
  fc.array(fc.jsonValue({ maxDepth: 1 }), { maxLength: 3 }),
  // Arrays where objects belong, objects where arrays belong, nesting beyond any DTO's depth.
  fc.constantFrom([[]], [[{}]], [null], [1, 'a'], [{ code: [] }], { 0: {} }),
  fc.integer({ min: 30, max: 3000 }).map((depth) => JSON.parse('['.repeat(depth) + ']'.repeat(depth))),
  fc.dictionary(fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 3 }),
);

/** A valid body, then some fields dropped, some set to hostile values, maybe an unknown field added. */
const mutated = (template: Record<string, unknown>) => {
  const keys = Object.keys(template);
  return fc
    .record({
      drop: keys.length ? fc.subarray(keys) : fc.constant([] as string[]),
      set: keys.length ? fc.dictionary(fc.constantFrom(...keys), hostile, { maxKeys: 2 }) : fc.constant({}),
      extra: fc.option(fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), hostile, { maxKeys: 2 }), { nil: undefined }),
    })
    .map(({ drop, set, extra }) => {
      const body: Record<string, unknown> = Object.fromEntries(Object.entries(template).filter(([k]) => !drop.includes(k)));
      Object.assign(body, set, extra ?? {});
      return body;
    });
};

/** Any body: valid, mutated, or arbitrary JSON (arrays, scalars, deep objects). */
const anyBody = (template: Record<string, unknown>) =>
  fc.oneof(
    { weight: 1, arbitrary: fc.constant(template) },
    { weight: 4, arbitrary: mutated(template) },
    { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  );

interface Endpoint {
  method: string;
  path: (w: World) => string;
  who: keyof World['tokens'] | 'public';
  template: (w: World) => Record<string, unknown>;
}

const at = (minutesAgo: number) => new Date(Date.now() - minutesAgo * 60_000).toISOString();
const ENDPOINTS: Endpoint[] = [
  { method: 'POST', path: () => '/api/principals', who: 'office', template: (w) => ({ name: 'n', role: 'unit', unitId: w.unitA }) },
  {
    method: 'POST',
    path: () => '/api/campaigns',
    who: 'office',
    template: () => ({ name: 'c', startsAt: '2013-07-08T00:00:00+08:00', plan: { disclosure: 'P7D' } }),
  },
  { method: 'POST', path: (w) => `/api/campaigns/${w.campaignId}/groups`, who: 'office', template: () => ({ name: 'g' }) },
  {
    method: 'POST',
    path: (w) => `/api/campaigns/${w.campaignId}/units`,
    who: 'office',
    template: (w) => ({ units: [{ code: 'P-1', name: 'u', kind: 'organ', level: 'municipal', groupId: w.groupA }] }),
  },
  {
    method: 'POST',
    path: (w) => `/api/units/${w.unitB}/records`,
    who: 'unitB',
    template: () => ({ kind: 'study', title: 't', body: 'b', attachmentUri: 'https://x/y' }),
  },
  { method: 'POST', path: (w) => `/api/units/${w.unitB}/opinions`, who: 'public', template: () => ({ text: 'o', contact: 'c' }) },
  {
    method: 'POST',
    path: (w) => `/api/units/${w.unitB}/problems`,
    who: 'unitB',
    template: () => ({ title: 't', source: 'self', category: 'hedonism' }),
  },
  {
    method: 'POST',
    path: (w) => `/api/units/${w.unitB}/meeting`,
    who: 'unitB',
    template: () => ({ scheduledAt: at(60), location: 'hall' }),
  },
  {
    method: 'POST',
    path: (w) => `/api/units/${w.unitB}/meeting/attendance`,
    who: 'supB',
    template: () => ({ arrivedAt: at(60), leftAt: at(10) }),
  },
  {
    method: 'POST',
    path: (w) => `/api/units/${w.unitB}/meeting/held`,
    who: 'unitB',
    template: () => ({ startedAt: at(50), endedAt: at(20), minutes: 'm' }),
  },
  { method: 'POST', path: (w) => `/api/units/${w.unitB}/transitions`, who: 'unitB', template: () => ({ to: 'P2', comment: 'c' }) },
  {
    method: 'POST',
    path: (w) => `/api/units/${w.unitB}/transitions/transition-1/decision`,
    who: 'supB',
    template: () => ({ approve: true, comment: 'c' }),
  },
  {
    method: 'PUT',
    path: (w) => `/api/units/${w.unitB}/task-book`,
    who: 'unitB',
    template: () => ({
      signedBy: 'head',
      items: [{ problemIds: ['problem-1'], measure: 'm', owner: 'o', deadline: '2030-01-01T00:00:00+08:00' }],
    }),
  },
  {
    method: 'POST',
    path: (w) => `/api/units/${w.unitB}/task-book/objections`,
    who: 'public',
    template: () => ({ text: 't', itemId: 'x.item-1' }),
  },
  {
    method: 'POST',
    path: (w) => `/api/units/${w.unitB}/task-book/objections/objection-1/answer`,
    who: 'unitB',
    template: () => ({ text: 't' }),
  },
  {
    method: 'POST',
    path: (w) => `/api/items/${w.unitB}.item-1/progress`,
    who: 'unitB',
    template: () => ({ note: 'n', evidenceUri: 'https://x' }),
  },
  {
    method: 'POST',
    path: (w) => `/api/items/${w.unitB}.item-1/verification`,
    who: 'supB',
    template: () => ({ accept: true, comment: 'c' }),
  },
  {
    method: 'POST',
    path: (w) => `/api/items/${w.unitB}.item-1/extensions`,
    who: 'unitB',
    template: () => ({ newDeadline: '2030-01-01T00:00:00+08:00', reason: 'r' }),
  },
  { method: 'POST', path: (w) => `/api/items/${w.unitB}.item-1/carry-over`, who: 'office', template: () => ({ rule: 'r', comment: 'c' }) },
  {
    method: 'POST',
    path: (w) => `/api/units/${w.unitB}/measures`,
    who: 'office',
    template: () => ({ kind: 'adjustment', subject: 's', reason: 'r' }),
  },
  {
    method: 'POST',
    path: () => '/api/programmes',
    who: 'office',
    template: (w) => ({
      name: 'p',
      track: 'action',
      leadLeader: 'l',
      leadUnitId: w.unitB,
      responsibleUnitIds: [],
      goals: [{ title: 'g', dueAt: '2030-01-01T00:00:00+08:00' }],
    }),
  },
];

const send = (e: Endpoint, body: unknown, path = e.path(w)) =>
  api.call(e.method, path, { token: e.who === 'public' ? undefined : w.tokens[e.who], body });

describe('no input yields a 500', () => {
  it.each(ENDPOINTS.map((e) => [`${e.method} ${e.path({ unitA: ':a', unitB: ':id', campaignId: ':c' } as World)}`, e] as const))(
    '%s',
    async (_name, e) => {
      await fc.assert(
        fc.asyncProperty(anyBody(e.template(w)), async (body) => {
          const r = await send(e, body);
          expect(r.status).toBeLessThan(500);
          if (r.status >= 400)
            expect(r.body).toMatchObject({ statusCode: r.status, error: expect.any(String), message: expect.any(String) });
        }),
        { numRuns: 60 },
      );
    },
  );

  it('query strings and path ids', async () => {
    const param = fc.oneof(
      fc.string({ maxLength: 20 }),
      fc.constantFrom('-1', '0', '501', '1e3', 'NaN', '%00', "'; DROP TABLE units; --", 'P1', '2'),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.record({ page: param, pageSize: param, batch: param, phase: param, card: param, groupId: param, rung: param, since: param }),
        async (q) => {
          const qs = new URLSearchParams(q).toString();
          for (const path of [
            `/api/campaigns/${w.campaignId}/units?${qs}`,
            `/api/escalations?${qs}`,
            `/api/units/${w.unitA}/measures?${qs}`,
          ]) {
            const r = await api.call('GET', path, { token: w.tokens.office });
            expect({ path, status: r.status < 500 }).toEqual({ path, status: true });
          }
        },
      ),
      { numRuns: 30 },
    );
    await fc.assert(
      fc.asyncProperty(fc.string({ minLength: 1, maxLength: 60 }), async (id) => {
        const seg = encodeURIComponent(id);
        for (const path of [
          `/api/units/${seg}`,
          `/api/items/${seg}`,
          `/api/campaigns/${seg}`,
          `/api/units/${w.unitA}/transitions/${seg}/decision`,
        ]) {
          const r = await api.call(path.endsWith('decision') ? 'POST' : 'GET', path, {
            token: path.endsWith('decision') ? w.tokens.supA : w.tokens.office,
            body: path.endsWith('decision') ? { approve: false, comment: 'c' } : undefined,
          });
          expect({ path, status: r.status < 500 }).toEqual({ path, status: true });
        }
      }),
      { numRuns: 30 },
    );
  });

  it('raw bodies that are not JSON, or not what the content type says', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string({ maxLength: 200 }),
        fc.constantFrom('application/json', 'text/plain', 'application/x-www-form-urlencoded'),
        async (raw, type) => {
          const r = await api.call('POST', `/api/units/${w.unitB}/records`, {
            token: w.tokens.unitB,
            raw,
            headers: { 'content-type': type },
          });
          expect(r.status).toBeLessThan(500);
        },
      ),
      { numRuns: 40 },
    );
  });
});

describe('a refused request changes nothing', () => {
  const db = () => apiContextOf(api.app).dataSource;
  /**
   * Every table but the audit log, the public rate limit's windows (a public request is counted whatever its
   * answer) and the stuck-run detector's last pass (written on the detector's own schedule, whatever a request
   * does), as one digest (row contents, not just counts).
   */
  const digest = async (): Promise<Record<string, string>> => {
    const tables: Array<{ table_name: string }> = await db().query(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name NOT IN ('audit_log', 'rate_limit_windows', 'stuck_run_detector') ORDER BY 1`,
    );
    const out: Record<string, string> = {};
    for (const { table_name } of tables) {
      // A stored text's claim names the request that last stored it (bookkeeping for refusals), not its content.
      const row = table_name === 'documents' ? `(t.digest, t.body, t.chars, t.bytes, t.created_at)` : 't';
      const [{ d }] = await db().query(
        `SELECT md5(coalesce(string_agg(${row}::text, '|' ORDER BY ${row}::text), '')) AS d FROM "${table_name}" t`,
      );
      out[table_name] = d;
    }
    return out;
  };
  const historyLength = async (unitId: string) => {
    const d = await apiContextOf(api.app).temporal.workflow.getHandle(unitWorkflowId(unitId)).describe();
    return d.historyLength;
  };
  const auditRows = async () => (await db().query('SELECT count(*)::int AS n FROM audit_log'))[0].n as number;

  beforeAll(async () => {
    // Quiet first: the read model holds the unit's latest state (its projection has landed).
    const client = apiContextOf(api.app).temporal;
    await eventually(async () => {
      const live = await client.workflow.getHandle(unitWorkflowId(w.unitA)).query(unitStateQuery);
      const [row] = await db().query('SELECT version FROM unit_states WHERE unit_id = $1', [w.unitA]);
      return row && row.version === live.version ? true : undefined;
    }, 'unit A projected');
  });

  /** Requests unit A (in P1, nothing recorded) must refuse, whatever their (valid or not) body. */
  const REFUSED: Array<{
    method: string;
    path: (w: World) => string;
    who: keyof World['tokens'] | 'public';
    template: () => Record<string, unknown>;
  }> = [
    {
      method: 'POST',
      path: (w) => `/api/units/${w.unitA}/problems`,
      who: 'unitA',
      template: () => ({ title: 't', source: 'self', category: 'other' }),
    },
    {
      method: 'POST',
      path: (w) => `/api/units/${w.unitA}/meeting`,
      who: 'unitA',
      template: () => ({ scheduledAt: at(30), location: 'hall' }),
    },
    {
      method: 'POST',
      path: (w) => `/api/units/${w.unitA}/meeting/attendance`,
      who: 'supA',
      template: () => ({ arrivedAt: at(60), leftAt: at(10) }),
    },
    {
      method: 'POST',
      path: (w) => `/api/units/${w.unitA}/meeting/held`,
      who: 'unitA',
      template: () => ({ startedAt: at(50), endedAt: at(20), minutes: 'm' }),
    },
    { method: 'POST', path: (w) => `/api/units/${w.unitA}/transitions`, who: 'unitA', template: () => ({ to: 'P2' }) },
    {
      method: 'POST',
      path: (w) => `/api/units/${w.unitA}/transitions/transition-1/decision`,
      who: 'supA',
      template: () => ({ approve: true, comment: 'ok' }),
    },
    { method: 'POST', path: (w) => `/api/units/${w.unitA}/task-book/publish`, who: 'unitA', template: () => ({}) },
    { method: 'POST', path: (w) => `/api/units/${w.unitA}/task-book/objections`, who: 'public', template: () => ({ text: 'too slow' }) },
    {
      method: 'POST',
      path: (w) => `/api/units/${w.unitA}/records`,
      who: 'unitB',
      template: () => ({ kind: 'study', title: 'not my unit' }),
    },
    {
      method: 'POST',
      path: (w) => `/api/units/${w.unitA}/records`,
      who: 'unitA',
      template: () => ({ kind: 'rule', title: 'rules belong to P3' }),
    },
    {
      method: 'POST',
      path: (w) => `/api/units/${w.unitA}/meeting/attendance`,
      who: 'supB',
      template: () => ({ arrivedAt: at(60), leftAt: at(10) }),
    },
  ];

  it('leaves workflow history and database as they were (audit log aside, one row per rule refusal)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...REFUSED), fc.boolean(), fc.nat(), async (e, mutate, seed) => {
        const body = mutate ? fc.sample(mutated(e.template()), { numRuns: 1, seed })[0] : e.template();
        const [dbBefore, histBefore, auditBefore] = await Promise.all([digest(), historyLength(w.unitA), auditRows()]);
        const r = await api.call(e.method, e.path(w), { token: e.who === 'public' ? undefined : w.tokens[e.who], body });
        expect(r.status).toBeGreaterThanOrEqual(400);
        expect(r.status).toBeLessThan(500);
        const [dbAfter, histAfter, auditAfter] = await Promise.all([digest(), historyLength(w.unitA), auditRows()]);
        expect(dbAfter).toEqual(dbBefore);
        expect(histAfter).toBe(histBefore);
        expect([auditBefore, auditBefore + 1]).toContain(auditAfter);
        if (auditAfter === auditBefore + 1) {
          // The refusal came from a workflow rule: its row names the caller and the rule the answer names.
          const [row] = await db().query('SELECT actor_id, rule, outcome, unit_id FROM audit_log ORDER BY id DESC LIMIT 1');
          expect(row.outcome).toBe('refused');
          expect(row.unit_id).toBe(w.unitA);
          // Outside the caller's scope the answer is an unknown id's 404; only the audit row says why.
          if (row.rule === 'actor.scope')
            expect({ status: r.status, message: r.body.message }).toEqual({ status: 404, message: expect.stringMatching(/ not found$/) });
          else if (row.rule) expect(r.body.message).toContain(row.rule);
          else expect(r.status).toBe(404); // e.g. an unknown transition: refused, with no rule to name
          if (e.who !== 'public') expect(row.actor_id).toBe(w.ids[e.who]);
        }
      }),
      { numRuns: 40 },
    );
    // The runs did reach the workflow's validators (and not only the API's own checks).
    const [{ n }] = await db().query(
      `SELECT count(*)::int AS n FROM audit_log WHERE unit_id = $1 AND (rule LIKE 'gate.%' OR rule LIKE '%.phase')`,
      [w.unitA],
    );
    expect(n).toBeGreaterThan(0);
  });
});
