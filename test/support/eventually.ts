// The one way a test waits on a condition (never a fixed sleep): poll until it holds.

/**
 * Polls `probe` every `intervalMs` until it answers — anything but undefined, null or false — and returns that
 * answer. A throw counts as "not yet" (a server still starting, a row not there); if time runs out, the error
 * names what was awaited and the last throw. The limit is a guard against a hang, not an expectation of speed.
 */
export async function eventually<T>(
  probe: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  what: string,
  timeoutMs = 120_000,
  intervalMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined && v !== null && v !== false) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${describeThrow(last)}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** What was thrown, for a message: an error as `Name: message`, a string as it is, anything else as JSON. */
export const describeThrow = (thrown: unknown): string =>
  thrown instanceof Error ? String(thrown) : typeof thrown === 'string' ? thrown : JSON.stringify(thrown);

/** Runs `step`, saying on stderr every 10 s while it has not finished what it is (a teardown that hangs names itself). */
export async function slowly<T>(what: string, step: () => Promise<T>): Promise<T> {
  const started = Date.now();
  const timer = setInterval(() => {
    process.stderr.write(`[harness] still waiting after ${Math.round((Date.now() - started) / 1000)} s: ${what}\n`);
  }, 10_000);
  timer.unref();
  try {
    return await step();
  } finally {
    clearInterval(timer);
  }
}
