// massline worker process: `node dist/apps/worker/src/main.js`. Reads the configuration, waits for Temporal,
// registers the search attributes, applies migrations, and polls the task queue until SIGINT or SIGTERM.
import { makeTelemetryFilterString, NativeConnection, Runtime, type Logger } from '@temporalio/worker';
import type { DataSource } from 'typeorm';
import { ConfigError, loadConfig, type MasslineConfig } from '../../../libs/config/src';
import { startTracing } from '../../../libs/telemetry/src';
import { createDataSource, runMigrations } from '../../../libs/persistence/src';
import { connectTemporal, registerSearchAttributes } from '../../../libs/temporal/src';
import { createJsonLogger } from './logger';
import { createMasslineWorker } from './worker';

async function main(): Promise<void> {
  const config = loadConfig();
  const instance = config.instance ?? 'worker';
  const logger = createJsonLogger(config.logLevel, 'massline-worker', undefined, instance);
  const tracing = startTracing(config, 'massline-worker', {
    onError: (message) => {
      logger.warn('traces could not be exported', { error: message });
    },
  });
  installRuntime(config, runtimeOptions(config, logger));
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      logger.info('shutting down', { signal });
    });
  }

  const temporal = await readyTemporal(config, logger);
  const dataSource = await readyDatabase(config, logger);
  const nativeConnection = await NativeConnection.connect({ address: config.temporal.address });
  try {
    const massline = await createMasslineWorker({
      config,
      nativeConnection,
      client: temporal.client,
      dataSource,
      onInternalError: (what, error) => {
        logger.warn(`could not ${what}`, { error: String(error) });
      },
      onSlowShutdown: (waitingFor) => {
        logger.warn('shutting down: still waiting for work in flight', { ...waitingFor });
      },
      stuckRuns: {
        log: (level, message, meta) => {
          logger[level](message, meta);
        },
      },
      tracing,
    });
    logger.info('worker ready', readyFields(config, massline.taskQueue, tracing.destination));
    await massline.run();
  } finally {
    await nativeConnection.close().catch(() => undefined);
    await temporal.connection.close().catch(() => undefined);
    await dataSource.destroy().catch(() => undefined);
    await tracing.shutdown();
  }
  logger.info('worker stopped');
}

/** What the worker says when it is ready: where it polls, and where its notices, metrics and traces go. */
function readyFields(config: MasslineConfig, taskQueue: string, traces: string): Record<string, unknown> {
  return {
    address: config.temporal.address,
    namespace: config.temporal.namespace,
    taskQueue,
    webhook: Boolean(config.notifier.webhookUrl),
    metrics: config.worker.metricsPort
      ? `http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${config.worker.metricsPort}/metrics`
      : 'off',
    traces,
  };
}

/**
 * The SDK's runtime: the core's own messages come through our logger (as JSON lines), and it stops every worker on
 * SIGINT and SIGTERM (the worker then drains and run() resolves).
 */
function runtimeOptions(config: MasslineConfig, logger: Logger): Parameters<typeof Runtime.install>[0] {
  return {
    logger,
    shutdownSignals: ['SIGINT', 'SIGTERM'],
    telemetryOptions: {
      logging: { forward: {}, filter: makeTelemetryFilterString({ core: 'WARN', other: 'ERROR' }) },
      // The engine's own metrics (workflow task latencies, sticky cache, polls, activity outcomes) for Prometheus.
      ...(config.worker.metricsPort
        ? {
            metrics: {
              prometheus: {
                bindAddress: `${config.host}:${config.worker.metricsPort}`,
                countersTotalSuffix: true,
                unitSuffix: true,
                useSecondsForDurations: true,
              },
            },
          }
        : {}),
    },
  };
}

/** Temporal once it answers (waiting up to two minutes), with massline's search attributes registered. */
async function readyTemporal(config: MasslineConfig, logger: Logger): Promise<Awaited<ReturnType<typeof connectTemporal>>> {
  const temporal = await connectTemporal(config, {
    waitMs: 120_000,
    onRetry: (error, attempt) => {
      if (attempt % 10 === 1) logger.warn('waiting for Temporal', { address: config.temporal.address, error: String(error) });
    },
  });
  const added = await registerSearchAttributes(temporal.connection, config.temporal.namespace);
  if (added.length) logger.info('registered search attributes', { namespace: config.temporal.namespace, added });
  return temporal;
}

/** The database, open, with the migrations applied. */
async function readyDatabase(config: MasslineConfig, logger: Logger): Promise<DataSource> {
  const dataSource = createDataSource(config, { applicationName: 'massline-worker' });
  await dataSource.initialize();
  const applied = await runMigrations(dataSource);
  if (applied.length) logger.info('applied migrations', { applied });
  return dataSource;
}

/** Installs the SDK's runtime; a metrics port that cannot be bound is named with the setting that moves it. */
function installRuntime(config: MasslineConfig, options: Parameters<typeof Runtime.install>[0]): void {
  try {
    Runtime.install(options);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (!/prometheus/i.test(message)) throw error;
    throw new ConfigError([
      `the engine's metrics cannot listen on ${config.host}:${config.worker.metricsPort} (${message}): set MASSLINE_WORKER_METRICS_PORT to a free port, or 0 for none`,
    ]);
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    const message = error instanceof ConfigError ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error);
    process.stderr.write(
      `${JSON.stringify({ time: new Date().toISOString(), level: 'error', service: 'massline-worker', msg: 'worker failed', error: message })}\n`,
    );
    process.exit(1);
  },
);
