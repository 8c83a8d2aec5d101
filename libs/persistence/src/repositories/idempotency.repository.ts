import type { DataSource } from 'typeorm';

export interface StoredResponse {
  method: string;
  path: string;
  bodyHash: string;
  /** 0 while the first request is still being answered. */
  statusCode: number;
  response: unknown;
  /** Seconds since the key was claimed. */
  ageSeconds: number;
}

/** Rows deleted per statement when sweeping, so a sweep never holds a long lock. */
const SWEEP_BATCH = 5_000;

/**
 * Idempotency-Keys and the first answer to each. A key lives `ttlHours` from its claim: after that it is as
 * if it had never been used (and the sweep removes it).
 */
export class IdempotencyRepository {
  constructor(
    private readonly dataSource: DataSource,
    private readonly ttlHours = 24,
  ) {}

  private get ttl(): string {
    return `${this.ttlHours} hours`;
  }

  async find(scope: string, key: string): Promise<StoredResponse | undefined> {
    const rows = await this.dataSource.query(
      `SELECT method, path, body_hash, status_code, response, extract(epoch FROM now() - created_at)::float8 AS age
       FROM idempotency_keys WHERE scope = $1 AND key = $2 AND created_at > now() - $3::interval`,
      [scope, key, this.ttl],
    );
    const r = rows[0];
    return r
      ? {
          method: r.method,
          path: r.path,
          bodyHash: r.body_hash,
          statusCode: r.status_code,
          response: r.response,
          ageSeconds: Number(r.age),
        }
      : undefined;
  }

  /** Claims the key for a request in flight; false when someone holds it already. An expired key is claimed anew. */
  async reserve(scope: string, key: string, method: string, path: string, bodyHash: string): Promise<boolean> {
    const rows = await this.dataSource.query(
      `INSERT INTO idempotency_keys (scope, key, method, path, body_hash, status_code, response)
       VALUES ($1, $2, $3, $4, $5, 0, NULL)
       ON CONFLICT (scope, key) DO UPDATE
         SET method = EXCLUDED.method, path = EXCLUDED.path, body_hash = EXCLUDED.body_hash, status_code = 0, response = NULL, created_at = now()
         WHERE idempotency_keys.created_at <= now() - $6::interval
       RETURNING key`,
      [scope, key, method, path, bodyHash, this.ttl],
    );
    return rows.length > 0;
  }

  /** Stores the answer to replay; `response` must hold nothing secret (the interceptor strips tokens). */
  async complete(scope: string, key: string, statusCode: number, response: unknown): Promise<void> {
    await this.dataSource.query('UPDATE idempotency_keys SET status_code = $3, response = $4 WHERE scope = $1 AND key = $2', [
      scope,
      key,
      statusCode,
      JSON.stringify(response ?? null),
    ]);
  }

  /** A refused or failed request leaves no trace: the key may be used again. */
  async release(scope: string, key: string): Promise<void> {
    await this.dataSource.query('DELETE FROM idempotency_keys WHERE scope = $1 AND key = $2 AND status_code = 0', [scope, key]);
  }

  /** Deletes every key older than the time to live (answered or abandoned); returns how many. */
  async sweep(): Promise<number> {
    let total = 0;
    for (;;) {
      const rows: Array<{ n: number }> = await this.dataSource.query(
        `WITH gone AS (
           DELETE FROM idempotency_keys WHERE ctid IN (
             SELECT ctid FROM idempotency_keys WHERE created_at <= now() - $1::interval LIMIT ${SWEEP_BATCH})
           RETURNING 1)
         SELECT count(*)::int AS n FROM gone`,
        [this.ttl],
      );
      total += rows[0].n;
      if (rows[0].n < SWEEP_BATCH) return total;
    }
  }
}
