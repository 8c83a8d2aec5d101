import type { MigrationInterface, QueryRunner } from 'typeorm';

// The public channels' rate limit, kept where every API sees it: one row per client address with the moments
// (ms) of the requests let through in the last window, oldest first — at most the limit, so a row stays small.
// UNLOGGED: a window lost in a crash costs nothing but a fresh minute, and needs no WAL. A row whose every
// moment has left the window (expires_at) is swept.
export class PublicRateLimitWindows1764619000000 implements MigrationInterface {
  name = 'PublicRateLimitWindows1764619000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE UNLOGGED TABLE rate_limit_windows (
        key        text PRIMARY KEY,
        hits       bigint[] NOT NULL,
        allowed    boolean NOT NULL DEFAULT true,
        expires_at bigint NOT NULL
      );
      CREATE INDEX ix_rate_limit_windows_expires ON rate_limit_windows (expires_at);
    `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE rate_limit_windows`);
  }
}
