// The API's structured logs: pino (libs/telemetry), one JSON object per line, each carrying the request id and
// principal of the request it belongs to and the trace and span ids of the active span. `event()` is how the
// API's own code logs; Nest's messages come through nestjs-pino (NestLogger), request lines through pino-http.
import type { LoggerService } from '@nestjs/common';
import { Logger as NestPinoLogger, type Params as NestPinoParams } from 'nestjs-pino';
import type { Logger as Pino } from 'pino';
import type { MasslineConfig } from '../../../../libs/config/src';
import { createLogger } from '../../../../libs/telemetry/src';
import { requestContext } from './request-context';

/** Nest's start-up chatter (modules loaded, routes mapped): debug, not info. */
const NEST_CONTEXTS = new Set(['NestFactory', 'InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'NestApplication']);

type Level = 'debug' | 'info' | 'warn' | 'error';

/** The fields of the request whose async context a line is logged in. */
export const requestFields = (): Record<string, unknown> | undefined => {
  const ctx = requestContext.getStore();
  return ctx ? { requestId: ctx.requestId, ...(ctx.principalId ? { principalId: ctx.principalId } : {}) } : undefined;
};

export class JsonLogger implements LoggerService {
  /** The pino logger underneath (pino-http and nestjs-pino write through it). */
  readonly pino: Pino;

  constructor(
    level: MasslineConfig['logLevel'] = 'info',
    /** Where lines go (default stdout); tests collect them. */
    write?: (line: string) => void,
    instance?: string,
  ) {
    this.pino = createLogger({ service: 'massline-api', instance, level, contextFields: requestFields, write });
  }

  log(message: unknown, ...rest: unknown[]): void {
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
    this.pino[level](fields, msg);
  }

  private emit(level: Level, message: unknown, rest: unknown[]): void {
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

/**
 * nestjs-pino's options: the API's own pino logger, and the pino-http middleware that main.ts runs first
 * (useExisting). Its LoggerModule's middleware is not mounted: the request's fields come from the request context
 * (requestFields) on every line, and a middleware route would name unmatched requests' route.
 */
export const nestPinoParams = (logger: JsonLogger): NestPinoParams => ({ pinoHttp: { logger: logger.pino }, useExisting: true });

/** Nest's logger through nestjs-pino, with its start-up chatter at debug. */
export class NestLogger extends NestPinoLogger {
  override log(message: unknown, ...rest: unknown[]): void {
    const context = rest[rest.length - 1];
    if (typeof context === 'string' && NEST_CONTEXTS.has(context)) super.debug(message, ...rest);
    else super.log(message, ...rest);
  }
}
