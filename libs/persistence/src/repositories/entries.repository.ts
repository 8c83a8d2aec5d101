// What units and items accumulate (records, opinions, problems, meetings, transitions, objections, task-book
// items, progress, extensions, verifications), as their workflows projected it, and the citizens' contacts.
import type { DataSource } from 'typeorm';
import type { EntryKind } from '../../../domain/src';

export interface EntryPage {
  items: unknown[];
  total: number;
}

export class EntriesRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Entries of one kind of a unit or item, in the order they were made. */
  async list(subjectId: string, kind: EntryKind, offset: number, limit: number): Promise<EntryPage> {
    const [{ total }] = await this.dataSource.query('SELECT count(*)::int AS total FROM entries WHERE subject_id = $1 AND kind = $2', [
      subjectId,
      kind,
    ]);
    const rows: Array<{ data: unknown }> = await this.dataSource.query(
      'SELECT data FROM entries WHERE subject_id = $1 AND kind = $2 ORDER BY seq, entry_id LIMIT $3 OFFSET $4',
      [subjectId, kind, limit, offset],
    );
    return { total, items: rows.map((r) => r.data) };
  }

  async get(subjectId: string, kind: EntryKind, entryId: string): Promise<unknown | undefined> {
    const rows: Array<{ data: unknown }> = await this.dataSource.query(
      'SELECT data FROM entries WHERE subject_id = $1 AND kind = $2 AND entry_id = $3',
      [subjectId, kind, entryId],
    );
    return rows[0]?.data;
  }

  /** Entries of one kind per subject, for reconciliation against the workflows' counts. */
  async countsBySubject(campaignId: string): Promise<Map<string, Record<string, number>>> {
    const rows: Array<{ subject_id: string; kind: string; n: number }> = await this.dataSource.query(
      'SELECT subject_id, kind, count(*)::int AS n FROM entries WHERE campaign_id = $1 GROUP BY 1, 2',
      [campaignId],
    );
    const out = new Map<string, Record<string, number>>();
    for (const r of rows) out.set(r.subject_id, { ...(out.get(r.subject_id) ?? {}), [r.kind]: r.n });
    return out;
  }

  // ---------- citizens' contacts (personal data: never in a workflow history) ----------

  async saveContact(ref: string, unitId: string, contact: string): Promise<void> {
    await this.dataSource.query('INSERT INTO opinion_contacts (ref, unit_id, contact) VALUES ($1, $2, $3) ON CONFLICT (ref) DO NOTHING', [
      ref,
      unitId,
      contact,
    ]);
  }

  async deleteContact(ref: string): Promise<void> {
    await this.dataSource.query('DELETE FROM opinion_contacts WHERE ref = $1', [ref]);
  }

  async contacts(refs: string[]): Promise<Map<string, { contact: string | null; erasedAt: string | null }>> {
    const out = new Map<string, { contact: string | null; erasedAt: string | null }>();
    if (!refs.length) return out;
    const rows: Array<{ ref: string; contact: string | null; erased_at: Date | null }> = await this.dataSource.query(
      'SELECT ref, contact, erased_at FROM opinion_contacts WHERE ref = ANY($1::uuid[])',
      [refs],
    );
    for (const r of rows) out.set(r.ref, { contact: r.contact, erasedAt: r.erased_at ? new Date(r.erased_at).toISOString() : null });
    return out;
  }

  /** Erases a contact (PIPL): the row stays, so the history's reference still resolves, to nothing. false if none. */
  async eraseContact(ref: string, unitId: string, by: string): Promise<{ erasedAt: string } | undefined> {
    // TypeORM answers an UPDATE … RETURNING with [rows, affected].
    const [rows]: [Array<{ erased_at: Date }>, number] = await this.dataSource.query(
      `UPDATE opinion_contacts SET contact = NULL, erased_at = COALESCE(erased_at, now()), erased_by = COALESCE(erased_by, $3)
        WHERE ref = $1 AND unit_id = $2 RETURNING erased_at`,
      [ref, unitId, by],
    );
    return rows[0] ? { erasedAt: new Date(rows[0].erased_at).toISOString() } : undefined;
  }
}
