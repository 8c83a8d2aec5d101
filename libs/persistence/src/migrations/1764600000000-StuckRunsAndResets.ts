import type { MigrationInterface, QueryRunner } from 'typeorm';

// No automatic reset. The worker's recovery, which reset runs on its own, is gone: its rows are evidence, so each
// one goes into the audit log — a reset as a `workflow reset` by the former automatic recovery (its reason, the
// old and new run and the event reset to), a run it left or found closed as a `stuck run` verdict — and its
// table is dropped. Replay jobs no longer file divergences apart: those of old jobs join their failures.
//
// In their place: stuck_runs, the runs whose workflow task keeps failing as the detector last saw them (one row
// per run, cleared when it moves again and swept a while later), with stuck_run_detector, the detector's last
// pass; and a unique request id on the resets the audit log records, so a repeated reset is recorded once.
export class StuckRunsAndResets1764600000000 implements MigrationInterface {
  name = 'StuckRunsAndResets1764600000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE stuck_runs (
        run_id             text PRIMARY KEY,
        workflow_id        text NOT NULL,
        workflow_type      text NOT NULL,
        attempt            integer NOT NULL,
        cause              text NOT NULL,
        message            text NOT NULL,
        source             text NOT NULL CONSTRAINT ck_stuck_runs_source CHECK (source IN ('history', 'replay')),
        failed_event_id    integer NULL,
        diverging_event_id integer NULL,
        last_good_event_id integer NULL,
        first_seen_at      timestamptz NOT NULL DEFAULT now(),
        last_seen_at       timestamptz NOT NULL DEFAULT now(),
        cleared_at         timestamptz NULL
      );
      CREATE INDEX ix_stuck_runs_stuck ON stuck_runs (first_seen_at, run_id) WHERE cleared_at IS NULL;
      CREATE INDEX ix_stuck_runs_cleared ON stuck_runs (cleared_at) WHERE cleared_at IS NOT NULL;
      CREATE INDEX ix_stuck_runs_workflow ON stuck_runs (workflow_id);

      CREATE TABLE stuck_run_detector (
        id           smallint PRIMARY KEY CONSTRAINT ck_stuck_run_detector_one CHECK (id = 1),
        detector     text NOT NULL,
        started_at   timestamptz NOT NULL,
        finished_at  timestamptz NULL,
        runs_checked integer NOT NULL DEFAULT 0,
        stuck        integer NOT NULL DEFAULT 0,
        duration_ms  integer NULL
      );

      CREATE UNIQUE INDEX ux_audit_log_reset_request ON audit_log ((detail->>'requestId')) WHERE call = 'workflow reset';

      INSERT INTO audit_log (at, actor_id, actor_role, call, workflow_id, unit_id, item_id, outcome, rule, message, detail)
      SELECT coalesce(r.settled_at, r.claimed_at), r.claimed_by, 'automatic recovery',
             CASE WHEN r.verdict = 'reset' THEN 'workflow reset' ELSE 'stuck run' END,
             r.workflow_id,
             CASE WHEN r.workflow_id LIKE 'massline-unit-%' THEN substr(r.workflow_id, 15)
                  WHEN r.workflow_id LIKE 'massline-item-%' THEN split_part(substr(r.workflow_id, 15), '.item-', 1) END,
             CASE WHEN r.workflow_id LIKE 'massline-item-%' THEN substr(r.workflow_id, 15) END,
             'accepted', NULL,
             coalesce(r.reason, 'claimed by the former automatic recovery, never settled'),
             jsonb_strip_nulls(jsonb_build_object(
               'runId', r.run_id,
               'newRunId', r.new_run_id,
               'eventId', r.reset_event_id,
               'divergingEventId', r.diverging_event_id,
               'failure', r.failure,
               'verdict', coalesce(r.verdict, 'undecided'),
               'claimedAt', r.claimed_at,
               'settledAt', r.settled_at,
               -- As the former recovery derived it (sha256 of "<run>:<event>", uuid-shaped): its reset's request id.
               'requestId', CASE WHEN r.verdict = 'reset' AND r.reset_event_id IS NOT NULL THEN (
                 SELECT substr(h, 1, 8) || '-' || substr(h, 9, 4) || '-4' || substr(h, 14, 3) || '-a' || substr(h, 18, 3) || '-' || substr(h, 21, 12)
                   FROM (SELECT encode(sha256(convert_to(r.run_id || ':' || r.reset_event_id, 'UTF8')), 'hex') AS h) x) END,
               'source', 'workflow_recoveries'))
        FROM workflow_recoveries r
       WHERE NOT EXISTS (SELECT 1 FROM audit_log l WHERE l.detail->>'source' = 'workflow_recoveries' AND l.detail->>'runId' = r.run_id)
       ORDER BY coalesce(r.settled_at, r.claimed_at), r.run_id;
      DROP TABLE workflow_recoveries;

      UPDATE replay_jobs SET failures = failures || sdk_defects WHERE sdk_defects <> '[]'::jsonb;
      ALTER TABLE replay_jobs DROP COLUMN sdk_defects;
    `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    // The audit log keeps what was carried into it (it is append-only); the table is rebuilt from it.
    await queryRunner.query(`
      ALTER TABLE replay_jobs ADD COLUMN sdk_defects jsonb NOT NULL DEFAULT '[]';
      UPDATE replay_jobs SET
        sdk_defects = coalesce((SELECT jsonb_agg(f) FROM jsonb_array_elements(failures) f WHERE f ? 'because'), '[]'::jsonb),
        failures    = coalesce((SELECT jsonb_agg(f) FROM jsonb_array_elements(failures) f WHERE NOT f ? 'because'), '[]'::jsonb)
      WHERE EXISTS (SELECT 1 FROM jsonb_array_elements(failures) f WHERE f ? 'because');

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
      INSERT INTO workflow_recoveries (run_id, workflow_id, verdict, reason, failure, diverging_event_id, reset_event_id, new_run_id, claimed_by, claimed_at, settled_at)
      SELECT detail->>'runId', workflow_id, nullif(detail->>'verdict', 'undecided'), message, detail->>'failure',
             (detail->>'divergingEventId')::integer, (detail->>'eventId')::integer, detail->>'newRunId', actor_id,
             (detail->>'claimedAt')::timestamptz, (detail->>'settledAt')::timestamptz
        FROM audit_log WHERE detail->>'source' = 'workflow_recoveries'
      ON CONFLICT (run_id) DO NOTHING;

      DROP INDEX ux_audit_log_reset_request;
      DROP TABLE stuck_run_detector;
      DROP TABLE stuck_runs;
    `);
  }
}
