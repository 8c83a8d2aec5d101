// Translation of workflow-engine errors into DomainErrors. An Update refused by its validator (or failed
// by its handler) arrives as WorkflowUpdateFailedError whose cause is an ApplicationFailure of type = a
// DomainError code; the failure's message names the rule and the actor.
import { WorkflowUpdateFailedError, WorkflowUpdateRPCTimeoutOrCancelledError } from '@temporalio/client';
import { ApplicationFailure, WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/common';
import { DomainError, DomainErrorDetails, isErrorCode } from '../../../../libs/domain/src';

/** `… (rule: gate.P2.study-record)` — the rule named in a refusal's message. */
export const ruleInMessage = (message: string): string | undefined => /\(rule: ([^)\s]+)\)/.exec(message)?.[1];

const detailsOf = (failure: ApplicationFailure): DomainErrorDetails => {
  const first = failure.details?.[0];
  const details: DomainErrorDetails = first && typeof first === 'object' && !Array.isArray(first) ? { ...(first as object) } : {};
  const rule = details.rule ?? ruleInMessage(failure.message);
  if (rule) details.rule = rule;
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
  if (err instanceof WorkflowNotFoundError) return new DomainError('NOT_FOUND', `workflow ${err.workflowId} not found`, { workflowId: err.workflowId });
  if (err instanceof WorkflowExecutionAlreadyStartedError)
    return new DomainError('CONFLICT', `workflow ${err.workflowId} is already running`, { workflowId: err.workflowId });
  if (err instanceof WorkflowUpdateRPCTimeoutOrCancelledError) return undefined; // a 500-class failure: engine unavailable
  return undefined;
}
