// A real campaign's volume (issue: bounded workflow state): texts live in PostgreSQL and only their digests in
// the histories; a citizen's contact never enters one; a unit holding thousands of long texts keeps working,
// its runs continue as new far below the server's limits, and the history a decision costs does not grow with
// what the unit holds. Over HTTP against the dev server, PostgreSQL and a real worker.
import { createHash } from 'node:crypto';
import { AuditStore, fetchJsonHistoryChain, reconcileCampaign, replaySelection, type JsonHistory } from '../../libs/audit/src';
import { unitWorkflowId } from '../../libs/domain/src';
import { unitStateQuery } from '../../libs/contracts/src';
import { apiContextOf } from '../../apps/api/src/main';
import { OFFICE_TOKEN, startApi, type ApiUnderTest } from './harness';
import { eventually } from '../support/eventually';
import { buildWorld, type World } from './world';
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

const db = () => apiContextOf(api.app).dataSource;
const client = () => apiContextOf(api.app).temporal;
const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');
/** Every run of the unit's history as text, its payloads decoded (they are base64 in the engine's JSON). */
const historyText = async (unitId: string) => {
  const decode = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(decode);
    if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if ('metadata' in o && typeof o.data === 'string') return Buffer.from(o.data, 'base64').toString('utf8');
      return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, decode(x)]));
    }
    return v;
  };
  const text = JSON.stringify(decode((await fetchJsonHistoryChain(client(), unitWorkflowId(unitId))).map((r) => r.history)));
  // The decoding works: every run starts with the unit's own id in its input.
  expect(text).toContain(`"unitId\\":\\"${unitId}`);
  return text;
};

/** A text of `n` characters in Chinese (three bytes each in UTF-8), different for every `seed`. */
const chinese = (n: number, seed: number) => {
  const base = `群众路线教育实践活动第${seed}条意见：改进作风，密切联系群众，反对形式主义、官僚主义、享乐主义和奢靡之风。`;
  return base.repeat(Math.ceil(n / base.length)).slice(0, n);
};

