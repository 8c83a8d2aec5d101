// Who is calling: a principal found by its bearer token, or a citizen on a public channel (群众).
import { createHash, randomBytes } from 'node:crypto';
import type { Actor } from '../../../../libs/domain/src';
import type { Principal as PrincipalRecord } from '../../../../libs/persistence/src';

/** A principal found by its bearer token: as stored (libs/persistence). */
export type Principal = PrincipalRecord;

/** The caller of a public endpoint, identified only by a digest of its address (no personal data kept). */
export interface PublicCaller {
  role: 'public';
  address: string;
}

export type Caller = Principal | PublicCaller;

/** Tokens are 32 random bytes; only their SHA-256 is stored. */
export const generateToken = (): string => `ml_${randomBytes(32).toString('base64url')}`;
export const hashToken = (token: string): string => createHash('sha256').update(token, 'utf8').digest('hex');

export const actorOf = (caller: Caller): Actor =>
  caller.role === 'public'
    ? { id: `public:${createHash('sha256').update(caller.address).digest('hex').slice(0, 16)}`, role: 'public' }
    : {
        id: caller.id,
        role: caller.role,
        name: caller.name,
        ...(caller.unitId ? { unitId: caller.unitId } : {}),
        ...(caller.groupId ? { groupId: caller.groupId } : {}),
      };
