// The workflow interceptors of massline's workers, and of every replay of their histories (workflow-bundle.ts):
// Temporal's OpenTelemetry interceptors, and massline's decisions. Bundled with the workflows, so it runs in the
// workflow sandbox and must be deterministic: it reads only what the history holds (headers), makes no command of
// its own and adds no yield; what it changes is headers and spans, which replay does not compare.
//
// Temporal's interceptors are another matter: their spans wrap a started activity, child or run in promises of
// their own, so the workflow resumes a few microtasks later than without them, and a history written without them
// does not replay with them (nor the reverse: a history written with them replays only with them, hence one list
// of modules for workers and replays, workflow-bundle.ts). So they run only where the history says so: a run
// records the patch TRACING_PATCH the first time it meets them, and a run written before it (or replayed up to
// where it met it) goes on without them. The Update's span is massline's own (TracedInbound.handleUpdate: it
// never moves the handler's end); the validator's and queries' stay behind the SDK's own flag.
//
// A decision is an Update (or a signal) the API sent for an HTTP request; its header names the request. Handlers
// only change the workflow's state: what the decision causes — the projection of the new state, the items a
// published task book starts — is scheduled by the workflow's main loop right after. So the activities and child
// workflows scheduled outside any handler, in the activation that handled a decision or in the next few (a
// projection already running finishes first), are that decision's consequences: their spans are children of its
// update's span, and they carry its request id, which their log lines then show.
import * as otel from '@opentelemetry/api';
import {
  OpenTelemetryInboundInterceptor,
  OpenTelemetryInternalsInterceptor,
  OpenTelemetryOutboundInterceptor,
  SPAN_DELIMITER,
  SpanName,
} from '@temporalio/interceptors-opentelemetry/lib/workflow';
import { extractContextFromHeaders, UPDATE_ID_ATTR_KEY } from '@temporalio/interceptors-opentelemetry/lib/instrumentation';
import { patched } from '@temporalio/workflow';
import type {
  ActivateInput,
  ContinueAsNewInput,
  ActivityInput,
  ConcludeActivationInput,
  ConcludeActivationOutput,
  GetLogAttributesInput,
  LocalActivityInput,
  Next,
  QueryInput,
  SignalInput,
  SignalWorkflowInput,
  StartChildWorkflowExecutionInput,
  UpdateInput,
  WorkflowExecuteInput,
  WorkflowInboundCallsInterceptor,
  WorkflowInterceptors,
  WorkflowInternalsInterceptor,
  WorkflowOutboundCallsInterceptor,
} from '@temporalio/workflow';
import { requestIdOf, withRequestId } from './request-id';

const REQUEST_ID = otel.createContextKey('massline.request-id');

/** The patch that a run records when it first meets Temporal's tracing interceptors (see above). */
export const TRACING_PATCH = 'massline-tracing-interceptors';
const traced = (): boolean => patched(TRACING_PATCH);

/** Activations (other than queries') after the one that handled a decision in which its consequences may come. */
export const CONSEQUENCE_ACTIVATIONS = 3;

/** The last decision whose consequences have not been scheduled yet, per workflow run. */
class Decisions {
  latest?: { context: otel.Context; requestId?: string; age: number; scheduled: boolean };
  /** Whether the activation under way handles more than queries. */
  counted = false;

  handled(context: otel.Context, requestId?: string): otel.Context {
    const withId = requestId ? context.setValue(REQUEST_ID, requestId) : context;
    this.latest = { context: withId, requestId, age: 0, scheduled: false };
    return withId;
  }

  /** The decision a call made now belongs to: the handler's own, or the last one's consequences. */
  current(): { context?: otel.Context; requestId?: string } {
    const own = otel.context.active().getValue(REQUEST_ID) as string | undefined;
    if (own) return { requestId: own };
    if (!this.latest) return {};
    this.latest.scheduled = true;
    return { context: this.latest.context, requestId: this.latest.requestId };
  }

  concluded(): void {
    const latest = this.latest;
    if (!latest || !this.counted) return;
    if (latest.scheduled || ++latest.age > CONSEQUENCE_ACTIVATIONS) this.latest = undefined;
  }
}

