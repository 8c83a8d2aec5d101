// Coded domain errors. A refusal is data — `{category, rule, params}` — carried end to end: the domain's checks
// make it, the workflows' update validators put it in their ApplicationFailure's details, the API reads it from
// there (never from a message's text) into the HTTP body's `details`, and the console words it in either
// language from one table. The message stays, for logs and for callers that read text.

/**
 * The categories of a refusal, with what each means. How a category reaches a caller (an HTTP status, an
 * activity's retry policy) is decided where it leaves the domain: the API's exception filter, the workflows.
 */
export const ERROR_CODES = {
  INVALID_INPUT: 'a field is missing, malformed or breaks its limit; `field` names it',
  UNAUTHENTICATED: 'no principal: a token is missing, unknown or expired',
  FORBIDDEN: 'the caller may not do this (the access table, libs/domain access.ts); `rule` names why',
  NOT_FOUND: "no such object, or one outside the caller's scope (answered alike)",
  RULE_VIOLATION: 'a lifecycle rule or gate is broken; `rule` names it',
  CONFLICT: 'the object is in a state that takes no such request (a name taken, a key in flight)',
  RATE_LIMITED: 'too many requests from one address',
} as const;
export type ErrorCode = keyof typeof ERROR_CODES;
export const ERROR_CATEGORIES = Object.keys(ERROR_CODES) as ErrorCode[];

/** A value a rule was refused with: what the wording of the refusal needs (times as ISO instants, ids as ids). */
export type RefusalParam = string | number | boolean | null | string[];
export type RefusalParams = Record<string, RefusalParam>;

/** A refusal as data: its category (the error code), the rule that refused, and the values it refused with. */
export interface Refusal {
  category: ErrorCode;
  rule: string;
  params: RefusalParams;
}

export interface DomainErrorDetails {
  /** Name of the rule or gate that refused the request, e.g. `gate.P2.study-record`. */
  rule?: string;
  /** The values the rule refused with, e.g. `{ phase: 'P1', allowed: ['P2'] }`. */
  params?: RefusalParams;
  /** Unmet gates, for transition requests. */
  unmetGates?: string[];
  /** Field that failed validation. */
  field?: string;
  actorId?: string;
  [key: string]: unknown;
}

/** The rule a refusal names when its check named none: one per category. */
export const CATEGORY_RULES: Record<ErrorCode, string> = {
  INVALID_INPUT: 'input.invalid',
  UNAUTHENTICATED: 'auth.unauthenticated',
  FORBIDDEN: 'actor.forbidden',
  NOT_FOUND: 'not-found',
  RULE_VIOLATION: 'rule.violated',
  CONFLICT: 'conflict',
  RATE_LIMITED: 'rate-limited',
};

export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: DomainErrorDetails = {},
  ) {
    super(message);
    this.name = 'DomainError';
  }

  /** The refusal as data. */
  get refusal(): Refusal {
    return refusalOf(this.code, this.details);
  }
}

/** The refusal a category and its details make (a rule always named, params always an object). */
export function refusalOf(code: ErrorCode, details: DomainErrorDetails): Refusal {
  const params: RefusalParams = { ...(details.params ?? {}) };
  if (typeof details.field === 'string' && params.field === undefined) params.field = details.field;
  if (Array.isArray(details.unmetGates) && params.unmetGates === undefined) params.unmetGates = details.unmetGates.map(String);
  return { category: code, rule: typeof details.rule === 'string' && details.rule ? details.rule : CATEGORY_RULES[code], params };
}

export const isErrorCode = (value: unknown): value is ErrorCode =>
  typeof value === 'string' && Object.prototype.hasOwnProperty.call(ERROR_CODES, value);

/** Reads a refusal back from data (an ApplicationFailure's details, an HTTP body's details); undefined if it is none. */
export function asRefusal(value: unknown): Refusal | undefined {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const v = value as Record<string, unknown>;
  if (!isErrorCode(v.category) || typeof v.rule !== 'string') return undefined;
  const params = v.params && typeof v.params === 'object' && !Array.isArray(v.params) ? (v.params as RefusalParams) : {};
  return { category: v.category, rule: v.rule, params };
}

export const ruleViolation = (rule: string, message: string, details: DomainErrorDetails = {}) =>
  new DomainError('RULE_VIOLATION', `${message} (rule: ${rule})`, { ...details, rule });
export const forbidden = (message: string, details: DomainErrorDetails = {}) => new DomainError('FORBIDDEN', message, details);
export const notFound = (what: string, id: string) => new DomainError('NOT_FOUND', `${what} ${id} not found`, { id, params: { what, id } });
/** A field that is not what it must be; `rule` (default `input.invalid`) and `params` say how, for the wording. */
export const invalidInput = (field: string, message: string, rule = 'input.invalid', params: RefusalParams = {}) =>
  new DomainError('INVALID_INPUT', `${field}: ${message}`, { field, rule, params: { field, ...params } });
