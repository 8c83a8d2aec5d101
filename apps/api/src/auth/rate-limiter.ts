// The public channels' limit, exactly as documented: at most `perMinute` requests from one address in any
// 60 seconds (a sliding window over the moments of the requests let through, not a bucket that refills and
// so lets twice as many through at its edge).
const WINDOW_MS = 60_000;

/** Moments (ms) of the requests let through in the last window, oldest first, in a ring of `perMinute` slots. */
class Window {
  private slots: Float64Array;
  private start = 0;
  size = 0;

  constructor(capacity: number) {
    this.slots = new Float64Array(Math.min(capacity, 64));
  }

  private grow(capacity: number): void {
    const bigger = new Float64Array(Math.min(capacity, this.slots.length * 2));
    for (let i = 0; i < this.size; i++) bigger[i] = this.at(i);
    this.slots = bigger;
    this.start = 0;
  }

  at(i: number): number {
    return this.slots[(this.start + i) % this.slots.length];
  }

  /** Forgets the moments that left the window. */
  expire(now: number): void {
    while (this.size && this.at(0) <= now - WINDOW_MS) {
      this.start = (this.start + 1) % this.slots.length;
      this.size--;
    }
  }

  push(now: number, capacity: number): void {
    if (this.size === this.slots.length) this.grow(capacity);
    this.slots[(this.start + this.size) % this.slots.length] = now;
    this.size++;
  }
}

export class RateLimiter {
  private readonly windows = new Map<string, Window>();
  private lastSweep = 0;

  constructor(
    readonly perMinute: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts one request of `address`; returns the seconds to wait when the window is full. */
  take(address: string): { allowed: true } | { allowed: false; retryAfterSeconds: number } {
    const now = this.now();
    this.sweep(now);
    let w = this.windows.get(address);
    if (!w) this.windows.set(address, (w = new Window(this.perMinute)));
    w.expire(now);
    if (w.size < this.perMinute) {
      w.push(now, this.perMinute);
      return { allowed: true };
    }
    // The oldest request in the window leaves it at oldest + 60 s: a slot is free from then on.
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((w.at(0) + WINDOW_MS - now) / 1000)) };
  }

  /** Addresses tracked now (bounded by those active in the last minute). */
  get tracked(): number {
    return this.windows.size;
  }

  /** Forgets idle addresses once a minute, so memory stays bounded by the addresses active in the last minute. */
  private sweep(now: number): void {
    if (now - this.lastSweep < WINDOW_MS) return;
    this.lastSweep = now;
    for (const [address, w] of this.windows) {
      w.expire(now);
      if (!w.size) this.windows.delete(address);
    }
  }
}
