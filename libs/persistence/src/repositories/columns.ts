// How columns arrive through node-postgres (no type parser is overridden): timestamptz and date as Date, jsonb
// parsed, bigint and numeric as text. The repositories' raw queries read their rows through interfaces of these
// types; the helpers below turn them into what callers are given.

/** A timestamp column (or one read as text) as an ISO instant; null stays null. */
export function iso(v: Date | string): string;
export function iso(v: Date | string | null | undefined): string | null;
export function iso(v: Date | string | null | undefined): string | null {
  return v === null || v === undefined ? null : new Date(v).toISOString();
}

/** What TypeORM answers an UPDATE or DELETE with: [rows, affected] (pg's rowCount, which may be null). */
export type Affected = [unknown[], number | null];
