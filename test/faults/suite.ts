// The fault suite (issue 8): a compressed campaign driven over HTTP on `massline up` — the real processes: dist/,
// the Temporal dev server on its SQLite file, embedded PostgreSQL, the worker and the API as children, every
// port and the data folder its own — while the worker is SIGKILLed again and again, the dev server is stopped and
// restarted, PostgreSQL is frozen and restarted, the API is killed with requests in flight and the webhook
// receiver is down for a while. Each unit is taken to P3 with a task book of two items; by the unit's kind, items
// are closed, extended (once or twice), carried over or left to run their whole ladder, and some units overrun a
// phase window. At the end it counts, for every item and every deadline it had and every phase window, the rungs
// DUE (from the plan and the moments the workflows recorded) against the rungs FIRED (the escalations table and
// the workflow views), duplicates anywhere, decisions applied other than once, reconciliation mismatches and
// replay failures, and prints the lateness of the rungs. All along, readers make every GET the console makes
// (test/faults/reads.ts) and a monitor watches what an operator sees of stuck runs (test/faults/watch.ts); at
// the end it counts nondeterminism errors (the histories, the stuck-run detector, the replay), runs reset, runs
// still stuck, rungs recorded as fired before they were due and GETs that failed with no outage to explain.
// Counts are asserted exactly; times never. `npm run test:faults` runs FULL_SCALE; `npm test` runs SMALL_SCALE
// (test/faults/faults.test.ts); `npm run test:faults -- --diagnostic-queries` adds workflow queries on random
// units and items (test/faults/diagnostic-queries.ts), where divergences are counted rather than failed on.
import * as fs from 'fs';
import { execFile } from 'node:child_process';
import { Client } from 'pg';
import { randomUUID } from 'node:crypto';
import { Client as TemporalClient, Connection } from '@temporalio/client';
import { notificationIdempotencyKey } from '../../activities/notifiers';
import { fetchJsonHistory, listExecutions, NONDETERMINISM_CAUSE, TASK_TIMED_OUT_CAUSE } from '../../libs/audit/src';
import { itemWorkflowId, unitWorkflowId, type CalendarPlan, type LadderRung } from '../../libs/domain/src';
import { compressedPlan } from '../api/plans';
import { cliMain, inPool, sleep, startMasslineUp, table, type RunningMassline } from '../support/massline-up';
import { describeThrow, eventually } from '../support/eventually';
import { GaveUp, RetryingClient } from './client';
import { DiagnosticQueries } from './diagnostic-queries';
import { FaultInjector, seededRandom, type FaultName } from './faults';
import { disclosureSpan, taskFailures } from './histories';
import {
  backAt,
  compare,
  dueRungs,
  DUE_KINDS,
  firedBeforeDue,
  firesFrom,
  itemRungKey,
  spread,
  windowRungKey,
  type Comparison,
  type DueRung,
  type ItemRecord,
  type Outage,
  type RecordedFiring,
  type UnitRecord,
} from './ledger';
import { judgeReads, outcomesText, ReadTraffic, type ReadWorld } from './reads';
import { StuckRunWatch } from './watch';
import { WebhookReceiver } from './webhook-receiver';
import type { Json } from '../support/json';
import { ifSet } from '../support/if-set';

export interface FaultScale {
  name: 'small' | 'full';
  units: number;
  /** Units driven at once. */
  pool: number;
  ladder: LadderRung[];
  windowLadder: LadderRung[];
  disclosure: string;
  /** A task book's deadlines: set + lead + the unit's slot × slotMs + the item's index × itemStaggerMs. */
  leadMs: number;
  slotMs: number;
  itemStaggerMs: number;
  /** An extension moves the deadline this far past max(now, the deadline). */
  extendByMs: number;
  /** Phase windows from the campaign's creation: P1 ends at p1EndsMs, P2 lasts p2Ms, P3 ends at p3EndsMs. */
  p1EndsMs: number;
  p2Ms: number;
  p3EndsMs: number;
  faults: {
    workerKills: number;
    /** How the worker is killed: SIGKILL, in mid-task (a graceful SIGTERM would let its tasks finish). */
    workerSignal: 'SIGKILL' | 'SIGTERM';
    temporal: Array<'temporal-stop' | 'temporal-kill'>;
    pgFreezeMs: number;
    pgRestarts: number;
    apiKills: number;
    /** Requests in flight the API kill waits for. */
    apiMinInFlight: number;
    webhookDownMs: number;
    /** Worker and API kills are spread over this long from the campaign's start, */
    spanMs: number;
    /** and Temporal's, PostgreSQL's and the webhook receiver's outages over this long from the ladders' start. */
    engineSpanMs: number;
  };
  /** Clients reporting progress on the items that stay open, all along (so that requests are always in flight). */
  chatter: number;
  /** Readers making the console's GETs all along (test/faults/reads.ts), each pausing this long between two. */
  readers: number;
  readPauseMs: number;
  /** With --diagnostic-queries: clients querying random units and items, each pausing this long between two. */
  diagnosticQueriers: number;
  queryPauseMs: number;
}

export interface FaultSuiteOptions {
  /**
   * Workflow queries on random units and items all along (as the Temporal Web UI or an auditor's CLI makes
   * them). An Update and a timer landing in one task after a query task can still diverge inside the SDK, so
   * here divergences are counted, not failed on: each must be detected, named and left for an operator (no
   * program resets a run), and no unit may diverge in its disclosure.
   */
  diagnosticQueries?: boolean;
}

export const FULL_SCALE: FaultScale = {
  name: 'full',
  units: 32,
  pool: 8,
  ladder: [
    { rung: 'reminder', offset: '-PT10S' },
    { rung: 'yellow', offset: 'PT0S' },
    { rung: 'red', offset: 'PT10S' },
    { rung: 'referral', offset: 'PT20S' },
  ],
  windowLadder: [
    { rung: 'yellow', offset: 'PT0S' },
    { rung: 'red', offset: 'PT15S' },
  ],
  disclosure: 'PT5S',
  leadMs: 45_000,
  slotMs: 5_000,
  itemStaggerMs: 3_000,
  extendByMs: 40_000,
  p1EndsMs: 240_000,
  p2Ms: 1_000,
  p3EndsMs: 360_000,
  faults: {
    workerKills: 10,
    workerSignal: 'SIGKILL',
    temporal: ['temporal-stop', 'temporal-kill'],
    pgFreezeMs: 30_000,
    pgRestarts: 1,
    apiKills: 3,
    apiMinInFlight: 4,
    webhookDownMs: 60_000,
    spanMs: 420_000,
    engineSpanMs: 240_000,
  },
  chatter: 2,
  readers: 3,
  readPauseMs: 300,
  diagnosticQueriers: 3,
  queryPauseMs: 300,
};

export const SMALL_SCALE: FaultScale = {
  name: 'small',
  units: 8,
  pool: 8,
  ladder: [
    { rung: 'reminder', offset: '-PT5S' },
    { rung: 'yellow', offset: 'PT0S' },
    { rung: 'red', offset: 'PT5S' },
    { rung: 'referral', offset: 'PT10S' },
  ],
  windowLadder: [
    { rung: 'yellow', offset: 'PT0S' },
    { rung: 'red', offset: 'PT10S' },
  ],
  disclosure: 'PT3S',
  leadMs: 25_000,
  slotMs: 3_000,
  itemStaggerMs: 2_000,
  extendByMs: 20_000,
  p1EndsMs: 55_000,
  p2Ms: 1_000,
  p3EndsMs: 90_000,
  faults: {
    workerKills: 2,
    workerSignal: 'SIGKILL',
    temporal: ['temporal-stop'],
    pgFreezeMs: 10_000,
    pgRestarts: 0,
    apiKills: 1,
    apiMinInFlight: 2,
    webhookDownMs: 15_000,
    spanMs: 80_000,
    engineSpanMs: 40_000,
  },
  chatter: 1,
  readers: 2,
  readPauseMs: 400,
  diagnosticQueriers: 2,
  queryPauseMs: 400,
};

/** What happens to an item once its task book is in effect. */
type ItemPlan =
  | 'left to run'
  | 'closed at once'
  | 'closed after its reminder'
  | 'closed after its yellow'
  | 'closed after its red'
  | 'extended at once'
  | 'extended after its yellow'
  | 'extended after its reminder, closed after the new reminder'
  | 'extended twice after its reminder'
  | 'carried over after its red';

interface UnitKind {
  name: string;
  items: [ItemPlan, ItemPlan];
  /** Completed (DONE) once its items are closed or carried. */
  done: boolean;
  /** Held in P2 until its P2 window's yellow card fired. */
  holdInP2?: boolean;
}

/** Unit i is of kind i mod 8. */
const KINDS: UnitKind[] = [
  { name: 'left to run (overruns P3)', items: ['left to run', 'left to run'], done: false },
  { name: 'closed at once, done', items: ['closed at once', 'closed at once'], done: true },
  { name: 'closed mid-ladder, done', items: ['closed after its yellow', 'closed after its red'], done: true },
  { name: 'extended', items: ['extended at once', 'extended after its yellow'], done: false },
  {
    name: 'extended then closed',
    items: ['extended after its reminder, closed after the new reminder', 'closed after its reminder'],
    done: false,
  },
  { name: 'overruns P2', items: ['left to run', 'closed after its yellow'], done: false, holdInP2: true },
  { name: 'extended twice', items: ['extended twice after its reminder', 'left to run'], done: false },
  { name: 'carried over, done', items: ['carried over after its red', 'closed after its reminder'], done: true },
];

