// The simulator's scratch database: the enrolment it seeds (what the office would have entered) and the facts it
// reads back for the report. Never pointed at a live database: the simulator creates the database it is given.
import type { DataSource } from 'typeorm';
import type { Batch, Plan } from '../../../domain/src';
import type { SimulationFacts } from '../../../simulation/src/report';

export interface ScratchEnrolment {
  officeId: string;
  campaign: { id: string; name: string; plan: Plan; startsAt: string };
  groups: Array<{ id: string; name: string }>;
  units: Array<{ id: string; code: string; name: string; kind: string; level: string; batch: Batch; groupId: string }>;
}

const ITEM_SEQ = /\.item-(\d+)$/;
const itemSeq = (itemId: string | null) => (itemId ? Number(ITEM_SEQ.exec(itemId)?.[1] ?? 0) : null);

export class SimulationRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** The campaign, its groups and its units, with the ids given (so that a run's database is the same every time). */
  async seed(e: ScratchEnrolment): Promise<void> {
    await this.dataSource.transaction(async (m) => {
      await m.query(
        `INSERT INTO principals (id, name, role, token_hash) VALUES ($1::uuid, 'simulated office', 'office', encode(sha256(convert_to($2::text, 'UTF8')), 'hex'))`,
        [e.officeId, e.officeId],
      );
      await m.query(
        `INSERT INTO campaigns (id, name, plan, starts_at, created_by, status, started_at) VALUES ($1, $2, $3::jsonb, $4, $5, 'running', $4)`,
        [e.campaign.id, e.campaign.name, JSON.stringify(e.campaign.plan), e.campaign.startsAt, e.officeId],
      );
      for (const g of e.groups)
        await m.query('INSERT INTO supervisory_groups (id, campaign_id, name) VALUES ($1, $2, $3)', [g.id, e.campaign.id, g.name]);
      for (let i = 0; i < e.units.length; i += 1000) {
        const chunk = e.units.slice(i, i + 1000);
        await m.query(
          `INSERT INTO units (id, campaign_id, code, name, kind, level, batch, group_id)
           SELECT u.id, $1, u.code, u.name, u.kind, u.level, u.batch, u.group_id
             FROM jsonb_to_recordset($2::jsonb) AS u(id uuid, code text, name text, kind text, level text, batch int, group_id uuid)`,
          [
            e.campaign.id,
            JSON.stringify(
              chunk.map((u) => ({
                id: u.id,
                code: u.code,
                name: u.name,
                kind: u.kind,
                level: u.level,
                batch: u.batch,
                group_id: u.groupId,
              })),
            ),
          ],
        );
      }
    });
  }

  /** What the workflows recorded, by unit code (never by id). */
  async facts(campaignId: string): Promise<SimulationFacts> {
    const q = <T>(sql: string) => this.dataSource.query(sql, [campaignId]) as Promise<T[]>;
    const [units, rungs, transitions, meetings, measures, items] = await Promise.all([
      q<{ code: string; name: string; batch: Batch; group: string; phase: string | null; card: string | null }>(
        `SELECT u.code, u.name, u.batch, g.name AS "group", s.phase, s.card
           FROM units u JOIN supervisory_groups g ON g.id = u.group_id LEFT JOIN unit_states s ON s.unit_id = u.id
          WHERE u.campaign_id = $1 ORDER BY u.code`,
      ),
      q<{
        unit: string;
        subject: 'item' | 'phase-window';
        phase: string | null;
        rung: string;
        fired_at: Date;
        deadline: Date;
        item_id: string | null;
      }>(
        `SELECT u.code AS unit, e.subject, e.phase, e.rung, e.fired_at, e.deadline, e.item_id
           FROM escalations e JOIN units u ON u.id = e.unit_id
          WHERE e.campaign_id = $1 ORDER BY e.fired_at, u.code, e.key`,
      ),
      q<{ unit: string; from: string; to: string; at: string }>(
        `SELECT u.code AS unit, x.data->>'from' AS "from", x.data->>'to' AS "to", x.data->'decided'->>'at' AS at
           FROM entries x JOIN units u ON u.id::text = x.subject_id
          WHERE x.campaign_id = $1 AND x.kind = 'transition' AND x.data->>'status' = 'approved'`,
      ),
      q<{ unit: string; started_at: string; ended_at: string; valid: boolean }>(
        `SELECT u.code AS unit, x.data->>'startedAt' AS started_at, x.data->>'endedAt' AS ended_at, (x.data->>'valid')::boolean AS valid
           FROM entries x JOIN units u ON u.id::text = x.subject_id
          WHERE x.campaign_id = $1 AND x.kind = 'meeting' AND x.data->>'status' = 'held'`,
      ),
      q<{ unit: string; item_id: string | null }>(
        `SELECT u.code AS unit, m.item_id FROM measures m JOIN units u ON u.id = m.unit_id WHERE m.campaign_id = $1 AND m.kind = 'referral'`,
      ),
      q<{ unit: string; item_id: string; status: string; extensions: number }>(
        `SELECT u.code AS unit, i.item_id, i.status, COALESCE((i.view->'counts'->>'extensions')::int, 0) AS extensions
           FROM item_states i JOIN units u ON u.id = i.unit_id WHERE i.campaign_id = $1`,
      ),
    ]);
    const byCode = (a: { unit: string }, b: { unit: string }) => (a.unit < b.unit ? -1 : a.unit > b.unit ? 1 : 0);
    return {
      units: units.map((u) => ({
        code: u.code,
        name: u.name,
        batch: u.batch,
        group: u.group,
        phase: (u.phase ?? 'P1') as never,
        card: u.card ?? 'none',
      })),
      rungs: rungs.map((r) => ({
        unit: r.unit,
        subject: r.subject,
        phase: r.phase as never,
        rung: r.rung as never,
        firedAt: r.fired_at.getTime(),
        deadline: r.deadline.getTime(),
        item: itemSeq(r.item_id),
      })),
      transitions: transitions
        .map((t) => ({ unit: t.unit, from: t.from as never, to: t.to as never, at: Date.parse(t.at) }))
        .sort((a, b) => byCode(a, b) || a.at - b.at),
      meetings: meetings
        .map((m) => ({ unit: m.unit, startedAt: Date.parse(m.started_at), endedAt: Date.parse(m.ended_at), valid: m.valid }))
        .sort((a, b) => byCode(a, b) || a.startedAt - b.startedAt),
      measures: measures
        .map((m) => ({ unit: m.unit, item: itemSeq(m.item_id) }))
        .sort((a, b) => byCode(a, b) || (a.item ?? 0) - (b.item ?? 0)),
      items: items
        .map((i) => ({ unit: i.unit, item: itemSeq(i.item_id)!, status: i.status, extensions: i.extensions }))
        .sort((a, b) => byCode(a, b) || a.item - b.item),
    };
  }
}

/** A live campaign as a simulation takes it: its plan and its enrolment (read only). */
export interface CampaignForSimulation {
  id: string;
  name: string;
  plan: Plan;
  groups: string[];
  units: Array<{ code: string; name: string; kind: string; level: string; batch: Batch; group: string }>;
}

export class CampaignSnapshotRepository {
  constructor(private readonly dataSource: DataSource) {}

  async campaign(id: string): Promise<CampaignForSimulation | undefined> {
    const [campaign] = await this.dataSource.query('SELECT id, name, plan FROM campaigns WHERE id = $1', [id]);
    if (!campaign) return undefined;
    const groups: Array<{ name: string }> = await this.dataSource.query(
      'SELECT name FROM supervisory_groups WHERE campaign_id = $1 ORDER BY name',
      [id],
    );
    const units = await this.dataSource.query(
      `SELECT u.code, u.name, u.kind, u.level, u.batch, g.name AS "group"
         FROM units u JOIN supervisory_groups g ON g.id = u.group_id WHERE u.campaign_id = $1 ORDER BY u.code`,
      [id],
    );
    return { id: campaign.id, name: campaign.name, plan: campaign.plan, groups: groups.map((g) => g.name), units };
  }
}
