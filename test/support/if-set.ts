/**
 * A variable a `beforeAll` sets, as `afterAll` sees it: Jest runs `afterAll` even when `beforeAll` failed before
 * setting it, so cleanup skips what was never started (`ifSet(api)?.close()`) instead of hiding the failure
 * behind a TypeError.
 */
export const ifSet = <T>(value: T): T | undefined => value;
