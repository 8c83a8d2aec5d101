import type { MigrationInterface, QueryRunner } from 'typeorm';

// A programme's view in the read model, as units and items have theirs (and like theirs without a foreign key:
// the read model follows the workflows). The API reads it from here, never from the workflow: a read must not
// depend on a worker being up, nor feed a workflow task to a stale clock.
export class ProgrammeStates1764700000000 implements MigrationInterface {
  name = 'ProgrammeStates1764700000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE programme_states (
        programme_id uuid PRIMARY KEY,
        status text NOT NULL CONSTRAINT ck_programme_states_status CHECK (status IN ('active', 'done')),
        card text NOT NULL CONSTRAINT ck_programme_states_card CHECK (card IN ('none', 'yellow', 'red')),
        view jsonb NOT NULL,
        version integer NOT NULL,
        projected_at timestamptz NOT NULL
      );
    `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE IF EXISTS programme_states');
  }
}
