// How activity errors reach the workflow: a DomainError, or a row the database can never accept, is final
// (non-retryable, type = the domain code); anything else (network, database down) is retried by Temporal.
import { ApplicationFailure } from '@temporalio/common';
import { DomainError } from '../libs/domain/src';

const isPgError = (error: unknown): error is { code: string; message: string; detail?: string } =>
  typeof error === 'object' &&
  error !== null &&
  typeof (error as { code?: unknown }).code === 'string' &&
  /^[0-9A-Z]{5}$/.test((error as { code: string }).code);

export function toActivityFailure(error: unknown): unknown {
  if (error instanceof ApplicationFailure) return error;
  if (error instanceof DomainError) {
    return ApplicationFailure.create({ message: error.message, type: error.code, nonRetryable: true, details: [error.details] });
  }
  // Class 22 (data exception: e.g. a unit id that is not a uuid) and 23 (integrity constraint) fail the same
  // way on every attempt: retrying would only hide them.
  if (isPgError(error) && /^2[23]/.test(error.code)) {
    return ApplicationFailure.create({
      message: `database refused the row: ${error.message}${error.detail ? ` (${error.detail})` : ''}`,
      type: 'INVALID_INPUT',
      nonRetryable: true,
      details: [{ sqlState: error.code }],
    });
  }
  return error;
}

/**
 * Wraps every activity so that its failures are classified once. Activities named in `retryForever` record what
 * a workflow has decided (projections, escalations): their failures stay retryable whatever they are, so that
 * nothing decided is dropped; they show as failing activities until the cause is fixed.
 */
export function withFailureMapping<T extends object>(activities: T, retryForever: ReadonlyArray<keyof T & string> = []): T {
  const wrapped = {} as Record<string, unknown>;
  const forever = new Set<string>(retryForever);
  for (const [name, fn] of Object.entries(activities) as Array<[string, (...args: unknown[]) => Promise<unknown>]>) {
    const run = async (...args: unknown[]) => {
      try {
        return await fn(...args);
      } catch (error) {
        const failure = toActivityFailure(error);
        if (forever.has(name) && failure instanceof ApplicationFailure && failure.nonRetryable) {
          throw ApplicationFailure.create({
            message: failure.message,
            type: failure.type ?? undefined,
            nonRetryable: false,
            details: failure.details as unknown[],
          });
        }
        throw failure;
      }
    };
    // Temporal registers activities by property name; keep the function's name for logs and stack traces.
    Object.defineProperty(run, 'name', { value: name });
    wrapped[name] = run;
  }
  return wrapped as T;
}
