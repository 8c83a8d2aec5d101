// ISO-8601 durations as the plan uses them: `P7D`, `-P7D`, `PT0S`, `PT5S`, `P1DT2H`, `P2W`.
// Years and months are refused: their length varies, and no deadline of the campaign needs them.
import { invalidInput } from './errors';
import { DAY_MS } from './time';

export interface Duration {
  /** Whole days (weeks count as 7 days), ≥ 0. */
  days: number;
  /** The sub-day part (hours, minutes, seconds) in milliseconds, ≥ 0. */
  timeMs: number;
  /** `-P7D`: the duration points back in time. */
  negative: boolean;
}

const ISO_DURATION = /^([+-])?P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:[.,]\d{1,3})?)S)?)?$/;

export function tryParseDuration(value: unknown): Duration | string {
  if (typeof value !== 'string') return `expected an ISO-8601 duration string, got ${JSON.stringify(value)}`;
  const m = ISO_DURATION.exec(value);
  const hasTimePart = value.includes('T');
  if (!m || value.endsWith('T') || /^[+-]?P$/.test(value) || (hasTimePart && !m[6] && !m[7] && !m[8])) {
    return `not an ISO-8601 duration (e.g. P7D, -P7D, PT0S, PT5S, P1DT2H): ${JSON.stringify(value)}`;
  }
  const [, sign, years, months, weeks, days, hours, minutes, seconds] = m;
  if (years !== undefined || months !== undefined) {
    return `years and months are not supported (their length varies); use weeks or days: ${JSON.stringify(value)}`;
  }
  const d = Number(weeks ?? 0) * 7 + Number(days ?? 0);
  const timeMs =
    Number(hours ?? 0) * 3_600_000 + Number(minutes ?? 0) * 60_000 + Math.round(Number((seconds ?? '0').replace(',', '.')) * 1000);
  if (!Number.isSafeInteger(d) || !Number.isSafeInteger(timeMs) || d * DAY_MS + timeMs > 100 * 366 * DAY_MS) {
    return `duration too large: ${JSON.stringify(value)}`;
  }
  return { days: d, timeMs, negative: sign === '-' && (d > 0 || timeMs > 0) };
}

/** Parses a duration or throws INVALID_INPUT naming `field`. */
export function parseDuration(value: unknown, field = 'duration'): Duration {
  const d = tryParseDuration(value);
  if (typeof d === 'string') throw invalidInput(field, d);
  return d;
}

/** Signed length in milliseconds, counting every day as 24 hours (calendar days at a fixed offset). */
export const durationMs = (d: Duration): number => (d.negative ? -1 : 1) * (d.days * DAY_MS + d.timeMs);

/** Adds a duration to an instant as calendar time. */
export const addDuration = (instantMs: number, d: Duration): number => instantMs + durationMs(d);
