// Express-level pieces that run around Nest: request id, the request log line and latency metric, and the
// error answer for failures raised before Nest's router (body parser).
import { isUtf8 } from 'node:buffer';
import { randomUUID } from 'node:crypto';
import { STATUS_CODES, type Server } from 'node:http';
import type { Socket } from 'node:net';
import type { OpenAPIObject } from '@nestjs/swagger';
import type { NextFunction, Request, Response } from 'express';
import { pinoHttp } from 'pino-http';
import { DomainError } from '../../../../libs/domain/src';
import { traceFields } from '../../../../libs/telemetry/src/logging';
import { errorBody, toErrorBody } from './errors.filter';
import type { JsonLogger } from './logger';
import type { ApiMetrics } from './metrics';
import { requestContext } from './request-context';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
type WithId = Request & { requestId?: string; startedAt?: bigint; traceFields?: Record<string, string> };
/** A request requestIdAndLog has given its id and start. */
type Identified = WithId & { requestId: string; startedAt: bigint };

/** Runs first: assigns the request id (the caller's, if plain and short), measures the request and logs it (pino-http). */
export const requestIdAndLog = (logger: JsonLogger, metrics: ApiMetrics) => {
  const fieldsOf = (req: Identified, res: Response) => ({
    method: req.method,
    route: routeOf(req),
    path: req.originalUrl.split('?')[0].slice(0, 300),
    status: res.statusCode,
    ...(principalOf(req) ? { principalId: principalOf(req) } : {}),
    durationMs: Math.round((Number(process.hrtime.bigint() - req.startedAt) / 1e6) * 10) / 10,
  });
  const log = pinoHttp<Identified, Response>({
    logger: logger.pino,
    genReqId: (req) => req.requestId,
    // The request's lines carry its request id, and the trace and span of its HTTP span, bound once.
    quietReqLogger: true,
    quietResLogger: true,
    customAttributeKeys: { reqId: 'requestId' },
    customProps: (req) => (req.traceFields ??= traceFields()),
    customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : 'info'),
    customSuccessMessage: () => 'request',
    customErrorMessage: () => 'request',
    customSuccessObject: (req, res) => fieldsOf(req, res),
    customErrorObject: (req, res, err) => ({ ...fieldsOf(req, res), error: err.message }),
  });
  return (req: WithId, res: Response, next: NextFunction): void => {
    const incoming = req.header('x-request-id');
    const requestId = incoming && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    const identified = Object.assign(req, { requestId, startedAt: process.hrtime.bigint() });
    res.setHeader('X-Request-Id', requestId);
    res.on('finish', () => {
      const seconds = Number(process.hrtime.bigint() - identified.startedAt) / 1e9;
      metrics.httpDuration.observe({ method: req.method, route: routeOf(req), status: String(res.statusCode) }, seconds);
    });
    log(identified, res, next);
  };
};

const principalOf = (req: Request): string | undefined => (req as { caller?: { id?: string } }).caller?.id;

const routeOf = (req: Request): string => {
  // Express types neither as optional, but a request no route matched has no route, and the router unsets
  // baseUrl again when it lets go of a request.
  const route = req.route as { path?: unknown } | undefined;
  const baseUrl = req.baseUrl as string | undefined;
  return typeof route?.path === 'string' && route.path ? `${baseUrl ?? ''}${route.path}` : 'unmatched';
};

/** No request body of this API nests deeper than a plan (about 6 levels); a deeper one is refused unread. */
export const MAX_BODY_DEPTH = 32;

/**
 * What no handler should have to think about, checked once on the parsed body without recursion (a hostile
 * body cannot exhaust the stack): nesting deeper than any DTO, and NUL characters, which PostgreSQL cannot
 * store in text (they would be accepted by a workflow and then refused by its projection).
 */
