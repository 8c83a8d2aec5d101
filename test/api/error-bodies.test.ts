// The exception filter's mapping of engine failures to HTTP, without servers: a query its worker could not answer
// is a 503 (retry later), not a 500; an unknown query type stays a 500 (our bug, not an outage).
// The client's gRPC library (a dependency of @temporalio/client): its status codes are what the error carries.
import { status } from '@grpc/grpc-js';
import { QueryNotRegisteredError, ServiceError } from '@temporalio/client';
import { toErrorBody } from '../../apps/api/src/common/errors.filter';

/** The gRPC status the server answers a failed query with. */
const INVALID_ARGUMENT = status.INVALID_ARGUMENT;

describe('engine failures as HTTP answers', () => {
  it('answers 503 to a query whose worker failed it', () => {
    const failed = new QueryNotRegisteredError('Workflow task failed: Nondeterminism error: …', INVALID_ARGUMENT);
    expect(toErrorBody(failed)).toEqual({
      body: expect.objectContaining({ statusCode: 503, message: 'the workflow could not answer now, retry later' }),
      unexpected: true,
    });
  });
  it('answers 500 to a query type the workflow does not know', () => {
    const unknown = new QueryNotRegisteredError('unknown queryType nope. KnownQueryTypes=[unitState]', INVALID_ARGUMENT);
    expect(toErrorBody(unknown).body.statusCode).toBe(500);
  });
  it('answers 503 to an engine that did not answer', () => {
    expect(toErrorBody(new ServiceError('Failed to query Workflow')).body.statusCode).toBe(503);
  });
});
