// The massline HTTP API. `createApp(config, deps?)` builds it (tests start it on port 0 against the real
// services); run directly, it connects to PostgreSQL and Temporal from the config and listens.
// First, before Nest, Express and http load: the process's tracing, when this is the process's entry.
import { apiTracing } from './instrumentation';
import 'reflect-metadata';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter, type NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import type { Client, Connection } from '@temporalio/client';
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import { loadConfig, type MasslineConfig } from '../../../libs/config/src';
import { createDataSource, runMigrations } from '../../../libs/persistence/src';
import { connectTemporal } from '../../../libs/temporal/src';
import { RequestIdClientInterceptor } from '../../../libs/temporal/src/request-id';
import { OpenTelemetryWorkflowClientInterceptor } from '@temporalio/interceptors-opentelemetry';
import { PinoLogger } from 'nestjs-pino';
import { buildApiContext, type ApiContext } from './api-context';
import { AppModule } from './app.module';
import {
  answerClientErrors,
  checkBody,
  enterRequestContext,
  expressErrors,
  methodNotAllowed,
  refuseInvalidUtf8,
  requestIdAndLog,
} from './common/http-middleware';
import { completeDocument } from './common/openapi';
import { JsonLogger, NestLogger, nestPinoParams } from './common/logger';
import { requestContext } from './common/request-context';

/** Large enough for 10,000 units in one enrolment call, small enough to refuse abuse early. */
export const JSON_BODY_LIMIT = '8mb';

export interface ApiDeps {
  /** An initialised data source (migrations are run on it). Default: from the config, closed with the app. */
  dataSource?: DataSource;
  /** A Temporal client. Default: connected from the config, closed with the app. */
  temporal?: Client;
  logger?: JsonLogger;
  /** Where the office token announcement goes (default stdout). */
  announce?: (line: string) => void;
  /**
   * Whether a generated office token is announced itself (default true) or only where it is saved: false when the
   * announcement would end up in a log (see main()).
   */
  revealToken?: boolean;
  /** The clock of the public rate limit (default the database's; tests step it). */
  clock?: () => number;
  /** Nest modules to import besides the API's own (e.g. the audit module). */
  imports?: Parameters<typeof AppModule.register>[1];
}

export type MasslineApi = NestExpressApplication;

const contexts = new WeakMap<object, ApiContext>();
/** The pieces an app was built from (config, data source, client, services), for tests and tools. */
export const apiContextOf = (app: MasslineApi): ApiContext => {
  const ctx = contexts.get(app);
  if (!ctx) throw new Error('not an app made by createApp');
  return ctx;
};

/** The caller's data source, or one of the app's own (closed with it); either way connected and migrated. */
async function openDatabase(config: MasslineConfig, deps: ApiDeps, closers: Array<() => Promise<void>>): Promise<DataSource> {
  let dataSource = deps.dataSource;
  if (!dataSource) {
    const created = createDataSource(config, { applicationName: 'massline-api' });
    closers.push(() => created.destroy());
    dataSource = created;
  }
  if (!dataSource.isInitialized) await dataSource.initialize();
  await runMigrations(dataSource);
  return dataSource;
}

/** The caller's Temporal client, or a connection of the app's own (closed with it). */
async function connectEngine(config: MasslineConfig, deps: ApiDeps, closers: Array<() => Promise<void>>): Promise<Client> {
  if (deps.temporal) return deps.temporal;
  // Each workflow call carries the trace context and the request id of the HTTP call it is made for.
  const handles = await connectTemporal(config, {
    waitMs: 30_000,
    interceptors: [
      new OpenTelemetryWorkflowClientInterceptor(),
      new RequestIdClientInterceptor(() => requestContext.getStore()?.requestId),
    ],
  });
  const connection: Connection = handles.connection;
  closers.push(() => connection.close());
  return handles.client;
}

/**
 * What every request goes through before its route, in order: request id and log line, the JSON body parser and
 * the body checks (their failures answered in the one error shape), the request context, the API document and
 * its 405s.
 */
function installHttpPipeline(app: MasslineApi, ctx: ApiContext, logger: JsonLogger): void {
  app.disable('x-powered-by');
  app.use(requestIdAndLog(logger, ctx.metrics));
  app.useBodyParser('json', {
    limit: JSON_BODY_LIMIT,
    strict: true,
    type: ['application/json', 'application/*+json'],
    verify: refuseInvalidUtf8,
  });
  app.use(checkBody);
  // Right after the parser: a malformed, oversized, too deeply nested or NUL-carrying body is answered here, in the one error shape.
  app.use(expressErrors(logger));
  app.use(enterRequestContext);

  const document = openApiDocument(app);
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
  // Before the routes (registered by init): a documented path asked with a method it does not answer is a 405.
  app.use(methodNotAllowed(document));
}

