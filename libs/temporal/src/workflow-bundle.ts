// What a bundle of massline's workflows holds besides the workflows, for a worker and for every replay alike: a
// history written by a worker with these interceptors replays only with them.
import { makeWorkflowExporter } from '@temporalio/interceptors-opentelemetry';
import { Resource } from '@opentelemetry/resources';
import { NoopSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { InjectedSinks } from '@temporalio/worker';

/** The workflow interceptor modules (tracing, decisions' request ids), bundled with the workflows. */
export const WORKFLOW_INTERCEPTOR_MODULES: string[] = [require.resolve('./workflow-interceptors')];

/**
 * The sinks those interceptors call: the workflows' spans go to `spanProcessor` (the process's tracing); a replay,
 * which exports nothing, passes none.
 */
export function workflowSinks(tracing?: { spanProcessor: SpanProcessor; resource: Resource }): InjectedSinks<any> {
  return { exporter: makeWorkflowExporter(tracing?.spanProcessor ?? new NoopSpanProcessor(), tracing?.resource ?? Resource.empty()) };
}
