// Translation of workflow-engine errors into DomainErrors. An Update refused by its validator (or failed
// by its handler) arrives as WorkflowUpdateFailedError whose cause is an ApplicationFailure of type = a
// DomainError code; its details carry the refusal as data (`{category, rule, params}`, workflows/failures.ts).
import { WorkflowUpdateFailedError, WorkflowUpdateRPCTimeoutOrCancelledError } from '@temporalio/client';
import { ApplicationFailure, WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/common';
import { asRefusal, DomainError, DomainErrorDetails, isErrorCode } from '../../../../libs/domain/src';

/** The failure's details as a DomainError's: the refusal's rule and params, and the check's other details. */
const detailsOf = (failure: ApplicationFailure): DomainErrorDetails => {
  const first = failure.details?.[0];
  if (!first || typeof first !== 'object' || Array.isArray(first)) return {};
  const { category: _category, ...details } = first as DomainErrorDetails & { category?: unknown };
  const refusal = asRefusal(first);
  if (refusal) Object.assign(details, { rule: refusal.rule, params: refusal.params });
  return details;
};

/** The DomainError carried by a failed update, if it carries one. */
export function refusalOf(err: unknown): DomainError | undefined {
  if (!(err instanceof WorkflowUpdateFailedError)) return undefined;
  const cause = err.cause;
  if (cause instanceof ApplicationFailure) {
    if (cause.type && isErrorCode(cause.type)) return new DomainError(cause.type, cause.message, detailsOf(cause));
    // A validator that threw a DomainError as is (not as an ApplicationFailure) still names its rule.
    if (cause.type === 'DomainError') return new DomainError('RULE_VIOLATION', cause.message, detailsOf(cause));
  }
  return undefined;
}

export function translateWorkflowError(err: unknown): DomainError | undefined {
  const refusal = refusalOf(err);
  if (refusal) return refusal;
  if (err instanceof WorkflowNotFoundError)
    return new DomainError('NOT_FOUND', `workflow ${err.workflowId} not found`, { workflowId: err.workflowId });
  if (err instanceof WorkflowExecutionAlreadyStartedError)
    return new DomainError('CONFLICT', `workflow ${err.workflowId} is already running`, { workflowId: err.workflowId });
  if (err instanceof WorkflowUpdateRPCTimeoutOrCancelledError) return undefined; // a 500-class failure: engine unavailable
  return undefined;
}
