// What a bundle of massline's workflows holds besides the workflows, for a worker and for every replay alike: a
// history written by a worker with these interceptors replays only with them.
import { makeWorkflowExporter, type OpenTelemetrySinks } from '@temporalio/interceptors-opentelemetry';
import { Resource } from '@opentelemetry/resources';
import { NoopSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { BundleOptions, InjectedSinks } from '@temporalio/worker';

/** The workflow interceptor modules (tracing, decisions' request ids), bundled with the workflows. */
export const WORKFLOW_INTERCEPTOR_MODULES: string[] = [require.resolve('./workflow-interceptors')];

/**
 * Modules loaded once per worker thread and shared by every workflow it runs, instead of once per workflow (the
 * SDK's reusable context gives each workflow its own instance of every other module of the bundle). Only modules
 * that keep no state of a run's at module level: the pure domain rules and their tables, the message definitions,
 * and OpenTelemetry's libraries (their state lives on the global object, which each workflow has its own of).
 * Temporal's and massline's interceptors are not among them: they hold a run's spans.
 */
export const WORKFLOW_SHARED_MODULES: string[] = [
  require.resolve('../../domain/src'),
  require.resolve('../../contracts/src'),
  '@opentelemetry/api',
  '@opentelemetry/core',
  '@opentelemetry/resources',
  '@opentelemetry/sdk-trace-base',
  '@opentelemetry/semantic-conventions',
];

/**
 * How massline's workflows are bundled, for a worker and for every replay alike. `tracing: false` leaves the
 * interceptors out (a rehearsal exports no spans); its histories then replay only without them.
 */
export function workflowBundleOptions(workflowsPath: string, options: { tracing?: boolean } = {}): BundleOptions {
  return {
    workflowsPath,
    ...(options.tracing === false ? {} : { workflowInterceptorModules: WORKFLOW_INTERCEPTOR_MODULES }),
    preloadModules: WORKFLOW_SHARED_MODULES,
  };
}

/**
 * The sinks those interceptors call: the workflows' spans go to `spanProcessor` (the process's tracing); a replay,
 * which exports nothing, passes none.
 */
export function workflowSinks(tracing?: { spanProcessor: SpanProcessor; resource: Resource }): InjectedSinks<OpenTelemetrySinks> {
  return { exporter: makeWorkflowExporter(tracing?.spanProcessor ?? new NoopSpanProcessor(), tracing?.resource ?? new Resource({})) };
}