class DecisionInbound implements WorkflowInboundCallsInterceptor {
  constructor(private readonly decisions: Decisions) {}

  execute(input: WorkflowExecuteInput, next: Next<WorkflowInboundCallsInterceptor, 'execute'>): Promise<unknown> {
    // The run's first steps are the consequences of the call that started it; the run itself is not.
    this.decisions.handled(otel.context.active(), requestIdOf(input.headers));
    return next(input);
  }

  handleUpdate(input: UpdateInput, next: Next<WorkflowInboundCallsInterceptor, 'handleUpdate'>): Promise<unknown> {
    const context = this.decisions.handled(otel.context.active(), requestIdOf(input.headers));
    return otel.context.with(context, () => next(input));
  }

  handleSignal(input: SignalInput, next: Next<WorkflowInboundCallsInterceptor, 'handleSignal'>): Promise<void> {
    const requestId = requestIdOf(input.headers);
    if (!requestId) return next(input); // a signal of another workflow (an item's report) is no decision
    const context = this.decisions.handled(otel.context.active(), requestId);
    return otel.context.with(context, () => next(input));
  }
}

class DecisionOutbound implements WorkflowOutboundCallsInterceptor {
  constructor(private readonly decisions: Decisions) {}

  private caused<T extends { headers: Record<string, unknown> }, R>(input: T, next: (input: T) => R): R {
    const { context, requestId } = this.decisions.current();
    const tagged = { ...input, headers: withRequestId(input.headers as never, requestId) };
    return context ? otel.context.with(context, () => next(tagged)) : next(tagged);
  }

  scheduleActivity(input: ActivityInput, next: Next<WorkflowOutboundCallsInterceptor, 'scheduleActivity'>): Promise<unknown> {
    return this.caused(input, next);
  }

  scheduleLocalActivity(
    input: LocalActivityInput,
    next: Next<WorkflowOutboundCallsInterceptor, 'scheduleLocalActivity'>,
  ): Promise<unknown> {
    return this.caused(input, next);
  }

  startChildWorkflowExecution(
    input: StartChildWorkflowExecutionInput,
    next: Next<WorkflowOutboundCallsInterceptor, 'startChildWorkflowExecution'>,
  ): Promise<[Promise<string>, Promise<unknown>]> {
    return this.caused(input, next);
  }

  getLogAttributes(
    input: GetLogAttributesInput,
    next: Next<WorkflowOutboundCallsInterceptor, 'getLogAttributes'>,
  ): Record<string, unknown> {
    const requestId = (otel.context.active().getValue(REQUEST_ID) as string | undefined) ?? this.decisions.latest?.requestId;
    return next(requestId ? { requestId, ...input } : input);
  }
}

class DecisionInternals implements WorkflowInternalsInterceptor {
  constructor(private readonly decisions: Decisions) {}

  activate(input: ActivateInput, next: Next<WorkflowInternalsInterceptor, 'activate'>): void {
    if (input.activation.jobs?.some((job) => !job.queryWorkflow)) this.decisions.counted = true;
    return next(input);
  }

  concludeActivation(
    input: ConcludeActivationInput,
    next: Next<WorkflowInternalsInterceptor, 'concludeActivation'>,
  ): ConcludeActivationOutput {
    this.decisions.concluded();
    this.decisions.counted = false;
    return next(input);
  }
}

/** The tracer Temporal's workflow interceptors register in the sandbox (constructing one registers it). */
const WORKFLOW_TRACER = '@temporalio/interceptor-workflow';

/** Temporal's inbound interceptor, where the history says the run has it. */
class TracedInbound implements WorkflowInboundCallsInterceptor {
  private readonly otel = new OpenTelemetryInboundInterceptor();

