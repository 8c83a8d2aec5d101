// Read your own writes without asking a workflow: a decision answers with the version it produced, and a GET
// with `?minVersion=N` waits (briefly, bounded) until the read model shows that version. Past the bound the
// answer is a 503 with Retry-After: the decision stands, its projection is late (e.g. no worker is running).

/** How long a GET waits for the read model to reach `minVersion`. */
export const MIN_VERSION_WAIT_MS = 5_000;
/** The pauses between looks grow to this. */
const MAX_PAUSE_MS = 200;

/** The answer exists but cannot be given yet: a 503 with Retry-After (mapped once, in the exception filter). */
export class RetryLater extends Error {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message);
    this.name = 'RetryLater';
  }
}

/**
 * Reads until the version is at least `minVersion` (no wait without one). `what` names the object in the 503.
 * Nothing projected counts as version 0 (not started): undefined is then the answer to a `minVersion` of 0.
 */
export async function readAtLeast<T extends { version: number }>(
  read: () => Promise<T | undefined>,
  minVersion: number | undefined,
  what: string,
  waitMs = MIN_VERSION_WAIT_MS,
): Promise<T | undefined> {
  const reached = (r: T | undefined) => minVersion === undefined || (r?.version ?? 0) >= minVersion;
  let current = await read();
  if (reached(current)) return current;
  const until = Date.now() + waitMs;
  for (let pause = 10; Date.now() < until; pause = Math.min(pause * 2, MAX_PAUSE_MS)) {
    await new Promise((resolve) => setTimeout(resolve, Math.min(pause, Math.max(1, until - Date.now()))));
    current = await read();
    if (reached(current)) return current;
  }
  throw new RetryLater(
    `${what} is at version ${current?.version ?? 0} in the read model, not yet ${minVersion}: the decision stands and its view follows; retry`,
    1,
  );
}
