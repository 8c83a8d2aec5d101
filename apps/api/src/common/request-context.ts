// Per-request context (request id, principal) carried through async calls so that every log line of a
// request names it without threading it through each function.
import { AsyncLocalStorage } from 'node:async_hooks';

export interface RequestContext {
  requestId: string;
  principalId?: string;
  /** Idempotency-Key of a creating call, when the caller sent one. */
  idempotencyKey?: string;
}

export const requestContext = new AsyncLocalStorage<RequestContext>();

export const currentIdempotencyKey = (): string | undefined => requestContext.getStore()?.idempotencyKey;
