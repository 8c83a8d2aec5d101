// One-time sign-in links and the browser sessions they open (table sign_in_tokens): only hashes are stored.
import type { DataSource } from 'typeorm';
import { principalWhere, type Principal } from './principals.repository';

export class SignInRepository {
  constructor(private readonly dataSource: DataSource) {}

  async createLink(principalId: string, codeHash: string, createdBy: string, expiresAt: Date): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO sign_in_tokens (token_hash, kind, principal_id, created_by, expires_at) VALUES ($1, 'link', $2, $3, $4)`,
      [codeHash, principalId, createdBy, expiresAt],
    );
  }

  /**
   * Uses a link once and opens a session in the same transaction: the principal's id, or undefined when the
   * code is unknown, used or expired. Rows past their end are swept on the way.
   */
  async redeemLink(codeHash: string, sessionHash: string, sessionExpiresAt: Date): Promise<string | undefined> {
    return this.dataSource.transaction(async (tx) => {
      await tx.query(`DELETE FROM sign_in_tokens WHERE expires_at < now() - interval '1 day'`);
      // (an UPDATE answers [rows, rowCount] through TypeORM's query())
      const [used]: [Array<{ principal_id: string }>, number] = await tx.query(
        `UPDATE sign_in_tokens SET used_at = now()
         WHERE token_hash = $1 AND kind = 'link' AND used_at IS NULL AND expires_at > now() RETURNING principal_id`,
        [codeHash],
      );
      const principalId = used[0]?.principal_id;
      if (!principalId) return undefined;
      await tx.query(`INSERT INTO sign_in_tokens (token_hash, kind, principal_id, expires_at) VALUES ($1, 'session', $2, $3)`, [
        sessionHash,
        principalId,
        sessionExpiresAt,
      ]);
      return principalId;
    });
  }

  /** The principal of a live session token. */
  async principalOfSession(tokenHash: string): Promise<Principal | undefined> {
    return principalWhere(
      this.dataSource,
      `s.token_hash = $1 AND s.kind = 'session' AND s.used_at IS NULL AND s.expires_at > now()`,
      [tokenHash],
      'JOIN sign_in_tokens s ON s.principal_id = p.id',
    );
  }

  /** Ends a session (sign-out); true when there was one to end. */
  async endSession(tokenHash: string): Promise<boolean> {
    const [, count]: [unknown[], number] = await this.dataSource.query(
      `UPDATE sign_in_tokens SET used_at = now() WHERE token_hash = $1 AND kind = 'session' AND used_at IS NULL`,
      [tokenHash],
    );
    return count > 0;
  }
}
