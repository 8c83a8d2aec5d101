// Prometheus metrics of one API instance (own registry, so several apps in one process don't collide).
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { RECOVERY_VERDICTS } from '../../../../libs/persistence/src';

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

  /** Set once the services exist: runs stuck on a nondeterminism error, by what recovery did. */
  countRecoveries?: () => Promise<Array<{ verdict: string; count: number }>>;
  readonly workflowRecoveries: Gauge<'verdict'>;

  /** Set once the services exist: counts the running campaigns whose workflow task keeps failing. */
  countStalledCampaigns?: () => Promise<number>;
  readonly stalledCampaigns: Gauge;

  constructor(
    countEscalations: () => Promise<Array<{ rung: string; count: number }>>,
    withDefaults = true,
    countFailingActivities: () => Promise<Array<{ activity: string; count: number }>> = async () => [],
  ) {
    if (withDefaults) collectDefaultMetrics({ register: this.registry, prefix: 'massline_api_' });
    const metrics = this;
    this.stalledCampaigns = new Gauge({
      name: 'massline_campaigns_stalled',
      help: 'Running campaigns whose workflow task has failed 3 or more times in a row (the workflow makes no progress)',
      registers: [this.registry],
      async collect() {
        try {
          if (metrics.countStalledCampaigns) this.set(await metrics.countStalledCampaigns());
        } catch {
          // As for escalations: the scrape answers, readiness reports what is down.
        }
      },
    });
    this.workflowRecoveries = countedGauge(this.registry, {
      name: 'massline_workflow_recoveries',
      help: 'Runs whose history did not replay (nondeterminism), by verdict: reset by the worker (the SDK wrote a task its own build cannot replay), left to people (a code change), closed already (nothing to resume), or deciding',
      label: 'verdict',
      // Every verdict is reported, 0 included, so that an alert can watch `left`.
      always: [...RECOVERY_VERDICTS, 'deciding'],
      read: async () => (metrics.countRecoveries ? (await metrics.countRecoveries()).map((r) => [r.verdict, r.count]) : undefined),
    });
    this.escalationsFired = countedGauge(this.registry, {
      name: 'massline_escalations_fired',
      help: 'Escalation rungs fired (reminder, yellow, red, referral), from the escalations table',
      label: 'rung',
      read: async () => (await countEscalations()).map((r) => [r.rung, Number(r.count)]),
    });
    this.failingActivities = countedGauge(this.registry, {
      name: 'massline_failing_activities',
      help: 'Activities failing and being retried now (projections, escalation records, notices), by activity',
      label: 'activity',
      read: async () => (await countFailingActivities()).map((r) => [r.activity, r.count]),
    });
  }
}

/**
 * A gauge of counts by one label, read from the database at scrape time. The scrape must still answer when the
 * database is down (/health/ready reports that): a failed read leaves the gauge as it was. `read` answering
 * undefined means "not wired yet". Labels in `always` are reported as 0 when absent.
 */
function countedGauge<L extends string>(
  registry: Registry,
  o: { name: string; help: string; label: L; always?: readonly string[]; read: () => Promise<Array<[string, number]> | undefined> },
): Gauge<L> {
  return new Gauge<L>({
    name: o.name,
    help: o.help,
    labelNames: [o.label],
    registers: [registry],
    async collect() {
      try {
        const rows = await o.read();
        if (!rows) return;
        this.reset();
        const counts = new Map(rows);
        for (const key of new Set([...(o.always ?? []), ...counts.keys()])) this.set({ [o.label]: key } as Record<L, string>, counts.get(key) ?? 0);
      } catch {
        // The database is down: /health/ready says so.
      }
    },
  });
}

/** How recent a recorded activity failure must be to count as failing now (retries come at most a minute apart). */
export const FAILING_ACTIVITY_FRESH_MS = 5 * 60_000;
