// Structured JSON logs, one object per line, each carrying the request id of the request it belongs to.
import type { LoggerService } from '@nestjs/common';
import type { MasslineConfig } from '../../../../libs/config/src';
import { requestContext } from './request-context';

const NEST_CONTEXTS = new Set(['NestFactory', 'InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'NestApplication']);

const LEVELS = { debug: 10, info: 20, warn: 30, error: 40 } as const;
type Level = keyof typeof LEVELS;

export class JsonLogger implements LoggerService {
  private readonly threshold: number;

  constructor(
    level: MasslineConfig['logLevel'] = 'info',
    private readonly write: (line: string) => void = (line) => process.stdout.write(line + '\n'),
  ) {
    this.threshold = LEVELS[level];
  }

  log(message: unknown, ...rest: unknown[]): void {
    // Nest's own start-up chatter (modules loaded, routes mapped) is debug; the API's events are info.
    const context = rest[rest.length - 1];
    this.emit(typeof context === 'string' && NEST_CONTEXTS.has(context) ? 'debug' : 'info', message, rest);
  }
  error(message: unknown, ...rest: unknown[]): void {
    this.emit('error', message, rest);
  }
  warn(message: unknown, ...rest: unknown[]): void {
    this.emit('warn', message, rest);
  }
  debug(message: unknown, ...rest: unknown[]): void {
    this.emit('debug', message, rest);
  }
  verbose(message: unknown, ...rest: unknown[]): void {
    this.emit('debug', message, rest);
  }

  /** A log line with structured fields. */
  event(level: Level, msg: string, fields: Record<string, unknown> = {}): void {
    if (LEVELS[level] < this.threshold) return;
    const ctx = requestContext.getStore();
    this.write(
      JSON.stringify({
        time: new Date().toISOString(),
        level,
        msg,
        ...(ctx?.requestId ? { requestId: ctx.requestId } : {}),
        ...(ctx?.principalId ? { principalId: ctx.principalId } : {}),
        ...fields,
      }),
    );
  }

  private emit(level: Level, message: unknown, rest: unknown[]): void {
    if (LEVELS[level] < this.threshold) return;
    // Nest passes the context (class name) last; an Error's stack may come before it.
    const context = typeof rest[rest.length - 1] === 'string' ? (rest[rest.length - 1] as string) : undefined;
    const fields: Record<string, unknown> = {};
    if (context) fields.context = context;
    if (message instanceof Error) {
      fields.error = message.name;
      fields.stack = message.stack;
    }
    const stack = rest.find((r, i) => typeof r === 'string' && i < rest.length - 1);
    if (stack) fields.stack = stack;
    this.event(level, message instanceof Error ? message.message : typeof message === 'string' ? message : JSON.stringify(message), fields);
  }
}
