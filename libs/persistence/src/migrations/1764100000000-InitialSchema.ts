import type { MigrationInterface, QueryRunner } from 'typeorm';

// The first schema of massline, written as SQL so that it says exactly what the database enforces.
// Enrolment tables (campaigns, groups, units, principals, programmes) carry foreign keys; the read model
// (unit_states, item_states) and the escalation records are derived from workflow histories and carry none,
// so a projection never fails on the order in which rows arrive (reconciliation checks them instead).

const UP = `
CREATE TABLE campaigns (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name        text NOT NULL,
  plan        jsonb NOT NULL,
  status      text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'running', 'done')),
  starts_at   timestamptz NOT NULL,
  created_by  uuid NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  started_at  timestamptz
);

CREATE TABLE supervisory_groups (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  campaign_id uuid NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
  name        text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT uq_supervisory_groups_campaign_name UNIQUE (campaign_id, name)
);

CREATE TABLE units (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  campaign_id uuid NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
  code        text NOT NULL,
  name        text NOT NULL,
  kind        text NOT NULL CHECK (kind IN ('organ', 'enterprise', 'university', 'affiliated', 'grassroots')),
  level       text NOT NULL CHECK (level IN ('municipal', 'district')),
  batch       integer NOT NULL CHECK (batch IN (1, 2)),
  parent_code text,
  group_id    uuid NOT NULL REFERENCES supervisory_groups (id),
  created_at  timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT uq_units_campaign_code UNIQUE (campaign_id, code)
);
-- startBatchUnits pages a batch by code (keyset), the API filters by batch.
CREATE INDEX ix_units_campaign_batch_code ON units (campaign_id, batch, code);
CREATE INDEX ix_units_group ON units (group_id);

CREATE TABLE principals (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name        text NOT NULL,
  role        text NOT NULL CHECK (role IN ('office', 'unit', 'supervisor', 'auditor')),
  unit_id     uuid REFERENCES units (id),
  group_id    uuid REFERENCES supervisory_groups (id),
  token_hash  text NOT NULL,
  created_by  uuid REFERENCES principals (id),
  created_at  timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT uq_principals_token_hash UNIQUE (token_hash),
  CONSTRAINT ck_principals_token_hash CHECK (token_hash ~ '^[0-9a-f]{64}$'),
  -- A unit principal acts for exactly one unit, a supervisor for exactly one group (API.md scopes).
  CONSTRAINT ck_principals_scope CHECK (
    (role = 'unit' AND unit_id IS NOT NULL AND group_id IS NULL) OR
    (role = 'supervisor' AND group_id IS NOT NULL AND unit_id IS NULL) OR
    (role IN ('office', 'auditor') AND unit_id IS NULL AND group_id IS NULL)
  )
);
ALTER TABLE campaigns ADD CONSTRAINT fk_campaigns_created_by FOREIGN KEY (created_by) REFERENCES principals (id);

CREATE TABLE unit_states (
  unit_id          uuid PRIMARY KEY,
  campaign_id      uuid NOT NULL,
  code             text NOT NULL,
  batch            integer NOT NULL CHECK (batch IN (1, 2)),
  group_id         uuid NOT NULL,
  phase            text NOT NULL CHECK (phase IN ('P1', 'P2', 'P3', 'DONE')),
  status           text NOT NULL CHECK (status IN ('waiting', 'active', 'done')),
  card             text NOT NULL CHECK (card IN ('none', 'yellow', 'red')),
  window_starts_at timestamptz,
  window_ends_at   timestamptz,
  unmet_gates      jsonb NOT NULL DEFAULT '[]'::jsonb,
  view             jsonb NOT NULL,
  version          integer NOT NULL,
  projected_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ix_unit_states_campaign_batch_phase ON unit_states (campaign_id, batch, phase);
CREATE INDEX ix_unit_states_campaign_card ON unit_states (campaign_id, card);
CREATE INDEX ix_unit_states_campaign_group ON unit_states (campaign_id, group_id);

CREATE TABLE item_states (
  item_id      text PRIMARY KEY,
  unit_id      uuid NOT NULL,
  campaign_id  uuid NOT NULL,
  group_id     uuid NOT NULL,
  status       text NOT NULL CHECK (status IN ('pending', 'open', 'submitted', 'closed', 'carried')),
  card         text NOT NULL CHECK (card IN ('none', 'yellow', 'red')),
  deadline     timestamptz NOT NULL,
  measure      text NOT NULL,
  owner        text NOT NULL,
  view         jsonb NOT NULL,
  version      integer NOT NULL,
  projected_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ix_item_states_campaign_status ON item_states (campaign_id, status);
CREATE INDEX ix_item_states_unit ON item_states (unit_id);
-- Overdue counts: open or submitted items whose deadline has passed.
CREATE INDEX ix_item_states_campaign_deadline ON item_states (campaign_id, deadline);

CREATE TABLE escalations (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  key         text NOT NULL,
  campaign_id uuid NOT NULL,
  unit_id     uuid NOT NULL,
  item_id     text,
  group_id    uuid NOT NULL,
  subject     text NOT NULL CHECK (subject IN ('item', 'phase-window', 'programme-goal')),
  phase       text CHECK (phase IN ('P1', 'P2', 'P3', 'DONE')),
  rung        text NOT NULL CHECK (rung IN ('reminder', 'yellow', 'red', 'referral')),
  deadline    timestamptz NOT NULL,
  fired_at    timestamptz NOT NULL,
  recipients  jsonb NOT NULL,
  summary     text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT uq_escalations_key UNIQUE (key)
);
CREATE INDEX ix_escalations_campaign_rung_fired ON escalations (campaign_id, rung, fired_at);
CREATE INDEX ix_escalations_group_fired ON escalations (group_id, fired_at);
CREATE INDEX ix_escalations_unit_fired ON escalations (unit_id, fired_at);

CREATE TABLE notifications (
  id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  escalation_key text NOT NULL REFERENCES escalations (key),
  channel        text NOT NULL CHECK (channel IN ('outbox', 'webhook')),
  recipient      text NOT NULL,
  payload        jsonb NOT NULL,
  status         text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sent', 'failed')),
  attempts       integer NOT NULL DEFAULT 0,
  last_error     text,
  created_at     timestamptz NOT NULL DEFAULT now(),
  sent_at        timestamptz,
  CONSTRAINT uq_notifications_key_channel_recipient UNIQUE (escalation_key, channel, recipient)
);
CREATE INDEX ix_notifications_status_created ON notifications (status, created_at);

CREATE TABLE measures (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  campaign_id  uuid,
  unit_id      uuid NOT NULL,
  item_id      text,
  kind         text NOT NULL CHECK (kind IN ('reminder-talk', 'team-rectification', 'adjustment', 'referral')),
  subject      text NOT NULL,
  reason       text NOT NULL,
  status       text NOT NULL DEFAULT 'proposed' CHECK (status IN ('proposed', 'confirmed')),
  proposal_key text,
  created_by   uuid REFERENCES principals (id),
  created_at   timestamptz NOT NULL DEFAULT now(),
  confirmed_by uuid REFERENCES principals (id),
  confirmed_at timestamptz,
  CONSTRAINT uq_measures_proposal_key UNIQUE (proposal_key),
  CONSTRAINT ck_measures_confirmed CHECK ((status = 'confirmed') = (confirmed_at IS NOT NULL))
);
CREATE INDEX ix_measures_unit_created ON measures (unit_id, created_at);
CREATE INDEX ix_measures_campaign_status ON measures (campaign_id, status);

CREATE TABLE programmes (
  id                   uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name                 text NOT NULL,
  track                text NOT NULL CHECK (track IN ('governance', 'action')),
  lead_leader          text NOT NULL,
  lead_unit_id         uuid NOT NULL REFERENCES units (id),
  responsible_unit_ids jsonb NOT NULL DEFAULT '[]'::jsonb,
  goals                jsonb NOT NULL DEFAULT '[]'::jsonb,
  created_by           uuid NOT NULL REFERENCES principals (id),
  created_at           timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE idempotency_keys (
  scope       text NOT NULL,
  key         text NOT NULL,
  method      text NOT NULL,
  path        text NOT NULL,
  body_hash   text NOT NULL,
  status_code integer NOT NULL,
  response    jsonb,
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (scope, key)
);
CREATE INDEX ix_idempotency_keys_created ON idempotency_keys (created_at);

CREATE TABLE audit_log (
  id          bigserial PRIMARY KEY,
  at          timestamptz NOT NULL DEFAULT now(),
  actor_id    text NOT NULL,
  actor_role  text NOT NULL,
  call        text NOT NULL,
  workflow_id text,
  unit_id     text,
  item_id     text,
  outcome     text NOT NULL CHECK (outcome IN ('refused', 'accepted')),
  rule        text,
  message     text NOT NULL,
  detail      jsonb
);
CREATE INDEX ix_audit_log_unit_at ON audit_log (unit_id, at);
CREATE INDEX ix_audit_log_item_at ON audit_log (item_id, at);
CREATE INDEX ix_audit_log_workflow_at ON audit_log (workflow_id, at);

-- The audit log is evidence: once written, no row changes or disappears.
CREATE FUNCTION massline_audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER audit_log_no_update_delete BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION massline_audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION massline_audit_log_append_only();

CREATE TABLE replay_jobs (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  requested_by text NOT NULL,
  request      jsonb NOT NULL,
  status       text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'done', 'failed')),
  total        integer NOT NULL DEFAULT 0,
  replayed     integer NOT NULL DEFAULT 0,
  failures     jsonb NOT NULL DEFAULT '[]'::jsonb,
  error        text,
  created_at   timestamptz NOT NULL DEFAULT now(),
  finished_at  timestamptz
);
CREATE INDEX ix_replay_jobs_created ON replay_jobs (created_at);
`;

const DOWN = `
DROP TABLE IF EXISTS replay_jobs;
DROP TABLE IF EXISTS audit_log;
DROP FUNCTION IF EXISTS massline_audit_log_append_only();
DROP TABLE IF EXISTS idempotency_keys;
DROP TABLE IF EXISTS programmes;
DROP TABLE IF EXISTS measures;
DROP TABLE IF EXISTS notifications;
DROP TABLE IF EXISTS escalations;
DROP TABLE IF EXISTS item_states;
DROP TABLE IF EXISTS unit_states;
ALTER TABLE IF EXISTS campaigns DROP CONSTRAINT IF EXISTS fk_campaigns_created_by;
DROP TABLE IF EXISTS principals;
DROP TABLE IF EXISTS units;
DROP TABLE IF EXISTS supervisory_groups;
DROP TABLE IF EXISTS campaigns;
`;

export class InitialSchema1764100000000 implements MigrationInterface {
  name = 'InitialSchema1764100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(UP);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(DOWN);
  }
}