export function bodyProblem(value: unknown, maxDepth = MAX_BODY_DEPTH): { field: string; message: string } | undefined {
  const stack: Array<[unknown, string, number]> = [[value, '', 0]];
  while (stack.length) {
    const next = stack.pop();
    if (!next) break;
    const [v, path, depth] = next;
    if (typeof v === 'string') {
      if (v.includes('\u0000')) return { field: path || 'body', message: 'must not contain NUL (\\u0000) characters' };
      continue;
    }
    if (v === null || typeof v !== 'object') continue;
    if (depth + 1 > maxDepth) return { field: 'body', message: `nested more than ${maxDepth} levels deep` };
    if (Array.isArray(v)) v.forEach((child, i) => stack.push([child, `${path}[${i}]`, depth + 1]));
    else
      for (const [k, child] of Object.entries(v)) {
        if (k.includes('\u0000')) return { field: path || 'body', message: 'field names must not contain NUL (\\u0000) characters' };
        if (RESERVED_KEYS.has(k)) return { field: path ? `${path}.${k}` : k, message: 'unknown field' };
        stack.push([child, path ? `${path}.${k}` : k, depth + 1]);
      }
  }
  return undefined;
}

/** Keys that name an object's machinery in JavaScript: no DTO has them, so they are unknown fields like any other. */
const RESERVED_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

export const checkBody = (req: Request, _res: Response, next: NextFunction): void => {
  const problem = req.body === undefined ? undefined : bodyProblem(req.body);
  if (problem) {
    next(new DomainError('INVALID_INPUT', `${problem.field}: ${problem.message}`, { field: problem.field }));
    return;
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
    if (res.headersSent) {
      next(err);
      return;
    }
    const { body, unexpected } = toErrorBody(err);
    if (unexpected) logger.event('error', 'unhandled error', { path: req.originalUrl, error: String(err) });
    res.status(body.statusCode).json(body);
  };

/** body-parser `verify`: bytes that are not UTF-8 are refused, not decoded into U+FFFD and stored. */
export const refuseInvalidUtf8 = (_req: unknown, _res: unknown, buf: Buffer): void => {
  if (!isUtf8(buf)) throw Object.assign(new Error('body: not valid UTF-8'), { type: 'massline.invalid-utf8', status: 400 });
};

/** Path templates of the document (`/api/units/{id}`) as regular expressions, with the methods each answers. */
function routeTable(document: OpenAPIObject): Array<{ pattern: RegExp; allow: string[] }> {
  return Object.entries(document.paths).map(([path, item]) => {
    const methods = Object.keys(item)
      .filter((k) => ['get', 'put', 'post', 'delete', 'patch'].includes(k))
      .map((m) => m.toUpperCase());
    if (methods.includes('GET')) methods.push('HEAD');
    const source = path
      .split(/\{[^}]+\}/)
      .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
      .join('[^/]+');
    return { pattern: new RegExp(`^${source}/?$`), allow: [...methods, 'OPTIONS'] };
  });
}

/**
 * A documented path asked with a method it does not answer: 405 with Allow (RFC 9110), in the error shape;
 * OPTIONS answers 204 with Allow. Other paths go on to the router (and its 404).
 */
export function methodNotAllowed(document: OpenAPIObject) {
  const routes = routeTable(document);
  return (req: Request, res: Response, next: NextFunction): void => {
    const path = req.path;
    const route = routes.find((r) => r.pattern.test(path));
    if (!route || route.allow.includes(req.method)) {
      if (route && req.method === 'OPTIONS') {
        res.setHeader('Allow', route.allow.join(', '));
        res.status(204).end();
        return;
      }
      next();
      return;
    }
    res.setHeader('Allow', route.allow.join(', '));
    res.status(405).json(errorBody(405, `${req.method} is not a method of ${path}; it answers ${route.allow.join(', ')}`));
  };
}

/**
 * Requests Node itself cannot parse (a malformed request line or header, headers too large) are answered in
 * the one error shape instead of an empty 400, then the connection is closed.
 */
export function answerClientErrors(server: Server): void {
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => {
    if (!socket.writable || err.code === 'ECONNRESET') {
      socket.destroy();
      return;
    }
    const status = err.code === 'HPE_HEADER_OVERFLOW' ? 431 : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
    const message = { 431: 'request headers too large', 408: 'the request took too long to arrive', 400: 'malformed HTTP request' }[status];
    const body = JSON.stringify(errorBody(status, message));
    const reason = STATUS_CODES[status];
    socket.end(
      `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  });
}
