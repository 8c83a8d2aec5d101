// The public channels' limit, exactly as documented and for the whole deployment: at most `perMinute` requests
// from one address in any 60 seconds (a sliding window over the moments of the requests let through, not a bucket
// that refills and so lets twice as many through at its edge), counted in PostgreSQL so that M APIs do not let M
// times as many through. @nestjs/throttler's guard asks; the window lives behind its storage interface.
import { Injectable, type ExecutionContext } from '@nestjs/common';
import { ThrottlerGuard, type ThrottlerLimitDetail, type ThrottlerModuleOptions, type ThrottlerStorage } from '@nestjs/throttler';
import { DomainError, isPublicAction } from '../../../../libs/domain/src';
import type { RateLimitRepository } from '../../../../libs/persistence/src';
import { ACCESS_KEY, type RouteAccess } from './decorators';

export const PUBLIC_WINDOW_MS = 60_000;

type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

/** @nestjs/throttler's storage, on the windows in PostgreSQL. `blockDuration` has no use: a slot frees when the oldest request leaves. */
export class PgThrottlerStorage implements ThrottlerStorage {
  constructor(private readonly windows: RateLimitRepository) {}

  async increment(key: string, ttl: number, limit: number): Promise<ThrottlerStorageRecord> {
    const taken = await this.windows.take(key, ttl, limit);
    // The oldest request in the window leaves it at oldest + ttl: a slot is free from then on.
    const secondsToSlot = Math.max(1, Math.ceil((taken.oldest + ttl - taken.now) / 1000));
    return {
      totalHits: taken.allowed ? taken.inWindow : taken.inWindow + 1,
      timeToExpire: secondsToSlot,
      isBlocked: !taken.allowed,
      timeToBlockExpire: secondsToSlot,
    };
  }
}

/** The throttler's options: one limit, keyed by the client address alone (every public route shares it). */
export function publicThrottlerOptions(perMinute: number, storage: ThrottlerStorage): ThrottlerModuleOptions {
  return {
    throttlers: [{ ttl: PUBLIC_WINDOW_MS, limit: perMinute }],
    storage,
    generateKey: (_context, tracker) => `public:${tracker}`,
  };
}

/** Limits the routes whose action is of the public channel; every other route passes untouched. A refusal is a 429 in the one error shape. */
@Injectable()
export class PublicRateGuard extends ThrottlerGuard {
  protected override shouldSkip(context: ExecutionContext): Promise<boolean> {
    const access = this.reflector.getAllAndOverride<RouteAccess | undefined>(ACCESS_KEY, [context.getHandler(), context.getClass()]);
    return Promise.resolve(access?.kind !== 'action' || !isPublicAction(access.action));
  }

  protected override throwThrottlingException(_context: ExecutionContext, limit: ThrottlerLimitDetail): Promise<void> {
    return Promise.reject(new DomainError('RATE_LIMITED', `too many requests from this address; retry in ${limit.timeToBlockExpire} s`));
  }
}
