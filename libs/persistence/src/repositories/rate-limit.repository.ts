import type { DataSource } from 'typeorm';

/** What one request found in its window. */
export interface WindowTaken {
  /** Whether the request was let through (the window had a free slot). */
  allowed: boolean;
  /** Requests let through in the window now, this one included when allowed. */
  inWindow: number;
  /** Moment (ms) of the oldest request in the window: a slot frees when it leaves. */
  oldest: number;
  /** The moment (ms) the request was counted at. */
  now: number;
}

/** Rows deleted per statement when sweeping, so that a sweep never holds a long lock. */
const SWEEP_BATCH = 5_000;

/**
 * Sliding windows of the public rate limit, in PostgreSQL so that every API counts against the same window: at
 * most `limit` requests let through per key in any `windowMs`. Each request is one statement that locks the key's
 * row (INSERT … ON CONFLICT DO UPDATE), so two APIs taking the last slot at once let exactly one through.
 *
 * The clock is the database's (one clock for every API), unless a test gives one.
 */
export class RateLimitRepository {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock?: () => number,
  ) {}

  private get now(): number | null {
    return this.clock ? this.clock() : null;
  }

  async take(key: string, windowMs: number, limit: number): Promise<WindowTaken> {
    // Every expression of the UPDATE sees the row as it was; EXCLUDED.hits[1] is this request's moment. Two requests
    // at once may append out of order by a millisecond, hence min() for the oldest.
    const rows: Array<{ allowed: boolean; in_window: number; oldest: string; now: string }> = await this.dataSource.query(
      `INSERT INTO rate_limit_windows AS w (key, hits, allowed, expires_at)
       SELECT $1, ARRAY[t.now], true, t.now + $3 FROM (SELECT coalesce($2::bigint, (extract(epoch FROM statement_timestamp()) * 1000)::bigint) AS now) t
       ON CONFLICT (key) DO UPDATE SET
         allowed = (SELECT count(*) < $4 FROM unnest(w.hits) AS h WHERE h > EXCLUDED.hits[1] - $3),
         hits = (SELECT CASE WHEN count(*) < $4 THEN coalesce(array_agg(h ORDER BY h), '{}') || EXCLUDED.hits[1] ELSE array_agg(h ORDER BY h) END
                 FROM unnest(w.hits) AS h WHERE h > EXCLUDED.hits[1] - $3),
         expires_at = CASE WHEN (SELECT count(*) < $4 FROM unnest(w.hits) AS h WHERE h > EXCLUDED.hits[1] - $3)
                           THEN EXCLUDED.expires_at ELSE w.expires_at END
       RETURNING allowed, cardinality(hits) AS in_window, (SELECT min(h) FROM unnest(hits) AS h) AS oldest,
                 coalesce($2::bigint, (extract(epoch FROM statement_timestamp()) * 1000)::bigint) AS now`,
      [key, this.now, windowMs, limit],
    );
    const r = rows[0];
    return { allowed: r.allowed, inWindow: Number(r.in_window), oldest: Number(r.oldest), now: Number(r.now) };
  }

  /** Removes the windows whose every request has left them; returns how many. */
  async sweep(): Promise<number> {
    let removed = 0;
    for (;;) {
      const rows: Array<{ n: number }> = await this.dataSource.query(
        // The outer condition is checked again on a row that a request renewed meanwhile, which is then kept.
        `WITH t AS (SELECT coalesce($1::bigint, (extract(epoch FROM statement_timestamp()) * 1000)::bigint) AS now),
         gone AS (
           DELETE FROM rate_limit_windows WHERE expires_at <= (SELECT now FROM t) AND key IN (
             SELECT key FROM rate_limit_windows WHERE expires_at <= (SELECT now FROM t) LIMIT ${SWEEP_BATCH})
           RETURNING 1)
         SELECT count(*)::int AS n FROM gone`,
        [this.now],
      );
      removed += rows[0].n;
      if (rows[0].n < SWEEP_BATCH) return removed;
    }
  }

  /** Keys with a window now (swept or not). */
  async tracked(): Promise<number> {
    const rows: Array<{ n: number }> = await this.dataSource.query('SELECT count(*)::int AS n FROM rate_limit_windows');
    return rows[0].n;
  }
}
