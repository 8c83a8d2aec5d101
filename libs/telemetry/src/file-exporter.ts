// Spans as JSON lines in a file, for a machine with no OpenTelemetry collector: one object per span, with the ids
// that join a trace across processes (each process writes its own file; `grep <trace id> data/traces/*` follows one
// request through the API, the workflow and its activities). Bounded: past `maxBytes` the file becomes `<name>.1`
// (the previous `.1` is dropped), so each process keeps at most twice that.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ExportResultCode, hrTimeToMilliseconds, type ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';

/** 16 MiB per file: some 40,000 spans. */
export const TRACE_FILE_MAX_BYTES = 16 * 1024 * 1024;

/** One span as a line of the file. */
export interface SpanLine {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: string;
  service?: string;
  instance?: string;
  start: string;
  durationMs: number;
  status: 'ok' | 'error' | 'unset';
  statusMessage?: string;
  attributes: Record<string, unknown>;
  events?: Array<{ name: string; at: string; attributes?: Record<string, unknown> }>;
  links?: Array<{ traceId: string; spanId: string }>;
}

export function spanLine(span: ReadableSpan): SpanLine {
  const resource = span.resource.attributes;
  const parent = span.parentSpanId;
  return {
    traceId: span.spanContext().traceId,
    spanId: span.spanContext().spanId,
    ...(parent ? { parentSpanId: parent } : {}),
    name: span.name,
    kind: SpanKind[span.kind]?.toLowerCase() ?? String(span.kind),
    ...(resource['service.name'] ? { service: String(resource['service.name']) } : {}),
    ...(resource['service.instance.id'] ? { instance: String(resource['service.instance.id']) } : {}),
    start: new Date(hrTimeToMilliseconds(span.startTime)).toISOString(),
    durationMs: Math.round(hrTimeToMilliseconds(span.duration) * 1000) / 1000,
    status: span.status.code === SpanStatusCode.ERROR ? 'error' : span.status.code === SpanStatusCode.OK ? 'ok' : 'unset',
    ...(span.status.message ? { statusMessage: span.status.message } : {}),
    attributes: { ...span.attributes },
    ...(span.events.length
      ? {
          events: span.events.map((e) => ({
            name: e.name,
            at: new Date(hrTimeToMilliseconds(e.time)).toISOString(),
            ...(e.attributes ? { attributes: { ...e.attributes } } : {}),
          })),
        }
      : {}),
    ...(span.links.length ? { links: span.links.map((l) => ({ traceId: l.context.traceId, spanId: l.context.spanId })) } : {}),
  };
}

export class FileSpanExporter implements SpanExporter {
  private size: number;
  private stopped = false;

  constructor(
    readonly file: string,
    private readonly maxBytes = TRACE_FILE_MAX_BYTES,
  ) {
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    this.size = fs.existsSync(file) ? fs.statSync(file).size : 0;
  }

  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    if (this.stopped) return done({ code: ExportResultCode.FAILED, error: new Error('the trace file exporter is shut down') });
    try {
      const text = spans.map((s) => `${JSON.stringify(spanLine(s))}\n`).join('');
      if (this.size > 0 && this.size + Buffer.byteLength(text) > this.maxBytes) this.rotate();
      fs.appendFileSync(this.file, text, { mode: 0o600 });
      this.size += Buffer.byteLength(text);
      done({ code: ExportResultCode.SUCCESS });
    } catch (error) {
      done({ code: ExportResultCode.FAILED, error: error as Error });
    }
  }

  private rotate(): void {
    fs.renameSync(this.file, this.file.replace(/(\.jsonl)?$/, '.1$1'));
    this.size = 0;
  }

  async shutdown(): Promise<void> {
    this.stopped = true;
  }

  async forceFlush(): Promise<void> {
    // Every export is written before it returns.
  }
}
