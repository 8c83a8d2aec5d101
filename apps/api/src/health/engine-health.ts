// What the API knows about the workflow engine: the last answer of the engine probe (libs/temporal), refreshed by
// /health/ready, after a call to the engine failed, and while the engine is known to be down. A call made while
// the engine is known to be down fails at once with a 503 instead of waiting out its deadline (7–18 s when a
// Temporal history service is gone).
import { ServiceError, type Client } from '@temporalio/client';
import { Counter, Gauge, type Registry } from 'prom-client';
import { engineDown, probeEngine, type EngineChecks } from '../../../../libs/temporal/src/engine-probe';

/** A "down" answer is trusted this long; an older one lets calls through again (and asks again). */
const DOWN_TRUSTED_MS = 30_000;
/** While down, calls ask again at most this often, so that recovery is noticed within a second or so. */
const REPROBE_WHILE_DOWN_MS = 1_000;

export class EngineHealth {
  private last?: { at: number; checks: EngineChecks; down?: string };
  private inFlight?: Promise<EngineChecks>;
  private readonly failedFast?: Counter;

  constructor(
    private readonly client: Client,
    private readonly target: { namespace: string; taskQueue: string },
    registry?: Registry,
    private readonly now: () => number = Date.now,
  ) {
    if (!registry) return;
    this.failedFast = new Counter({
      name: 'massline_engine_fail_fast_total',
      help: 'Calls to the workflow engine answered 503 at once, without being sent, because the engine was known to be down',
      registers: [registry],
    });
    // collect() runs with `this` bound to the gauge.
    const lastChecks = () => this.last?.checks ?? {};
    new Gauge({
      name: 'massline_engine_up',
      help: 'Last probe of each part of the workflow engine (frontend, history, matching, worker): 1 up, 0 down',
      labelNames: ['part'] as const,
      registers: [registry],
      collect() {
        for (const [part, state] of Object.entries(lastChecks())) this.set({ part }, state === 'up' ? 1 : 0);
      },
    });
  }

  /** Probes now (one probe at a time: callers arriving meanwhile share it). */
  probe(): Promise<EngineChecks> {
    this.inFlight ??= probeEngine(this.client.connection, this.target)
      .then((checks) => {
        this.last = { at: this.now(), checks, down: engineDown(checks) };
        return checks;
      })
      .finally(() => (this.inFlight = undefined));
    return this.inFlight;
  }

  /** Throws a ServiceError (a 503) when the engine is known to be down; never waits. */
  failFast(): void {
    const last = this.last;
    if (!last?.down) return;
    const age = this.now() - last.at;
    if (age > DOWN_TRUSTED_MS) return void this.probe().catch(() => undefined);
    if (age > REPROBE_WHILE_DOWN_MS) void this.probe().catch(() => undefined);
    this.failedFast?.inc();
    throw new ServiceError(`workflow engine unavailable (${last.down})`);
  }

  /** A call to the engine failed: if it looks like the engine (not the caller), ask the probe. */
  observeFailure(err: unknown): void {
    // ServiceError: the client's wrapper of a failed gRPC call; the others time out waiting on the engine.
    if (
      err instanceof ServiceError ||
      (err instanceof Error && /DEADLINE_EXCEEDED|UNAVAILABLE|deadline|Timeout/i.test(`${err.name} ${err.message}`))
    ) {
      void this.probe().catch(() => undefined);
    }
  }

  /** The last probe's answer, if any. */
  get lastChecks(): EngineChecks | undefined {
    return this.last?.checks;
  }
}
