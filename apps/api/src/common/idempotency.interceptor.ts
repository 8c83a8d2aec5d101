// Idempotency-Key on creating calls: the first answer is stored and replayed for a repeat with the same key
// and the same request; the same key with another request is refused (409 naming the key). Only successful
// answers are kept: a refused request changes nothing, so it may be retried under the same key. Secrets in an
// answer (a new principal's token) are never stored: a replay answers without them. Keys expire (config
// MASSLINE_IDEMPOTENCY_TTL_HOURS) and are swept.
import { CallHandler, ExecutionContext, Injectable, NestInterceptor, SetMetadata } from '@nestjs/common';
import { HTTP_CODE_METADATA } from '@nestjs/common/constants';
import { createHash } from 'node:crypto';
import type { Request, Response } from 'express';
import { from, lastValueFrom, mergeMap, Observable, of } from 'rxjs';
import { DomainError } from '../../../../libs/domain/src';
import type { AuthedRequest } from '../auth/decorators';
import type { IdempotencyRepository, StoredResponse } from '../../../../libs/persistence/src';
import { requestContext } from './request-context';
import { PeriodicSweeper } from './sweeper';

const KEY = /^[\x21-\x7e]{1,255}$/;

const SECRET_FIELDS = 'massline:secret-response-fields';
/** Fields of the route's answer that are shown once and never stored (nor replayed). */
export const SecretInResponse = (...fields: string[]) => SetMetadata(SECRET_FIELDS, fields);

const withoutFields = (body: unknown, fields: string[] | undefined): unknown => {
  if (!fields?.length || !body || typeof body !== 'object' || Array.isArray(body)) return body;
  return Object.fromEntries(Object.entries(body as Record<string, unknown>).filter(([k]) => !fields.includes(k)));
};
/** A claim older than this whose answer never came (the process died mid-request) may be taken over. */
const ABANDONED_AFTER_SECONDS = 60;

/** JSON with object keys sorted, so that key order does not make two equal bodies differ. */
export const canonicalJson = (value: unknown): string => {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value ?? null);
};

@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  constructor(private readonly store: IdempotencyRepository) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const req = context.switchToHttp().getRequest<Request & AuthedRequest>();
    const key = req.header('idempotency-key');
    if (key === undefined || (req.method !== 'POST' && req.method !== 'PUT')) return next.handle();
    return from(this.handle(context, next, req, key)).pipe(mergeMap((o) => o));
  }

  private async handle(
    context: ExecutionContext,
    next: CallHandler,
    req: Request & AuthedRequest,
    key: string,
  ): Promise<Observable<unknown>> {
    if (!KEY.test(key)) {
      throw new DomainError('INVALID_INPUT', 'Idempotency-Key: must be 1 to 255 visible ASCII characters', { field: 'Idempotency-Key' });
    }
    const caller = req.caller;
    const scope = !caller ? 'anonymous' : caller.role === 'public' ? `public:${caller.address}` : caller.id;
    const path = req.originalUrl.split('?')[0];
    const bodyHash = createHash('sha256').update(canonicalJson(req.body)).digest('hex');
    const answered = await this.reserveOrFind(scope, key, { method: req.method, path, bodyHash });
    if (answered) {
      const res = context.switchToHttp().getResponse<Response>();
      res.status(answered.statusCode);
      res.setHeader('Idempotent-Replayed', 'true');
      return of(answered.response);
    }

    const ctx = requestContext.getStore();
    if (ctx) ctx.idempotencyKey = `${scope}\n${key}`;
    const status =
      (Reflect.getMetadata(HTTP_CODE_METADATA, context.getHandler()) as number | undefined) ?? (req.method === 'POST' ? 201 : 200);
    try {
      const body: unknown = await lastValueFrom(next.handle(), { defaultValue: undefined });
      const secret = Reflect.getMetadata(SECRET_FIELDS, context.getHandler()) as string[] | undefined;
      await this.store.complete(scope, key, status, withoutFields(body, secret));
      return of(body);
    } catch (err) {
      await this.store.release(scope, key).catch(() => undefined);
      throw err;
    }
  }

  /**
   * Reserves the key for this request, or finds the answer the same request already had (to replay). Refuses the
   * key used for another request, or held by one still being answered; takes over a reservation whose answer
   * never came.
   */
  private async reserveOrFind(
    scope: string,
    key: string,
    request: { method: string; path: string; bodyHash: string },
  ): Promise<StoredResponse | undefined> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const existing = await this.store.find(scope, key);
      if (existing) {
        if (existing.method !== request.method || existing.path !== request.path || existing.bodyHash !== request.bodyHash) {
          throw new DomainError('CONFLICT', `Idempotency-Key "${key}" was already used for a different request`, {
            field: 'Idempotency-Key',
            rule: 'idempotency-key.reused',
          });
        }
        if (existing.statusCode === 0 && existing.ageSeconds > ABANDONED_AFTER_SECONDS) {
          await this.store.release(scope, key);
          continue;
        }
        if (existing.statusCode === 0) {
          throw new DomainError('CONFLICT', `a request with Idempotency-Key "${key}" is still being answered; retry shortly`, {
            field: 'Idempotency-Key',
            rule: 'idempotency-key.in-flight',
          });
        }
        return existing;
      }
      if (await this.store.reserve(scope, key, request.method, request.path, request.bodyHash)) return undefined;
      if (attempt === 2) throw new DomainError('CONFLICT', `Idempotency-Key "${key}" is in use`, { field: 'Idempotency-Key' });
    }
    // Only after three abandoned reservations in a row, each released: the request goes on, as it always has.
    return undefined;
  }
}

/** Removes expired Idempotency-Keys now and then (and once at start), so the table holds one day of keys. */
export class IdempotencySweeper extends PeriodicSweeper {}
