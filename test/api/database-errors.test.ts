// A database that goes away in the middle of a request is an outage (503, retry later), however TypeORM words it.
// The fault suite met one as a 500: PostgreSQL restarted between a transaction's start and its first query, the
// driver released the transaction's connection on the server's goodbye, and the next query was refused with
// QueryRunnerProviderAlreadyReleasedError — after the workflow had accepted the attestation the request made, so
// the caller was told "internal error" and did not retry what its Idempotency-Key would have settled.
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { toErrorBody } from '../../apps/api/src/common/errors.filter';
import { createDataSource } from '../../libs/persistence/src';
import { eventually } from '../support/eventually';
import { createTestDatabase, type TestDatabase } from '../support';
import { ifSet } from '../support/if-set';

let db: TestDatabase;
let ds: DataSource;

beforeAll(async () => {
  db = await createTestDatabase('dberrors');
  ds = createDataSource({ url: db.url }, { poolSize: 2, applicationName: 'database-errors-test' });
  await ds.initialize();
});
afterAll(async () => {
  await ifSet(ds)?.destroy();
  await ifSet(db)?.drop();
});

it('a transaction whose connection the server closed is a 503, not a 500', async () => {
  const admin = new Client({ connectionString: db.url });
  await admin.connect();
  try {
    const failure = await ds
      .transaction(async (m) => {
        const [{ pid }] = await m.query('SELECT pg_backend_pid() AS pid');
        await admin.query('SELECT pg_terminate_backend($1)', [pid]); // as a fast shutdown does to every backend
        await eventually(() => (m.queryRunner!.isReleased ? true : undefined), 'the driver to let go of the closed connection', 30_000, 20);
        await m.query('SELECT 1');
      })
      .then(
        () => undefined,
        (err: unknown) => err,
      );
    expect((failure as Error).name).toBe('QueryRunnerProviderAlreadyReleasedError');
    expect(toErrorBody(failure)).toEqual({
      body: expect.objectContaining({ statusCode: 503, message: 'database unavailable, retry later' }),
      unexpected: true,
    });
  } finally {
    await admin.end();
  }
});
