// The request id of the HTTP call a workflow call was made for travels in a header of its own (beside the trace
// context), from the API's client through the workflow to the activities it causes, whose log lines carry it.
// Pure: the workflow-side interceptor (bundled with the workflows) imports it too.
import { defaultPayloadConverter, type Headers } from '@temporalio/common';
import type { WorkflowClientInterceptor } from '@temporalio/client';

export const REQUEST_ID_HEADER = 'massline-request-id';

/** The request id a call carries, if any. */
export function requestIdOf(headers: Headers | undefined): string | undefined {
  const payload = headers?.[REQUEST_ID_HEADER];
  if (!payload) return undefined;
  try {
    const value: unknown = defaultPayloadConverter.fromPayload(payload);
    return typeof value === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}

/** `headers` with the request id added (unchanged without one). */
export const withRequestId = (headers: Headers, requestId: string | undefined): Headers =>
  requestId ? { ...headers, [REQUEST_ID_HEADER]: defaultPayloadConverter.toPayload(requestId) } : headers;

/** Adds the current request's id to every workflow call of a client (starts, signals, updates, queries). */
type Method<K extends keyof WorkflowClientInterceptor> = NonNullable<WorkflowClientInterceptor[K]>;

export class RequestIdClientInterceptor implements WorkflowClientInterceptor {
  constructor(private readonly current: () => string | undefined) {}

  private readonly tagged = <T extends { headers: Headers }>(input: T): T => ({
    ...input,
    headers: withRequestId(input.headers, this.current()),
  });

  start: Method<'start'> = (input, next) => next(this.tagged(input));
  startWithDetails: Method<'startWithDetails'> = (input, next) => next(this.tagged(input));
  signal: Method<'signal'> = (input, next) => next(this.tagged(input));
  signalWithStart: Method<'signalWithStart'> = (input, next) => next(this.tagged(input));
  startUpdate: Method<'startUpdate'> = (input, next) => next(this.tagged(input));
  startUpdateWithStart: Method<'startUpdateWithStart'> = (input, next) => {
    const id = this.current();
    return next({
      ...input,
      workflowStartHeaders: withRequestId(input.workflowStartHeaders, id),
      updateHeaders: withRequestId(input.updateHeaders, id),
    });
  };
  query: Method<'query'> = (input, next) => next(this.tagged(input));
}
