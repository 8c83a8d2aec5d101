// Makes activities that keep failing visible: each failed attempt is recorded in activity_failures (for
// /health/ready and /metrics), and the row is cleared when the activity succeeds. Temporal keeps retrying
// them meanwhile; recording the failure must never make things worse, so its own errors are only logged.
import type { ActivityInboundCallsInterceptor, ActivityExecuteInput, Next } from '@temporalio/worker';
import type { Context } from '@temporalio/activity';
import type { ActivityFailureRepository } from '../../../libs/persistence/src';

export function failureTracking(repo: ActivityFailureRepository, onError: (what: string, error: unknown) => void = () => undefined) {
  return (ctx: Context): { inbound: ActivityInboundCallsInterceptor } => ({
    inbound: {
      async execute(input: ActivityExecuteInput, next: Next<ActivityInboundCallsInterceptor, 'execute'>): Promise<unknown> {
        // A local activity (runs recorded with their projections in their tasks) is a write's first, quick try; when
        // it fails, the same write goes out as an ordinary activity (workflows/projection.ts), and that one is tracked.
        if (ctx.info.isLocal) return next(input);
        const { activityId, activityType, attempt } = ctx.info;
        const workflowId = ctx.info.workflowExecution?.workflowId ?? '';
        try {
          const result = await next(input);
          if (attempt > 1) await repo.succeeded(workflowId, activityId).catch((e: unknown) => onError('clear an activity failure', e));
          return result;
        } catch (error) {
          if (!ctx.cancellationSignal.aborted) {
            await repo
              .failed({
                workflowId,
                activityId,
                activity: activityType,
                attempt,
                error: error instanceof Error ? error.message : String(error),
              })
              .catch((e: unknown) => onError('record an activity failure', e));
          }
          throw error;
        }
      },
    },
  });
}
