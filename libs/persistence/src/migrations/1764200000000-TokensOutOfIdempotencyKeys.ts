import type { MigrationInterface, QueryRunner } from 'typeorm';

// A bearer token exists only as its hash: answers stored for Idempotency-Key replays of principal creation
// used to keep the new token in plain text. They no longer do; this removes the ones already stored.
export class TokensOutOfIdempotencyKeys1764200000000 implements MigrationInterface {
  name = 'TokensOutOfIdempotencyKeys1764200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `UPDATE idempotency_keys SET response = response - 'token' WHERE jsonb_typeof(response) = 'object' AND response ? 'token'`,
    );
  }

  async down(): Promise<void> {
    // A token removed cannot be brought back, and should not be.
  }
}
