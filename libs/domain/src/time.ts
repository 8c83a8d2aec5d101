// Instants and calendar dates as plain strings, parsed and formatted without the host's time zone
// (pure and deterministic: usable inside workflows).
import { invalidInput } from './errors';

const INSTANT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:\d{2})$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const OFFSET = /^(Z|[+-](\d{2}):(\d{2}))$/;

export const DAY_MS = 86_400_000;

const validYmd = (y: number, m: number, d: number) => {
  if (m < 1 || m > 12 || d < 1) return false;
  const t = new Date(Date.UTC(y, m - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === m - 1 && t.getUTCDate() === d;
};

/** Parses an ISO-8601 instant that carries an offset (`Z` or `±hh:mm`); undefined when it is not one. */
export function tryParseInstant(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const m = INSTANT.exec(value);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s = '0', frac = '0', off] = m;
  if (!validYmd(+y, +mo, +d) || +h > 23 || +mi > 59 || +s > 59) return undefined;
  const offsetMs = tryParseOffset(off);
  if (offsetMs === undefined) return undefined;
  const ms = Math.floor(Number(`0.${frac}`) * 1000);
  return Date.UTC(+y, +mo - 1, +d, +h, +mi, +s, ms) - offsetMs;
}

/** Parses an instant or throws INVALID_INPUT naming `field`. */
export function parseInstant(value: unknown, field: string): number {
  const ms = tryParseInstant(value);
  if (ms === undefined) {
    throw invalidInput(field, `expected an ISO-8601 time with offset (e.g. 2013-07-08T00:00:00+08:00), got ${JSON.stringify(value)}`);
  }
  return ms;
}

// ---------- the years an instant of the campaign may fall in ----------

/**
 * Every instant massline accepts is written with a year from 2000 to 2099 (at its own offset): a campaign, its
 * deadlines and its ladder live well inside, and nothing outside can overflow a timer or a 4-digit year.
 */
export const INSTANT_YEARS = { first: 2000, last: 2099 } as const;

const MONTH_DAY = '(?:(?:0[1-9]|1[0-2])-(?:0[1-9]|1\\d|2[0-8])|(?:0[13-9]|1[0-2])-(?:29|30)|(?:0[13578]|1[02])-31)';
/** 2000 to 2099; 02-29 only in leap years (every 4th: 2000 is one). */
const YEAR_MONTH_DAY = `(?:20\\d\\d-${MONTH_DAY}|20(?:[02468][048]|[13579][26])-02-29)`;
/**
 * The instants the API accepts, as a regular expression (ECMA-262 and Python alike): what the OpenAPI document
 * publishes, exactly what `isBoundedInstant` accepts. Seconds and up to 9 fraction digits are optional.
 */
export const BOUNDED_INSTANT_PATTERN = `^${YEAR_MONTH_DAY}T(?:[01]\\d|2[0-3]):[0-5]\\d(?::[0-5]\\d(?:\\.\\d{1,9})?)?(?:Z|[+-](?:0\\d|1[0-4]):[0-5]\\d)$`;
const BOUNDED_INSTANT = new RegExp(BOUNDED_INSTANT_PATTERN);

/** An instant with an offset whose written year is 2000–2099. */
export const isBoundedInstant = (value: unknown): value is string =>
  typeof value === 'string' && BOUNDED_INSTANT.test(value) && tryParseInstant(value) !== undefined;

/** What is wrong with an instant, in words, or undefined when it is a bounded instant. */
export function instantProblem(value: unknown): string | undefined {
  if (tryParseInstant(value) === undefined) {
    return `expected an ISO-8601 time with offset (e.g. 2013-07-08T00:00:00+08:00), got ${JSON.stringify(value)}`;
  }
  if (!isBoundedInstant(value))
    return `must fall in the years ${INSTANT_YEARS.first} to ${INSTANT_YEARS.last}, got ${JSON.stringify(value)}`;
  return undefined;
}

/** Parses a bounded instant or throws INVALID_INPUT naming `field`. */
export function parseBoundedInstant(value: unknown, field: string): number {
  const problem = instantProblem(value);
  if (problem) throw invalidInput(field, problem);
  return tryParseInstant(value)!;
}

/** `+08:00` → 28800000; `Z` → 0. */
export function tryParseOffset(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const m = OFFSET.exec(value);
  if (!m) return undefined;
  if (m[1] === 'Z') return 0;
  const h = +m[2];
  const mi = +m[3];
  if (h > 14 || mi > 59) return undefined;
  const ms = (h * 60 + mi) * 60_000;
  return value.startsWith('-') ? -ms : ms;
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** Formats an instant at a fixed offset: `2013-07-08T00:00:00+08:00` (milliseconds only when non-zero). */
export function formatInstant(ms: number, offsetMs = 0): string {
  const local = new Date(ms + offsetMs);
  const base =
    `${pad(local.getUTCFullYear(), 4)}-${pad(local.getUTCMonth() + 1)}-${pad(local.getUTCDate())}` +
    `T${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())}`;
  const millis = local.getUTCMilliseconds();
  const frac = millis ? `.${pad(millis, 3)}` : '';
  if (offsetMs === 0) return `${base}${frac}Z`;
  const sign = offsetMs < 0 ? '-' : '+';
  const abs = Math.abs(offsetMs) / 60_000;
  return `${base}${frac}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

export function tryParseDate(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const m = DATE.exec(value);
  if (!m || !validYmd(+m[1], +m[2], +m[3])) return undefined;
  return Date.UTC(+m[1], +m[2] - 1, +m[3]);
}

/** Parses a calendar date `YYYY-MM-DD` into its UTC midnight (a day number × DAY_MS), or throws INVALID_INPUT. */
export function parseDate(value: unknown, field: string): number {
  const ms = tryParseDate(value);
  if (ms === undefined) throw invalidInput(field, `expected a date YYYY-MM-DD, got ${JSON.stringify(value)}`);
  return ms;
}

/** UTC-midnight milliseconds of a calendar date → `YYYY-MM-DD`. */
export const formatDate = (dayMs: number): string => new Date(dayMs).toISOString().slice(0, 10);
