// Tracing of one massline process (the API or a worker): an OpenTelemetry tracer provider registered for the
// process, whose spans go over OTLP/HTTP when OTEL_EXPORTER_OTLP_ENDPOINT is set, and otherwise to a file of their
// own under data/traces/. Temporal's interceptors (client, workflow, activity) and, in the API, the HTTP and NestJS
// instrumentations write into it, so that one request is one trace from the HTTP call to the activities.
import * as path from 'node:path';
import { diag, DiagLogLevel, trace, type Tracer } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { registerInstrumentations, type Instrumentation } from '@opentelemetry/instrumentation';
import { Resource } from '@opentelemetry/resources';
import { BatchSpanProcessor, type SpanExporter, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import type { MasslineConfig } from '../../config/src';
import { FileSpanExporter } from './file-exporter';

export interface ProcessTracing {
  provider: NodeTracerProvider;
  /** Also handed to the worker's workflow span sink (the workflow sandbox has no exporter of its own). */
  spanProcessor: SpanProcessor;
  resource: Resource;
  /** Where the spans go: the OTLP URL or the file. */
  destination: string;
  tracer(name?: string): Tracer;
  /** Flushes what is buffered and stops (on shutdown). */
  shutdown(): Promise<void>;
}

/** The file of a process's spans when no collector is configured: `<dataDir>/traces/<instance>.jsonl`. */
export const traceFile = (dataDir: string, instance: string): string => path.join(dataDir, 'traces', `${instance}.jsonl`);

/** The traces URL of an OTLP/HTTP endpoint, as the OpenTelemetry specification derives it from OTEL_EXPORTER_OTLP_ENDPOINT. */
export const otlpTracesUrl = (endpoint: string): string => `${endpoint.replace(/\/+$/, '')}/v1/traces`;

export function startTracing(
  config: MasslineConfig,
  service: 'massline-api' | 'massline-worker',
  options: { instrumentations?: Instrumentation[]; onError?: (message: string) => void } = {},
): ProcessTracing {
  const instance = config.instance ?? service.replace(/^massline-/, '');
  const resource = new Resource({ 'service.name': service, 'service.namespace': 'massline', 'service.instance.id': instance });
  let exporter: SpanExporter;
  let destination: string;
  if (config.telemetry.otlpEndpoint) {
    destination = otlpTracesUrl(config.telemetry.otlpEndpoint);
    exporter = new OTLPTraceExporter({ url: destination });
  } else {
    destination = traceFile(config.dataDir, instance);
    exporter = new FileSpanExporter(destination);
  }
  // An exporter that fails (collector down, disk full) is reported once a minute at most, never thrown into a request.
  const onError = options.onError;
  if (onError) {
    let last = 0;
    const report = (message: string) => {
      if (Date.now() - last < ERROR_REPORT_EVERY_MS) return;
      last = Date.now();
      onError(message);
    };
    diag.setLogger({ ...quietDiag, error: report }, DiagLogLevel.ERROR);
  }
  const spanProcessor = new BatchSpanProcessor(exporter, { scheduledDelayMillis: 1_000 });
  const provider = new NodeTracerProvider({ resource, spanProcessors: [spanProcessor] });
  // The W3C trace context and baggage propagators, and the AsyncLocalStorage context manager.
  provider.register();
  const unregister = options.instrumentations?.length
    ? registerInstrumentations({ tracerProvider: provider, instrumentations: options.instrumentations })
    : () => undefined;
  return {
    provider,
    spanProcessor,
    resource,
    destination,
    tracer: (name = service) => trace.getTracer(name),
    shutdown: async () => {
      unregister();
      await provider.shutdown().catch(() => undefined);
    },
  };
}

const ERROR_REPORT_EVERY_MS = 60_000;
const quietDiag = {
  verbose: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};
