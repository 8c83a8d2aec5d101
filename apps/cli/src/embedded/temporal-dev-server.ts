// The Temporal CLI's dev server (`temporal server start-dev`), started with what massline needs: Workflow
// Update enabled, the namespace, and the typed search attributes registered. Used by `massline up` (state in a
// SQLite file, Web UI on) and by the test harness (in memory, headless).
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { devServerSearchAttributeFlags } from '../../../../libs/contracts/src';
import { stopProcess, waitUntil } from './process';

export interface DevServerOptions {
  cliPath: string;
  port: number;
  ip?: string;
  namespace: string;
  /** Web UI port; no Web UI when absent. */
  uiPort?: number;
  /** SQLite file that keeps the state across restarts; in memory when absent. */
  dbFilename?: string;
  /** Server log (appended). */
  logFile: string;
  startTimeoutMs?: number;
  /** Own process group, so a terminal's Ctrl-C reaches only the parent, which stops it in order. */
  detached?: boolean;
  /** Register massline's search attributes (default true); false gives a bare server, like a user's own. */
  searchAttributes?: boolean;
}

export interface RunningDevServer {
  address: string;
  namespace: string;
  uiUrl?: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** Search attributes as `Name=Type` (Keyword, Int, …), from libs/contracts/src/search-attributes.ts. */
export function masslineSearchAttributes(): Array<{ name: string; type: string }> {
  return devServerSearchAttributeFlags().map((flag) => {
    const [name, type] = flag.split('=');
    return { name, type };
  });
}

export function devServerArgs(opts: DevServerOptions): string[] {
  const args = [
    'server',
    'start-dev',
    '--ip',
    opts.ip ?? '127.0.0.1',
    '--port',
    String(opts.port),
    '--log-format',
    'json',
    '--log-level',
    'warn',
  ];
  if (opts.uiPort === undefined) args.push('--headless');
  else args.push('--ui-port', String(opts.uiPort));
  if (opts.dbFilename) args.push('--db-filename', opts.dbFilename);
  if (opts.namespace !== 'default') args.push('--namespace', opts.namespace);
  args.push('--dynamic-config-value', 'frontend.enableUpdateWorkflowExecution=true');
  // Also needed by updates sent before a worker polls (admitted updates) and by the SDK's update-with-start.
  args.push('--dynamic-config-value', 'frontend.enableExecuteMultiOperation=true');
  if (opts.searchAttributes ?? true) for (const flag of devServerSearchAttributeFlags()) args.push('--search-attribute', flag);
  return args;
}

const INDEXED_VALUE_TYPES: Record<string, temporal.api.enums.v1.IndexedValueType> = {
  Text: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_TEXT,
  Keyword: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  Int: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_INT,
  Double: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_DOUBLE,
  Bool: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_BOOL,
  Datetime: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
  KeywordList: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST,
};

/**
 * Registers the massline search attributes that the namespace lacks. `start-dev --search-attribute` registers
 * them only when it creates the database file, so an existing file (or an external server) is completed here.
 * Returns the names added.
 */
export async function ensureSearchAttributes(connection: Connection, namespace: string): Promise<string[]> {
  const existing = await connection.operatorService.listSearchAttributes({ namespace });
  const known = new Set([...Object.keys(existing.customAttributes), ...Object.keys(existing.systemAttributes)]);
  const missing = masslineSearchAttributes().filter((a) => !known.has(a.name));
  if (missing.length === 0) return [];
  await connection.operatorService.addSearchAttributes({
    namespace,
    searchAttributes: Object.fromEntries(missing.map((a) => [a.name, INDEXED_VALUE_TYPES[a.type]])),
  });
  return missing.map((a) => a.name);
}

/** Waits until the frontend at `address` serves `namespace`, then makes sure the search attributes exist. */
export async function waitForTemporal(
  address: string,
  namespace: string,
  {
    timeoutMs = 60_000,
    child,
    logFile,
    searchAttributes = true,
  }: { timeoutMs?: number; child?: ChildProcess; logFile?: string; searchAttributes?: boolean } = {},
): Promise<void> {
  let connection: Connection | undefined;
  try {
    await waitUntil(
      `Temporal at ${address}`,
      async () => {
        const conn = (connection ??= await Connection.connect({ address, connectTimeout: 2000 }));
        await conn.workflowService.describeNamespace({ namespace });
        return true;
      },
      { timeoutMs, child, logFile, intervalMs: 200 },
    );
    if (searchAttributes) {
      // The probe that answered made it.
      if (!connection) throw new Error(`Temporal at ${address} answered, but no connection to it was kept`);
      await ensureSearchAttributes(connection, namespace);
    }
  } finally {
    await connection?.close();
  }
}

export async function startTemporalDevServer(opts: DevServerOptions): Promise<RunningDevServer> {
  fs.mkdirSync(path.dirname(opts.logFile), { recursive: true });
  if (opts.dbFilename) fs.mkdirSync(path.dirname(opts.dbFilename), { recursive: true });
  const logFd = fs.openSync(opts.logFile, 'a', 0o600);
  fs.fchmodSync(logFd, 0o600);
  const child = spawn(opts.cliPath, devServerArgs(opts), { stdio: ['ignore', logFd, logFd], detached: opts.detached ?? false });
  fs.closeSync(logFd);
  const ip = opts.ip ?? '127.0.0.1';
  const address = `${ip}:${opts.port}`;
  const stop = () => stopProcess(child, 'SIGTERM', 20_000);
  try {
    await waitForTemporal(address, opts.namespace, {
      timeoutMs: opts.startTimeoutMs ?? 60_000,
      child,
      logFile: opts.logFile,
      searchAttributes: opts.searchAttributes,
    });
  } catch (e) {
    await stop();
    throw e;
  }
  return {
    address,
    namespace: opts.namespace,
    uiUrl: opts.uiPort === undefined ? undefined : `http://${ip === '0.0.0.0' ? 'localhost' : ip}:${opts.uiPort}`,
    process: child,
    stop,
  };
}