/** Items that stay open to the end: the chatter reports progress on them (a closed item refuses progress). */
const STAYS_OPEN: ItemPlan[] = ['left to run', 'extended at once', 'extended after its yellow', 'extended twice after its reminder'];

const OFFICE_TOKEN = `faults-office-${process.pid}-0123456789abcdef`;
const WEBHOOK_SECRET = `faults-webhook-${randomUUID()}`;

interface ItemState {
  id: string;
  unit: number;
  plan: ItemPlan;
  /** The deadline its task book set, and the current one. */
  initialDeadline: string;
  deadline: string;
  /** Client-side moments of the decisions (first sent, answered), to check the recorded moments against. */
  decisions: Array<{ what: string; sentAt: number; answeredAt: number }>;
  extensionsRequested: number;
  verifications: number;
  progressApplied: number;
  expectedStatus: 'open' | 'closed' | 'carried';
}

interface UnitState {
  id: string;
  code: string;
  kind: UnitKind;
  token: string;
  group: number;
  problemId?: string;
  items: ItemState[];
  transitions: Array<{ to: string; sentAt: number; answeredAt: number }>;
  rules: number;
}

interface SuiteReport {
  lines: string[];
  table: string;
}

/** Why a workflow task may fail or time out under these faults without anything being wrong. */
const ORDINARY_TASK_FAILURES = new Set([
  TASK_TIMED_OUT_CAUSE, // its worker was killed in mid-task
  'WORKFLOW_TASK_FAILED_CAUSE_UNHANDLED_COMMAND', // a new event came in while it completed
  'WORKFLOW_TASK_FAILED_CAUSE_UNHANDLED_UPDATE', // an Update came in while it completed
  'WORKFLOW_TASK_FAILED_CAUSE_RESET_STICKY_TASK_QUEUE', // its worker's sticky queue was given up
]);

/** JSON with every object's keys in order: two records compare equal whatever order their fields came in. */
const canonical = (v: unknown): string =>
  JSON.stringify(v, (_, x: unknown) =>
    x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => a.localeCompare(b))) : x,
  );

const seconds = (ms: number) => (Number.isFinite(ms) ? `${(ms / 1000).toFixed(1)} s` : '—');
const pct = (s: { p50: number; p90: number; p99: number; max: number; n: number }) =>
  s.n ? `${seconds(s.p50)} / ${seconds(s.p90)} / ${seconds(s.p99)} / ${seconds(s.max)}` : '(none)';

/**
 * Defines the suite as a jest describe block. The whole campaign is one test: its parts depend on each other,
 * and its faults fall at random moments across all of them.
 */
