// Structured logs: one JSON object per line on stdout, for the worker and the SDK's own messages.
import { DefaultLogger, type LogEntry, type Logger } from '@temporalio/worker';
import type { MasslineConfig } from '../../../libs/config/src';

const SDK_LEVEL = { debug: 'DEBUG', info: 'INFO', warn: 'WARN', error: 'ERROR' } as const;

function jsonSafe(_key: string, value: unknown): unknown {
  if (value instanceof Error) {
    const extra = value as Error & { type?: string; code?: unknown; cause?: unknown };
    return { name: value.name, message: value.message, type: extra.type, code: extra.code, cause: extra.cause, stack: value.stack };
  }
  if (typeof value === 'bigint') return value.toString();
  return value;
}

export function formatLogEntry(entry: LogEntry, service: string): string {
  const { sdkComponent, ...meta } = entry.meta ?? {};
  const line = {
    time: new Date(Number(entry.timestampNanos / 1_000_000n)).toISOString(),
    level: entry.level.toLowerCase(),
    service,
    ...(sdkComponent ? { component: sdkComponent } : {}),
    msg: entry.message,
    ...meta,
  };
  try {
    return JSON.stringify(line, jsonSafe);
  } catch {
    return JSON.stringify({ time: line.time, level: line.level, service, msg: entry.message, meta: '(not serialisable)' });
  }
}

export function createJsonLogger(
  level: MasslineConfig['logLevel'],
  service = 'massline-worker',
  write: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
): Logger {
  return new DefaultLogger(SDK_LEVEL[level], (entry) => write(formatLogEntry(entry, service)));
}