  execute(input: WorkflowExecuteInput, next: Next<WorkflowInboundCallsInterceptor, 'execute'>): Promise<unknown> {
    return traced() ? this.otel.execute(input, next) : next(input);
  }
  handleSignal(input: SignalInput, next: Next<WorkflowInboundCallsInterceptor, 'handleSignal'>): Promise<void> {
    return traced() ? this.otel.handleSignal(input, next) : next(input);
  }
  /**
   * The Update's span, without Temporal's async wrapper: that one ends the handler a few microtasks later only
   * where the SDK's flag 6 (OpenTelemetryInterceptorsInstrumentsAllMethods) says so, and 1.24.0 does not always
   * record that flag in the task's completion — so a replay ended the handler earlier than the live run had,
   * and an Update completed after a timer's cancellation live came before it replaying (a nondeterminism error).
   * Here the handler's own promise is answered: the span starts and ends beside it and never moves it.
   */
  handleUpdate(input: UpdateInput, next: Next<WorkflowInboundCallsInterceptor, 'handleUpdate'>): Promise<unknown> {
    if (!traced()) return next(input);
    const parent = extractContextFromHeaders(input.headers) ?? otel.context.active();
    const span = otel.trace
      .getTracer(WORKFLOW_TRACER)
      .startSpan(`${SpanName.WORKFLOW_HANDLE_UPDATE}${SPAN_DELIMITER}${input.name}`, {}, parent);
    span.setAttribute(UPDATE_ID_ATTR_KEY, input.updateId);
    const handled = otel.context.with(otel.trace.setSpan(parent, span), () => next(input));
    handled.then(
      () => span.end(),
      (err: unknown) => {
        span.setStatus({ code: otel.SpanStatusCode.ERROR, message: err instanceof Error ? err.message : String(err) });
        span.end();
      },
    );
    return handled;
  }
  // Synchronous, and behind the SDK's flag (a validator and a query may write no patch).
  validateUpdate(input: UpdateInput, next: Next<WorkflowInboundCallsInterceptor, 'validateUpdate'>): void {
    return this.otel.validateUpdate(input, next);
  }
  handleQuery(input: QueryInput, next: Next<WorkflowInboundCallsInterceptor, 'handleQuery'>): Promise<unknown> {
    return this.otel.handleQuery(input, next);
  }
}

/** Temporal's outbound interceptor, where the history says the run has it. */
class TracedOutbound implements WorkflowOutboundCallsInterceptor {
  private readonly otel = new OpenTelemetryOutboundInterceptor();

  scheduleActivity(input: ActivityInput, next: Next<WorkflowOutboundCallsInterceptor, 'scheduleActivity'>): Promise<unknown> {
    return traced() ? this.otel.scheduleActivity(input, next) : next(input);
  }
  scheduleLocalActivity(
    input: LocalActivityInput,
    next: Next<WorkflowOutboundCallsInterceptor, 'scheduleLocalActivity'>,
  ): Promise<unknown> {
    return traced() ? this.otel.scheduleLocalActivity(input, next) : next(input);
  }
  startChildWorkflowExecution(
    input: StartChildWorkflowExecutionInput,
    next: Next<WorkflowOutboundCallsInterceptor, 'startChildWorkflowExecution'>,
  ): Promise<[Promise<string>, Promise<unknown>]> {
    return traced() ? this.otel.startChildWorkflowExecution(input, next) : next(input);
  }
  continueAsNew(input: ContinueAsNewInput, next: Next<WorkflowOutboundCallsInterceptor, 'continueAsNew'>): Promise<never> {
    return traced() ? this.otel.continueAsNew(input, next) : next(input);
  }
  signalWorkflow(input: SignalWorkflowInput, next: Next<WorkflowOutboundCallsInterceptor, 'signalWorkflow'>): Promise<void> {
    return traced() ? this.otel.signalWorkflow(input, next) : next(input);
  }
  getLogAttributes(
    input: GetLogAttributesInput,
    next: Next<WorkflowOutboundCallsInterceptor, 'getLogAttributes'>,
  ): Record<string, unknown> {
    return this.otel.getLogAttributes(input, next);
  }
}

/** Called once per workflow run. Temporal's interceptors outermost inbound (their span is active in ours), innermost outbound. */
export const interceptors = (): WorkflowInterceptors => {
  const decisions = new Decisions();
  return {
    inbound: [new TracedInbound(), new DecisionInbound(decisions)],
    outbound: [new DecisionOutbound(decisions), new TracedOutbound()],
    internals: [new OpenTelemetryInternalsInterceptor(), new DecisionInternals(decisions)],
  };
};
