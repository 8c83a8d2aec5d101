// PostgreSQL session advisory locks by name, on one connection of their own: a lock is held as long as that
// connection lives, so a process that dies gives its locks up. Locks of one session are re-entrant: to ask whether
// another process holds a name, probe from another SessionLocks.
import type { DataSource, QueryRunner } from 'typeorm';

export class SessionLocks {
  private connection?: QueryRunner;

  constructor(private readonly dataSource: DataSource) {}

  private async session(): Promise<QueryRunner> {
    if (!this.connection) {
      this.connection = this.dataSource.createQueryRunner();
      await this.connection.connect();
    }
    return this.connection;
  }

  /** Waits until the lock is this session's. */
  async lock(name: string): Promise<void> {
    await (await this.session()).query('SELECT pg_advisory_lock(hashtext($1))', [name]);
  }

  /** Takes the lock if no other session holds it; says whether it did. */
  async tryLock(name: string): Promise<boolean> {
    const [{ free }] = (await (await this.session()).query('SELECT pg_try_advisory_lock(hashtext($1)) AS free', [name])) as Array<{
      free: boolean;
    }>;
    return free;
  }

  async unlock(name: string): Promise<void> {
    await (await this.session()).query('SELECT pg_advisory_unlock(hashtext($1))', [name]);
  }

  /** Whether the session still stands; a broken one (PostgreSQL restarted) lost its locks and is closed. */
  async alive(): Promise<boolean> {
    if (!this.connection) return false;
    try {
      await this.connection.query('SELECT 1');
      return true;
    } catch {
      await this.release().catch(() => undefined);
      return false;
    }
  }

  /** Closes the connection: every lock it held is given up. */
  async release(): Promise<void> {
    const connection = this.connection;
    this.connection = undefined;
    await connection?.release();
  }
}
