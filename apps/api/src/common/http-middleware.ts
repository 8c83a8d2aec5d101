// Express-level pieces that run around Nest: request id, the request log line and latency metric, and the
// error answer for failures raised before Nest's router (body parser).
import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { DomainError } from '../../../../libs/domain/src';
import { toErrorBody } from './errors.filter';
import type { JsonLogger } from './logger';
import type { ApiMetrics } from './metrics';
import { requestContext } from './request-context';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
type WithId = Request & { requestId?: string };

/** Runs first: assigns the request id (the caller's, if plain and short) and logs and measures the request. */
export const requestIdAndLog =
  (logger: JsonLogger, metrics: ApiMetrics) =>
  (req: WithId, res: Response, next: NextFunction): void => {
    const incoming = req.header('x-request-id');
    const requestId = incoming && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    req.requestId = requestId;
    res.setHeader('X-Request-Id', requestId);
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const route = req.route?.path ? `${req.baseUrl ?? ''}${req.route.path}` : 'unmatched';
      metrics.httpDuration.observe({ method: req.method, route, status: String(res.statusCode) }, seconds);
      requestContext.run({ requestId, principalId: (req as { caller?: { id?: string } }).caller?.id }, () =>
        logger.event(res.statusCode >= 500 ? 'error' : 'info', 'request', {
          method: req.method,
          route,
          path: req.originalUrl.split('?')[0].slice(0, 300),
          status: res.statusCode,
          durationMs: Math.round(seconds * 1000 * 10) / 10,
        }),
      );
    });
    next();
  };

/** No request body of this API nests deeper than a plan (about 6 levels); a deeper one is refused unread. */
export const MAX_BODY_DEPTH = 32;

/** Depth of a parsed JSON value, measured without recursion (a hostile body cannot exhaust the stack). */
export function jsonDepth(value: unknown, limit = Infinity): number {
  let max = 0;
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length) {
    const [v, d] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (d > max) max = d;
    if (max > limit) return max;
    for (const child of Array.isArray(v) ? v : Object.values(v as object)) {
      if (child !== null && typeof child === 'object') stack.push([child, d + 1]);
    }
  }
  return max;
}

export const limitBodyDepth = (req: Request, _res: Response, next: NextFunction): void => {
  if (req.body !== undefined && jsonDepth(req.body, MAX_BODY_DEPTH) > MAX_BODY_DEPTH) {
    return next(new DomainError('INVALID_INPUT', `body: nested more than ${MAX_BODY_DEPTH} levels deep`, { field: 'body' }));
  }
  next();
};

/** Runs after the body parser: the rest of the request runs inside its context (request id in every log line). */
export const enterRequestContext = (req: WithId, _res: Response, next: NextFunction): void => {
  requestContext.run({ requestId: req.requestId ?? randomUUID() }, () => next());
};

/** Errors Express saw outside Nest (malformed JSON, body too large): the same error shape as everywhere. */
export const expressErrors =
  (logger: JsonLogger) =>
  (err: unknown, req: Request, res: Response, next: NextFunction): void => {
    if (res.headersSent) return next(err);
    const { body, unexpected } = toErrorBody(err);
    if (unexpected) logger.event('error', 'unhandled error', { path: req.originalUrl, error: String(err) });
    res.status(body.statusCode).json(body);
  };
