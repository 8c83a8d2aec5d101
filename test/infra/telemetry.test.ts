// The pieces of logs and traces that need no massline server: a trace file stays within its bound, every log line
// names its process, its request and its trace, and with a collector configured the spans go to it over OTLP.
import * as fs from 'fs';
import * as http from 'http';
import type { AddressInfo } from 'net';
import * as os from 'os';
import * as path from 'path';
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { Resource } from '@opentelemetry/resources';
import { createLogger, FileSpanExporter, startTracing, type SpanLine } from '../../libs/telemetry/src';
import { loadConfig } from '../../libs/config/src';
import type { Json } from '../support/json';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'massline-telemetry-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('the trace file', () => {
  it('holds one JSON line per span with the ids that join a trace, and keeps at most twice its bound', async () => {
    const file = path.join(dir, 'traces', 'api-1.jsonl');
    const exporter = new FileSpanExporter(file, 20_000);
    const provider = new BasicTracerProvider({
      resource: new Resource({ 'service.name': 'massline-api', 'service.instance.id': 'api-1' }),
      spanProcessors: [new SimpleSpanProcessor(exporter)],
    });
    const tracer = provider.getTracer('test');
    const parent = tracer.startSpan('POST /api/units/:id/records');
    const child = tracer.startSpan('StartWorkflowUpdate:addRecord', {}, trace.setSpan(context.active(), parent));
    child.setAttribute('temporalWorkflowId', 'massline-unit-1');
    child.end();
    parent.end();
    const [first, second] = fs
      .readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as SpanLine);
    expect(first).toMatchObject({
      name: 'StartWorkflowUpdate:addRecord',
      service: 'massline-api',
      instance: 'api-1',
      parentSpanId: second.spanId,
      traceId: second.traceId,
    });
    expect(first.attributes).toEqual({ temporalWorkflowId: 'massline-unit-1' });
    expect(second.parentSpanId).toBeUndefined();
    expect((fs.statSync(path.dirname(file)).mode & 0o777).toString(8)).toBe('700');
    expect((fs.statSync(file).mode & 0o777).toString(8)).toBe('600');

    for (let i = 0; i < 500; i++) tracer.startSpan(`span ${i}`, { attributes: { filler: 'x'.repeat(50) } }).end();
    await provider.shutdown();
    const files = fs.readdirSync(path.dirname(file)).sort();
    expect(files).toEqual(['api-1.1.jsonl', 'api-1.jsonl']);
    for (const f of files) expect(fs.statSync(path.join(path.dirname(file), f)).size).toBeLessThanOrEqual(20_000);
    // The newest spans are in the file being written.
    expect(fs.readFileSync(file, 'utf8')).toContain('"name":"span 499"');
  });
});

describe('the log lines', () => {
  it('name the process, and within a request and a span, its request id and the trace and span ids', () => {
    const lines: string[] = [];
    let current: Record<string, unknown> | undefined;
    const logger = createLogger({
      service: 'massline-api',
      instance: 'api-2',
      level: 'info',
      contextFields: () => current,
      write: (l) => lines.push(l),
    });
    const manager = new AsyncLocalStorageContextManager().enable();
    context.setGlobalContextManager(manager);
    try {
      const provider = new BasicTracerProvider();
      const span = provider.getTracer('test').startSpan('request');
      current = { requestId: 'req-1', principalId: 'p-1' };
      context.with(trace.setSpan(context.active(), span), () => logger.info({ route: '/api/me' }, 'request'));
      // A child logger that has the request id bound already does not repeat it.
      logger.child({ requestId: 'req-1' }).warn({ error: new Error('boom') }, 'failed');
      current = undefined;
      logger.debug('not written at info');
      span.end();
      const [inRequest, bound] = lines.map((l) => JSON.parse(l));
      expect(lines).toHaveLength(2);
      expect(inRequest).toMatchObject({
        level: 'info',
        service: 'massline-api',
        instance: 'api-2',
        requestId: 'req-1',
        principalId: 'p-1',
        trace_id: span.spanContext().traceId,
        span_id: span.spanContext().spanId,
        route: '/api/me',
        msg: 'request',
      });
      expect(new Date(inRequest.time).toISOString()).toBe(inRequest.time);
      expect(lines[1].match(/"requestId"/g)).toHaveLength(1);
      expect(bound.error).toMatchObject({ name: 'Error', message: 'boom' });
    } finally {
      context.disable();
    }
  });

  it('reads the telemetry settings from the environment, once, and refuses what would break them', () => {
    expect(loadConfig({}).worker.metricsPort).toBe(9464);
    const c = loadConfig({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
      MASSLINE_INSTANCE: 'worker-2',
      MASSLINE_WORKER_METRICS_PORT: '0',
    });
    expect(c).toMatchObject({ instance: 'worker-2', telemetry: { otlpEndpoint: 'http://collector:4318' }, worker: { metricsPort: 0 } });
    expect(() => loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4317' })).toThrow(
      /OTEL_EXPORTER_OTLP_ENDPOINT must be an http\(s\) URL/,
    );
    expect(() => loadConfig({ MASSLINE_INSTANCE: '../etc' })).toThrow(/MASSLINE_INSTANCE/);
  });
});

describe('traces over OTLP', () => {
  it('go to the collector OTEL_EXPORTER_OTLP_ENDPOINT names, at its /v1/traces', async () => {
    const received: Array<{ path?: string; body: Json }> = [];
    const collector = http.createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += String(d)));
      req.on('end', () => {
        received.push({ path: req.url, body: JSON.parse(body) });
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
    const endpoint = `http://127.0.0.1:${(collector.address() as AddressInfo).port}`;
    try {
      const config = loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, MASSLINE_INSTANCE: 'api-3', MASSLINE_DATA_DIR: dir });
      const tracing = startTracing(config, 'massline-api');
      expect(tracing.destination).toBe(`${endpoint}/v1/traces`);
      tracing.tracer().startSpan('POST /api/units/:id/records').end();
      await tracing.shutdown();
      expect(received.map((r) => r.path)).toEqual(['/v1/traces']);
      const [resourceSpans] = received[0].body.resourceSpans;
      const attributes = Object.fromEntries(resourceSpans.resource.attributes.map((a: Json) => [a.key, a.value.stringValue]));
      expect(attributes).toMatchObject({ 'service.name': 'massline-api', 'service.instance.id': 'api-3' });
      expect(resourceSpans.scopeSpans[0].spans.map((s: Json) => s.name)).toEqual(['POST /api/units/:id/records']);
      // Nothing was written to the trace files meanwhile.
      expect(fs.existsSync(path.join(dir, 'traces', 'api-3.jsonl'))).toBe(false);
    } finally {
      collector.close();
    }
  });
});
