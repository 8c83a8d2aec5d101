// The bare baseline's processes (`npm run bench baseline` starts them beside massline's worker and API):
//   node bare.js worker   a Temporal worker with the SDK's defaults, running bare-workflow.ts and its one activity
//   node bare.js reader   an HTTP server answering GET /units/:id from the bare read model (one SELECT)
// Both read BARE_TEMPORAL_ADDRESS, BARE_TASK_QUEUE, BARE_DATABASE_URL, BARE_PORT; each prints `ready` when it is.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { Pool } from 'pg';
import type { BareActivities } from './bare-workflow';

export const BARE_WORKFLOW_TYPE = 'bareUnitWorkflow';

/** The bare read model: one row per unit. */
export const BARE_SCHEMA = `CREATE TABLE IF NOT EXISTS bare_units (
  unit_id text PRIMARY KEY, version integer NOT NULL, written_at timestamptz NOT NULL DEFAULT now())`;

const env = (key: string): string => {
  const v = process.env[key];
  if (!v) throw new Error(`${key} is not set`);
  return v;
};

async function worker(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('WARN'), shutdownSignals: ['SIGINT', 'SIGTERM'] });
  const pool = new Pool({ connectionString: env('BARE_DATABASE_URL'), max: 10 });
  const activities: BareActivities = {
    async writeUnitRow({ unitId, version }) {
      await pool.query(
        `INSERT INTO bare_units (unit_id, version) VALUES ($1, $2)
         ON CONFLICT (unit_id) DO UPDATE SET version = EXCLUDED.version, written_at = now() WHERE bare_units.version < EXCLUDED.version`,
        [unitId, version],
      );
    },
  };
  const connection = await NativeConnection.connect({ address: env('BARE_TEMPORAL_ADDRESS') });
  const w = await Worker.create({
    connection,
    taskQueue: env('BARE_TASK_QUEUE'),
    workflowsPath: require.resolve('./bare-workflow'),
    activities,
  });
  process.stdout.write('ready\n');
  try {
    await w.run();
  } finally {
    await connection.close();
    await pool.end();
  }
}

async function reader(): Promise<void> {
  const pool = new Pool({ connectionString: env('BARE_DATABASE_URL'), max: 10 });
  const server = createServer((req, res) => {
    const m = /^\/units\/([^/?]+)/.exec(req.url ?? '');
    if (req.method !== 'GET' || !m) {
      res.writeHead(404).end();
      return;
    }
    pool.query('SELECT unit_id, version, written_at FROM bare_units WHERE unit_id = $1', [decodeURIComponent(m[1])]).then(
      ({ rows }) => {
        if (!rows.length) res.writeHead(404).end();
        else res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(rows[0]));
      },
      (e: unknown) => res.writeHead(503).end(String(e)),
    );
  });
  await new Promise<void>((resolve) => server.listen(Number(process.env.BARE_PORT ?? 0), '127.0.0.1', resolve));
  process.stdout.write(`ready ${(server.address() as AddressInfo).port}\n`);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => server.close(() => void closePool(pool)));
  }
}

/** Ends the reader's pool and exits: 0 when it closed, 1 (naming why) when it did not. */
async function closePool(pool: Pool): Promise<void> {
  try {
    await pool.end();
  } catch (e) {
    process.stderr.write(`bare reader: closing its database pool failed: ${String(e)}\n`);
    process.exit(1);
  }
  process.exit(0);
}

if (require.main === module) {
  const role = process.argv[2];
  const run = role === 'worker' ? worker : role === 'reader' ? reader : undefined;
  if (!run) {
    process.stderr.write('usage: node bare.js worker|reader\n');
    process.exit(2);
  }
  run().catch((e: unknown) => {
    process.stderr.write(`bare ${role} failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  });
}
