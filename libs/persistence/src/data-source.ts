import 'reflect-metadata';
import { createHash } from 'node:crypto';
import { DataSource, type DataSourceOptions } from 'typeorm';
import type { MasslineConfig } from '../../config/src';
import { MASSLINE_ENTITIES } from './entities';
import { InitialSchema1764100000000 } from './migrations/1764100000000-InitialSchema';
import { ProgrammeEscalationsAndUnitCodeOrder1764100000001 } from './migrations/1764100000001-ProgrammeEscalationsAndUnitCodeOrder';
import { DocumentsEntriesAndActivityFailures1764100000002 } from './migrations/1764100000002-DocumentsEntriesAndActivityFailures';
import { TokensOutOfIdempotencyKeys1764200000000 } from './migrations/1764200000000-TokensOutOfIdempotencyKeys';
import { SupervisorPresence1764200000001 } from './migrations/1764200000001-SupervisorPresence';
import { SignInTokens1764400000000 } from './migrations/1764400000000-SignInTokens';
import { WorkflowRecoveries1764500000000 } from './migrations/1764500000000-WorkflowRecoveries';
import { StuckRunsAndResets1764600000000 } from './migrations/1764600000000-StuckRunsAndResets';
import { ConsoleFacts1764600000015 } from './migrations/1764600000015-ConsoleFacts';
import { PublicRateLimitWindows1764619000000 } from './migrations/1764619000000-PublicRateLimitWindows';
import { ProgrammeStates1764700000000 } from './migrations/1764700000000-ProgrammeStates';
import { SimulationJobs1764800000000 } from './migrations/1764800000000-SimulationJobs';
import { PlanVersions1764800000001 } from './migrations/1764800000001-PlanVersions';

/** Every migration in order, listed by class so that they run from ts (jest) and compiled js (dist) alike. */
export const MASSLINE_MIGRATIONS = [
  InitialSchema1764100000000,
  ProgrammeEscalationsAndUnitCodeOrder1764100000001,
  DocumentsEntriesAndActivityFailures1764100000002,
  TokensOutOfIdempotencyKeys1764200000000,
  SupervisorPresence1764200000001,
  SignInTokens1764400000000,
  WorkflowRecoveries1764500000000,
  StuckRunsAndResets1764600000000,
  ConsoleFacts1764600000015,
  PublicRateLimitWindows1764619000000,
  ProgrammeStates1764700000000,
  SimulationJobs1764800000000,
  PlanVersions1764800000001,
];

/** Credentials and database name of the embedded PostgreSQL that `npm start` runs (apps/cli/src/embedded). */
export const EMBEDDED_DATABASE = { user: 'massline', password: 'massline', database: 'massline' } as const;

export type DatabaseTarget = MasslineConfig | { url: string };

export interface DataSourceExtras {
  /** Connections in the pool (pg default 10). */
  poolSize?: number;
  /** application_name seen in pg_stat_activity. */
  applicationName?: string;
  logging?: boolean;
}

/** The PostgreSQL URL of a configuration: DATABASE_URL when set, else the embedded server on its port. */
export function databaseUrl(target: DatabaseTarget): string {
  if ('url' in target && typeof target.url === 'string') return target.url;
  const config = target as MasslineConfig;
  if (config.database.url) return config.database.url;
  const { user, password, database } = EMBEDDED_DATABASE;
  return `postgres://${user}:${password}@127.0.0.1:${config.database.embeddedPort}/${database}`;
}

export function dataSourceOptions(target: DatabaseTarget, extras: DataSourceExtras = {}): DataSourceOptions {
  return {
    type: 'postgres',
    url: databaseUrl(target),
    entities: MASSLINE_ENTITIES,
    migrations: MASSLINE_MIGRATIONS,
    migrationsTableName: 'massline_migrations',
    // Schema changes are migrations, never inferred from entities.
    synchronize: false,
    migrationsRun: false,
    // gen_random_uuid() is built into PostgreSQL ≥ 13: nothing to install (and a managed database may forbid it).
    uuidExtension: 'pgcrypto',
    installExtensions: false,
    logging: extras.logging ?? false,
    applicationName: extras.applicationName ?? 'massline',
    poolSize: extras.poolSize,
  };
}

/** A data source (not yet initialised) for the configured database. */
export function createDataSource(target: DatabaseTarget, extras: DataSourceExtras = {}): DataSource {
  return new DataSource(dataSourceOptions(target, extras));
}

// pg_advisory_lock key shared by every process that migrates (API, worker replicas, `npm start`):
// the first runs the migrations, the others wait and then find nothing to do.
const MIGRATION_LOCK_KEY = 7_146_239_201;

/**
 * Applies pending migrations, serialised across processes by an advisory lock. Idempotent.
 * Given a config it opens and closes its own data source; given a data source it initialises it if needed
 * and leaves it open. Returns the names of the migrations applied now.
 */
export async function runMigrations(target: DataSource | DatabaseTarget): Promise<string[]> {
  const own = !(target instanceof DataSource);
  const dataSource = target instanceof DataSource ? target : createDataSource(target, { poolSize: 2 });
  if (!dataSource.isInitialized) await dataSource.initialize();
  const lock = dataSource.createQueryRunner();
  try {
    await lock.connect();
    await lock.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      const applied = await dataSource.runMigrations({ transaction: 'each' });
      return applied.map((m) => m.name);
    } finally {
      await lock.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  } finally {
    await lock.release();
    if (own) await dataSource.destroy();
  }
}

/** Reverts every applied migration, newest first (tests and `down` only). Returns the names reverted. */
export async function revertAllMigrations(dataSource: DataSource): Promise<string[]> {
  if (!dataSource.isInitialized) await dataSource.initialize();
  const table = dataSource.options.migrationsTableName ?? 'migrations';
  const [{ exists }] = await dataSource.query('SELECT to_regclass($1) IS NOT NULL AS exists', [table]);
  if (!exists) return [];
  const reverted: string[] = [];
  for (;;) {
    const executed = await dataSource.query(`SELECT name FROM ${table} ORDER BY "timestamp" DESC, id DESC LIMIT 1`);
    if (!executed.length) return reverted;
    await dataSource.undoLastMigration({ transaction: 'each' });
    reverted.push(executed[0].name as string);
  }
}

/** sha256 hex of a bearer token: what `principals.token_hash` stores. */
export const hashToken = (token: string): string => createHash('sha256').update(token, 'utf8').digest('hex');
