// 全程参与 across units: a supervisor attests presence at one meeting at a time. Each unit's workflow knows only
// its own meeting, so the API keeps every supervisor's attested intervals in PostgreSQL and checks a new one
// against them, under a lock, before the workflow is asked; the interval is held while the workflow decides
// and kept, or given back, by its answer. A refusal is audited like any other (WorkflowGateway's authorize).
import { DomainError, ruleViolation, unitWorkflowId, type MeetingView } from '../../../../libs/domain/src';
import { unitStateQuery } from '../../../../workflows/definitions';
import type { Principal } from '../auth/principal';
import type { PresenceKey, PresenceRepository, PresenceRow } from '../repositories/presence.repository';
import type { UnitRecord } from '../repositories/units.repository';
import type { WorkflowGateway } from '../workflow/workflow-gateway';
import type { EntriesRepository } from '../repositories/entries.repository';

/** A pending interval older than this is settled by asking its unit's workflow whether it was applied. */
const SETTLE_AFTER_SECONDS = 30;

export class MeetingPresence {
  constructor(
    private readonly presence: PresenceRepository,
    private readonly workflows: WorkflowGateway,
    /** The unit's earlier meetings (reconvened ones) are entries of the read model. */
    private readonly entries?: Pick<EntriesRepository, 'get'>,
  ) {}

  /**
   * Runs the attendance update `send`, giving it the overlap check to run as part of its authorization. The
   * interval is reserved by the check, made attested when the workflow accepts, released when it refuses, and
   * left pending when the outcome is unknown (a retry with the same Idempotency-Key settles it).
   */
  async attest(by: Principal, unit: UnitRecord, interval: { arrivedAt: string; leftAt: string }, send: (check: () => Promise<void>) => Promise<MeetingView>) {
    let reserved: PresenceKey | undefined;
    const check = async () => {
      const view = await this.workflows.state(unitStateQuery, unitWorkflowId(unit.id));
      const meeting = view?.meeting;
      const arrived = new Date(interval.arrivedAt);
      const left = new Date(interval.leftAt);
      // No scheduled meeting, or a reversed interval: the workflow refuses it, nothing to reserve.
      if (meeting?.status !== 'scheduled' || !(left > arrived)) return;
      const key = { supervisorId: by.id, unitId: unit.id, meetingId: meeting.id };
      const clash = await this.presence.reserve(key, arrived, left, (row) => this.settle(row));
      if (clash) {
        throw ruleViolation(
          'meeting.attendance-overlap',
          `a supervisor is in one room at a time: presence ${interval.arrivedAt}–${interval.leftAt} overlaps presence ` +
            `${clash.state === 'attested' ? 'attested' : 'being attested'} at another meeting (${clash.arrivedAt}–${clash.leftAt})`,
        );
      }
      reserved = key;
    };
    try {
      const result = await send(check);
      if (reserved) await this.presence.confirm(reserved, result.id);
      return result;
    } catch (err) {
      // A DomainError is a refusal (nothing applied); anything else (engine or database down) may have been applied.
      if (reserved && err instanceof DomainError) await this.presence.release(reserved);
      throw err;
    }
  }

  /** Whether a pending interval was applied by its workflow: true, false, or undefined while that is not known. */
  private async settle(row: PresenceRow): Promise<boolean | undefined> {
    if (row.ageSeconds < SETTLE_AFTER_SECONDS) return undefined;
    const view = await this.workflows.state(unitStateQuery, unitWorkflowId(row.unitId)).catch(() => undefined);
    if (!view) return undefined;
    // The meeting is the current one, or an earlier one the unit has since reconvened (an entry by then).
    const meeting: Pick<MeetingView, 'attendance'> | undefined =
      view.meeting?.id === row.meetingId ? view.meeting : ((await this.entries?.get(row.unitId, 'meeting', row.meetingId).catch(() => undefined)) as MeetingView | undefined);
    if (!meeting) return view.meeting && row.meetingId !== view.meeting.id && !this.entries ? undefined : false;
    const same = (a: string, b: string) => Date.parse(a) === Date.parse(b);
    return meeting.attendance.some((a) => a.supervisorId === row.supervisorId && same(a.arrivedAt, row.arrivedAt) && same(a.leftAt, row.leftAt));
  }
}
