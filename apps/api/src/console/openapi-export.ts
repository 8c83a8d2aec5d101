// Writes the API's OpenAPI document (the one served at /docs-json) to a file, without a database or a
// workflow engine: the console's typed client is generated from it at build time, so the contract has one source.
//   node dist/apps/api/src/console/openapi-export.js <out.json>
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { Client, Connection } from '@temporalio/client';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { loadConfig } from '../../../../libs/config/src';
import { createDataSource } from '../../../../libs/persistence/src';
import { buildApiContext } from '../api-context';
import { AppModule } from '../app.module';
import { JsonLogger } from '../common/logger';
import { openApiDocument } from '../main';

export async function exportOpenApi(): Promise<object> {
  const config = loadConfig({});
  const logger = new JsonLogger('error', () => undefined);
  // Neither is connected: building the document only reads the routes' metadata.
  const dataSource = createDataSource(config);
  const temporal = new Client({ connection: Connection.lazy({ address: config.temporal.address }) });
  const ctx = buildApiContext(config, dataSource, temporal, logger);
  const app = await NestFactory.create(AppModule.register(ctx), new ExpressAdapter(), { logger: false, abortOnError: false });
  try {
    return openApiDocument(app);
  } finally {
    await app.close();
  }
}

if (require.main === module) {
  const out = process.argv[2];
  exportOpenApi().then(
    (doc) => {
      const json = `${JSON.stringify(doc, null, 2)}\n`;
      if (out) {
        mkdirSync(dirname(out), { recursive: true });
        writeFileSync(out, json);
      } else process.stdout.write(json);
    },
    (err: unknown) => {
      process.stderr.write(`could not build the OpenAPI document: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(1);
    },
  );
}
