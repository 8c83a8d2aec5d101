import type { MigrationInterface, QueryRunner } from 'typeorm';

// DOMAIN.md 全程参与: a supervisor attests presence from a meeting's start to its end, and a person is in one
// room at a time. Meetings are in different units' workflows, so the intervals each supervisor attested are
// kept here, where one check can see them all (apps/api/src/units/presence.ts). A `pending` row holds an
// interval while its attestation is being decided by the workflow; `attested` once the workflow accepted it.
export class SupervisorPresence1764200000001 implements MigrationInterface {
  name = 'SupervisorPresence1764200000001';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE supervisor_presence (
        supervisor_id uuid NOT NULL,
        unit_id uuid NOT NULL,
        meeting_id text NOT NULL,
        state text NOT NULL CONSTRAINT ck_supervisor_presence_state CHECK (state IN ('pending', 'attested')),
        arrived_at timestamptz NOT NULL,
        left_at timestamptz NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_supervisor_presence PRIMARY KEY (supervisor_id, unit_id, meeting_id, state),
        CONSTRAINT ck_supervisor_presence_interval CHECK (left_at > arrived_at)
      );
      CREATE INDEX ix_supervisor_presence_supervisor_arrived ON supervisor_presence (supervisor_id, arrived_at);
    `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE IF EXISTS supervisor_presence');
  }
}
