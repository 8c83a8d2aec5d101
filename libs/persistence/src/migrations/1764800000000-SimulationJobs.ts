import type { MigrationInterface, QueryRunner } from 'typeorm';

// The office's simulations (massline simulate, run by the API in the background): what was asked, the progress, and
// the report. Bounded: the API keeps the newest SIMULATION_JOBS_KEPT finished jobs and sweeps the rest.
export class SimulationJobs1764800000000 implements MigrationInterface {
  name = 'SimulationJobs1764800000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE simulation_jobs (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        requested_by text NOT NULL,
        campaign_id uuid,
        request jsonb NOT NULL,
        status text NOT NULL DEFAULT 'queued' CONSTRAINT ck_simulation_jobs_status CHECK (status IN ('queued', 'running', 'done', 'failed')),
        progress jsonb NOT NULL DEFAULT '{}'::jsonb,
        report jsonb,
        stats jsonb,
        error text,
        created_at timestamptz NOT NULL DEFAULT now(),
        started_at timestamptz,
        finished_at timestamptz
      );
      CREATE INDEX ix_simulation_jobs_created ON simulation_jobs (created_at DESC);
    `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE IF EXISTS simulation_jobs');
  }
}
