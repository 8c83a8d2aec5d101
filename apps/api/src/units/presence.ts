// 全程参与 across units: a supervisor attests presence at one meeting at a time. Each unit's workflow knows only
// its own meeting, so the API keeps every supervisor's attested intervals in PostgreSQL and checks a new one
// against them, under a lock, before the workflow is asked; the interval is held while the workflow decides
// and kept, or given back, by its answer. A refusal is audited like any other (WorkflowGateway's authorize).
// What the unit's meeting is and whether an attestation was applied are read from the read model, never from the
// workflow (a read must not depend on a worker).
import { DomainError, ruleViolation, type MeetingView } from '../../../../libs/domain/src';
import type { Principal } from '../auth/principal';
import type {
  EntriesRepository,
  PresenceKey,
  PresenceRepository,
  PresenceRow,
  UnitRecord,
  ViewsRepository,
} from '../../../../libs/persistence/src';

/** A pending interval older than this is settled from the read model: was it applied? */
const SETTLE_AFTER_SECONDS = 30;
/**
 * The meeting an attestation is reserved under while the read model does not show a scheduled one yet (it may lag
 * the workflow): the workflow's answer names the meeting, and the reservation takes that name when confirmed.
 */
const MEETING_NOT_PROJECTED_YET = 'meeting-not-projected-yet';

export class MeetingPresence {
  constructor(
    private readonly presence: PresenceRepository,
    private readonly views: Pick<ViewsRepository, 'unit'>,
    /** The unit's earlier meetings (reconvened ones) are entries of the read model. */
    private readonly entries?: Pick<EntriesRepository, 'get'>,
  ) {}

  /**
   * Runs the attendance update `send`, giving it the overlap check to run as part of its authorization. The
   * interval is reserved by the check, made attested when the workflow accepts, released when it refuses, and
   * left pending when the outcome is unknown (a retry with the same Idempotency-Key settles it).
   */
  async attest(
    by: Principal,
    unit: UnitRecord,
    interval: { arrivedAt: string; leftAt: string },
    send: (check: () => Promise<void>) => Promise<MeetingView>,
  ) {
    let reserved: PresenceKey | undefined;
    const check = async () => {
      const meeting = (await this.views.unit(unit.id))?.view.meeting;
      const arrived = new Date(interval.arrivedAt);
      const left = new Date(interval.leftAt);
      // A reversed interval: the workflow refuses it, nothing to reserve.
      if (!(left > arrived)) return;
      // The read model may not show the meeting the workflow has scheduled yet: reserve anyway (the workflow
      // refuses an attestation without a scheduled meeting, and the reservation then goes).
      const meetingId = meeting?.status === 'scheduled' ? meeting.id : MEETING_NOT_PROJECTED_YET;
      const key = { supervisorId: by.id, unitId: unit.id, meetingId };
      // Reserved under the placeholder by an earlier attempt of this call (its answer lost), the interval is this
      // meeting's: the unit has one scheduled meeting at a time.
      const adopt = meetingId === MEETING_NOT_PROJECTED_YET ? undefined : MEETING_NOT_PROJECTED_YET;
      const clash = await this.presence.reserve(key, arrived, left, (row) => this.settle(row), adopt);
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

  /**
   * Whether a pending interval was applied, from the read model: true when the meeting shows the attestation;
   * false when the unit's view was projected after the reservation was made and does not; undefined while that is
   * not known (the decision may still be in flight, or its projection late).
   */
  private async settle(row: PresenceRow): Promise<boolean | undefined> {
    if (row.ageSeconds < SETTLE_AFTER_SECONDS) return undefined;
    const projected = await this.views.unit(row.unitId).catch(() => undefined);
    if (!projected) return undefined;
    const current = projected.view.meeting;
    // The meeting is the current one, or an earlier one the unit has since reconvened (an entry by then).
    const meeting: Pick<MeetingView, 'attendance'> | undefined =
      row.meetingId === MEETING_NOT_PROJECTED_YET || current?.id === row.meetingId
        ? current
        : ((await this.entries?.get(row.unitId, 'meeting', row.meetingId).catch(() => undefined)) as MeetingView | undefined);
    const same = (a: string, b: string) => Date.parse(a) === Date.parse(b);
    if (
      meeting?.attendance.some((a) => a.supervisorId === row.supervisorId && same(a.arrivedAt, row.arrivedAt) && same(a.leftAt, row.leftAt))
    )
      return true;
    const reservedAt = Date.now() - row.ageSeconds * 1000;
    return Date.parse(projected.projectedAt) > reservedAt + SETTLE_AFTER_SECONDS * 1000 ? false : undefined;
  }
}