export async function createApp(config: MasslineConfig, deps: ApiDeps = {}): Promise<MasslineApi> {
  const logger = deps.logger ?? new JsonLogger(config.logLevel, undefined, config.instance ?? 'api');
  const announce = deps.announce ?? ((line: string) => process.stdout.write(`${line}\n`));
  const closers: Array<() => Promise<void>> = [];

  try {
    const dataSource = await openDatabase(config, deps, closers);
    const temporal = await connectEngine(config, deps, closers);
    const ctx = buildApiContext(config, dataSource, temporal, logger, closers, deps.clock);
    for (const sweeper of [ctx.idempotencySweeper, ctx.rateLimitSweeper]) {
      sweeper.start();
      closers.push(() => sweeper.stop());
    }
    await seedOfficeToken(ctx, announce, deps.revealToken ?? true);

    const app = await NestFactory.create<MasslineApi>(AppModule.register(ctx, deps.imports ?? []), new ExpressAdapter(), {
      bodyParser: false,
      bufferLogs: true,
      abortOnError: false,
    });
    // Nest's own messages through nestjs-pino, into the same pino logger (within a request, its child logger).
    const params = nestPinoParams(logger);
    app.useLogger(new NestLogger(new PinoLogger(params), params));
    contexts.set(app, ctx);
    installHttpPipeline(app, ctx, logger);
    await app.init();
    answerClientErrors(app.getHttpServer());
    return app;
  } catch (err) {
    // Whatever was opened before the failure is closed again, so a failed start leaves nothing behind.
    for (const close of closers.splice(0).reverse()) await close().catch(() => undefined);
    throw err;
  }
}

/** The OpenAPI document of the app, as served at /docs-json (the console's typed client is generated from it). */
export function openApiDocument(app: INestApplication): OpenAPIObject {
  const openapi = new DocumentBuilder()
    .setTitle('massline')
    .setDescription(
      'A mass-line education campaign (党的群众路线教育实践活动) run as durable workflows: units, phases, supervised gates, ' +
        'rectification task books and their escalation ladders, audit. Errors: {statusCode, error, message, details?}. ' +
        "Every answer carries X-Request-Id (the caller's, if it sent a plain one), which the JSON logs carry too.",
    )
    .setVersion('1')
    .addBearerAuth({
      type: 'http',
      scheme: 'bearer',
      description: 'opaque token of a principal (office, unit, supervisor, auditor), shown once when the principal is created',
    })
    .build();
  return completeDocument(SwaggerModule.createDocument(app, openapi));
}

/**
 * The first office principal: its token comes from MASSLINE_ADMIN_TOKEN or is generated, printed once and
 * kept (mode 0600) in `<dataDir>/office-token` for whoever missed the line; later starts say where it is.
 */
async function seedOfficeToken(ctx: ApiContext, announce: (line: string) => void, reveal: boolean): Promise<void> {
  const seeded = await ctx.services.principals.seedOffice(ctx.config.adminToken);
  const file = join(ctx.config.dataDir, 'office-token');
  if (seeded.created && seeded.generated && seeded.token) {
    let saved = '';
    try {
      mkdirSync(ctx.config.dataDir, { recursive: true, mode: 0o700 });
      writeFileSync(file, `${seeded.token}\n`, { mode: 0o600 });
      chmodSync(file, 0o600);
      saved = ` (also saved in ${file})`;
    } catch (err) {
      ctx.logger.event('warn', 'could not save the office token', { file, error: String(err) });
    }
    if (reveal) announce(`office token: ${seeded.token}${saved}`);
    else if (saved) announce(`office token: generated and saved in ${file} (not printed here: this output is not a terminal)`);
    else
      announce(
        `office token: generated but not saved (see the warning) and not printed (this output is not a terminal): set MASSLINE_ADMIN_TOKEN to add one`,
      );
  } else if (seeded.created) {
    announce('office token: the one given in MASSLINE_ADMIN_TOKEN');
  } else if (!ctx.config.adminToken && existsSync(file)) {
    announce(`office token: saved in ${file} at first start`);
  }
}

async function main(): Promise<void> {
  const config = loadConfig();
  // A secret goes to a terminal, never into a log file: `massline up` and containers send this output to logs.
  // isTTY is undefined when stdout is a pipe or a file, whatever @types/node says.
  const app = await createApp(config, { revealToken: (process.stdout.isTTY as boolean | undefined) === true });
  // The last spans are written before the process ends.
  const tracing = apiTracing;
  if (tracing) apiContextOf(app).closers.unshift(() => tracing.shutdown());
  app.enableShutdownHooks();
  await app.listen(config.port, config.host);
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const host = config.host === '0.0.0.0' ? 'localhost' : config.host;
  apiContextOf(app).logger.event('info', 'massline API listening', {
    url: `http://${host}:${port}`,
    docs: `http://${host}:${port}/docs`,
    traces: apiTracing?.destination ?? 'off',
  });
  process.stdout.write(`massline API on http://${host}:${port} (Swagger UI at /docs)\n`);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`massline API failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  });
}
