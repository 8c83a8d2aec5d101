// Types of scripts/lib/tools.js for the TypeScript code that uses it (the test harness, `massline up`).
export declare const TEMPORAL_CLI_VERSION: string;
export declare const TEMPORAL_SERVER_VERSION: string;
export declare const TEST_SERVER_VERSION: string;
export declare const PROJECT_ROOT: string;
export declare class MissingPrerequisiteError extends Error {}
/** `${XDG_CACHE_HOME:-~/.cache}/massline`. */
export declare function cacheDir(): string;
/** Path of the Temporal CLI v1.5.1 (TEMPORAL_CLI, PATH, or the cache — built or downloaded when missing). */
export declare function ensureTemporalCli(): Promise<string>;
/** Path of the launcher `temporal-test-server <port>` for the Java time-skipping test server. */
export declare function ensureTestServer(): Promise<string>;
/** The cluster mode's tools: Temporal server, its SQL tool, the PostgreSQL schemas, the Web UI server (if it built). */
export interface TemporalServerTools {
  version: string;
  server: string;
  sqlTool: string;
  uiServer?: string;
  schemaDir: string;
  uiProblem?: string;
}
/** Builds them with Go into the cache when missing (waits for a build under way). */
export declare function ensureTemporalServer(): Promise<TemporalServerTools>;
export declare const TEMPORAL_UI_SERVER_VERSION: string;
export declare function withLock<T>(name: string, fn: () => Promise<T>): Promise<T>;
export declare function which(name: string): string | undefined;
export declare function log(message: string): void;
export declare function freePort(): Promise<number>;
