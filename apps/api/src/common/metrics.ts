// Prometheus metrics of one API instance (own registry, so several apps in one process don't collide).
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { StuckRun, StuckRunPass } from '../../../../libs/persistence/src';

/** Stuck runs named one by one, on /metrics and /health/ready (the oldest first); the total counts them all. */
export const STUCK_RUNS_NAMED = 50;

export interface StuckRunsNow {
  total: number;
  /** The first STUCK_RUNS_NAMED, oldest first. */
  runs: StuckRun[];
  lastPass?: StuckRunPass;
}

export class ApiMetrics {
  readonly registry = new Registry();

  readonly httpDuration = new Histogram({
    name: 'massline_http_request_duration_seconds',
    help: 'HTTP request latency by route',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  readonly workflowCalls = new Counter({
    name: 'massline_workflow_calls_total',
    help: 'Calls to workflows (updates, queries, starts) by name and outcome',
    labelNames: ['call', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly refusedDecisions = new Counter({
    name: 'massline_refused_decisions_total',
    help: 'Decisions refused by a workflow rule, by call and rule',
    labelNames: ['call', 'rule'] as const,
    registers: [this.registry],
  });

  /** Escalations fired so far, read from the escalations table at scrape time. */
  readonly escalationsFired: Gauge<'rung'>;

  /** Activities failing right now (retried by Temporal meanwhile), as the workers record them. */
  readonly failingActivities: Gauge<'activity'>;

  /** Set once the services exist: the runs whose workflow task keeps failing, as the detector last saw them. */
  readStuckRuns?: () => Promise<StuckRunsNow>;
  /** Each stuck run (at most STUCK_RUNS_NAMED of them), valued by the attempt of its pending workflow task. */
  readonly workflowStuck: Gauge<'workflow_id' | 'cause'>;
  readonly workflowsStuck: Gauge;
  readonly stuckRunPass: Gauge;

  /** Set once the services exist: counts the running campaigns whose workflow task keeps failing. */
  countStalledCampaigns?: () => Promise<number>;
  readonly stalledCampaigns: Gauge;

  constructor(
    countEscalations: () => Promise<Array<{ rung: string; count: number }>>,
    withDefaults = true,
    countFailingActivities: () => Promise<Array<{ activity: string; count: number }>> = () => Promise.resolve([]),
  ) {
    if (withDefaults) collectDefaultMetrics({ register: this.registry, prefix: 'massline_api_' });
    // A gauge's collect() runs with `this` bound to the gauge: what it reads of this instance (set after the
    // constructor) goes through these.
    const countStalled = () => (this.countStalledCampaigns ? this.countStalledCampaigns() : undefined);
    const readStuck = () => (this.readStuckRuns ? this.readStuckRuns() : Promise.resolve(undefined));
    this.stalledCampaigns = scrapedGauge(this.registry, {
      name: 'massline_campaigns_stalled',
      help: 'Running campaigns whose workflow task has failed 3 or more times in a row (the workflow makes no progress)',
      read: countStalled,
      show: (gauge, stalled) => gauge.set(stalled),
    });
    // One read of the stuck runs per scrape, shared by the three gauges.
    const stuck = stuckRunGauges(this.registry, oncePerScrape(readStuck));
    this.workflowStuck = stuck.named;
    this.workflowsStuck = stuck.total;
    this.stuckRunPass = stuck.lastPass;
    this.escalationsFired = countedGauge(this.registry, {
      name: 'massline_escalations_fired',
      help: 'Escalation rungs fired (reminder, yellow, red, referral), from the escalations table',
      label: 'rung',
      read: async () => (await countEscalations()).map((r) => [r.rung, r.count]),
    });
    this.failingActivities = countedGauge(this.registry, {
      name: 'massline_failing_activities',
      help: 'Activities failing and being retried now (projections, escalation records, notices), by activity',
      label: 'activity',
      read: async () => (await countFailingActivities()).map((r) => [r.activity, r.count]),
    });
  }
}

/** The stuck runs' gauges: each run named (at most STUCK_RUNS_NAMED), their total, the detector's last pass. */
function stuckRunGauges(registry: Registry, stuckNow: ReadStuckRuns) {
  return {
    named: scrapedGauge(registry, {
      name: 'massline_workflow_stuck',
      help: `A run whose workflow task keeps failing, left for an operator (massline audit reset), by workflow id and cause; the value is the attempt of its pending task. The ${STUCK_RUNS_NAMED} oldest; massline_workflows_stuck counts them all`,
      labelNames: ['workflow_id', 'cause'],
      read: stuckNow,
      show: (gauge, now) => {
        gauge.reset();
        for (const r of now.runs.slice(0, STUCK_RUNS_NAMED)) gauge.set({ workflow_id: r.workflowId, cause: r.cause }, r.attempt);
      },
    }),
    total: scrapedGauge(registry, {
      name: 'massline_workflows_stuck',
      help: 'Runs whose workflow task keeps failing (attempt at or past MASSLINE_STUCK_RUN_ATTEMPTS), as the stuck-run detector last saw them',
      read: stuckNow,
      show: (gauge, now) => gauge.set(now.total),
    }),
    lastPass: scrapedGauge(registry, {
      name: 'massline_stuck_run_last_pass_timestamp_seconds',
      help: 'When the stuck-run detector last finished a pass over the open runs (unix seconds): an alert on its age says detection stopped',
      read: stuckNow,
      show: (gauge, now) => {
        const finished = now.lastPass?.finishedAt;
        if (finished) gauge.set(Date.parse(finished) / 1000);
      },
    }),
  };
}

/** The stuck runs as the detector last saw them (undefined: not wired yet). */
type ReadStuckRuns = () => Promise<StuckRunsNow | undefined>;

/** Reads the stuck runs at most once a second: a scrape's gauges share the one read. */
function oncePerScrape(readStuck: ReadStuckRuns): ReadStuckRuns {
  let read: { at: number; value: Promise<StuckRunsNow | undefined> } | undefined;
  return () => {
    if (!read || Date.now() - read.at > 1_000) read = { at: Date.now(), value: readStuck() };
    return read.value;
  };
}

/**
 * A gauge set at scrape time from a read. The scrape must still answer when the database is down (/health/ready
 * reports that): a failed read leaves the gauge as it was. A read answering undefined means "not wired yet".
 */
function scrapedGauge<T, L extends string = string>(
  registry: Registry,
  o: {
    name: string;
    help: string;
    labelNames?: readonly L[];
    read: () => Promise<T | undefined> | undefined;
    show: (gauge: Gauge<L>, value: T) => void;
  },
): Gauge<L> {
  return new Gauge<L>({
    name: o.name,
    help: o.help,
    ...(o.labelNames ? { labelNames: o.labelNames } : {}),
    registers: [registry],
    async collect() {
      try {
        const value = await o.read();
        if (value !== undefined) o.show(this, value);
      } catch {
        // The database is down: /health/ready says so.
      }
    },
  });
}

/** A gauge of counts by one label, read from the database at scrape time. */
function countedGauge<L extends string>(
  registry: Registry,
  o: { name: string; help: string; label: L; read: () => Promise<Array<[string, number]> | undefined> },
): Gauge<L> {
  return scrapedGauge<Array<[string, number]>, L>(registry, {
    name: o.name,
    help: o.help,
    labelNames: [o.label],
    read: o.read,
    show: (gauge, rows) => {
      gauge.reset();
      for (const [key, count] of rows) gauge.set({ [o.label]: key } as Record<L, string>, count);
    },
  });
}

/** How recent a recorded activity failure must be to count as failing now (retries come at most a minute apart). */
export const FAILING_ACTIVITY_FRESH_MS = 5 * 60_000;
