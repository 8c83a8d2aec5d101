// A client as the README tells one to be: every POST and PUT carries an Idempotency-Key, and a call answered 503,
// cut off (the API was killed, the connection dropped or refused) or timed out is sent again with the same key
// until it gets an answer. So is a call whose key is still held by a request that died with its API (409
// idempotency-key.in-flight: "retry shortly"). Every call is recorded: when it was first sent, when it was
// answered, how many attempts it took and why it was repeated. A caller may give up on a call before sending it
// again (`giveUp`): the fault suite does for a call on a workflow found stuck, which no retry can move.
import { randomUUID } from 'node:crypto';
import type { Json } from '../support/json';

export interface CallOptions {
  token?: string;
  body?: unknown;
  /** Idempotency-Key (POST and PUT get a fresh one unless given). */
  key?: string;
}

export interface Answer<T = Json> {
  status: number;
  body: T;
  /** Moment the first attempt was sent, and the moment the answer that counts came back. */
  sentAt: number;
  answeredAt: number;
  attempts: number;
  /** The answer was the stored one of an earlier attempt (Idempotent-Replayed). */
  replayed: boolean;
}

/** A call given up before it was sent again: `giveUp` said why (e.g. its workflow is stuck, left for an operator). */
export class GaveUp extends Error {
  constructor(
    readonly method: string,
    readonly path: string,
    readonly why: string,
  ) {
    super(`${method} ${path}: given up (${why})`);
    this.name = 'GaveUp';
  }
}

export type RetryReason = 'unavailable (503)' | 'connection lost' | 'timed out' | 'key in flight (409)' | 'request timeout (408)';

export class RetryingClient {
  /** Calls under way (sent and not yet answered), for faults that want requests in flight. */
  inFlight = 0;
  calls = 0;
  readonly retries = new Map<RetryReason, number>();
  /** Answers that were replays of an earlier attempt's stored answer. */
  replays = 0;

  constructor(
    private readonly baseUrl: () => string,
    private readonly opts: {
      attemptTimeoutMs?: number;
      giveUpAfterMs?: number;
      /** Asked before a call is sent again: a reason to give up on it (GaveUp), or undefined to go on. */
      giveUp?: (method: string, path: string) => string | undefined;
    } = {},
  ) {}

  async call<T = Json>(method: string, path: string, o: CallOptions = {}): Promise<Answer<T>> {
    const key = method === 'POST' || method === 'PUT' ? (o.key ?? randomUUID()) : undefined;
    const sentAt = Date.now();
    const giveUpAt = sentAt + (this.opts.giveUpAfterMs ?? 600_000);
    let attempts = 0;
    let pause = 200;
    let last = '';
    this.calls++;
    this.inFlight++;
    try {
      for (;;) {
        attempts++;
        let reason: RetryReason;
        try {
          const res = await fetch(`${this.baseUrl()}${path}`, {
            method,
            headers: {
              ...(o.token ? { authorization: `Bearer ${o.token}` } : {}),
              ...(o.body !== undefined ? { 'content-type': 'application/json' } : {}),
              ...(key ? { 'idempotency-key': key } : {}),
            },
            body: o.body === undefined ? undefined : JSON.stringify(o.body),
            signal: AbortSignal.timeout(this.opts.attemptTimeoutMs ?? 90_000),
          });
          const text = await res.text();
          let body: Json = text;
          try {
            body = text ? JSON.parse(text) : undefined;
          } catch {
            /* not JSON (metrics) */
          }
          last = `${res.status} ${text.slice(0, 300)}`;
          if (res.status === 503) reason = 'unavailable (503)';
          else if (res.status === 408) reason = 'request timeout (408)';
          else if (res.status === 409 && body?.details?.some?.((d: { rule?: string } | null) => d?.rule === 'idempotency-key.in-flight'))
            reason = 'key in flight (409)';
          else if (res.status === 409 && /Idempotency-Key .* is (still being answered|in use)/.test(String(body?.message)))
            reason = 'key in flight (409)';
          else {
            const replayed = res.headers.get('idempotent-replayed') === 'true';
            if (replayed) this.replays++;
            return { status: res.status, body, sentAt, answeredAt: Date.now(), attempts, replayed };
          }
        } catch (err) {
          const name = (err as Error).name;
          reason = name === 'TimeoutError' || name === 'AbortError' ? 'timed out' : 'connection lost';
          last = (err as Error).message;
        }
        this.retries.set(reason, (this.retries.get(reason) ?? 0) + 1);
        const why = this.opts.giveUp?.(method, path);
        if (why) throw new GaveUp(method, path, why);
        if (Date.now() > giveUpAt) throw new Error(`${method} ${path}: no answer after ${attempts} attempts (last: ${reason}: ${last})`);
        await new Promise((r) => setTimeout(r, pause));
        pause = Math.min(pause * 2, 2_000);
      }
    } finally {
      this.inFlight--;
    }
  }

  /** A call that must succeed: anything but `expected` fails with the answer in the message. */
  async ok<T = Json>(method: string, path: string, o: CallOptions = {}, expected = [200, 201, 202]): Promise<T> {
    const r = await this.call<T>(method, path, o);
    if (!expected.includes(r.status)) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  }
}
