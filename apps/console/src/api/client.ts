// The typed client: generated from the API's own OpenAPI document in the build (generated/schema.d.ts), so a
// changed route or body fails the console's type check. Every call goes through `call`, which turns an error
// answer into an ApiError that names its field or rule, for the form or action that made it.
import createClient, { type Middleware } from 'openapi-fetch';
import type { paths } from './generated/schema';
import { getSession, setSession } from './session';
import { asRefusal, type Refusal } from '../../../../libs/domain/src/errors';

export type { paths };

export interface FieldError {
  /** The path as the API names it, e.g. `items[0].deadline`. */
  field: string;
  problems: string[];
  /** The problem as data, worded by the console (refusals.ts). */
  refusal?: Refusal;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly fields: FieldError[] = [],
    readonly rule?: string,
    readonly unmetGates: string[] = [],
    readonly retryAfterSeconds?: number,
    /** The refusal as the API carries it ({category, rule, params}); worded by the console, never shown raw. */
    readonly refusal?: Refusal,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

const auth: Middleware = {
  onRequest({ request }) {
    const s = getSession();
    if (s && !request.headers.has('authorization')) request.headers.set('authorization', `Bearer ${s.token}`);
    return request;
  },
  onResponse({ response }) {
    // A token that no longer works (expired session, revoked): back to the sign-in page.
    if (response.status === 401 && getSession()) setSession(null);
    return response;
  },
};

export const api = createClient<paths>({ baseUrl: '' });
api.use(auth);

interface ErrorBody {
  statusCode?: number;
  message?: string;
  details?: Array<Record<string, unknown>>;
}

export function toApiError(status: number, body: unknown, headers?: Headers): ApiError {
  const b = (body && typeof body === 'object' ? body : {}) as ErrorBody;
  const message = typeof b.message === 'string' ? b.message : `HTTP ${status}`;
  const fields: FieldError[] = [];
  let rule: string | undefined;
  let refusal: Refusal | undefined;
  let unmetGates: string[] = [];
  for (const d of Array.isArray(b.details) ? b.details : []) {
    const r = asRefusal(d);
    if (typeof d.field === 'string') {
      const problems = Array.isArray(d.problems) ? d.problems.map(String) : [message.replace(`${d.field}: `, '')];
      fields.push({ field: d.field, problems, ...(r ? { refusal: r } : {}) });
    }
    if (r && !refusal) refusal = r;
    if (typeof d.rule === 'string') rule ??= d.rule;
    if (Array.isArray(d.unmetGates)) unmetGates = d.unmetGates.map(String);
  }
  const retry = headers?.get('retry-after');
  return new ApiError(status, message, fields, rule, unmetGates, retry ? Number(retry) : undefined, refusal);
}

/** The data of a successful answer, or an ApiError. */
export async function call<T>(p: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  let r: { data?: T; error?: unknown; response: Response };
  try {
    r = await p;
  } catch (e) {
    throw new ApiError(0, e instanceof Error ? e.message : String(e));
  }
  if (!r.response.ok) throw toApiError(r.response.status, r.error, r.response.headers);
  return r.data as T;
}

/** GET of a path outside the typed routes (a file to download, a printable page), with the session's token. */
export async function fetchWithToken(path: string): Promise<Response> {
  const s = getSession();
  const res = await fetch(path, { headers: s ? { authorization: `Bearer ${s.token}` } : {} });
  if (!res.ok) {
    let body: unknown;
    try {
      body = await res.json();
    } catch {
      body = undefined;
    }
    throw toApiError(res.status, body, res.headers);
  }
  return res;
}

/** A fresh Idempotency-Key for a creating call, so a retried click never creates twice. */
export const idempotencyKey = (): string =>
  typeof crypto !== 'undefined' && 'randomUUID' in crypto ? crypto.randomUUID() : `${Date.now()}-${Math.random().toString(36).slice(2)}`;

/**
 * A value a call needs that its caller holds as optional (a query enabled only once its id is known, an inbox
 * entry of a kind that carries it): missing, it is a fault of the page, named here rather than sent as `undefined`.
 */
export function present<T>(value: T | null | undefined, what: string): T {
  if (value == null) throw new Error(`${what} is missing`);
  return value;
}
