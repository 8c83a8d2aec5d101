// The intervals each supervisor attested at meetings (supervisor_presence), checked and written under a lock
// per supervisor, so that two attestations of one person cannot both pass the overlap check.
import type { DataSource, EntityManager } from 'typeorm';

export interface PresenceKey {
  supervisorId: string;
  unitId: string;
  meetingId: string;
}

export interface PresenceRow extends PresenceKey {
  state: 'pending' | 'attested';
  arrivedAt: string;
  leftAt: string;
  /** Seconds since the row was written. */
  ageSeconds: number;
}

export class PresenceRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Reserves [arrived, left) for the supervisor at this meeting (a `pending` row) unless it overlaps an interval
   * of another meeting; returns that interval instead. A pending row whose outcome is unknown is asked about
   * (`settle`: was it applied?) before it counts. A pending row of this supervisor at this unit under `adopt` (a
   * reservation made before the meeting's name was known) is this meeting's: it is replaced, not a clash.
   */
  async reserve(
    key: PresenceKey,
    arrived: Date,
    left: Date,
    settle: (row: PresenceRow) => Promise<boolean | undefined>,
    adopt?: string,
  ): Promise<PresenceRow | undefined> {
    return this.dataSource.transaction(async (m) => {
      await m.query(`SELECT pg_advisory_xact_lock(hashtextextended('supervisor-presence:' || $1, 0))`, [key.supervisorId]);
      if (adopt !== undefined && adopt !== key.meetingId) await this.drop(m, { ...key, meetingId: adopt }, 'pending');
      const overlapping = await this.overlapping(m, key, arrived, left);
      for (const row of overlapping) {
        if (row.state === 'attested') return row;
        const applied = await settle(row);
        if (applied === false) await this.drop(m, row, 'pending');
        else if (applied === true) await this.promote(m, row, row.meetingId);
        // undefined: not known yet (the decision may still be in flight): it counts.
        if (applied !== false) return row;
      }
      await m.query(
        `INSERT INTO supervisor_presence (supervisor_id, unit_id, meeting_id, state, arrived_at, left_at)
         VALUES ($1, $2, $3, 'pending', $4, $5)
         ON CONFLICT ON CONSTRAINT pk_supervisor_presence
           DO UPDATE SET arrived_at = EXCLUDED.arrived_at, left_at = EXCLUDED.left_at, recorded_at = now()`,
        [key.supervisorId, key.unitId, key.meetingId, arrived, left],
      );
      return undefined;
    });
  }

  /** The workflow accepted the attestation (at `meetingId`, normally the one reserved): it replaces any earlier one. */
  async confirm(key: PresenceKey, meetingId: string): Promise<void> {
    await this.dataSource.transaction(async (m) => {
      await m.query(`SELECT pg_advisory_xact_lock(hashtextextended('supervisor-presence:' || $1, 0))`, [key.supervisorId]);
      await this.promote(m, key, meetingId);
    });
  }

  /** The workflow refused it: the reservation goes, an earlier attested interval stays. */
  async release(key: PresenceKey): Promise<void> {
    await this.drop(this.dataSource.manager, key, 'pending');
  }

  async ofSupervisor(supervisorId: string): Promise<PresenceRow[]> {
    return this.rows(this.dataSource.manager, 'WHERE supervisor_id = $1 ORDER BY arrived_at', [supervisorId]);
  }

  private async promote(m: EntityManager, key: PresenceKey, meetingId: string): Promise<void> {
    await m.query(`DELETE FROM supervisor_presence WHERE supervisor_id = $1 AND unit_id = $2 AND meeting_id = $3 AND state = 'attested'`, [
      key.supervisorId,
      key.unitId,
      meetingId,
    ]);
    await m.query(
      `UPDATE supervisor_presence SET state = 'attested', meeting_id = $4
       WHERE supervisor_id = $1 AND unit_id = $2 AND meeting_id = $3 AND state = 'pending'`,
      [key.supervisorId, key.unitId, key.meetingId, meetingId],
    );
  }

  private async drop(m: EntityManager, key: PresenceKey, state: 'pending' | 'attested'): Promise<void> {
    await m.query('DELETE FROM supervisor_presence WHERE supervisor_id = $1 AND unit_id = $2 AND meeting_id = $3 AND state = $4', [
      key.supervisorId,
      key.unitId,
      key.meetingId,
      state,
    ]);
  }

  private overlapping(m: EntityManager, key: PresenceKey, arrived: Date, left: Date): Promise<PresenceRow[]> {
    return this.rows(
      m,
      `WHERE supervisor_id = $1 AND NOT (unit_id = $2 AND meeting_id = $3) AND arrived_at < $5 AND left_at > $4
       ORDER BY state, arrived_at`,
      [key.supervisorId, key.unitId, key.meetingId, arrived, left],
    );
  }

  private async rows(m: EntityManager, where: string, params: unknown[]): Promise<PresenceRow[]> {
    const rows: Array<Record<string, unknown>> = await m.query(
      `SELECT supervisor_id, unit_id, meeting_id, state, arrived_at, left_at, extract(epoch FROM now() - recorded_at)::float8 AS age
       FROM supervisor_presence ${where}`,
      params,
    );
    return rows.map((r) => ({
      supervisorId: r.supervisor_id as string,
      unitId: r.unit_id as string,
      meetingId: r.meeting_id as string,
      state: r.state as PresenceRow['state'],
      arrivedAt: new Date(r.arrived_at as string).toISOString(),
      leftAt: new Date(r.left_at as string).toISOString(),
      ageSeconds: Number(r.age),
    }));
  }
}
