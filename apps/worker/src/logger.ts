// The worker's structured logs: the SDK's logger (its core's messages, the workflows' and the activities' lines)
// forwarded into pino (libs/telemetry), one JSON object per line on stdout, as the API writes them.
import type { Logger, LogLevel, LogMetadata } from '@temporalio/worker';
import type { Logger as Pino } from 'pino';
import type { MasslineConfig } from '../../../libs/config/src';
import { createLogger, errorFields } from '../../../libs/telemetry/src/logging';
import { ACTIVITY_STARTED } from './activity-interceptors';

const PINO_LEVEL = { TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' } as const;

/** The SDK's logger on top of a pino logger: its `sdkComponent` becomes `component`, errors are written out. */
export function sdkLogger(pino: Pino): Logger {
  const log = (level: LogLevel, message: string, meta?: LogMetadata) => {
    const { sdkComponent, ...rest } = meta ?? {};
    // Said again by the activity once its headers are read (activity-interceptors.ts), with its request id.
    if (message === ACTIVITY_STARTED && sdkComponent === 'worker') return;
    const fields: Record<string, unknown> = sdkComponent ? { component: sdkComponent } : {};
    for (const [key, value] of Object.entries(rest)) fields[key] = errorFields(value);
    pino[PINO_LEVEL[level]](fields, message);
  };
  return {
    log,
    trace: (message, meta) => log('TRACE', message, meta),
    debug: (message, meta) => log('DEBUG', message, meta),
    info: (message, meta) => log('INFO', message, meta),
    warn: (message, meta) => log('WARN', message, meta),
    error: (message, meta) => log('ERROR', message, meta),
  };
}

export function createJsonLogger(
  level: MasslineConfig['logLevel'],
  service = 'massline-worker',
  write?: (line: string) => void,
  instance?: string,
): Logger {
  return sdkLogger(createLogger({ service, instance, level, write }));
}
