// What an activity's log lines say of the decision that caused it: the request id its header carries (from the
// API, through the workflow: workflow-interceptors.ts) and the trace and span of its own span (Temporal's
// OpenTelemetry interceptor, outside this one, makes it), on every line the SDK or the activity logs.
import type { Context } from '@temporalio/activity';
import type {
  ActivityExecuteInput,
  ActivityInboundCallsInterceptor,
  ActivityOutboundCallsInterceptor,
  GetLogAttributesInput,
  Next,
} from '@temporalio/worker';
import { requestIdOf } from '../../../libs/temporal/src/request-id';
import { traceFields } from '../../../libs/telemetry/src/logging';

/**
 * The SDK says "Activity started" (as the worker) before any interceptor has seen the activity's headers, so that
 * line could not name its request: the worker's logger drops it (logger.ts), and this says it, as the activity,
 * once they are read.
 */
export const ACTIVITY_STARTED = 'Activity started';

export function decisionLogging(ctx: Context): { inbound: ActivityInboundCallsInterceptor; outbound: ActivityOutboundCallsInterceptor } {
  let fields: Record<string, unknown> = {};
  return {
    inbound: {
      async execute(input: ActivityExecuteInput, next: Next<ActivityInboundCallsInterceptor, 'execute'>): Promise<unknown> {
        const requestId = requestIdOf(input.headers);
        fields = { ...(requestId ? { requestId } : {}), ...traceFields() };
        ctx.log.debug(ACTIVITY_STARTED);
        return next(input);
      },
    },
    outbound: {
      getLogAttributes(
        input: GetLogAttributesInput,
        next: Next<ActivityOutboundCallsInterceptor, 'getLogAttributes'>,
      ): Record<string, unknown> {
        return next({ ...fields, ...input });
      },
    },
  };
}
