import type { MigrationInterface, QueryRunner } from 'typeorm';

// Programme goals escalate on the same ladder but belong to no campaign and no supervisory group, so an
// escalation may have neither. Unit codes are identifiers: byte order (COLLATE "C") lets the batch index
// serve startBatchUnits' keyset pages whatever the database's locale.
export class ProgrammeEscalationsAndUnitCodeOrder1764100000001 implements MigrationInterface {
  name = 'ProgrammeEscalationsAndUnitCodeOrder1764100000001';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE escalations ALTER COLUMN campaign_id DROP NOT NULL, ALTER COLUMN group_id DROP NOT NULL;
      ALTER TABLE units ALTER COLUMN code TYPE text COLLATE "C";
    `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE units ALTER COLUMN code TYPE text COLLATE "default";
      DELETE FROM notifications WHERE escalation_key IN
        (SELECT key FROM escalations WHERE campaign_id IS NULL OR group_id IS NULL);
      DELETE FROM escalations WHERE campaign_id IS NULL OR group_id IS NULL;
      ALTER TABLE escalations ALTER COLUMN campaign_id SET NOT NULL, ALTER COLUMN group_id SET NOT NULL;
    `);
  }
}
