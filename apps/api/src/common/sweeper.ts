// Periodic clean-up of tables that would otherwise grow with use (idempotency keys, rate-limit windows).
/** Runs `sweep` now and then (and once at start) until stopped; a failed sweep is reported and tried at the next turn. */
export class PeriodicSweeper {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(
    private readonly store: { sweep(): Promise<number> },
    private readonly onError: (err: unknown) => void,
    private readonly everyMs = 10 * 60_000,
  ) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.sweepNow(), this.everyMs);
    this.timer.unref();
    void this.sweepNow();
  }

  /** One sweep (a sweep already running is awaited instead); returns the rows removed. */
  async sweepNow(): Promise<number> {
    if (this.running) {
      await this.running;
      return 0;
    }
    let removed = 0;
    this.running = this.store
      .sweep()
      .then((n) => void (removed = n))
      .catch(this.onError)
      .finally(() => (this.running = undefined));
    await this.running;
    return removed;
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }
}
