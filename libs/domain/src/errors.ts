// Coded domain errors. Mapped to HTTP once (API exception filter) and to non-retryable
// ApplicationFailure in activities and workflow update validators (failure type = code).

export const ERROR_CODES = {
  INVALID_INPUT: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  /** A lifecycle rule or gate is broken; `rule` names it. */
  RULE_VIOLATION: 409,
  CONFLICT: 409,
  RATE_LIMITED: 429,
} as const;
export type ErrorCode = keyof typeof ERROR_CODES;

export interface DomainErrorDetails {
  /** Name of the rule or gate that refused the request, e.g. `gate.P2.study-record`. */
  rule?: string;
  /** Unmet gates, for transition requests. */
  unmetGates?: string[];
  /** Field that failed validation. */
  field?: string;
  actorId?: string;
  [key: string]: unknown;
}

export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: DomainErrorDetails = {},
  ) {
    super(message);
    this.name = 'DomainError';
  }

  get httpStatus(): number {
    return ERROR_CODES[this.code];
  }
}

export const isErrorCode = (value: unknown): value is ErrorCode =>
  typeof value === 'string' && Object.prototype.hasOwnProperty.call(ERROR_CODES, value);

export const ruleViolation = (rule: string, message: string, details: DomainErrorDetails = {}) =>
  new DomainError('RULE_VIOLATION', `${message} (rule: ${rule})`, { ...details, rule });
export const forbidden = (message: string, details: DomainErrorDetails = {}) =>
  new DomainError('FORBIDDEN', message, details);
export const notFound = (what: string, id: string) => new DomainError('NOT_FOUND', `${what} ${id} not found`, { id });
export const invalidInput = (field: string, message: string) =>
  new DomainError('INVALID_INPUT', `${field}: ${message}`, { field });
