import type { DataSource } from 'typeorm';
import type { Phase, Rung } from '../../../domain/src';
import type { EscalationSubject } from '../entities/escalation.entity';
import type { NotificationChannel, NotificationStatus } from '../entities/notification.entity';

/** One fired rung, as the workflow reports it. */
export interface EscalationRecord {
  key: string;
  campaignId: string | null;
  unitId: string;
  itemId: string | null;
  groupId: string | null;
  subject: EscalationSubject;
  phase: Phase | null;
  rung: Rung;
  deadline: string;
  firedAt: string;
  recipients: string[];
  summary: string;
  /** An item's measure, its text (the unit's code and name, the item's owner, a programme's name and goal are looked up). */
  measure?: string | null;
  /** The plan version whose ladder computed the rung (null: recorded before versions). */
  planVersion?: number | null;
}

export interface QueuedNotification {
  id: string;
  escalationKey: string;
  channel: NotificationChannel;
  recipient: string;
  payload: Record<string, unknown>;
  status: NotificationStatus;
  attempts: number;
}

export interface EscalationRepository {
  /**
   * Records the escalation once per key and, in the same transaction, one notification per recipient and
   * channel (each once): the outbox row is the delivery itself (recorded as sent), the others are queued.
   * `created` is false when the key was recorded before; `queued` counts the rows still to send.
   */
  record(
    escalation: EscalationRecord,
    channels: NotificationChannel[],
    payloadFor: (recipient: string) => Record<string, unknown>,
    at: Date,
  ): Promise<{ escalationId: string; created: boolean; queued: number }>;
  /** Notifications of the escalation not yet sent, oldest first. */
  unsent(escalationKey: string): Promise<QueuedNotification[]>;
  /** Counts an attempt before it is made, so a crash mid-send still shows. */
  markAttempt(notificationId: string): Promise<void>;
  markSent(notificationId: string, at: Date): Promise<void>;
  /** Records why the attempt failed; `final` gives the row up (status failed). */
  markError(notificationId: string, error: string, final: boolean): Promise<void>;
}

// The facts the console words a rung with are kept beside it, as they were when it fired.
const INSERT_ESCALATION = `
INSERT INTO escalations (key, campaign_id, unit_id, item_id, group_id, subject, phase, rung, deadline, fired_at,
  recipients, summary, measure, plan_version, unit_code, unit_name, owner, programme_name, goal_title)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::jsonb, $12, $13, $14,
  (SELECT code FROM units WHERE id = $3), (SELECT name FROM units WHERE id = $3),
  CASE WHEN $6 = 'item' THEN (SELECT owner FROM item_states WHERE item_id = $4) END,
  CASE WHEN $6 = 'programme-goal' THEN (SELECT p.name FROM programmes p, jsonb_array_elements(p.goals) g WHERE g->>'id' = $4 LIMIT 1) END,
  CASE WHEN $6 = 'programme-goal' THEN (SELECT g->>'title' FROM programmes p, jsonb_array_elements(p.goals) g WHERE g->>'id' = $4 LIMIT 1) END)
ON CONFLICT (key) DO NOTHING
RETURNING id`;

const INSERT_NOTIFICATION = `
INSERT INTO notifications (escalation_key, channel, recipient, payload, status, sent_at)
VALUES ($1, $2, $3, $4::jsonb, CASE WHEN $2 = 'outbox' THEN 'sent' ELSE 'queued' END, CASE WHEN $2 = 'outbox' THEN $5::timestamptz END)
ON CONFLICT (escalation_key, channel, recipient) DO NOTHING`;

export class PgEscalationRepository implements EscalationRepository {
  constructor(private readonly dataSource: DataSource) {}

  record(
    e: EscalationRecord,
    channels: NotificationChannel[],
    payloadFor: (recipient: string) => Record<string, unknown>,
    at: Date,
  ): Promise<{ escalationId: string; created: boolean; queued: number }> {
    return this.dataSource.transaction(async (manager) => {
      const inserted: Array<{ id: string }> = await manager.query(INSERT_ESCALATION, [
        e.key,
        e.campaignId,
        e.unitId,
        e.itemId,
        e.groupId,
        e.subject,
        e.phase,
        e.rung,
        e.deadline,
        e.firedAt,
        JSON.stringify(e.recipients),
        e.summary,
        e.measure ?? null,
        e.planVersion ?? null,
      ]);
      const created = inserted.length > 0;
      const escalationId = created
        ? inserted[0].id
        : ((await manager.query('SELECT id FROM escalations WHERE key = $1', [e.key])) as Array<{ id: string }>)[0].id;
      // Also on a repeat: a channel configured since the first attempt gets its rows, the others are kept as they are.
      for (const recipient of e.recipients) {
        const payload = JSON.stringify(payloadFor(recipient));
        for (const channel of channels) await manager.query(INSERT_NOTIFICATION, [e.key, channel, recipient, payload, at]);
      }
      const [{ queued }] = await manager.query(
        `SELECT count(*)::int AS queued FROM notifications WHERE escalation_key = $1 AND status = 'queued'`,
        [e.key],
      );
      return { escalationId, created, queued };
    });
  }

  async unsent(escalationKey: string): Promise<QueuedNotification[]> {
    const rows: Array<Record<string, unknown>> = await this.dataSource.query(
      `SELECT id, escalation_key, channel, recipient, payload, status, attempts FROM notifications
        WHERE escalation_key = $1 AND status = 'queued' ORDER BY created_at, id`,
      [escalationKey],
    );
    return rows.map((r) => ({
      id: r.id as string,
      escalationKey: r.escalation_key as string,
      channel: r.channel as NotificationChannel,
      recipient: r.recipient as string,
      payload: r.payload as Record<string, unknown>,
      status: r.status as NotificationStatus,
      attempts: r.attempts as number,
    }));
  }

  async markAttempt(notificationId: string): Promise<void> {
    await this.dataSource.query('UPDATE notifications SET attempts = attempts + 1 WHERE id = $1', [notificationId]);
  }

  async markSent(notificationId: string, at: Date): Promise<void> {
    await this.dataSource.query(
      `UPDATE notifications SET status = 'sent', sent_at = $2, last_error = NULL WHERE id = $1 AND status <> 'sent'`,
      [notificationId, at],
    );
  }

  async markError(notificationId: string, error: string, final: boolean): Promise<void> {
    await this.dataSource.query(
      `UPDATE notifications SET last_error = $2, status = CASE WHEN $3 THEN 'failed' ELSE status END
        WHERE id = $1 AND status = 'queued'`,
      [notificationId, error.slice(0, 2000), final],
    );
  }
}
