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

export class IdempotencyRepository {
  constructor(private readonly dataSource: DataSource) {}

  async find(scope: string, key: string): Promise<StoredResponse | undefined> {
    const rows = await this.dataSource.query(
      `SELECT method, path, body_hash, status_code, response, extract(epoch FROM now() - created_at)::float8 AS age
       FROM idempotency_keys WHERE scope = $1 AND key = $2`,
      [scope, key],
    );
    const r = rows[0];
    return r
      ? { method: r.method, path: r.path, bodyHash: r.body_hash, statusCode: r.status_code, response: r.response, ageSeconds: Number(r.age) }
      : undefined;
  }

  /** Claims the key for a request in flight; false when someone holds it already. */
  async reserve(scope: string, key: string, method: string, path: string, bodyHash: string): Promise<boolean> {
    const rows = await this.dataSource.query(
      `INSERT INTO idempotency_keys (scope, key, method, path, body_hash, status_code, response)
       VALUES ($1, $2, $3, $4, $5, 0, NULL) ON CONFLICT (scope, key) DO NOTHING RETURNING key`,
      [scope, key, method, path, bodyHash],
    );
    return rows.length > 0;
  }

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
}
