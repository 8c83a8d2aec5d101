// A progress bar on a terminal (stderr), silent when stderr is not one (logs, pipes, CI).

export class ProgressBar {
  private lastDraw = 0;
  private drawn = false;
  private readonly started = Date.now();

  constructor(
    private readonly stream: NodeJS.WritableStream & { isTTY?: boolean; columns?: number },
    private readonly title: string,
  ) {}

  get enabled(): boolean {
    return !!this.stream.isTTY;
  }

  update(done: number, total: number, note = ''): void {
    if (!this.enabled) return;
    const now = Date.now();
    // At most ~20 redraws a second, but always the last one.
    if (done < total && now - this.lastDraw < 50) return;
    this.lastDraw = now;
    const width = Math.max(10, Math.min(40, (this.stream.columns ?? 80) - 60));
    const ratio = total > 0 ? Math.min(1, done / total) : 0;
    const filled = Math.round(ratio * width);
    const rate = done / Math.max(0.001, (now - this.started) / 1000);
    const bar = `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`;
    this.stream.write(`\r${this.title} ${bar} ${done}/${total} ${(ratio * 100).toFixed(0)}% ${rate.toFixed(1)}/s ${note}\x1b[K`);
    this.drawn = true;
  }

  done(): void {
    if (this.enabled && this.drawn) this.stream.write('\n');
  }
}
