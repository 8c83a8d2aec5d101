// Operable as a Temporal shop runs it, proven on `massline up --apis 2` (the real processes, as a user starts them):
// the public rate limit holds across both APIs; the worker exports the engine's metrics on the port massline up
// prints; one decision is one trace, from the HTTP span through the Update to the activity it caused, and every
// log line it caused — the API's and the activity's — carries its request id.
import * as fs from 'fs';
import * as http from 'http';
import * as path from 'path';
import { randomUUID } from 'crypto';
import { compressedPlan } from '../api/plans';
import { startMasslineUp, type RunningMassline } from '../support/massline-up';
import { eventually } from '../support/eventually';
import type { SpanLine } from '../../libs/telemetry/src/file-exporter';
import type { Json } from '../support/json';
import { ifSet } from '../support/if-set';

const OFFICE_TOKEN = `operability-office-${process.pid}-0123456789abcdef`;

let up: RunningMassline;
let metricsPort: number;

beforeAll(async () => {
  up = await startMasslineUp({
    apis: 2,
    workers: 1,
    dataDirPrefix: 'massline-operability-',
    // debug: the SDK's own activity lines too, so that every line an activity writes is looked at.
    env: { MASSLINE_ADMIN_TOKEN: OFFICE_TOKEN, LOG_LEVEL: 'debug' },
  });
  metricsPort = up.ports.metrics;
}, 300_000);

afterAll(async () => {
  if (!ifSet(up)) return;
  await up.stop();
  fs.rmSync(up.dataDir, { recursive: true, force: true });
});

