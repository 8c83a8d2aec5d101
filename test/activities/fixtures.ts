// Enrolment rows and views for the activity tests, written the way the API writes them.
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { defaultPlan, type Batch, type ItemView, type UnitView } from '../../libs/domain/src';
import { hashToken } from '../../libs/persistence/src';
import { doc } from '../support/texts';

export async function enrolCampaign(
  dataSource: DataSource,
  units: Array<{ code: string; batch: Batch }>,
): Promise<{ campaignId: string; groupId: string; unitIds: Map<string, string> }> {
  const [{ id: officeId }] = await dataSource.query(
    `INSERT INTO principals (name, role, token_hash) VALUES ('office', 'office', $1) RETURNING id`,
    [hashToken(randomUUID())],
  );
  const plan = defaultPlan('2013-07-08T00:00:00+08:00');
  const [{ id: campaignId }] = await dataSource.query(
    `INSERT INTO campaigns (name, plan, starts_at, created_by) VALUES ('Hangzhou 2013', $1::jsonb, $2, $3) RETURNING id`,
    [JSON.stringify(plan), '2013-07-08T00:00:00+08:00', officeId],
  );
  const [{ id: groupId }] = await dataSource.query(
    `INSERT INTO supervisory_groups (campaign_id, name) VALUES ($1, 'group 1') RETURNING id`,
    [campaignId],
  );
  const unitIds = new Map<string, string>();
  for (const unit of units) {
    const [{ id }] = await dataSource.query(
      `INSERT INTO units (campaign_id, code, name, kind, level, batch, group_id)
       VALUES ($1, $2, $3, 'organ', 'municipal', $4, $5) RETURNING id`,
      [campaignId, unit.code, `unit ${unit.code}`, unit.batch, groupId],
    );
    unitIds.set(unit.code, id);
  }
  return { campaignId, groupId, unitIds };
}

export function unitView(over: Partial<UnitView> & Pick<UnitView, 'version'>): UnitView {
  return {
    id: randomUUID(),
    campaignId: randomUUID(),
    code: 'HZ-001',
    name: 'Municipal finance bureau',
    batch: 1,
    groupId: randomUUID(),
    phase: 'P1',
    phaseSince: '2013-07-08T00:00:00.000Z',
    status: 'active',
    card: 'none',
    window: { startsAt: '2013-07-08T00:00:00+08:00', endsAt: '2013-08-31T23:59:59+08:00' },
    unmetGates: ['gate.P2.study-record'],
    counts: {
      records: { study: 0, investigation: 0, 'solicitation-report': 0, 'comparison-check': 0, rule: 0 },
      opinions: 0,
      problems: 0,
      meetings: 0,
      transitions: 0,
    },
    validMeeting: false,
    windowRungs: [],
    updatedAt: '2013-07-08T00:00:00.000Z',
    ...over,
  };
}

export function itemView(over: Partial<ItemView> & Pick<ItemView, 'version'>): ItemView {
  const unitId = over.unitId ?? randomUUID();
  return {
    id: `${unitId}.item-1`,
    unitId,
    campaignId: randomUUID(),
    groupId: randomUUID(),
    measure: doc('Cut meetings by a third'),
    owner: '张三',
    problemIds: ['p-1'],
    deadline: '2013-12-31T00:00:00.000Z',
    deadlineSince: '2013-11-01T00:00:00.000Z',
    status: 'open',
    card: 'none',
    rungs: [],
    counts: { progress: 0, extensions: 0, verifications: 0 },
    updatedAt: '2013-11-01T00:00:00.000Z',
    ...over,
  };
}
