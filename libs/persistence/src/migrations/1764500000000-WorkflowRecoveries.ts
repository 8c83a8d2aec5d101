import type { MigrationInterface, QueryRunner } from 'typeorm';

// Runs stuck on a nondeterminism error, one row per run: whether recovery reset it (to which event, into which
// new run), left it to people, or found it closed already, and why. Workers claim a run here first, so that it is reset once. Replay
// jobs list the divergences that are the SDK's (runs recovery ended, among them) apart from their failures.
export class WorkflowRecoveries1764500000000 implements MigrationInterface {
  name = 'WorkflowRecoveries1764500000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE workflow_recoveries (
        run_id             text PRIMARY KEY,
        workflow_id        text NOT NULL,
        verdict            text NULL CONSTRAINT ck_workflow_recoveries_verdict CHECK (verdict IN ('reset', 'left', 'closed')),
        reason             text NULL,
        failure            text NULL,
        diverging_event_id integer NULL,
        reset_event_id     integer NULL,
        new_run_id         text NULL,
        claimed_by         text NOT NULL,
        claimed_at         timestamptz NOT NULL DEFAULT now(),
        settled_at         timestamptz NULL
      );
      CREATE INDEX ix_workflow_recoveries_workflow ON workflow_recoveries (workflow_id);
      ALTER TABLE replay_jobs ADD COLUMN sdk_defects jsonb NOT NULL DEFAULT '[]';
    `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE replay_jobs DROP COLUMN sdk_defects; DROP TABLE workflow_recoveries`);
  }
}
