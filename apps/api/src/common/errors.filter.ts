// The one place where errors become HTTP answers: {statusCode, error, message, details?}.
// A DomainError's category maps to its status here and nowhere else (HTTP_STATUS); workflow refusals arrive already translated by the
// WorkflowGateway, but are mapped here too in case one slips through; anything else is a 500 that is
// logged with its stack and never shown to the caller.
import { ArgumentsHost, Catch, ExceptionFilter, HttpException } from '@nestjs/common';
import { STATUS_CODES } from 'node:http';
import type { Request, Response } from 'express';
import { QueryNotRegisteredError, ServiceError, WorkflowUpdateRPCTimeoutOrCancelledError } from '@temporalio/client';
import { DomainError, refusalOf, type ErrorCode } from '../../../../libs/domain/src';
import { translateWorkflowError } from '../workflow/workflow-errors';
import type { JsonLogger } from './logger';
import { RetryLater } from './read-your-writes';

/** The HTTP status of each category of refusal (libs/domain errors.ts). */
export const HTTP_STATUS: Record<ErrorCode, number> = {
  INVALID_INPUT: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  RULE_VIOLATION: 409,
  CONFLICT: 409,
  RATE_LIMITED: 429,
};

export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
  details?: unknown[];
}

export const errorBody = (statusCode: number, message: string, details?: unknown[]): ErrorBody => ({
  statusCode,
  error: STATUS_CODES[statusCode] ?? 'Error',
  message,
  ...(details && details.length ? { details } : {}),
});

/** PostgreSQL not reachable (pool closed, connection refused or lost, server shutting down, too many clients). */
export function isDatabaseUnavailable(exception: unknown): boolean {
  const e = exception as { name?: unknown; message?: unknown; code?: unknown; driverError?: { code?: unknown } } | undefined;
  if (!e || typeof e !== 'object') return false;
  if (e.name === 'ConnectionIsNotSetError' || e.name === 'CannotExecuteNotConnectedError') return true;
  // A transaction's connection the server closed (a restart): the driver let go of it, and the next query says so.
  if (e.name === 'QueryRunnerProviderAlreadyReleasedError') return true;
  if (typeof e.message === 'string' && /Driver not Connected|Connection terminated|connect ECONNREFUSED/.test(e.message)) return true;
  const rawCode = e.driverError?.code ?? e.code;
  const code = typeof rawCode === 'string' ? rawCode : '';
  return /^08/.test(code) || ['57P01', '57P02', '57P03', '53300', 'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT'].includes(code);
}

export function toErrorBody(exception: unknown): { body: ErrorBody; unexpected: boolean } {
  if (exception instanceof DomainError) {
    // actorId and hiddenBy are for the audit log only: a hidden object's 404 must read like an unknown id's.
    // Each entry carries the refusal as data ({category, rule, params}): a 400's one per field, otherwise one.
    const { actorId: _actor, hiddenBy: _hidden, fields, ...rest } = exception.details;
    const details = Array.isArray(fields)
      ? fields.map((f: Record<string, unknown>) => ({ ...f, ...refusalOf(exception.code, f) }))
      : [{ ...rest, ...exception.refusal }];
    return { body: errorBody(HTTP_STATUS[exception.code], exception.message, details), unexpected: false };
  }
  if (exception instanceof RetryLater) return { body: errorBody(503, exception.message), unexpected: false };
  const translated = translateWorkflowError(exception);
  if (translated) return toErrorBody(translated);
  if (isDatabaseUnavailable(exception)) return { body: errorBody(503, 'database unavailable, retry later'), unexpected: true };
  if (exception instanceof ServiceError || exception instanceof WorkflowUpdateRPCTimeoutOrCancelledError) {
    // The engine did not answer: the caller may retry; nothing was decided.
    return { body: errorBody(503, 'workflow engine unavailable, retry later'), unexpected: true };
  }
  if (exception instanceof QueryNotRegisteredError && !/unknown queryType/i.test(exception.message)) {
    // The client names every failed query so; this one is registered but its worker could not answer (e.g. the
    // workflow's task is failing): retry later. The log keeps the worker's reason.
    return { body: errorBody(503, 'the workflow could not answer now, retry later'), unexpected: true };
  }
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    // Whatever the code that threw gave the exception (Nest's own give a string or {message}).
    const response: unknown = exception.getResponse();
    let message = exception.message;
    if (typeof response === 'object' && response !== null && 'message' in response) {
      const m = response.message;
      message = Array.isArray(m) ? m.join('; ') : String(m);
    }
    return { body: errorBody(status, message), unexpected: status >= 500 };
  }
  return (
    expressErrorBody(exception) ?? {
      body: errorBody(500, 'internal error; the request id in X-Request-Id identifies it in the logs'),
      unexpected: true,
    }
  );
}

/** Errors raised by Express middleware (body parser): they carry a 4xx status and a safe message. */
function expressErrorBody(exception: unknown): { body: ErrorBody; unexpected: boolean } | undefined {
  const e = exception as { status?: unknown; statusCode?: unknown; type?: unknown; message?: unknown; expose?: unknown } | null | undefined;
  const status = typeof e?.status === 'number' ? e.status : typeof e?.statusCode === 'number' ? e.statusCode : undefined;
  if (e && status && status >= 400 && status < 500) {
    const message =
      e.type === 'massline.invalid-utf8'
        ? 'body: not valid UTF-8'
        : e.type === 'entity.parse.failed'
          ? 'body: malformed JSON'
          : e.type === 'entity.too.large'
            ? 'body: request body too large'
            : e.expose && typeof e.message === 'string'
              ? e.message
              : (STATUS_CODES[status] ?? 'Bad Request');
    return { body: errorBody(status, message), unexpected: false };
  }
  return undefined;
}

@Catch()
export class ErrorFilter implements ExceptionFilter {
  constructor(private readonly logger: JsonLogger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const res = ctx.getResponse<Response>();
    const req = ctx.getRequest<Request>();
    const { body, unexpected } = toErrorBody(exception);
    if (unexpected) {
      const err = exception instanceof Error ? exception : new Error(String(exception));
      this.logger.event('error', 'unhandled error', {
        method: req.method,
        path: req.originalUrl,
        error: err.name,
        message: err.message,
        stack: err.stack,
      });
    }
    if (res.headersSent) return;
    if (body.statusCode === 429 && !res.getHeader('Retry-After')) res.setHeader('Retry-After', '60');
    if (exception instanceof RetryLater) res.setHeader('Retry-After', String(exception.retryAfterSeconds));
    res.status(body.statusCode).json(body);
  }
}
