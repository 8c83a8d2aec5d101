import type { MigrationInterface, QueryRunner } from 'typeorm';

// One-time sign-in links that the office hands to a principal, and the browser sessions they open. Only the
// sha256 of a link's code or a session's token is stored, like principals' tokens. A link is used once; a
// session ends at sign-out or when it expires; rows past their end are swept by the API.
export class SignInTokens1764400000000 implements MigrationInterface {
  name = 'SignInTokens1764400000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE sign_in_tokens (
        token_hash text PRIMARY KEY CONSTRAINT ck_sign_in_tokens_hash CHECK (token_hash ~ '^[0-9a-f]{64}$'),
        kind text NOT NULL CONSTRAINT ck_sign_in_tokens_kind CHECK (kind IN ('link', 'session')),
        principal_id uuid NOT NULL CONSTRAINT fk_sign_in_tokens_principal REFERENCES principals (id) ON DELETE CASCADE,
        created_by uuid NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        used_at timestamptz NULL
      );
      CREATE INDEX ix_sign_in_tokens_expires ON sign_in_tokens (expires_at);
      CREATE INDEX ix_sign_in_tokens_principal ON sign_in_tokens (principal_id);
    `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE sign_in_tokens`);
  }
}
