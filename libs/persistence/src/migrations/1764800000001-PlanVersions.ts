import type { MigrationInterface, QueryRunner } from 'typeorm';

// Plan versions: a running campaign's plan changed by the office, version by version (who, when, why, the digest
// of the preview it confirmed, the diff), and which version each batch runs on. Version 1 is the plan the campaign
// started with (campaigns.plan). Every fired rung records the version it was computed under.
export class PlanVersions1764800000001 implements MigrationInterface {
  name = 'PlanVersions1764800000001';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE plan_versions (
        campaign_id uuid NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
        version integer NOT NULL CONSTRAINT ck_plan_versions_version CHECK (version >= 2),
        plan jsonb NOT NULL,
        based_on integer NOT NULL,
        batches integer[] NOT NULL,
        change jsonb NOT NULL,
        diff jsonb NOT NULL,
        preview_digest text NOT NULL,
        moves integer NOT NULL DEFAULT 0,
        reason text NOT NULL,
        created_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        rollout jsonb NOT NULL DEFAULT '{}'::jsonb,
        rolled_out_at timestamptz,
        PRIMARY KEY (campaign_id, version)
      );
      ALTER TABLE campaigns ADD COLUMN batch_plan_versions jsonb NOT NULL DEFAULT '{}'::jsonb;
      ALTER TABLE escalations ADD COLUMN plan_version integer;
    `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE escalations DROP COLUMN IF EXISTS plan_version;
      ALTER TABLE campaigns DROP COLUMN IF EXISTS batch_plan_versions;
      DROP TABLE IF EXISTS plan_versions;
    `);
  }
}
