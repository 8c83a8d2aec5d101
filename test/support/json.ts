/**
 * A JSON body (or a raw SQL row) as a test reads it: the test's expect() asserts its shape, so it is not typed
 * here. The one place the tests name `any`; the rules on using it are relaxed for test files in eslint.config.mjs.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the untyped body, named once
export type Json = any;
