import type { MigrationInterface, QueryRunner } from 'typeorm';

// Documents leave the workflow histories: texts are stored once, content-addressed by sha256 (the digest the
// history records), so a text changed afterwards no longer matches its digest and reconciliation shows it. A
// request stores its texts before its decision is sent; if the decision is refused, the texts it alone stored
// go again (`claim`), so a refused request leaves nothing behind.
// What a unit or an item accumulates (records, opinions, problems, meetings, transitions, objections, task-book
// items, progress notes, extensions, verifications) is projected, entry by entry, into `entries`. A citizen's
// contact never enters a history: it lives in `opinion_contacts`, where the office can erase it.
// `activity_failures` shows projections and escalation records that keep failing (they are retried, never
// dropped), for /health/ready and /metrics.
const UP = `
CREATE TABLE documents (
  digest     text PRIMARY KEY CHECK (digest ~ '^[0-9a-f]{64}$'),
  body       text NOT NULL,
  chars      integer NOT NULL CHECK (chars >= 0),
  bytes      integer NOT NULL CHECK (bytes >= 0),
  created_at timestamptz NOT NULL DEFAULT now(),
  -- The request that last stored (or re-stored) the text: a refused request removes a text only it stored.
  claim      uuid NOT NULL
);

CREATE TABLE opinion_contacts (
  ref        uuid PRIMARY KEY,
  unit_id    uuid NOT NULL,
  contact    text,
  created_at timestamptz NOT NULL DEFAULT now(),
  erased_at  timestamptz,
  erased_by  uuid REFERENCES principals (id),
  CONSTRAINT ck_opinion_contacts_erased CHECK ((contact IS NULL) = (erased_at IS NOT NULL))
);
CREATE INDEX ix_opinion_contacts_unit ON opinion_contacts (unit_id);

CREATE TABLE entries (
  campaign_id uuid NOT NULL,
  subject_id  text NOT NULL,
  kind        text NOT NULL,
  entry_id    text NOT NULL,
  seq         integer NOT NULL,
  rev         integer NOT NULL,
  at          timestamptz NOT NULL,
  data        jsonb NOT NULL,
  PRIMARY KEY (subject_id, kind, entry_id)
);
CREATE INDEX ix_entries_subject_kind_seq ON entries (subject_id, kind, seq);
CREATE INDEX ix_entries_campaign_kind ON entries (campaign_id, kind);

CREATE TABLE activity_failures (
  workflow_id     text NOT NULL,
  activity_id     text NOT NULL,
  activity        text NOT NULL,
  attempts        integer NOT NULL,
  last_error      text NOT NULL,
  first_failed_at timestamptz NOT NULL DEFAULT now(),
  last_failed_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workflow_id, activity_id)
);
`;

const DOWN = `
DROP TABLE IF EXISTS activity_failures;
DROP TABLE IF EXISTS entries;
DROP TABLE IF EXISTS opinion_contacts;
DROP TABLE IF EXISTS documents;
`;

export class DocumentsEntriesAndActivityFailures1764100000002 implements MigrationInterface {
  name = 'DocumentsEntriesAndActivityFailures1764100000002';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(UP);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(DOWN);
  }
}
