import type { DataSource } from 'typeorm';

/** A year's official holiday arrangement (国务院办公厅 notice): days off, and weekend days worked (调休). */
export interface HolidayArrangement {
  year: number;
  holidays: string[];
  workdays: string[];
  source: string;
  loadedBy: string | null;
  loadedAt: string;
}

export class HolidaysRepository {
  constructor(private readonly dataSource: DataSource) {}

  async find(years: number[]): Promise<HolidayArrangement[]> {
    const rows: Array<Record<string, unknown>> = await this.dataSource.query(
      'SELECT year, holidays, workdays, source, loaded_by, loaded_at FROM holiday_arrangements WHERE year = ANY($1::int[]) ORDER BY year',
      [years],
    );
    return rows.map((r) => ({
      year: r.year as number,
      holidays: r.holidays as string[],
      workdays: r.workdays as string[],
      source: r.source as string,
      loadedBy: (r.loaded_by as string | null) ?? null,
      loadedAt: new Date(r.loaded_at as string).toISOString(),
    }));
  }

  /** Loads (or replaces) a year's arrangement. */
  async save(a: { year: number; holidays: string[]; workdays: string[]; source: string; loadedBy: string }): Promise<HolidayArrangement> {
    const rows: Array<Record<string, unknown>> = await this.dataSource.query(
      `INSERT INTO holiday_arrangements (year, holidays, workdays, source, loaded_by, loaded_at)
       VALUES ($1, $2::jsonb, $3::jsonb, $4, $5, now())
       ON CONFLICT (year) DO UPDATE SET holidays = EXCLUDED.holidays, workdays = EXCLUDED.workdays, source = EXCLUDED.source,
         loaded_by = EXCLUDED.loaded_by, loaded_at = EXCLUDED.loaded_at
       RETURNING loaded_at`,
      [a.year, JSON.stringify(a.holidays), JSON.stringify(a.workdays), a.source, a.loadedBy],
    );
    return { ...a, loadedAt: new Date(rows[0].loaded_at as string).toISOString() };
  }
}
