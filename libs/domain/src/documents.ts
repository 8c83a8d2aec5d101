// Texts (record bodies, opinions, minutes, descriptions, objections and answers, progress notes, evidence,
// long comments) live in PostgreSQL, content-addressed by their sha256. A workflow carries only the reference:
// its history proves what was decided on (the digest), and stays small whatever the texts weigh.
import { invalidInput } from './errors';
import { FIELD_LIMITS } from './limits';

/** A stored text: sha256 (hex) of its UTF-8 bytes, and its length in characters (for the limits below). */
export interface DocRef {
  digest: string;
  chars: number;
}

export const DIGEST_PATTERN = /^[0-9a-f]{64}$/;

/** Longest text, in characters, each field accepts. The API checks them before storing; the workflows again. */
export const TEXT_LIMITS = {
  recordBody: FIELD_LIMITS.text,
  opinion: FIELD_LIMITS.text,
  problemDescription: FIELD_LIMITS.text,
  minutes: FIELD_LIMITS.minutes,
  objection: FIELD_LIMITS.text,
  answer: FIELD_LIMITS.text,
  progressNote: FIELD_LIMITS.text,
  evidence: FIELD_LIMITS.text,
  reason: FIELD_LIMITS.comment,
  /** A task-book item's measure: a line or a short paragraph (the public reads it during the disclosure). */
  measure: FIELD_LIMITS.title,
  rule: FIELD_LIMITS.title,
  comment: FIELD_LIMITS.comment,
} as const;

/** Titles and other one-line fields stay inline in the workflow (and its history); so do comments this short. */
export const INLINE_TEXT_MAX = 200;

export const isDocRef = (v: unknown): v is DocRef =>
  !!v &&
  typeof v === 'object' &&
  !Array.isArray(v) &&
  typeof (v as DocRef).digest === 'string' &&
  DIGEST_PATTERN.test((v as DocRef).digest) &&
  Number.isInteger((v as DocRef).chars) &&
  (v as DocRef).chars >= 0;

/** Checks a reference to a stored text (shape and length); INVALID_INPUT names the field. */
export function docRef(value: unknown, field: string, maxChars: number, required = true): DocRef | undefined {
  if (value === undefined || value === null) {
    if (required) throw invalidInput(field, 'required');
    return undefined;
  }
  if (!isDocRef(value)) throw invalidInput(field, 'expected a stored text {digest, chars}');
  if (required && value.chars === 0) throw invalidInput(field, 'must not be empty');
  if (value.chars > maxChars) throw invalidInput(field, `at most ${maxChars} characters`);
  return { digest: value.digest, chars: value.chars };
}

/** Every stored-text reference inside a JSON value (depth-first, in order, repeats kept once). */
export function docRefsIn(value: unknown, out: DocRef[] = [], seen = new Set<string>()): DocRef[] {
  if (isDocRef(value)) {
    if (!seen.has(value.digest)) {
      seen.add(value.digest);
      out.push(value);
    }
    return out;
  }
  if (Array.isArray(value)) for (const v of value) docRefsIn(v, out, seen);
  else if (value && typeof value === 'object') for (const v of Object.values(value)) docRefsIn(v, out, seen);
  return out;
}

/** A copy of a JSON value with each stored-text reference replaced by what `text` gives for its digest. */
export function withTexts<T>(value: T, text: (digest: string) => string | undefined): unknown {
  if (isDocRef(value)) return text(value.digest) ?? null;
  if (Array.isArray(value)) return value.map((v) => withTexts(v, text));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, withTexts(v, text)]));
  }
  return value;
}