export function describeFaultSuite(scale: FaultScale, options: FaultSuiteOptions = {}): void {
  const diagnostic = options.diagnosticQueries ?? false;
  const seed = Number(process.env.MASSLINE_FAULTS_SEED ?? Math.floor(Math.random() * 2 ** 31));
  const random = seededRandom(seed);
  const report: SuiteReport = { lines: [], table: '' };
  const note = (line: string) => {
    report.lines.push(line);
    process.stderr.write(`[faults ${scale.name}] ${line}\n`);
  };

  describe(`the fault suite (${scale.name}: ${scale.units} units, ${scale.faults.workerKills} worker kills${diagnostic ? ', diagnostic queries' : ''})`, () => {
    let up: RunningMassline;
    let receiver: WebhookReceiver;
    let faults: FaultInjector | undefined;
    let watch: StuckRunWatch | undefined;
    let reads: ReadTraffic | undefined;
    let queries: DiagnosticQueries | undefined;
    let passed = false;
    const started = Date.now();

    beforeAll(async () => {
      if (!fs.existsSync(cliMain)) throw new Error(`${cliMain} is missing: run npm run build (npm test and npm run test:faults do)`);
      receiver = new WebhookReceiver(WEBHOOK_SECRET);
      await receiver.start();
      up = await startMasslineUp({
        dataDirPrefix: 'massline-faults-',
        env: {
          MASSLINE_ADMIN_TOKEN: OFFICE_TOKEN,
          MASSLINE_PUBLIC_RATE_LIMIT: '1000000',
          MASSLINE_WEBHOOK_URL: receiver.url,
          MASSLINE_WEBHOOK_SECRET: WEBHOOK_SECRET,
          LOG_LEVEL: 'warn',
        },
      });
      note(
        `seed ${seed} (MASSLINE_FAULTS_SEED=${seed} replays this schedule); massline up booted in ${seconds(up.bootMs)}, data in ${up.dataDir}`,
      );
    }, 600_000);

    afterAll(async () => {
      await Promise.all([watch?.stop(), reads?.stop(), queries?.stop()]);
      await faults?.close();
      if (ifSet(up)) {
        const code = await up.stop();
        note(`massline up stopped (exit ${code})`);
        // A failed run keeps its data (the logs of every process, PostgreSQL, Temporal's file) to look into.
        if (process.env.MASSLINE_KEEP_FAULTS_DATA === '1' || !passed) note(`data kept in ${up.dataDir}`);
        else fs.rmSync(up.dataDir, { recursive: true, force: true });
      }
      await ifSet(receiver)?.stop();
      note(`the whole suite took ${seconds(Date.now() - started)}`);
      const file = process.env.MASSLINE_FAULTS_REPORT;
      if (file) fs.writeFileSync(file, `${report.lines.join('\n')}\n\n${report.table}\n`);
    }, 120_000);

    const title = diagnostic
      ? 'fires every rung that came due exactly once; each divergence under diagnostic queries is detected, named and left for an operator'
      : 'fires every rung that came due exactly once, doubles nothing, reconciles and replays clean, never diverges, resets nothing, and reads through every outage';
    it(
      title,
      async () => {
        // A workflow found stuck on a nondeterminism error moves no more until an operator resets it: calls on it
        // (and waits for it) are given up, and what it holds is left out of the counts and named.
        const stuckOn = (workflowId: string): string | undefined =>
          watch?.stuckNow(workflowId, NONDETERMINISM_CAUSE)
            ? `${workflowId} is stuck on a nondeterminism error, left for an operator`
            : undefined;
        const workflowOfPath = (path: string): string | undefined => {
          const m = /^\/api\/(units|items)\/([^/?]+)/.exec(path);
          return m ? (m[1] === 'units' ? unitWorkflowId(m[2]) : itemWorkflowId(m[2])) : undefined;
        };
        const http = new RetryingClient(() => up.apiUrl(), {
          giveUpAfterMs: 300_000,
          giveUp: (_, path) => {
            const workflowId = workflowOfPath(path);
            return workflowId ? stuckOn(workflowId) : undefined;
          },
        });
        /** eventually(), given up (GaveUp) once one of `workflowIds` is found stuck. */
        const waitFor = async <T>(
          probe: () => Promise<T | undefined>,
          what: string,
          timeoutMs: number,
          intervalMs: number,
          workflowIds: string[],
        ): Promise<T> => {
          const deadline = Date.now() + timeoutMs;
          let last: unknown;
          for (;;) {
            for (const id of workflowIds) {
              const why = stuckOn(id);
              if (why) throw new GaveUp('waiting for', what, why);
            }
            try {
              const v = await probe();
              if (v !== undefined) return v;
            } catch (err) {
              if (err instanceof GaveUp) throw err;
              last = err;
            }
            if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${describeThrow(last)}` : ''}`);
            await sleep(intervalMs);
          }
        };
        /** Calls and waits given up on, by what they were for. */
        const givenUp: Array<{ what: string; why: string }> = [];
        const office = { token: OFFICE_TOKEN };
        faults = new FaultInjector(up, note, { namespace: 'default', taskQueue: 'massline', inFlight: () => http.inFlight });

        // ---------- the campaign (no faults yet: creating a campaign, groups and principals are not workflow decisions) ----------
        const s = Date.now();
        const at = (ms: number) => new Date(s + ms).toISOString();
        const plan = compressedPlan({ startsAt: s, disclosure: scale.disclosure, ladder: scale.ladder, windowLadder: scale.windowLadder });
        plan.batches[0].phases = {
          P1: { startsAt: at(0), endsAt: at(scale.p1EndsMs) },
          P2: { startsAt: at(scale.p1EndsMs), endsAt: at(scale.p1EndsMs + scale.p2Ms) },
          P3: { startsAt: at(scale.p1EndsMs + scale.p2Ms), endsAt: at(scale.p3EndsMs) },
        };
        const campaign = await http.ok('POST', '/api/campaigns', { ...office, body: { name: `fault suite (${scale.name})`, plan } });
        const windowEnds: Record<string, string> = {
          P1: campaign.plan.batches[0].phases.P1.endsAt,
          P2: campaign.plan.batches[0].phases.P2.endsAt,
          P3: campaign.plan.batches[0].phases.P3.endsAt,
        };
        const groups: string[] = [];
        for (const name of ['group 1', 'group 2'])
          groups.push((await http.ok('POST', `/api/campaigns/${campaign.id}/groups`, { ...office, body: { name } })).id);
        const enrolled = await http.ok('POST', `/api/campaigns/${campaign.id}/units`, {
          ...office,
          body: {
            units: Array.from({ length: scale.units }, (_, i) => ({
              code: `FT-${String(i + 1).padStart(2, '0')}`,
              name: `fault-suite unit ${i + 1}`,
              kind: 'organ',
              level: 'municipal', // batch 1, which opens at once
              groupId: groups[i % 2],
            })),
          },
        });
        const supervisors: string[] = [];
        for (const [i, groupId] of groups.entries()) {
          supervisors.push(
            (await http.ok('POST', '/api/principals', { ...office, body: { name: `supervisor ${i + 1}`, role: 'supervisor', groupId } }))
              .token,
          );
        }
        const auditor = (await http.ok('POST', '/api/principals', { ...office, body: { name: 'auditor', role: 'auditor' } })).token;
        const units: UnitState[] = [];
        for (const [i, r] of (enrolled.results as Array<{ id: string; code: string }>).entries()) {
          const token = (
            await http.ok('POST', '/api/principals', { ...office, body: { name: `head of unit ${i + 1}`, role: 'unit', unitId: r.id } })
          ).token;
          units.push({ id: r.id, code: r.code, kind: KINDS[i % KINDS.length], token, group: i % 2, items: [], transitions: [], rules: 0 });
        }
        expect(units).toHaveLength(scale.units);
        // Two city-wide programmes, so that the console's programme pages have something to read (their goals fall
        // due a month on: no rung of theirs comes due during the suite).
        const programmes: string[] = [];
        for (const [k, track] of (['governance', 'action'] as const).entries()) {
          const created = await http.ok('POST', '/api/programmes', {
            ...office,
            body: {
              name: `fault-suite programme ${k + 1}`,
              track,
              leadLeader: `city leader ${k + 1}`,
              leadUnitId: units[k].id,
              responsibleUnitIds: [units[k + 2].id],
              goals: [{ title: `goal ${k + 1}`, dueAt: new Date(s + 30 * 24 * 3_600_000).toISOString() }],
              campaignId: campaign.id,
            },
          });
          programmes.push(created.id);
        }

        // ---------- reads, an operator's monitoring and (diagnostic) workflow queries, all along ----------
        const world: ReadWorld = {
          campaignId: campaign.id,
          units: units.map((u) => ({ id: u.id, token: u.token, group: u.group })),
          items: [],
          published: [],
          programmes,
          escalations: [],
          tokens: { office: OFFICE_TOKEN, auditor, supervisors },
        };
        watch = new StuckRunWatch(() => up.apiUrl(), auditor);
        watch.start();
        reads = new ReadTraffic(() => up.apiUrl(), world, seededRandom(seed + 1), { readers: scale.readers, pauseMs: scale.readPauseMs });
        if (diagnostic) {
          queries = new DiagnosticQueries(
            up.temporalAddress,
            'default',
            () => ({ units: units.map((u) => u.id), items: world.items.map((it) => it.id) }),
            seededRandom(seed + 2),
            { clients: scale.diagnosticQueriers, pauseMs: scale.queryPauseMs, deadlineMs: 10_000 },
          );
        }
        await http.ok('POST', `/api/campaigns/${campaign.id}/start`, office);
        await eventually(
          async () => {
            const views = await Promise.all(units.map((u) => http.call('GET', `/api/units/${u.id}`, office)));
            return views.every((v) => v.status === 200 && v.body.phase === 'P1') ? true : undefined;
          },
          'every unit in P1',
          180_000,
          500,
        );
        note(`campaign of ${scale.units} units started in ${seconds(Date.now() - s)}`);
        // Every unit's workflow runs from now on: what the console reads exists (a task book's public pages once
        // it is published).
        reads.start();
        queries?.start();

        // ---------- faults, at random moments ----------
        // The worker and the API are killed from now on (lifecycle decisions in flight, updates waiting for a worker);
        // Temporal and PostgreSQL go away while the ladders run (from the first task book's lead on), so that rungs
        // come due while they are away; so does the webhook receiver.
        const shuffled = (list: FaultName[]) => {
          for (let i = list.length - 1; i > 0; i--) {
            const j = Math.floor(random() * (i + 1));
            [list[i], list[j]] = [list[j], list[i]];
          }
          return list;
        };
        const spreadOver = (list: FaultName[], spanMs: number) =>
          list.map((fault, i) => ({ fault, offset: (spanMs * (i + 0.15 + 0.7 * random())) / list.length }));
        const kills = spreadOver(
          shuffled([...Array<FaultName>(scale.faults.workerKills).fill('worker'), ...Array<FaultName>(scale.faults.apiKills).fill('api')]),
          scale.faults.spanMs,
        );
        const engine = spreadOver(
          shuffled([
            ...scale.faults.temporal,
            ...(scale.faults.pgFreezeMs > 0 ? (['postgres-freeze'] as FaultName[]) : []),
            ...Array<FaultName>(scale.faults.pgRestarts).fill('postgres-restart'),
          ]),
          scale.faults.engineSpanMs,
        );
        const webhookOffset = scale.faults.engineSpanMs * (0.1 + 0.5 * random());
        const plannedText = (list: typeof kills) => list.map((f) => `${f.fault} at +${seconds(f.offset)}`).join(', ');
        note(
          `faults planned: from the campaign's start ${plannedText(kills)}; from the ladders' start ${plannedText(engine)}, ` +
            `webhook receiver down at +${seconds(webhookOffset)} for ${seconds(scale.faults.webhookDownMs)}`,
        );
        let laddersStart: (at: number) => void = () => undefined;
        const laddersStarted = new Promise<number>((resolve) => (laddersStart = resolve));
        const faultErrors: unknown[] = [];
        const runFaults = async (list: typeof kills, from: number) => {
          for (const { fault, offset } of list) {
            if (from + offset > Date.now()) await sleep(from + offset - Date.now()); // the schedule's random moment
            await faults!.run(fault, {
              pgFreezeMs: scale.faults.pgFreezeMs,
              apiMinInFlight: scale.faults.apiMinInFlight,
              workerSignal: scale.faults.workerSignal,
            });
          }
        };
        const faultsFrom = Date.now();
        const faultRun = Promise.all(
          [
            runFaults(kills, faultsFrom),
            (async () => runFaults(engine, await laddersStarted))(),
            (async () => {
              const from = (await laddersStarted) + webhookOffset;
              await sleep(Math.max(0, from - Date.now()));
              await receiver.stop();
              const down = Date.now();
              await sleep(scale.faults.webhookDownMs); // the outage itself
              await receiver.start();
              faults.outages.push({
                what: 'webhook',
                how: `receiver down ${seconds(scale.faults.webhookDownMs)} (connections refused)`,
                from: down,
                to: Date.now(),
              });
              note(`webhook receiver down for ${seconds(Date.now() - down)}`);
            })(),
          ].map((p) =>
            p.catch((e: unknown) => {
              faultErrors.push(e);
            }),
          ),
        );

        // ---------- each unit to P3, with its task book; then its items' fates ----------
        const hour = 3_600_000;
        const slot = (i: number, minutes: number) => new Date(s - (scale.units + 8) * hour + i * hour + minutes * 60_000).toISOString();
        const U = (u: UnitState) => `/api/units/${u.id}`;
        const asUnit = (u: UnitState) => ({ token: u.token });
        const asSupervisor = (u: UnitState) => ({ token: supervisors[u.group] });
        const unitView = async (u: UnitState) => http.ok('GET', U(u), office);
        const itemView = async (it: ItemState) => http.ok('GET', `/api/items/${it.id}`, office);

        const transition = async (u: UnitState, to: string, comment: string) => {
          const t = await http.call('POST', `${U(u)}/transitions`, { ...asUnit(u), body: { to, comment } });
          if (t.status !== 201) throw new Error(`${u.code}: transition to ${to}: ${t.status} ${JSON.stringify(t.body)}`);
          const d = await http.call('POST', `${U(u)}/transitions/${t.body.id}/decision`, {
            ...asSupervisor(u),
            body: { approve: true, comment: `${to} gate met` },
          });
          if (d.status !== 200 || d.body.status !== 'approved')
            throw new Error(`${u.code}: decision on ${to}: ${d.status} ${JSON.stringify(d.body)}`);
          u.transitions.push({ to, sentAt: d.sentAt, answeredAt: d.answeredAt });
        };

        const waitRung = (it: ItemState, rung: string, deadline: string) =>
          waitFor(
            async () => {
              const v = await itemView(it);
              return v.rungs.some(
                (r: { rung: string; deadline: string }) => r.rung === rung && Date.parse(r.deadline) === Date.parse(deadline),
              )
                ? v
                : undefined;
            },
            `${rung} of item ${it.id} (deadline ${deadline})`,
            600_000,
            500,
            [itemWorkflowId(it.id)],
          );
        const decided = (it: ItemState, what: string, a: { sentAt: number; answeredAt: number }) =>
          it.decisions.push({ what, sentAt: a.sentAt, answeredAt: a.answeredAt });
        const close = async (it: ItemState) => {
          const u = units[it.unit];
          const c = await http.call('POST', `/api/items/${it.id}/completion`, { ...asUnit(u), body: { evidence: `Done: ${it.id}` } });
          if (c.status !== 200) throw new Error(`completion of ${it.id}: ${c.status} ${JSON.stringify(c.body)}`);
          const v = await http.call('POST', `/api/items/${it.id}/verification`, {
            ...asSupervisor(u),
            body: { accept: true, comment: 'verified on site' },
          });
          if (v.status !== 200 || v.body.status !== 'closed')
            throw new Error(`verification of ${it.id}: ${v.status} ${JSON.stringify(v.body)}`);
          it.verifications++;
          it.expectedStatus = 'closed';
          decided(it, 'closed', v);
        };
        const extend = async (it: ItemState) => {
          const u = units[it.unit];
          let newDeadline = new Date(Math.max(Date.now(), Date.parse(it.deadline)) + scale.extendByMs).toISOString();
          let r = await http.call('POST', `/api/items/${it.id}/extensions`, {
            ...asUnit(u),
            body: { newDeadline, reason: 'the supplier went bankrupt' },
          });
          // Repeated through an outage for longer than the extension's lead, the new deadline had passed (a 409 that
          // changed nothing): the clerk asks again with a later one, as a person would.
          for (let i = 0; i < 5 && r.status === 409 && r.body?.details?.[0]?.rule === 'item.extension-later'; i++) {
            newDeadline = new Date(Date.now() + scale.extendByMs).toISOString();
            r = await http.call('POST', `/api/items/${it.id}/extensions`, {
              ...asUnit(u),
              body: { newDeadline, reason: 'the supplier went bankrupt' },
            });
          }
          if (r.status !== 201) throw new Error(`extension of ${it.id}: ${r.status} ${JSON.stringify(r.body)}`);
          it.extensionsRequested++;
          const d = await http.call('POST', `/api/items/${it.id}/extensions/${r.body.id}/decision`, {
            ...asSupervisor(u),
            body: { approve: true, comment: 'granted' },
          });
          if (d.status !== 200 || d.body.status !== 'approved')
            throw new Error(`extension decision on ${it.id}: ${d.status} ${JSON.stringify(d.body)}`);
          decided(it, `extended to ${newDeadline}`, d);
          it.deadline = newDeadline;
        };
        const carry = async (it: ItemState) => {
          const r = await http.call('POST', `/api/items/${it.id}/carry-over`, {
            ...office,
            body: { rule: 'Standing rules on official receptions', comment: 'long-term' },
          });
          if (r.status !== 200 || r.body.status !== 'carried')
            throw new Error(`carry-over of ${it.id}: ${r.status} ${JSON.stringify(r.body)}`);
          it.expectedStatus = 'carried';
          decided(it, 'carried', r);
        };

        const itemFate = async (it: ItemState) => {
          await waitFor(
            async () => ((await itemView(it)).status === 'open' ? true : undefined),
            `item ${it.id} open (its task book in effect)`,
            600_000,
            500,
            [itemWorkflowId(it.id), unitWorkflowId(units[it.unit].id)],
          );
          const d0 = it.deadline;
          switch (it.plan) {
            case 'left to run':
              return;
            case 'closed at once':
              return close(it);
            case 'closed after its reminder':
              await waitRung(it, 'reminder', d0);
              return close(it);
            case 'closed after its yellow':
              await waitRung(it, 'yellow', d0);
              return close(it);
            case 'closed after its red':
              await waitRung(it, 'red', d0);
              return close(it);
            case 'extended at once':
              return extend(it);
            case 'extended after its yellow':
              await waitRung(it, 'yellow', d0);
              return extend(it);
            case 'extended after its reminder, closed after the new reminder':
              await waitRung(it, 'reminder', d0);
              await extend(it);
              await waitRung(it, 'reminder', it.deadline);
              return close(it);
            case 'extended twice after its reminder':
              await waitRung(it, 'reminder', d0);
              await extend(it);
              return extend(it);
            case 'carried over after its red':
              await waitRung(it, 'red', d0);
              return carry(it);
          }
        };

        const drive = async (u: UnitState, i: number) => {
          const unit = asUnit(u);
          await http.ok('POST', `${U(u)}/records`, { ...unit, body: { kind: 'study', title: 'Study of the eight rules' } });
          await http.ok('POST', `${U(u)}/opinions`, { body: { text: `Fewer meetings, unit ${i + 1}`, contact: 'a resident' } });
          await http.ok('POST', `${U(u)}/records`, { ...unit, body: { kind: 'investigation', title: 'Visits to the grassroots' } });
          await http.ok('POST', `${U(u)}/records`, { ...unit, body: { kind: 'solicitation-report', title: 'Report on the opinions' } });
          await transition(u, 'P2', 'P1 done');
          u.problemId = (
            await http.ok('POST', `${U(u)}/problems`, {
              ...unit,
              body: { title: 'Too many meetings', source: 'masses', category: 'formalism' },
            })
          ).id;
          await http.ok('POST', `${U(u)}/records`, { ...unit, body: { kind: 'comparison-check', title: 'Comparison-check materials' } });
          await http.ok('POST', `${U(u)}/meeting`, { ...unit, body: { scheduledAt: slot(i, 0), location: 'Meeting room' } });
          await http.ok('POST', `${U(u)}/meeting/attendance`, { ...asSupervisor(u), body: { arrivedAt: slot(i, 5), leftAt: slot(i, 50) } });
          const held = await http.ok('POST', `${U(u)}/meeting/held`, {
            ...unit,
            body: { startedAt: slot(i, 10), endedAt: slot(i, 40), minutes: 'Criticism and self-criticism' },
          });
          expect(held).toEqual({ valid: true, version: expect.any(Number) }); // the version the decision produced
          if (u.kind.holdInP2) {
            await waitFor(
              async () =>
                (await unitView(u)).windowRungs.some((r: { phase: string; rung: string }) => r.phase === 'P2' && r.rung === 'yellow')
                  ? true
                  : undefined,
              `the P2 window's yellow card of ${u.code}`,
              900_000,
              500,
              [unitWorkflowId(u.id)],
            );
          }
          await transition(u, 'P3', 'meeting held');
          const slotOf = (i * 13) % scale.units; // deadlines spread over the units, not in driving order
          let set = Date.now();
          let book;
          for (;;) {
            const answer = await http.call('PUT', `${U(u)}/task-book`, {
              ...unit,
              body: {
                signedBy: `Secretary of unit ${i + 1}`,
                items: u.kind.items.map((_, k) => ({
                  problemIds: [u.problemId],
                  measure: `Measure ${k + 1} of unit ${i + 1}`,
                  owner: `Owner ${k + 1}`,
                  deadline: new Date(set + scale.leadMs + slotOf * scale.slotMs + k * scale.itemStaggerMs).toISOString(),
                })),
              },
            });
            // Outages held the book up (its repeats carried the same body) until its first deadline had passed: it is
            // refused as a whole (a deadline must be in the future), and the unit sets its deadlines again from now.
            const past =
              answer.status === 400 && (answer.body?.details ?? []).some((d: { rule?: string } | null) => d?.rule === 'input.future');
            if (past) {
              note(`${u.code}'s task book reached the API after its first deadline (sent ${seconds(Date.now() - set)} earlier): set again`);
              set = Date.now();
              continue;
            }
            if (![200, 201, 202].includes(answer.status))
              throw new Error(`PUT ${U(u)}/task-book: ${answer.status} ${JSON.stringify(answer.body)}`);
            book = answer.body;
            break;
          }
          u.items = (book.items as Array<{ id: string; deadline: string }>).map((item, k) => ({
            id: item.id,
            unit: i,
            plan: u.kind.items[k],
            initialDeadline: item.deadline,
            deadline: item.deadline,
            decisions: [],
            extensionsRequested: 0,
            verifications: 0,
            progressApplied: 0,
            expectedStatus: 'open',
          }));
          const publication = await http.ok('POST', `${U(u)}/task-book/publish`, unit);
          // Read your own write, as the console does: the unit's view at the version the publication produced (a 503
          // with Retry-After while the read model has not got it yet is repeated); its public pages exist from then.
          const view = await http.ok('GET', `${U(u)}?minVersion=${publication.version}`, unit);
          expect(view.version).toBeGreaterThanOrEqual(publication.version);
          expect(view.taskBook.status).not.toBe('draft');
          // From here the read model knows the unit's items (pending until their own workflows run).
          world.items.push(...u.items.map((it) => ({ id: it.id, unit: i })));
          world.published.push(u.id);
          if (++published === 1) laddersStart(set + scale.leadMs / 2);
          if (published === units.length) note(`every task book published ${seconds(Date.now() - s)} after the campaign's creation`);
          // The items' fates play out on their own: the pool drives the next unit meanwhile.
          const fate = (async () => {
            await Promise.all(u.items.map((it) => givingUp(`item ${it.id} (${it.plan})`, () => itemFate(it))));
            if (u.kind.done) {
              await givingUp(`${u.code} to DONE`, async () => {
                await http.ok('POST', `${U(u)}/records`, { ...unit, body: { kind: 'rule', title: 'Rules on official receptions' } });
                u.rules++;
                await waitFor(
                  async () => ((await unitView(u)).unmetGates.length === 0 ? true : undefined),
                  `${u.code}'s gates to DONE`,
                  600_000,
                  500,
                  [unitWorkflowId(u.id), ...u.items.map((it) => itemWorkflowId(it.id))],
                );
                await transition(u, 'DONE', 'rectified');
              });
            }
          })();
          fate.catch(() => undefined); // awaited (and so thrown) with the others once every unit is driven
          fates.push(fate);
        };
        const fates: Array<Promise<void>> = [];
        /** Runs a part of the driving; a GaveUp (its workflow found stuck) is noted, anything else thrown. */
        const givingUp = async (what: string, part: () => Promise<void>): Promise<void> => {
          try {
            await part();
          } catch (err) {
            if (!(err instanceof GaveUp)) throw err;
            givenUp.push({ what, why: err.why });
            note(`given up: ${what}: ${err.message}`);
          }
        };

        // Progress on the items that stay open, all along: requests are in flight whenever the API is killed.
        let chattering = true;
        const chatter = Promise.all(
          Array.from({ length: scale.chatter }, async (_, c) => {
            let n = 0;
            while (chattering) {
              const open = units.flatMap((u) => u.items).filter((it) => STAYS_OPEN.includes(it.plan) && !stuckOn(itemWorkflowId(it.id)));
              if (!open.length) {
                await sleep(500);
                continue;
              }
              const it = open[Math.floor(random() * open.length)];
              let r;
              try {
                r = await http.call('POST', `/api/items/${it.id}/progress`, {
                  token: units[it.unit].token,
                  body: { note: `Progress ${c}-${n++} on ${it.id}` },
                });
              } catch (err) {
                if (!(err instanceof GaveUp)) throw err;
                givenUp.push({ what: `progress on item ${it.id}`, why: err.why });
                continue;
              }
              if (r.status === 201) it.progressApplied++;
              else if (!(r.status === 409 && r.body?.details?.[0]?.rule === 'item.progress-open')) {
                // Not in effect yet (pending items refuse progress); anything else is a failure.
                if (!(r.status === 409 || r.status === 404)) throw new Error(`progress on ${it.id}: ${r.status} ${JSON.stringify(r.body)}`);
              }
              await sleep(300); // the pace of a few busy clerks
            }
          }),
        );

        let published = 0;
        const t = Date.now();
        try {
          await inPool(units, scale.pool, (u, i) => givingUp(`${u.code} to P3 with its task book`, () => drive(u, i)));
          await Promise.all(fates);
          note(`every unit driven (task books, closes, extensions, carry-overs, completions) in ${seconds(Date.now() - t)}`);
          await faultRun;
          if (faultErrors.length) throw faultErrors[0];
        } finally {
          chattering = false;
          await chatter.catch((e: unknown) => note(`chatter: ${String(e)}`));
          await Promise.all([ifSet(reads)?.stop(), queries?.stop()]);
        }
        note(`faults done: ${faults.outages.map((o) => `${o.what} ${o.how}`).join('; ')}`);

        // ---------- the end: wait until every rung that can come due has had its moment and been recorded ----------
        const pg = new Client({ connectionString: up.databaseUrl });
        await pg.connect();
        try {
          const items = units.flatMap((u) => u.items);
          const ladderPlan = {
            ladder: campaign.plan.ladder as LadderRung[],
            windowLadder: campaign.plan.windowLadder as LadderRung[],
            calendar: campaign.plan.calendar as CalendarPlan,
          };

          // When each unit's task book took effect: its items' ladders began then.
          const effectiveAt = new Map<number, number>();
          for (const [i, u] of units.entries()) effectiveAt.set(i, Date.parse((await unitView(u)).taskBook.effectiveAt));
          // Subjects whose workflow was found stuck on a nondeterminism error (only with --diagnostic-queries may
          // one be, and pass): what they hold is left for an operator, so it is left out of the rung counts.
          const heldWorkflows = () =>
            new Set([...watch!.seen.values()].filter((x) => x.cause === NONDETERMINISM_CAUSE).map((x) => x.workflowId));
          const held = (key: string, heldNow: Set<string>) => {
            const [kind, id] = key.split('|');
            return kind === 'item' ? heldNow.has(itemWorkflowId(id)) : kind === 'window' ? heldNow.has(unitWorkflowId(id)) : false;
          };
          const collect = async () => {
            const heldNow = heldWorkflows();
            const itemRecords: ItemRecord[] = [];
            const itemViews = new Map<string, Json>();
            await inPool(items, 4, async (it) => {
              const v = await itemView(it);
              itemViews.set(it.id, v);
              const ext = await http.ok('GET', `/api/items/${it.id}/extensions?pageSize=100`, office);
              const approved = (ext.items as Array<{ status: string; newDeadline: string; decided?: { at: string } }>)
                .filter((e) => e.status === 'approved')
                .sort((a, b) => Date.parse(a.decided!.at) - Date.parse(b.decided!.at));
              itemRecords.push({
                itemId: it.id,
                deadlines: [
                  { deadline: it.initialDeadline, since: effectiveAt.get(it.unit)! },
                  ...approved.map((e) => ({ deadline: e.newDeadline, since: Date.parse(e.decided!.at) })),
                ],
                status: v.status,
                ...(v.finalAt ? { finalAt: Date.parse(v.finalAt) } : {}),
              });
            });
            const unitRecords: UnitRecord[] = [];
            const unitViews = new Map<string, Json>();
            await inPool(units, 4, async (u) => {
              const v = await unitView(u);
              unitViews.set(u.id, v);
              const tr = await http.ok('GET', `${U(u)}/transitions?pageSize=100`, office);
              const left = new Map<string, number>();
              for (const x of tr.items as Array<{ from: string; status: string; decided?: { at: string } }>)
                if (x.status === 'approved') left.set(x.from, Date.parse(x.decided!.at));
              const phases = ['P1', 'P2', 'P3'];
              const enteredAt = (k: number) => (k === 0 ? Date.parse(campaign.plan.batches[0].startsAt) : left.get(phases[k - 1]));
              unitRecords.push({
                unitId: u.id,
                phases: phases
                  .filter((_, k) => enteredAt(k) !== undefined)
                  .map((phase, k) => ({
                    phase,
                    windowEndsAt: windowEnds[phase],
                    enteredAt: enteredAt(k)!,
                    ...(left.has(phase) ? { leftAt: left.get(phase) } : {}),
                  })),
              });
            });
            const escalations = (
              await pg.query(
                `SELECT key, subject, item_id, unit_id, phase, rung, deadline, fired_at FROM escalations WHERE campaign_id = $1`,
                [campaign.id],
              )
            ).rows as Array<{
              key: string;
              subject: string;
              item_id: string | null;
              unit_id: string;
              phase: string | null;
              rung: string;
              deadline: Date;
              fired_at: Date;
            }>;
            const firedDb: RecordedFiring[] = escalations.map((e) => ({
              key:
                e.subject === 'item' ? itemRungKey(e.item_id!, e.deadline.getTime(), e.rung) : windowRungKey(e.unit_id, e.phase!, e.rung),
              firedAt: e.fired_at.getTime(),
            }));
            const dueAtOf = (r: { dueAt?: string }) => (r.dueAt ? { dueAt: Date.parse(r.dueAt) } : {});
            const firedViews: RecordedFiring[] = [
              ...items.flatMap((it) =>
                (itemViews.get(it.id).rungs as Array<{ rung: string; deadline: string; firedAt: string; dueAt?: string }>).map((r) => ({
                  key: itemRungKey(it.id, r.deadline, r.rung),
                  firedAt: Date.parse(r.firedAt),
                  ...dueAtOf(r),
                })),
              ),
              ...units.flatMap((u) =>
                (unitViews.get(u.id).windowRungs as Array<{ rung: string; phase: string; firedAt: string; dueAt?: string }>).map((r) => ({
                  key: windowRungKey(u.id, r.phase, r.rung),
                  firedAt: Date.parse(r.firedAt),
                  ...dueAtOf(r),
                })),
              ),
            ];
            const allDue = dueRungs(itemRecords, unitRecords, ladderPlan);
            const due = allDue.filter((d) => !held(d.key, heldNow));
            const kept = (f: RecordedFiring) => !held(f.key, heldNow);
            return {
              itemRecords,
              itemViews,
              unitRecords,
              unitViews,
              escalations,
              firedDb,
              firedViews,
              due,
              heldDue: allDue.length - due.length,
              heldNow,
              db: compare(due, firedDb.filter(kept)),
              views: compare(due, firedViews.filter(kept)),
            };
          };

          let final = await collect();
          const settleFrom = Date.now();
          for (;;) {
            const lastDue = Math.max(...final.due.map((d) => d.dueMs));
            const complete = final.db.lost.length === 0 && final.views.lost.length === 0;
            if (Date.now() > lastDue + 3_000 && complete) break;
            if (Date.now() > Math.max(lastDue, settleFrom) + 300_000) break; // the assertions below say what is missing
            await sleep(1_000);
            final = await collect();
          }
          // Every notice delivered: the outbox at once, the webhook once the receiver is back (its retries back off).
          await eventually(
            async () => {
              const r = await pg.query(
                `SELECT count(*)::int AS n FROM notifications n JOIN escalations e ON e.key = n.escalation_key WHERE e.campaign_id = $1 AND n.status <> 'sent'`,
                [campaign.id],
              );
              return r.rows[0].n === 0 ? true : undefined;
            },
            'every notification sent',
            600_000,
            1_000,
          );
          final = await collect();
          const settled = Date.now();

          // ---------- duplicates ----------
          const notifications = (
            await pg.query(
              `SELECT n.escalation_key, n.channel, n.recipient, n.status, n.attempts, e.subject, e.item_id, e.unit_id, e.phase, e.rung, e.deadline
               FROM notifications n JOIN escalations e ON e.key = n.escalation_key WHERE e.campaign_id = $1`,
              [campaign.id],
            )
          ).rows as Array<{
            escalation_key: string;
            channel: string;
            recipient: string;
            subject: string;
            item_id: string | null;
            unit_id: string;
            phase: string | null;
            rung: string;
            deadline: Date;
          }>;
          const dupes = <T>(rows: T[], key: (r: T) => string) => {
            const n = new Map<string, number>();
            for (const r of rows) n.set(key(r), (n.get(key(r)) ?? 0) + 1);
            return [...n.values()].filter((c) => c > 1).length;
          };
          const semantic = (r: {
            subject: string;
            item_id: string | null;
            unit_id: string;
            phase: string | null;
            rung: string;
            deadline: Date;
          }) => (r.subject === 'item' ? itemRungKey(r.item_id!, r.deadline.getTime(), r.rung) : windowRungKey(r.unit_id, r.phase!, r.rung));
          const expectedNotices = final.escalations.length;
          const recipientsOf = new Map(
            (await pg.query(`SELECT key, recipients FROM escalations WHERE campaign_id = $1`, [campaign.id])).rows.map((r) => [
              r.key as string,
              r.recipients as string[],
            ]),
          );
          const expectedNotifications = [...recipientsOf.values()].reduce((n, r) => n + r.length * 2, 0);
          const measures = (
            await pg.query(
              `SELECT proposal_key, item_id, unit_id, status FROM measures WHERE campaign_id = $1 AND proposal_key IS NOT NULL`,
              [campaign.id],
            )
          ).rows as Array<{
            proposal_key: string;
          }>;
          const referralKeys = new Set(final.escalations.filter((e) => e.rung === 'referral').map((e) => e.key));
          const webhookRows = notifications.filter((n) => n.channel === 'webhook');
          const expectedHookKeys = new Set(webhookRows.map((n) => notificationIdempotencyKey(n.escalation_key, n.recipient)));
          const receivedKeys = new Set(receiver.delivered.keys());
          const hookLost = [...expectedHookKeys].filter((k) => !receivedKeys.has(k));
          const hookUnknown = [...receivedKeys].filter((k) => !expectedHookKeys.has(k));
          const hookRepeats = [...receiver.delivered.entries()].filter(([, d]) => d.length > 1);
          // A notice sent again after the receiver had answered 200 is explained only by a fault that cut the worker
          // off between that answer and recording it as sent (a kill, the database away, Temporal away).
          const cutOff = (from: number, to: number) =>
            faults!.outages.some((o) => o.what !== 'api' && o.what !== 'webhook' && o.from <= to && o.to >= from);
          const hookRepeatsUnexplained = hookRepeats.filter(([, d]) => !cutOff(d[0].at, d[d.length - 1].at));

          // ---------- decisions applied once ----------
          // What was given up on (a workflow stuck, left for an operator) is not checked here: it is named below.
          const heldNow = heldWorkflows();
          const unitHeld = (u: UnitState) => heldNow.has(unitWorkflowId(u.id)) || u.items.some((it) => heldNow.has(itemWorkflowId(it.id)));
          const decisionProblems: string[] = [];
          for (const u of units) {
            if (unitHeld(u)) continue;
            const v = final.unitViews.get(u.id);
            const expected = {
              records: { study: 1, investigation: 1, 'solicitation-report': 1, 'comparison-check': 1, rule: u.rules },
              opinions: 1,
              problems: 1,
              transitions: u.transitions.length,
            };
            const got = {
              records: v.counts.records,
              opinions: v.counts.opinions,
              problems: v.counts.problems,
              transitions: v.counts.transitions,
            };
            if (canonical(got) !== canonical(expected)) decisionProblems.push(`${u.code}: ${canonical(got)} ≠ ${canonical(expected)}`);
            if (v.phase !== (u.kind.done ? 'DONE' : 'P3')) decisionProblems.push(`${u.code}: in ${v.phase}`);
            for (const tr of u.transitions) {
              const since = tr.to === v.phase ? Date.parse(v.phaseSince) : undefined;
              if (since !== undefined && !(tr.sentAt <= since && since <= tr.answeredAt))
                decisionProblems.push(`${u.code}: entered ${tr.to} at ${v.phaseSince}, outside its decision's call`);
            }
          }
          for (const it of items) {
            if (heldNow.has(itemWorkflowId(it.id)) || heldNow.has(unitWorkflowId(units[it.unit].id))) continue;
            const v = final.itemViews.get(it.id);
            const got = {
              status: v.status,
              progress: v.counts.progress,
              extensions: v.counts.extensions,
              verifications: v.counts.verifications,
            };
            const expected = {
              status: it.expectedStatus,
              progress: it.progressApplied,
              extensions: it.extensionsRequested,
              verifications: it.verifications,
            };
            if (canonical(got) !== canonical(expected))
              decisionProblems.push(`item ${it.id} (${it.plan}): ${canonical(got)} ≠ ${canonical(expected)}`);
            // The moments the workflow recorded lie within the calls that decided them.
            const record = final.itemRecords.find((r) => r.itemId === it.id)!;
            const moments = [
              ...record.deadlines.slice(1).map((d) => ({ what: `extended to ${d.deadline}`, at: d.since })),
              ...(record.finalAt ? [{ what: it.expectedStatus, at: record.finalAt }] : []),
            ];
            for (const m of moments) {
              const call = it.decisions.find((d) => d.what === m.what);
              if (!call || !(call.sentAt <= m.at && m.at <= call.answeredAt))
                decisionProblems.push(`item ${it.id}: ${m.what} recorded at ${new Date(m.at).toISOString()}, outside its call`);
            }
          }
          const unitsKept = units.filter((u) => !heldNow.has(unitWorkflowId(u.id)));
          const pendingItems = items.filter(
            (it) => !heldNow.has(unitWorkflowId(units[it.unit].id)) && final.itemViews.get(it.id).status === 'pending',
          ).length;
          const booksInEffect = unitsKept.filter((u) => final.unitViews.get(u.id).taskBook?.status === 'effective').length;

          // ---------- rungs recorded as fired before they were due ----------
          const earlyDb = firedBeforeDue(final.firedDb, ladderPlan, windowEnds);
          const earlyViews = firedBeforeDue(final.firedViews, ladderPlan, windowEnds);

          // ---------- reconciliation and replay, over HTTP as an auditor ----------
          let reconciliation = await http.ok('POST', '/api/audit/reconciliations', { token: auditor, body: { campaignId: campaign.id } });
          for (let i = 0; reconciliation.inFlight.length && i < 30; i++) {
            await sleep(1_000); // a projection still on its way: look again
            reconciliation = await http.ok('POST', '/api/audit/reconciliations', { token: auditor, body: { campaignId: campaign.id } });
          }
          const mismatches = (reconciliation.mismatches as Array<{ workflowId: string }>).filter((m) => !heldNow.has(m.workflowId));
          const job = await http.ok('POST', '/api/audit/replays', { token: auditor, body: { campaignId: campaign.id } });
          const replay = await eventually(
            async () => {
              const r = await http.ok('GET', `/api/audit/replays/${job.id}`, { token: auditor });
              return r.status === 'running' ? undefined : r;
            },
            'the replay job',
            600_000,
            1_000,
          );
          const replayFailures = replay.failures as Array<{
            workflowId: string;
            runId?: string;
            error: string;
            eventId?: number;
            kind: string;
          }>;

          // ---------- nondeterminism errors, stuck runs, resets ----------
          // The stuck-run detector's word after everything settled: a pass begun after the audit began.
          const auditFrom = settled;
          await eventually(
            async () => {
              const r = (await pg.query(`SELECT started_at, finished_at FROM stuck_run_detector WHERE id = 1`)).rows[0] as
                { started_at: Date; finished_at: Date | null } | undefined;
              return r?.finished_at && r.started_at.getTime() > auditFrom && r.finished_at >= r.started_at ? true : undefined;
            },
            'a pass of the stuck-run detector after the campaign settled',
            300_000,
            1_000,
          );
          await watch.poll(); // what the metric and readiness say after that pass
          const stuckRows = (
            await pg.query(
              `SELECT workflow_id, run_id, workflow_type, cause, message, diverging_event_id, last_good_event_id, first_seen_at, cleared_at FROM stuck_runs ORDER BY first_seen_at`,
            )
          ).rows as Array<{
            workflow_id: string;
            run_id: string;
            workflow_type: string;
            cause: string;
            message: string;
            diverging_event_id: number | null;
            cleared_at: Date | null;
          }>;
          const stuckAtEnd = stuckRows.filter((r) => !r.cleared_at);
          const resets = (
            await pg.query(`SELECT at, actor_id, actor_role, workflow_id, message FROM audit_log WHERE call = 'workflow reset' ORDER BY at`)
          ).rows;
          // Every workflow task that failed or timed out, from the campaign's histories (every run).
          const connection = await Connection.connect({ address: up.temporalAddress });
          const temporalClient = new TemporalClient({ connection, namespace: 'default' });
          const failuresByCause = new Map<string, number>();
          const divergences = new Map<
            string,
            { workflowId: string; runId?: string; eventId?: number; message: string; seenBy: Set<string>; disclosure?: boolean }
          >();
          const diverged = (workflowId: string, runId: string | undefined, by: string, eventId: number | undefined, message: string) => {
            const key = runId ?? workflowId;
            const d = divergences.get(key) ?? { workflowId, runId, eventId, message, seenBy: new Set<string>() };
            d.eventId ??= eventId;
            d.seenBy.add(by);
            divergences.set(key, d);
          };
          const spans = new Map<string, ReturnType<typeof disclosureSpan>>();
          let histories = 0;
          try {
            const executions = await listExecutions(temporalClient, { campaignId: campaign.id });
            await inPool(executions, 4, async (ref) => {
              const history = await fetchJsonHistory(temporalClient, ref.workflowId, ref.runId);
              if (!history) return;
              histories++;
              if (ref.workflowId.startsWith('massline-unit-') && ref.runId) spans.set(ref.runId, disclosureSpan(history));
              for (const f of taskFailures(history)) {
                failuresByCause.set(f.cause, (failuresByCause.get(f.cause) ?? 0) + 1);
                if (f.cause === NONDETERMINISM_CAUSE) diverged(ref.workflowId, ref.runId, 'history', f.divergingEventId, f.message);
              }
            });
          } finally {
            await connection.close().catch(() => undefined);
          }
          for (const r of stuckRows)
            if (r.cause === NONDETERMINISM_CAUSE)
              diverged(r.workflow_id, r.run_id, 'detector', r.diverging_event_id ?? undefined, r.message);
          for (const f of replayFailures) if (f.kind === 'nondeterminism') diverged(f.workflowId, f.runId, 'replay', f.eventId, f.error);
          const divergenceList = [...divergences.values()].map((d) => {
            const span = d.runId ? spans.get(d.runId) : undefined;
            const disclosure =
              d.workflowId.startsWith('massline-unit-') &&
              !!span &&
              d.eventId !== undefined &&
              d.eventId > span.from &&
              d.eventId <= span.to;
            const named = watch!.seen.get(d.workflowId);
            const row = stuckRows.find((r) => r.run_id === d.runId && r.cause === NONDETERMINISM_CAUSE);
            return {
              ...d,
              disclosure,
              detected: !!row,
              stuckAtEnd: !!row && !row.cleared_at,
              metric: named?.metric !== undefined,
              readiness: named?.readiness !== undefined,
            };
          });
          const subjectOf = (id: string) => (id.startsWith('massline-item-') ? 'item' : id.startsWith('massline-unit-') ? 'unit' : 'other');
          const otherReplayFailures = replayFailures.filter((f) => f.kind !== 'nondeterminism');
          // A run stuck for a while because its worker died in mid-task (WORKFLOW_TASK_TIMED_OUT) is no failure;
          // one still stuck at the end is.
          const stuckByCause = new Map<string, number>();
          for (const r of stuckRows) stuckByCause.set(r.cause, (stuckByCause.get(r.cause) ?? 0) + 1);
          const causeText = (m: Map<string, number>) =>
            m.size
              ? [...m.entries()]
                  .map(([c, n]) => `${c.replace(/^WORKFLOW_TASK_FAILED_CAUSE_/, '').replace(/^WORKFLOW_TASK_/, '')} ${n}`)
                  .join(', ')
              : 'none';
          // What an operator does first with a run left stuck: look at what a reset would discard (a dry run).
          const dryRuns: Array<{ workflowId: string; ok: boolean; output: string }> = [];
          for (const r of stuckAtEnd.filter((x) => x.cause === NONDETERMINISM_CAUSE)) {
            const output = await new Promise<{ code: number; text: string }>((resolve) => {
              execFile(
                process.execPath,
                [cliMain, 'audit', 'reset', r.workflow_id, '--to', 'last-good', '--dry-run'],
                {
                  env: {
                    ...process.env,
                    DATABASE_URL: up.databaseUrl,
                    TEMPORAL_ADDRESS: up.temporalAddress,
                    TEMPORAL_NAMESPACE: 'default',
                    LOG_LEVEL: 'warn',
                  },
                  timeout: 300_000,
                },
                (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, text: `${stdout}${stderr}` }),
              );
            });
            dryRuns.push({
              workflowId: r.workflow_id,
              ok: output.code === 0 && /dry run: nothing changed/.test(output.text),
              output: output.text,
            });
            note(`operator's dry run for ${r.workflow_id}:\n${output.text.trim()}`);
          }
          const resetsNow = (await pg.query(`SELECT count(*)::int AS n FROM audit_log WHERE call = 'workflow reset'`)).rows[0].n as number;

          // ---------- the reads ----------
          const readVerdict = judgeReads(reads.records, faults.outages);

          // ---------- lateness ----------
          const outages: Outage[] = faults.outages;
          // From the rung's moment, or its ladder's start when that came later (a unit entering a phase whose window
          // had ended, an extension to a deadline already close); and from when the worker and Temporal were back.
          const lateness = final.db.matched.map((m) => m.firedAt - firesFrom(m));
          const afterBackOne = (m: DueRung & { firedAt: number }) => Math.max(0, m.firedAt - backAt(firesFrom(m), m.firedAt, outages));
          const afterBack = final.db.matched.map(afterBackOne);
          const during = (what: Outage['what']) =>
            final.db.matched.filter((m) => outages.some((o) => o.what === what && o.from <= firesFrom(m) && firesFrom(m) < o.to));
          const afterBackOf = (ms: typeof final.db.matched) => spread(ms.map(afterBackOne));
          const dueDuringDb = during('postgres');
          const dbBack = (m: DueRung) =>
            Math.max(...outages.filter((o) => o.what === 'postgres' && o.from <= firesFrom(m) && firesFrom(m) < o.to).map((o) => o.to));

          // ---------- the table ----------
          const byKind = (c: Comparison, kind: string) => ({
            due: final.due.filter((d) => d.kind === kind).length,
            fired: c.matched.filter((d) => d.kind === kind).length,
            lost: c.lost.filter((d) => d.kind === kind).length,
          });
          const kills = (what: string) => outages.filter((o) => o.what === what);
          const bySource = (by: string) => divergenceList.filter((d) => d.seenBy.has(by)).length;
          const rows: Array<Array<string | number>> = [
            [
              '',
              `${scale.name} suite${diagnostic ? ' with diagnostic queries' : ''}, load ${fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`,
            ],
            ['rungs due / fired (escalations table)', `${final.due.length} / ${final.db.matched.length + final.db.extra.length}`],
            ['rungs due / fired (workflow views)', `${final.due.length} / ${final.views.matched.length + final.views.extra.length}`],
            ...DUE_KINDS.map((k) => {
              const b = byKind(final.db, k);
              return [`  ${k}: due / fired / lost`, `${b.due} / ${b.fired} / ${b.lost}`];
            }),
            ['lost (due, never fired): table / views', `${final.db.lost.length} / ${final.views.lost.length}`],
            ['fired but never due: table / views', `${final.db.extra.length} / ${final.views.extra.length}`],
            ['rungs fired twice: table / views', `${final.db.doubled.length} / ${final.views.doubled.length}`],
            ['rungs recorded as fired before due: table / views', `${earlyDb.length} / ${earlyViews.length}`],
            ['task books in effect; items never started', `${booksInEffect} of ${unitsKept.length}; ${pendingItems}`],
            [
              'duplicates: escalations / notifications / measures / webhook',
              `${dupes(final.escalations, (e) => semantic(e))} / ${dupes(notifications, (n) => `${semantic(n)}|${n.channel}|${n.recipient}`)} / ${dupes(measures, (m) => m.proposal_key)} / ${hookRepeatsUnexplained.length}`,
            ],
            [
              'notifications recorded / expected',
              `${notifications.length} / ${expectedNotifications} (${expectedNotices} escalations × recipients × 2 channels)`,
            ],
            ['measures proposed / referral rungs', `${measures.length} / ${referralKeys.size}`],
            ['webhook notices received / expected (lost)', `${receivedKeys.size} / ${expectedHookKeys.size} (${hookLost.length})`],
            [
              'webhook notices sent again after a 200',
              `${hookRepeats.length} (each after a fault cut the worker off before it recorded the 200: ${hookRepeats.length - hookRepeatsUnexplained.length})`,
            ],
            ['decisions applied other than once', decisionProblems.length],
            ['reconciliation mismatches (workflows checked)', `${mismatches.length} (${reconciliation.checked})`],
            ['replay failures (histories replayed)', `${replayFailures.length} (${replay.replayed} of ${replay.total})`],
            [
              'nondeterminism errors: runs (in histories / by the stuck-run detector / by the replay)',
              `${divergenceList.length} (${bySource('history')} / ${bySource('detector')} / ${bySource('replay')})`,
            ],
            ['workflow tasks failed or timed out, in the histories, by cause', `${causeText(failuresByCause)} (${histories} histories)`],
            ['runs seen stuck, by cause (still stuck at the end)', `${causeText(stuckByCause)} (${stuckAtEnd.length})`],
            [
              'stuck runs named: metric / readiness / GET stuck-runs (largest massline_workflows_stuck)',
              `${[...watch.seen.values()].filter((x) => x.metric).length} / ${[...watch.seen.values()].filter((x) => x.readiness).length} / ${[...watch.seen.values()].filter((x) => x.list).length} (${watch.maxStuck})`,
            ],
            ['runs reset (audit log)', resetsNow],
            ["GETs of the console's routes, by status", `${readVerdict.total}: ${outcomesText(readVerdict.byOutcome)}`],
            [
              '  503s: all / PostgreSQL away / Temporal away (a history)',
              `${readVerdict.unavailable.total} / ${readVerdict.unavailable.postgres} / ${readVerdict.unavailable.temporal}`,
            ],
            ['  while only the worker was down', outcomesText(readVerdict.workerOnly)],
            ['  of the read model while Temporal was down', outcomesText(readVerdict.temporalOnlyReadModel)],
            ['  failed with no outage to explain', readVerdict.unexplained.length],
            ...(diagnostic
              ? [
                  [
                    'diagnostic queries sent, by outcome',
                    `${queries!.sent}: ${[...queries!.outcomes.entries()].map(([k, n]) => `${k} ${n}`).join(', ') || 'none'}`,
                  ],
                  [
                    'divergences: items / units (in the disclosure) / other',
                    `${divergenceList.filter((d) => subjectOf(d.workflowId) === 'item').length} / ${divergenceList.filter((d) => subjectOf(d.workflowId) === 'unit').length} (${divergenceList.filter((d) => d.disclosure).length}) / ${divergenceList.filter((d) => subjectOf(d.workflowId) === 'other').length}`,
                  ],
                  [
                    '  detected (stuck-run row) / named by the metric / by readiness / stuck at the end / dry run',
                    `${divergenceList.filter((d) => d.detected).length} / ${divergenceList.filter((d) => d.metric).length} / ${divergenceList.filter((d) => d.readiness).length} / ${divergenceList.filter((d) => d.stuckAtEnd).length} / ${dryRuns.filter((d) => d.ok).length} of ${dryRuns.length}`,
                  ],
                  ['  left for an operator: rungs not counted; calls given up', `${final.heldDue}; ${givenUp.length}`],
                ]
              : []),
            ["lateness fired − due (or its ladder's start), p50 / p90 / p99 / max", pct(spread(lateness))],
            ['lateness fired − back (worker, Temporal, PostgreSQL), p50 / p90 / p99 / max', pct(spread(afterBack))],
            ['  rungs due while the worker was down', `${during('worker').length}: after back ${pct(afterBackOf(during('worker')))}`],
            ['  rungs due while Temporal was down', `${during('temporal').length}: after back ${pct(afterBackOf(during('temporal')))}`],
            [
              '  rungs due while PostgreSQL was away: fired − due',
              `${dueDuringDb.length}: ${pct(spread(dueDuringDb.map((m) => m.firedAt - firesFrom(m))))}`,
            ],
            ['  the same, fired − PostgreSQL back', pct(spread(dueDuringDb.map((m) => Math.max(0, m.firedAt - dbBack(m)))))],
            [
              'faults',
              `worker ${scale.faults.workerSignal} ×${kills('worker').length}, Temporal ${kills('temporal')
                .map((o) => (o.how.startsWith('stopped') ? 'stop' : 'kill'))
                .join(' + ')}, ` +
                `PostgreSQL ${kills('postgres')
                  .map((o) => o.how.split(' (')[0])
                  .join(' + ')}, API SIGKILL ×${kills('api').length} ` +
                `(${kills('api')
                  .map((o) => /with (\d+)/.exec(o.how)?.[1])
                  .join(', ')} in flight), webhook down ${seconds(kills('webhook')[0]?.to - kills('webhook')[0]?.from)}`,
            ],
            [
              'client calls / repeated',
              `${http.calls} / ${[...http.retries.entries()].map(([k, n]) => `${n} ${k}`).join(', ') || 'none'} (answers replayed from a key: ${http.replays})`,
            ],
            [
              'time: campaign / settle / audit',
              `${seconds(settled - s)} / ${seconds(settled - settleFrom)} / ${seconds(Date.now() - settled)}`,
            ],
          ];
          report.table = table(rows);
          note(`\n${report.table}`);
          if (final.db.lost.length)
            note(
              `lost: ${final.db.lost
                .slice(0, 20)
                .map((d) => `${d.key} (${d.kind}, due ${new Date(d.dueMs).toISOString()})`)
                .join('; ')}`,
            );
          if (final.db.extra.length)
            note(
              `fired, not due: ${final.db.extra
                .slice(0, 20)
                .map((d) => `${d.key} at ${new Date(d.firedAt).toISOString()}`)
                .join('; ')}`,
            );
          for (const [where, early] of [
            ['table', earlyDb],
            ['views', earlyViews],
          ] as const) {
            if (early.length)
              note(
                `fired before due (${where}): ${early
                  .slice(0, 20)
                  .map((e) => `${e.key} at ${new Date(e.firedAt).toISOString()}, due ${new Date(e.dueMs).toISOString()}`)
                  .join('; ')}`,
              );
          }
          if (decisionProblems.length) note(`decisions: ${decisionProblems.slice(0, 20).join('; ')}`);
          for (const d of divergenceList) {
            note(
              `divergence: ${d.workflowId} ${d.runId ?? ''} at event ${d.eventId ?? '?'}${d.disclosure ? ' (in the disclosure)' : ''}, seen by ${[...d.seenBy].join(', ')}; ` +
                `detected ${d.detected}, metric ${d.metric}, readiness ${d.readiness}, stuck at the end ${d.stuckAtEnd}: ${d.message.slice(0, 400)}`,
            );
          }
          for (const r of stuckRows)
            note(
              `stuck run ${r.workflow_id} ${r.run_id}: ${r.cause}, ${r.cleared_at ? `cleared ${r.cleared_at.toISOString()}` : 'still stuck'} (${r.message.slice(0, 200)})`,
            );
          for (const r of resets) note(`reset: ${JSON.stringify(r)}`);
          if (readVerdict.unexplained.length) {
            note(
              `GETs failed with no outage to explain: ${readVerdict.unexplained
                .slice(0, 20)
                .map(
                  (r) =>
                    `${r.path} → ${r.outcome} (${new Date(r.sentAt).toISOString().slice(11, 23)} → ${new Date(r.answeredAt).toISOString().slice(11, 23)})`,
                )
                .join('; ')}`,
            );
          }
          if (queries) for (const [k, m] of queries.examples) note(`diagnostic query ${k}: ${m}`);
          const slowest = final.db.matched
            .map((m) => ({ ...m, after: m.firedAt - backAt(firesFrom(m), m.firedAt, outages) }))
            .sort((a, b) => b.after - a.after)
            .slice(0, 5);
          note(
            `outages: ${outages.map((o) => `${o.what} ${o.how} ${new Date(o.from).toISOString().slice(11, 23)} → ${new Date(o.to).toISOString().slice(11, 23)}`).join('; ')}`,
          );
          note(
            `latest after back: ${slowest.map((m) => `${m.key} due ${new Date(m.dueMs).toISOString()} fired +${seconds(m.firedAt - firesFrom(m))} (+${seconds(m.after)} after back)`).join('; ')}`,
          );

          // ---------- the counts, exactly ----------
          expect(final.due.length).toBeGreaterThan(0);
          expect(final.db.lost).toEqual([]);
          expect(final.db.extra).toEqual([]);
          expect(final.db.doubled).toEqual([]);
          expect(final.views.lost).toEqual([]);
          expect(final.views.extra).toEqual([]);
          expect(final.views.doubled).toEqual([]);
          expect({ earlyDb, earlyViews }).toEqual({ earlyDb: [], earlyViews: [] });
          for (const kind of DUE_KINDS) expect(byKind(final.db, kind).due).toBeGreaterThan(0); // every fate was exercised
          expect({ booksInEffect, pendingItems }).toEqual({ booksInEffect: unitsKept.length, pendingItems: 0 });
          expect(dupes(final.escalations, (e) => e.key)).toBe(0);
          expect(dupes(final.escalations, (e) => semantic(e))).toBe(0);
          expect(dupes(notifications, (n) => `${semantic(n)}|${n.channel}|${n.recipient}`)).toBe(0);
          expect(notifications).toHaveLength(expectedNotifications);
          expect(dupes(measures, (m) => m.proposal_key)).toBe(0);
          expect(new Set(measures.map((m) => m.proposal_key))).toEqual(referralKeys);
          expect({ hookLost, hookUnknown, badSignatures: receiver.badSignatures }).toEqual({
            hookLost: [],
            hookUnknown: [],
            badSignatures: 0,
          });
          expect(hookRepeatsUnexplained.map(([k]) => k)).toEqual([]);
          expect(decisionProblems).toEqual([]);
          expect(mismatches).toEqual([]);
          expect(reconciliation.checked).toBeGreaterThanOrEqual(units.length + items.length);
          expect(replay.status).toBe('done');
          expect(otherReplayFailures).toEqual([]);
          expect(replay.replayed).toBe(replay.total);
          expect(replay.total).toBeGreaterThanOrEqual(1 + units.length + items.length);
          // No program resets a run; nothing but a divergence left for an operator is stuck at the end.
          expect({ resets: resetsNow }).toEqual({ resets: 0 });
          expect(
            stuckAtEnd.filter((r) => !(diagnostic && r.cause === NONDETERMINISM_CAUSE)).map((r) => `${r.workflow_id}: ${r.cause}`),
          ).toEqual([]);
          // A workflow task fails for an ordinary reason only: its worker died (timed out), or an event or an Update
          // came in while it completed; anything else (code that throws, a bad command) is a failure.
          expect([...failuresByCause.keys()].filter((c) => c !== NONDETERMINISM_CAUSE && !ORDINARY_TASK_FAILURES.has(c))).toEqual([]);
          if (!diagnostic) {
            // 0 nondeterminism errors, by every source.
            expect(divergenceList.map((d) => `${d.workflowId} at ${d.eventId}: ${d.message.slice(0, 200)}`)).toEqual([]);
            expect(replayFailures).toEqual([]);
            expect(givenUp).toEqual([]);
          } else {
            // Each divergence a run was stuck on was detected, named by the metric and by readiness, and left for an
            // operator (whose dry run shows what a reset would do); no unit diverged in its disclosure.
            expect(divergenceList.filter((d) => d.stuckAtEnd && !(d.detected && d.metric && d.readiness)).map((d) => d.workflowId)).toEqual(
              [],
            );
            expect(divergenceList.filter((d) => d.detected && !(d.metric && d.readiness)).map((d) => d.workflowId)).toEqual([]);
            expect(divergenceList.filter((d) => d.disclosure).map((d) => d.workflowId)).toEqual([]);
            expect(dryRuns.filter((d) => !d.ok).map((d) => d.workflowId)).toEqual([]);
            expect(queries!.outcomes.get('answered') ?? 0).toBeGreaterThan(0);
          }
          // The console's GETs answered through every outage but their own: 200 with the worker down or Temporal down.
          expect(readVerdict.unexplained.map((r) => `${r.path} → ${r.outcome}`)).toEqual([]);
          expect(readVerdict.workerOnly.get(200) ?? 0).toBeGreaterThan(0);
          // Each fault happened as planned, and the system came back from each.
          expect(outages.filter((o) => o.what === 'worker')).toHaveLength(scale.faults.workerKills);
          expect(outages.filter((o) => o.what === 'temporal')).toHaveLength(scale.faults.temporal.length);
          expect(outages.filter((o) => o.what === 'api')).toHaveLength(scale.faults.apiKills);
          expect(up.output()).not.toMatch(/giving up on it|could not be started again/);
          passed = true;
        } finally {
          await pg.end().catch(() => undefined);
        }
      },
      3_600_000,
    );
  });
}
