// Structured logs of every massline process: pino, one JSON object per line on stdout (`massline up` keeps them in
// data/logs/ and shows them pretty in the terminal). Every line names its process (service, instance) and, when
// it belongs to a request or a trace, carries its request id and trace and span ids, so that one decision can be
// followed through the API's lines and the activities' lines.
import pino, { symbols, type Logger } from 'pino';
import { context, isSpanContextValid, trace } from '@opentelemetry/api';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface LoggerOptions {
  /** massline-api or massline-worker. */
  service: string;
  /** Which one of them (api-1, worker-2, … as `massline up` names its processes). */
  instance?: string;
  level: LogLevel;
  /** Fields of the current request (request id, principal): merged into every line logged within it. */
  contextFields?: () => Record<string, unknown> | undefined;
  /** Where the lines go, one call per line without its newline (default: stdout, written synchronously). */
  write?: (line: string) => void;
}

/** The trace and span ids of the active span (OpenTelemetry's log field names, as Temporal's interceptors use them). */
export function traceFields(): { trace_id?: string; span_id?: string } {
  const span = trace.getSpanContext(context.active());
  return span && isSpanContextValid(span) ? { trace_id: span.traceId, span_id: span.spanId } : {};
}

/** Errors anywhere in a line's fields are written as their name, message, code and stack, not as `{}`. */
export function errorFields(value: unknown): unknown {
  if (!(value instanceof Error)) return typeof value === 'bigint' ? value.toString() : value;
  const e = value as Error & { type?: unknown; code?: unknown; cause?: unknown };
  return {
    name: e.name,
    message: e.message,
    type: e.type,
    code: e.code,
    ...(e.cause !== undefined ? { cause: errorFields(e.cause) } : {}),
    stack: e.stack,
  };
}

export function createLogger(options: LoggerOptions): Logger {
  const write = options.write;
  const destination = write
    ? { write: (chunk: string) => write(chunk.endsWith('\n') ? chunk.slice(0, -1) : chunk) }
    : pino.destination({ dest: 1, sync: true });
  return pino(
    {
      level: options.level,
      base: { service: options.service, ...(options.instance ? { instance: options.instance } : {}), pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      messageKey: 'msg',
      formatters: { level: (label) => ({ level: label }) },
      mixin(_fields, _level, logger) {
        const fields: Record<string, unknown> = { ...options.contextFields?.(), ...traceFields() };
        // A request's child logger has its request id bound already: not twice in one line.
        const bound = (logger as unknown as Record<symbol, string>)[symbols.chindingsSym] ?? '';
        for (const key of Object.keys(fields)) if (fields[key] === undefined || bound.includes(`"${key}":`)) delete fields[key];
        return fields;
      },
      serializers: { err: pino.stdSerializers.err, error: errorFields },
    },
    destination,
  );
}
