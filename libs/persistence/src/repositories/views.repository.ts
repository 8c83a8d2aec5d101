// One unit, item or programme as the read model holds it: the view its workflow last projected, its version and
// when it was projected. A GET answers from here, never from the workflow, so that reads work while no worker
// runs and never feed a workflow task to a stale clock.
import type { DataSource } from 'typeorm';
import type { ItemView, ProgrammeView, TaskBookItemView, UnitHeader } from '../../../domain/src';
import { unitRecord, type UnitColumns, type UnitRecord } from './units.repository';

/** A projected view with the moment the read model took it (how stale it may be). */
export type Projected<V> = { view: V; version: number; projectedAt: string };

export class ViewsRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** The one projected view `sql` selects (view, version, projected_at) for `id`. */
  private async projected<V>(sql: string, id: string): Promise<Projected<V> | undefined> {
    const rows = await this.dataSource.query<Array<{ view: V; version: number; projected_at: Date }>>(sql, [id]);
    if (!rows.length) return undefined;
    const [row] = rows;
    return { view: row.view, version: row.version, projectedAt: row.projected_at.toISOString() };
  }

  async unit(unitId: string): Promise<Projected<UnitHeader> | undefined> {
    return this.projected<UnitHeader>('SELECT view, version, projected_at FROM unit_states WHERE unit_id = $1', unitId);
  }

  /**
   * A unit's enrolment and its projected view in one query (a GET's one round trip); undefined for an unknown
   * unit, `projected` undefined while its workflow has projected nothing.
   */
  async unitWithEnrolment(unitId: string): Promise<{ unit: UnitRecord; projected?: Projected<UnitHeader> } | undefined> {
    const [row] = await this.dataSource.query<
      Array<(UnitColumns & { view: UnitHeader | null; version: number | null; projected_at: Date | null }) | undefined>
    >(
      `SELECT u.id, u.campaign_id, u.code, u.name, u.kind, u.level, u.batch, u.parent_code, u.group_id, s.view, s.version, s.projected_at
         FROM units u LEFT JOIN unit_states s ON s.unit_id = u.id
        WHERE u.id = $1`,
      [unitId],
    );
    if (!row) return undefined;
    const unit = unitRecord(row);
    const { view, version, projected_at: projectedAt } = row;
    return {
      unit,
      ...(view && version !== null && projectedAt ? { projected: { view, version, projectedAt: projectedAt.toISOString() } } : {}),
    };
  }

  /** The items of a unit's task book, in their order (bounded by the task book's item limit). */
  async taskBookItems(unitId: string): Promise<TaskBookItemView[]> {
    const rows: Array<{ data: TaskBookItemView }> = await this.dataSource.query(
      `SELECT data FROM entries WHERE subject_id = $1 AND kind = 'task-book-item' ORDER BY seq, entry_id`,
      [unitId],
    );
    return rows.map((r) => r.data);
  }

  async item(itemId: string): Promise<Projected<ItemView> | undefined> {
    return this.projected<ItemView>('SELECT view, version, projected_at FROM item_states WHERE item_id = $1', itemId);
  }

  async programme(programmeId: string): Promise<Projected<ProgrammeView> | undefined> {
    return this.projected<ProgrammeView>('SELECT view, version, projected_at FROM programme_states WHERE programme_id = $1', programmeId);
  }
}
