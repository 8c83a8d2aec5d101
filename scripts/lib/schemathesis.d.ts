// Types of scripts/lib/schemathesis.js for the TypeScript code that uses it (the contract fuzz test).
export declare const SCHEMATHESIS_VERSION: string;
/** Path of Schemathesis' `st` in the tool cache, installed from PyPI the first time. */
export declare function ensureSchemathesis(): Promise<string>;
