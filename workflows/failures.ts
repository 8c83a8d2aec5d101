// Domain refusals become non-retryable ApplicationFailures (type = DomainError code; details[0] = the refusal as
// data, `{category, rule, params}`, with the check's other details), which is what a Temporal Update caller receives.
import { ApplicationFailure } from '@temporalio/workflow';
import { DomainError } from '../libs/domain/src';

export function asFailure(error: unknown): ApplicationFailure {
  if (error instanceof ApplicationFailure) return error;
  if (error instanceof DomainError)
    return ApplicationFailure.nonRetryable(error.message, error.code, { ...error.details, ...error.refusal });
  // A malformed argument (e.g. not an object) surfaces as a TypeError in a check: refuse it as bad input.
  const message = error instanceof Error ? error.message : String(error);
  return ApplicationFailure.nonRetryable(`invalid request: ${message}`, 'INVALID_INPUT', {
    category: 'INVALID_INPUT',
    rule: 'input.invalid',
    params: {},
  });
}

/** A synchronous update validator built from a domain check. */
export const validator =
  <A extends unknown[]>(check: (...args: A) => void) =>
  (...args: A): void => {
    try {
      check(...args);
    } catch (e) {
      throw asFailure(e);
    }
  };

/** An update handler built from a domain apply; a refusal fails the update, never the workflow. */
export const handler =
  <A extends unknown[], R>(apply: (...args: A) => R) =>
  (...args: A): R => {
    try {
      return apply(...args);
    } catch (e) {
      throw asFailure(e);
    }
  };
