// 全程参与 when the read model lags: an attestation reserved before the unit's view showed its meeting (under a
// placeholder) and cut off before its answer (the engine or the database went away) is the same attestation
// when its caller sends it again with the same Idempotency-Key and the view shows the meeting by then. The fault
// suite met it: the repeat was refused as overlapping "another meeting" — itself.
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { Principal } from '../../apps/api/src/auth/principal';
import { MeetingPresence } from '../../apps/api/src/units/presence';
import { DomainError, type MeetingView } from '../../libs/domain/src';
import { createDataSource, PresenceRepository, runMigrations, ViewsRepository, type UnitRecord } from '../../libs/persistence/src';
import { createTestDatabase, type TestDatabase } from '../support';
import { ifSet } from '../support/if-set';

let db: TestDatabase;
let ds: DataSource;

beforeAll(async () => {
  db = await createTestDatabase('presence');
  ds = createDataSource({ url: db.url }, { poolSize: 2, applicationName: 'presence-test' });
  await ds.initialize();
  await runMigrations(ds);
});
afterAll(async () => {
  await ifSet(ds)?.destroy();
  await ifSet(db)?.drop();
});

const campaignId = randomUUID();
const unit = (code: string): UnitRecord => ({
  id: randomUUID(),
  campaignId,
  code,
  name: code,
  kind: 'organ',
  level: 'municipal',
  batch: 1,
  parentCode: null,
  groupId: randomUUID(),
});
const supervisor: Principal = { id: randomUUID(), name: 'supervisor', role: 'supervisor' };

/** The unit's view as its workflow last projected it: in P2, with its meeting (or none yet). */
async function projected(u: UnitRecord, version: number, meeting?: MeetingView): Promise<void> {
  await ds.query(
    `INSERT INTO unit_states (unit_id, campaign_id, code, batch, group_id, phase, status, card, view, version)
     VALUES ($1, $2, $3, 1, $4, 'P2', 'active', 'none', $5, $6)
     ON CONFLICT (unit_id) DO UPDATE SET view = EXCLUDED.view, version = EXCLUDED.version, projected_at = now()`,
    [u.id, u.campaignId, u.code, u.groupId, JSON.stringify({ id: u.id, phase: 'P2', ...(meeting ? { meeting } : {}) }), version],
  );
}

const interval = { arrivedAt: '2030-03-01T08:05:00.000Z', leftAt: '2030-03-01T08:50:00.000Z' };
const meeting = (attendance: MeetingView['attendance'] = []): MeetingView =>
  ({
    id: 'meeting-1',
    status: 'scheduled',
    scheduledAt: '2030-03-01T08:00:00.000Z',
    location: 'room 3',
    attendance,
  }) as unknown as MeetingView;
const attended = meeting([
  { supervisorId: supervisor.id, arrivedAt: interval.arrivedAt, leftAt: interval.leftAt },
] as MeetingView['attendance']);

it('an attestation repeated once the meeting is projected is the same one, not an overlap with itself', async () => {
  const presence = new MeetingPresence(new PresenceRepository(ds), new ViewsRepository(ds));
  const a = unit('A');
  await projected(a, 1); // the workflow has scheduled the meeting; the read model does not show it yet

  // The first attempt reserves, reaches the engine and loses its answer.
  await expect(
    presence.attest(supervisor, a, interval, async (check) => {
      await check();
      throw new Error('workflow engine unavailable');
    }),
  ).rejects.toThrow('workflow engine unavailable');

  // Sent again (same key), with the meeting projected by now: accepted, held once, under the meeting's name.
  await projected(a, 2, meeting());
  await expect(
    presence.attest(supervisor, a, interval, async (check) => {
      await check();
      return attended;
    }),
  ).resolves.toEqual(attended);
  const rows = await new PresenceRepository(ds).ofSupervisor(supervisor.id);
  expect(rows.map((r) => ({ unitId: r.unitId, meetingId: r.meetingId, state: r.state, arrivedAt: r.arrivedAt, leftAt: r.leftAt }))).toEqual(
    [{ unitId: a.id, meetingId: 'meeting-1', state: 'attested', ...interval }],
  );

  // Another unit's meeting at the same time is still another room.
  const b = unit('B');
  await projected(b, 1, { ...meeting(), id: 'meeting-1' });
  const refused = await presence
    .attest(supervisor, b, interval, async (check) => {
      await check();
      return attended;
    })
    .catch((e: unknown) => e);
  expect(refused).toBeInstanceOf(DomainError);
  expect((refused as DomainError).details.rule).toBe('meeting.attendance-overlap');
});