describe('documents outside the history', () => {
  it("a record's body and an opinion's text are stored by digest: the history holds the digest, the API gives the text back", async () => {
    const body = chinese(4_900, 1);
    const r = await api.call('POST', `/api/units/${w.unitA}/records`, {
      token: w.tokens.unitA,
      body: { kind: 'study', title: '学习记录', body },
    });
    expect(r.status).toBe(201);
    const opinion = chinese(3_000, 2);
    expect((await api.call('POST', `/api/units/${w.unitA}/opinions`, { body: { text: opinion } })).status).toBe(202);

    const history = await historyText(w.unitA);
    expect(history).toContain(sha256(body));
    expect(history).toContain(sha256(opinion));
    expect(history).not.toContain(body.slice(0, 200));
    expect(history).not.toContain(opinion.slice(0, 200));

    const records = await eventually(async () => {
      const x = await api.call('GET', `/api/units/${w.unitA}/records`, { token: w.tokens.supA });
      return x.body.total >= 1 ? x.body : undefined;
    }, 'record projected');
    expect(records.items.at(-1)).toMatchObject({
      id: r.body.id,
      kind: 'study',
      title: '学习记录',
      body,
      actorId: w.ids.unitA,
      role: 'unit',
    });
    // The opinion (public: answered without a version) is in the read model once its projection lands.
    const unit = await eventually(async () => {
      const x = await api.call('GET', `/api/units/${w.unitA}`, { token: w.tokens.office });
      return x.body.counts.opinions === 1 ? x : undefined;
    }, 'opinion projected');
    expect(unit.body.counts).toMatchObject({ records: { study: 1 }, opinions: 1 });
    expect(unit.body).not.toHaveProperty('records');
    expect(unit.body).not.toHaveProperty('opinions');
  });

  it("a citizen's contact never enters a history; the office sees it, erases it on request, and the trail and replay stay whole", async () => {
    const contact = '王女士 138-0571-2468 西湖区';
    const r = await api.call('POST', `/api/units/${w.unitA}/opinions`, { body: { text: '会议太多，下基层太少', contact } });
    expect(r.status).toBe(202);
    expect(await historyText(w.unitA)).not.toContain('138-0571-2468');

    const opinions = async (token: string) =>
      eventually(async () => {
        const x = await api.call('GET', `/api/units/${w.unitA}/opinions?pageSize=500`, { token });
        const o = x.body.items?.find((i: { id: string }) => i.id === r.body.id);
        return o ?? undefined;
      }, 'opinion projected');
    expect(await opinions(OFFICE_TOKEN)).toMatchObject({ text: '会议太多，下基层太少', hasContact: true, contact });
    const forSupervisor = await opinions(w.tokens.supA);
    expect(forSupervisor).toMatchObject({ hasContact: true });
    expect(forSupervisor).not.toHaveProperty('contact');
    expect(forSupervisor).not.toHaveProperty('contactRef');

    // Only the office erases; afterwards the contact is gone from PostgreSQL too, the opinion stays.
    const path = `/api/units/${w.unitA}/opinions/${r.body.id}/contact-erasure`;
    expect((await api.call('POST', path, { token: w.tokens.supA })).status).toBe(403);
    const erased = await api.call('POST', path, { token: OFFICE_TOKEN });
    expect(erased.status).toBe(200);
    expect(erased.body).toMatchObject({ id: r.body.id, contactErasedAt: expect.any(String) });
    expect(await opinions(OFFICE_TOKEN)).toMatchObject({
      text: '会议太多，下基层太少',
      contact: null,
      contactErasedAt: erased.body.contactErasedAt,
    });
    const left = await db().query(`SELECT count(*)::int AS n FROM opinion_contacts WHERE contact LIKE '%138-0571%'`);
    expect(left[0].n).toBe(0);
    const without = await api.call('POST', `/api/units/${w.unitA}/opinions`, { body: { text: 'no contact left' } });
    const plain = await eventually(async () => {
      const x = await api.call('GET', `/api/units/${w.unitA}/opinions?pageSize=500`, { token: OFFICE_TOKEN });
      return x.body.items.find((i: { id: string }) => i.id === without.body.id);
    }, 'plain opinion');
    expect(plain).not.toHaveProperty('hasContact');
    expect(
      (await api.call('POST', `/api/units/${w.unitA}/opinions/${without.body.id}/contact-erasure`, { token: OFFICE_TOKEN })).status,
    ).toBe(409);

    // The history is untouched by the erasure: it replays against the current code as before.
    const replay = await replaySelection({ client: client(), selection: { workflowIds: [unitWorkflowId(w.unitA)] } });
    expect(replay).toMatchObject({ total: 1, replayed: 1, failures: [] });
  });

  it('a refused decision leaves no text behind', async () => {
    const text = chinese(1_000, 3);
    // Rules belong to P3: refused, and its body is not kept.
    const r = await api.call('POST', `/api/units/${w.unitA}/records`, {
      token: w.tokens.unitA,
      body: { kind: 'rule', title: 'too early', body: text },
    });
    expect(r.status).toBe(409);
    expect((await db().query('SELECT count(*)::int AS n FROM documents WHERE digest = $1', [sha256(text)]))[0].n).toBe(0);
  });

  it('a text changed in the database after the decision no longer matches its digest: reconciliation names it', async () => {
    const body = 'Minutes of the study session, as written';
    const r = await api.call('POST', `/api/units/${w.unitB}/records`, {
      token: w.tokens.unitB,
      body: { kind: 'study', title: 'study', body },
    });
    expect(r.status).toBe(201);
    const store = new AuditStore(db());
    const clean = async () => {
      const report = await reconcileCampaign({ client: client(), store, campaignId: w.campaignId });
      return report.mismatches.length === 0 && report.inFlight.length === 0 ? report : undefined;
    };
    await eventually(clean, 'a clean reconciliation');
    await db().query('UPDATE documents SET body = $2 WHERE digest = $1', [sha256(body), 'Minutes, rewritten afterwards']);
    const report = await reconcileCampaign({ client: client(), store, campaignId: w.campaignId });
    expect(report.mismatches).toEqual([
      expect.objectContaining({
        unitId: w.unitB,
        field: `document.${sha256(body)}`,
        projection: 'text altered',
        history: sha256(body),
        source: 'documents',
      }),
    ]);
    // The API answers the same mismatch, and its contract names that source.
    const answered = await api.call('POST', '/api/audit/reconciliations', { token: w.tokens.auditor, body: { campaignId: w.campaignId } });
    expect(answered.status).toBe(200);
    expect(answered.body.mismatches).toEqual([expect.objectContaining({ field: `document.${sha256(body)}`, source: 'documents' })]);
    const doc = (await api.call('GET', '/docs-json')).body;
    expect(doc.components.schemas.MismatchDto.properties.source.enum).toContain('documents');
    await db().query('UPDATE documents SET body = $2 WHERE digest = $1', [sha256(body), body]);
    await eventually(clean, 'clean again once restored');
  });

  it('reconciliation holds a page of units at a time, and finds the same page by page as all at once', async () => {
    const store = new AuditStore(db());
    const whole = await eventually(async () => {
      const report = await reconcileCampaign({ client: client(), store, campaignId: w.campaignId });
      return report.mismatches.length === 0 && report.inFlight.length === 0 ? report : undefined;
    }, 'a clean reconciliation');
    const pages: Array<{ units: number; unitRows: number; itemRows: number }> = [];
    const paged = await reconcileCampaign({
      client: client(),
      store,
      campaignId: w.campaignId,
      pageUnits: 1,
      onPage: (p) => pages.push(p),
    });
    const units = (await store.reconciledUnitIds(w.campaignId)).length;
    expect(units).toBeGreaterThanOrEqual(2);
    expect(pages).toHaveLength(units);
    expect(pages.every((p) => p.units === 1 && p.unitRows <= 1)).toBe(true);
    expect(paged).toEqual(whole);
    // A tampered row is found on its own page.
    const [{ card }] = await db().query('SELECT card FROM unit_states WHERE unit_id = $1', [w.unitB]);
    await db().query("UPDATE unit_states SET card = 'red' WHERE unit_id = $1", [w.unitB]);
    try {
      const tampered = await reconcileCampaign({ client: client(), store, campaignId: w.campaignId, pageUnits: 1 });
      expect(tampered.mismatches).toEqual([expect.objectContaining({ unitId: w.unitB, field: 'card', projection: 'red' })]);
    } finally {
      await db().query('UPDATE unit_states SET card = $2 WHERE unit_id = $1', [w.unitB, card]);
    }
  });
});