/** A call from a chosen local address (127.0.0.1 unless told), so that two clients can be told apart. */
function call(
  api: number,
  method: string,
  p: string,
  o: { token?: string; body?: unknown; headers?: Record<string, string>; from?: string } = {},
): Promise<{ status: number; body: Json; headers: http.IncomingHttpHeaders }> {
  const payload = o.body === undefined ? undefined : JSON.stringify(o.body);
  return new Promise((resolve, reject) => {
    const req = http.request(
      `${up.apiUrl(api)}${p}`,
      {
        method,
        localAddress: o.from ?? '127.0.0.1',
        headers: {
          ...(o.token ? { authorization: `Bearer ${o.token}` } : {}),
          ...(payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}),
          ...o.headers,
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d) => (text += String(d)));
        res.on('end', () => {
          let body: unknown = text;
          try {
            body = text ? JSON.parse(text) : undefined;
          } catch {
            // not JSON
          }
          resolve({ status: res.statusCode ?? 0, body, headers: res.headers });
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

async function ok(api: number, method: string, p: string, o: Parameters<typeof call>[3] = {}) {
  const r = await call(api, method, p, o);
  if (r.status >= 300) throw new Error(`${method} ${p} answered ${r.status}: ${JSON.stringify(r.body)}`);
  return r.body;
}

const jsonLines = (file: string): Array<Record<string, Json>> =>
  fs.existsSync(file)
    ? fs
        .readFileSync(file, 'utf8')
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l))
    : [];

const spans = (): SpanLine[] => {
  const dir = path.join(up.stateDir, 'traces');
  return fs.existsSync(dir) ? fs.readdirSync(dir).flatMap((f) => jsonLines(path.join(dir, f)) as SpanLine[]) : [];
};

it('says where everything is: both APIs, their metrics, the worker`s engine metrics and the trace files', () => {
  const out = up.output();
  expect(out).toContain(`http://127.0.0.1:${up.ports.api}/metrics, http://127.0.0.1:${up.ports.api + 1}/metrics (API)`);
  expect(out).toContain(`http://127.0.0.1:${metricsPort}/metrics (workers: the engine's)`);
  expect(out).toMatch(/Traces +\S*traces\/ \(a file per process/);
});

it('answers the 61st public request within a minute from one address with a 429, whichever API receives it', async () => {
  const moments: number[] = [];
  for (let i = 0; i < 60; i++) {
    const r = await call(i % 2, 'GET', '/api/public/campaigns');
    moments.push(Date.now());
    expect(r.status).toBe(200);
  }
  const over = [await call(0, 'GET', '/api/public/campaigns'), await call(1, 'GET', '/api/public/campaigns')];
  moments.push(Date.now());
  // Within the minute of the first request (recorded moments), both are over the limit the two APIs share.
  if (moments[moments.length - 1] - moments[0] < 60_000) {
    for (const r of over) {
      expect(r.status).toBe(429);
      expect(r.body).toMatchObject({ statusCode: 429, error: 'Too Many Requests' });
      expect(Number(r.headers['retry-after'])).toBeGreaterThan(0);
    }
  }
  // Another address has its own window, on either API.
  expect((await call(1, 'GET', '/api/public/campaigns', { from: '127.0.0.2' })).status).toBe(200);
});

it('exports the engine`s metrics, one decision is one trace with its request id in every line it caused', async () => {
  // ---------- a campaign starts ----------
  const campaign = await ok(0, 'POST', '/api/campaigns', { token: OFFICE_TOKEN, body: { name: 'operability', plan: compressedPlan() } });
  const group = await ok(1, 'POST', `/api/campaigns/${campaign.id}/groups`, { token: OFFICE_TOKEN, body: { name: 'group 1' } });
  const enrolled = await ok(0, 'POST', `/api/campaigns/${campaign.id}/units`, {
    token: OFFICE_TOKEN,
    body: { units: [{ code: 'OP-1', name: 'Operability bureau', kind: 'organ', level: 'municipal', groupId: group.id }] },
  });
  const unitId: string = enrolled.results[0].id;
  const unit = await ok(1, 'POST', '/api/principals', { token: OFFICE_TOKEN, body: { name: 'head of OP-1', role: 'unit', unitId } });
  await ok(0, 'POST', `/api/campaigns/${campaign.id}/start`, { token: OFFICE_TOKEN });
  await eventually(
    async () => ((await ok(1, 'GET', `/api/units/${unitId}`, { token: OFFICE_TOKEN })).phase === 'P1' ? true : undefined),
    'the unit in P1',
  );

  // ---------- the worker's engine metrics ----------
  const metrics = await eventually(async () => {
    const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    const count = [...text.matchAll(/^temporal_workflow_task_schedule_to_start_latency_seconds_count\{[^}]*\} (\d+)/gm)].reduce(
      (n, m) => n + Number(m[1]),
      0,
    );
    return count > 0 ? { text, count } : undefined;
  }, 'samples of the workflow task schedule-to-start latency');
  expect(metrics.count).toBeGreaterThan(0);
  expect(metrics.text).toMatch(/^temporal_workflow_task_schedule_to_start_latency_seconds_bucket\{[^}]*task_queue="massline"/m);

  // ---------- one decision ----------
  const requestId = `decision-${randomUUID()}`;
  const decided = await call(0, 'POST', `/api/units/${unitId}/records`, {
    token: unit.token,
    headers: { 'x-request-id': requestId },
    body: { kind: 'study', title: 'Study of the eight rules' },
  });
  expect(decided.status).toBe(201);
  expect(decided.headers['x-request-id']).toBe(requestId);

  // Its trace: the HTTP span, the Update sent and handled, and the projection it caused, started and run.
  const trace = await eventually(
    () => {
      const server = spans().find((s) => s.kind === 'server' && s.attributes['massline.request_id'] === requestId);
      if (!server) return Promise.resolve(undefined);
      const all = spans().filter((s) => s.traceId === server.traceId);
      const named = (name: string) => all.find((s) => s.name === name);
      const found = {
        server,
        sent: named('StartWorkflowUpdate:addRecord'),
        handled: named('HandleUpdate:addRecord'),
        started: named('StartActivity:projectUnit'),
        ran: named('RunActivity:projectUnit'),
      };
      return Promise.resolve(Object.values(found).every(Boolean) ? { ...found, all } : undefined);
    },
    'the decision`s trace in data/traces/',
    60_000,
  );
  const byId = new Map(trace.all.map((s) => [s.spanId, s]));
  const ancestry = (span: SpanLine): string[] => {
    const names = [span.name];
    for (let s = span; s.parentSpanId && byId.has(s.parentSpanId);) names.push((s = byId.get(s.parentSpanId)!).name);
    return names;
  };
  // The activity's span descends from the Update's, which descends from the client's call, NestJS's handler and the
  // HTTP span: one trace, across the API and the worker.
  const chain = ancestry(trace.ran!);
  expect(chain.slice(0, 4)).toEqual([
    'RunActivity:projectUnit',
    'StartActivity:projectUnit',
    'HandleUpdate:addRecord',
    'StartWorkflowUpdate:addRecord',
  ]);
  expect(chain).toContain('UnitsController.addRecord');
  expect(chain[chain.length - 1]).toBe(trace.server.name);
  expect(trace.server.name).toBe('POST /api/units/:id/records');
  expect(trace.server.parentSpanId).toBeUndefined();
  expect(new Set(trace.all.map((s) => s.service))).toEqual(new Set(['massline-api', 'massline-worker']));

  // The other metrics the README names for an operator, by now (a counter appears with its first count: the
  // decision's workflow task found its unit in the worker's cache).
  const named = [
    'temporal_workflow_task_execution_latency_seconds_count',
    'temporal_sticky_cache_hit_total',
    'temporal_sticky_cache_size',
    'temporal_workflow_task_queue_poll_succeed_total',
    'temporal_worker_task_slots_available',
  ];
  const scraped = await eventually(async () => {
    const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    return named.every((name) => new RegExp(`^${name}\\b`, 'm').test(text)) ? text : undefined;
  }, 'the metrics an operator watches first');
  for (const name of named) expect(scraped).toMatch(new RegExp(`^${name}\\b`, 'm'));

  // Every log line the decision caused carries its request id: the API's (by trace) and the activity's (all of
  // that activity's lines, the SDK's own among them).
  const activityId = trace.ran!.attributes.temporalActivityId;
  const logs = () =>
    fs
      .readdirSync(path.join(up.stateDir, 'logs'))
      .filter((f) => /^(api-\d|worker)\.log$/.test(f))
      .flatMap((f) => jsonLines(path.join(up.stateDir, 'logs', f)));
  const caused = await eventually(() => {
    const lines = logs().filter(
      (l) =>
        l.trace_id === trace.server.traceId || (l.activityId === activityId && l.workflowId === trace.ran!.attributes.temporalWorkflowId),
    );
    return Promise.resolve(lines.some((l) => l.msg === 'Activity completed') ? lines : undefined);
  }, 'the activity`s last log line');
  const api = caused.filter((l) => l.service === 'massline-api');
  const activity = caused.filter((l) => l.service === 'massline-worker');
  expect(api.find((l) => l.msg === 'request')).toMatchObject({ method: 'POST', route: '/api/units/:id/records', status: 201 });
  expect(activity.map((l) => l.msg)).toEqual(expect.arrayContaining(['Activity started', 'Activity completed']));
  for (const line of caused)
    expect({ msg: line.msg, service: line.service, requestId: line.requestId }).toEqual({
      msg: line.msg,
      service: line.service,
      requestId,
    });
  for (const line of activity) expect(line.trace_id).toBe(trace.server.traceId);
});
