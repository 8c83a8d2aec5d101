import type { MigrationInterface, QueryRunner } from 'typeorm';

// What the console words from fields instead of sentences: an escalation's unit, item owner and measure, or
// programme and goal (kept as they were when the rung fired); whether a campaign is listed on the public pages
// (off until the office publishes it, by default at its start); and the official holiday arrangements the office
// has loaded, per year, for plans of those years.
export class ConsoleFacts1764600000015 implements MigrationInterface {
  name = 'ConsoleFacts1764600000015';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE escalations
        ADD COLUMN unit_code text NULL,
        ADD COLUMN unit_name text NULL,
        ADD COLUMN owner text NULL,
        ADD COLUMN measure text NULL,
        ADD COLUMN programme_name text NULL,
        ADD COLUMN goal_title text NULL;
      UPDATE escalations e SET unit_code = u.code, unit_name = u.name FROM units u WHERE u.id = e.unit_id;
      UPDATE escalations e SET owner = i.owner FROM item_states i WHERE e.subject = 'item' AND i.item_id = e.item_id;
      ALTER TABLE campaigns ADD COLUMN public boolean NOT NULL DEFAULT false;
      UPDATE campaigns SET public = true WHERE status <> 'draft';
      CREATE TABLE holiday_arrangements (
        year      integer PRIMARY KEY CONSTRAINT ck_holiday_arrangements_year CHECK (year BETWEEN 2000 AND 2099),
        holidays  jsonb NOT NULL,
        workdays  jsonb NOT NULL,
        source    text NOT NULL,
        loaded_by uuid NULL,
        loaded_at timestamptz NOT NULL DEFAULT now()
      );
    `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      DROP TABLE holiday_arrangements;
      ALTER TABLE campaigns DROP COLUMN public;
      ALTER TABLE escalations DROP COLUMN unit_code, DROP COLUMN unit_name, DROP COLUMN owner, DROP COLUMN measure,
        DROP COLUMN programme_name, DROP COLUMN goal_title;
    `);
  }
}