/** Bytes of each run's events, and the largest single event. */
function runSizes(runs: Array<{ history: JsonHistory }>) {
  return runs.map(({ history }) => ({
    events: history.events.length,
    bytes: Buffer.byteLength(JSON.stringify(history.events), 'utf8'),
    largest: Math.max(...history.events.map((e) => Buffer.byteLength(JSON.stringify(e), 'utf8'))),
  }));
}

/** History bytes each decision cost: from its accepted update up to the next one, across every run in order. */
function bytesPerDecision(runs: Array<{ history: JsonHistory }>): number[] {
  const out: number[] = [];
  for (const { history } of runs) {
    for (const e of history.events) {
      const bytes = Buffer.byteLength(JSON.stringify(e), 'utf8');
      if (e.eventType === 'EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED') out.push(bytes);
      else if (out.length) out[out.length - 1] += bytes;
    }
  }
  return out;
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('a unit holding ten times what once ended one', () => {
  // 194 records of 4,900 characters once pushed a unit's history past the server's hard limit.
  const RECORDS = 1_940;

  it(
    `takes ${RECORDS} records of 4,900 Chinese characters: it keeps answering, continues as new, and a decision's history does not grow with its content`,
    async () => {
      const before = (await api.call('GET', `/api/units/${w.unitB}/records`, { token: w.tokens.office })).body.total as number;
      const post = (i: number) =>
        api.call('POST', `/api/units/${w.unitB}/records`, {
          token: w.tokens.unitB,
          body: { kind: 'investigation', title: `调研 ${i}`, body: chinese(4_900, 1_000 + i) },
        });
      // Four at a time: updates keep arriving while the unit projects and continues as new.
      let next = 0;
      const statuses: number[] = [];
      let newest = 0;
      await Promise.all(
        Array.from({ length: 4 }, async () => {
          while (next < RECORDS) {
            const i = next++;
            const r = await post(i);
            statuses.push(r.status);
            newest = Math.max(newest, r.body.version ?? 0);
          }
        }),
      );
      expect(statuses.filter((s) => s !== 201)).toEqual([]);

      // Read back at the newest version a decision answered with (the read model may trail the last few).
      const unit = await eventually(async () => {
        const x = await api.call('GET', `/api/units/${w.unitB}?minVersion=${newest}`, { token: w.tokens.office });
        return x.status === 200 ? x : undefined;
      }, 'the last record projected');
      expect(unit.status).toBe(200);
      expect(unit.body).toMatchObject({ status: 'active', phase: 'P1' });
      expect(unit.body.counts.records.investigation).toBe(RECORDS);
      // The query answers the compact view: its size does not grow with what the unit holds.
      const compact = await client().workflow.getHandle(unitWorkflowId(w.unitB)).query(unitStateQuery);
      expect(Buffer.byteLength(JSON.stringify(compact), 'utf8')).toBeLessThan(8 * 1024);
      // Still taking decisions.
      expect(
        (
          await api.call('POST', `/api/units/${w.unitB}/records`, {
            token: w.tokens.unitB,
            body: { kind: 'study', title: 'after', body: 'x' },
          })
        ).status,
      ).toBe(201);

      const chain = await fetchJsonHistoryChain(client(), unitWorkflowId(w.unitB));
      const runs = runSizes(chain);
      expect(runs.length).toBeGreaterThanOrEqual(2);
      for (const run of runs) {
        // Far below the server's warnings (10,240 events, 10 MB), and no event carries the unit's content.
        expect(run.events).toBeLessThan(5_000);
        expect(run.bytes).toBeLessThan(5 * 1024 * 1024);
        expect(run.largest).toBeLessThan(64 * 1024);
      }
      // Bytes of history per decision: the last 200 decisions cost what the first 200 did, whatever the unit holds
      // by then (had the state been carried in the history, they would cost hundreds of times more).
      const costs = bytesPerDecision(chain);
      expect(costs.length).toBeGreaterThanOrEqual(RECORDS);
      const first = mean(costs.slice(0, 200));
      const last = mean(costs.slice(-201, -1));
      expect(last / first).toBeLessThan(1.5);
      expect(first / last).toBeLessThan(1.5);

      // Every record is in the read model, in order, with its text.
      const projected = await eventually(async () => {
        const x = await api.call('GET', `/api/units/${w.unitB}/records?page=4&pageSize=500`, { token: w.tokens.office });
        return x.body.total === before + RECORDS + 1 ? x.body : undefined;
      }, 'every record projected');
      expect(projected.items.length).toBe(before + RECORDS + 1 - 1_500);
      expect(projected.items.at(-1)).toMatchObject({ kind: 'study', title: 'after', body: 'x' });
    },
    20 * 60_000,
  );
});
