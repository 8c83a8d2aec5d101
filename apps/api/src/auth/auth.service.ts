// Bearer token → principal. Looked up by the token's sha256, cached briefly so that a burst of calls costs
// one query; a new principal is visible at once, a revoked one within the cache's lifetime.
import { DomainError } from '../../../../libs/domain/src';
import type { PrincipalsRepository } from '../../../../libs/persistence/src';
import { hashToken, type Principal } from './principal';

const TTL_MS = 30_000;
const MAX_ENTRIES = 10_000;

/** Browser sessions opened by one-time sign-in links (apps/api/src/console/sign-in.ts). */
export interface SessionLookup {
  principalOfSession(tokenHash: string): Promise<Principal | undefined>;
}

export class AuthService {
  private readonly cache = new Map<string, { principal: Principal | undefined; expires: number }>();

  constructor(
    private readonly principals: PrincipalsRepository,
    private readonly sessions?: SessionLookup,
  ) {}

  /** Drops a token from the cache at once (a session that signed out). */
  forget(token: string): void {
    this.cache.delete(hashToken(token));
  }

  async authenticate(authorization: string | undefined): Promise<Principal> {
    if (!authorization) throw new DomainError('UNAUTHENTICATED', 'missing bearer token (Authorization: Bearer <token>)');
    const m = /^Bearer\s+(\S{1,512})\s*$/i.exec(authorization);
    if (!m) throw new DomainError('UNAUTHENTICATED', 'malformed Authorization header; expected "Bearer <token>"');
    const hash = hashToken(m[1]);
    const now = Date.now();
    const hit = this.cache.get(hash);
    let principal = hit && hit.expires > now ? hit.principal : undefined;
    if (!hit || hit.expires <= now) {
      principal = (await this.principals.findByTokenHash(hash)) ?? (await this.sessions?.principalOfSession(hash));
      if (this.cache.size >= MAX_ENTRIES) this.cache.clear();
      // Unknown tokens are cached too, so guessing costs the database nothing.
      this.cache.set(hash, { principal, expires: now + TTL_MS });
    }
    if (!principal) throw new DomainError('UNAUTHENTICATED', 'unknown or revoked token');
    return principal;
  }
}
