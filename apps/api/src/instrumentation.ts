// Tracing of the API process. main.ts imports this first, so that it starts before Nest, Express and http are
// loaded and their instrumentation takes: the HTTP server span of each /api call, NestJS's spans under it, and
// (through the Temporal client's interceptors) the workflow calls under those. Only when main.ts is the process's
// entry: an app built in another process (tests, tools) traces nothing of its own.
import type { IncomingMessage } from 'node:http';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { NestInstrumentation } from '@opentelemetry/instrumentation-nestjs-core';
import type { Span } from '@opentelemetry/api';
import { loadConfig } from '../../../libs/config/src';
import { startTracing, type ProcessTracing } from '../../../libs/telemetry/src/tracing';

type ExpressRequest = IncomingMessage & { route?: { path?: string }; baseUrl?: string; requestId?: string };

/** The server span named by its route (`POST /api/units/:id/records`), with the request id that the logs carry. */
function nameByRoute(span: Span, request: IncomingMessage | object): void {
  const req = request as ExpressRequest;
  if (!('method' in req)) return;
  if (req.route?.path) {
    const route = `${req.baseUrl ?? ''}${req.route.path}`;
    span.updateName(`${req.method} ${route}`);
    span.setAttribute('http.route', route);
  }
  if (req.requestId) span.setAttribute('massline.request_id', req.requestId);
}

function startApiTracing(): ProcessTracing | undefined {
  let config;
  try {
    config = loadConfig();
  } catch {
    return undefined; // main() says what is wrong with the configuration
  }
  return startTracing(config, 'massline-api', {
    instrumentations: [
      // The API's own calls only: not the console's files, health probes or metric scrapes.
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (req) => !req.url?.startsWith('/api/'),
        applyCustomAttributesOnSpan: nameByRoute,
      }),
      new NestInstrumentation(),
    ],
    onError: (message) =>
      process.stdout.write(
        `${JSON.stringify({ level: 'warn', time: new Date().toISOString(), service: 'massline-api', msg: 'traces could not be exported', error: message })}\n`,
      ),
  });
}

export const apiTracing: ProcessTracing | undefined = require.main?.filename === require.resolve('./main') ? startApiTracing() : undefined;
