// The one place that reads the environment. Validated once at start into a typed, frozen object;
// everything else receives a MasslineConfig.

export interface MasslineConfig {
  /** API listen port. */
  port: number;
  host: string;
  /** Where embedded services keep their data (`data/` under the project by default). */
  dataDir: string;
  database: {
    /** Set when the user brings their own PostgreSQL; embedded PostgreSQL is used otherwise. */
    url?: string;
    embedded: boolean;
    /** Port of the embedded PostgreSQL (not 5432, so it never collides with a system one). */
    embeddedPort: number;
  };
  temporal: {
    /** Set when the user brings their own Temporal; the embedded dev server is used otherwise. */
    address: string;
    embedded: boolean;
    namespace: string;
    taskQueue: string;
    embeddedPort: number;
    uiPort: number;
    /**
     * `massline up --cluster`: gRPC ports of the history, matching and (Temporal's own) worker services; the
     * frontend listens on embeddedPort. Each service's membership port is its gRPC port − 300, as in Temporal's
     * own layout (6933, 6934, 6935, 6939).
     */
    cluster: { historyPort: number; matchingPort: number; workerPort: number };
    /** Explicit Temporal CLI binary (else PATH, else the per-user cache). */
    cliPath?: string;
  };
  /** Office token to seed on first start; generated and printed when absent. */
  adminToken?: string;
  notifier: {
    webhookUrl?: string;
    webhookSecret?: string;
  };
  /** Public endpoints: requests per client address per minute. */
  publicRateLimitPerMinute: number;
  /** How long a completed Idempotency-Key is kept (and replayed), in hours; older ones are swept. */
  idempotencyTtlHours: number;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  /** Worker concurrency and cache, and the port of the engine (SDK) metrics it exports for Prometheus (0: none). */
  worker: {
    maxConcurrentActivities: number;
    maxConcurrentWorkflowTasks: number;
    /**
     * Workflows a worker keeps in memory between their tasks (the SDK's maxCachedWorkflows); others are replayed
     * when they next run. DEFAULT_CACHED_WORKFLOWS unless set.
     */
    maxCachedWorkflows: number;
    metricsPort: number;
  };
  /** This process's name in logs and traces (`massline up` names them api-1, worker-2, …); the app's kind when unset. */
  instance?: string;
  telemetry: {
    /** OTLP/HTTP collector for traces; without it each process writes its spans to data/traces/<instance>.jsonl. */
    otlpEndpoint?: string;
  };
  /** Detection of runs whose workflow task keeps failing (apps/worker/src/stuck-runs.ts). */
  /** Simulations (massline simulate, POST /api/simulations). */
  simulation: {
    /**
     * An admin URL of a PostgreSQL where each simulation makes its scratch database (dropped after it); without it a
     * simulation starts a PostgreSQL of its own in a temporary folder. Never the live database itself.
     */
    scratchServerUrl?: string;
  };
  stuckRuns: {
    /** A run counts as stuck once its pending workflow task is at this attempt (the first retry is 2). */
    attempts: number;
    /** Describe calls per second a pass over the open runs may make: the bound on its load on the engine. */
    describesPerSecond: number;
  };
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

/**
 * The highest gRPC port of a Temporal service in `massline up --cluster`: its membership port (gRPC − 300) is kept
 * in a SMALLINT column of Temporal's database (cluster_membership.rpc_port), so it cannot exceed 32767.
 */
export const MAX_CLUSTER_GRPC_PORT = 32767 + 300;

/** Configuration keys, their meaning and default — the README's configuration table is generated from this. */
/**
 * Workflow tasks a worker runs at once. They share one workflow thread, and a task in flight counts against its
 * 10 s timeout while it waits for the others: after a restart every cached run replays at once, and 40 tasks in
 * flight on a loaded machine each took over 10 s, timed out and were retried, again and again (the fault suite). The
 * rest wait on the server's queue, where waiting costs nothing.
 */
export const DEFAULT_WORKFLOW_TASKS = 10;

/**
 * Workflows a worker keeps in memory between their tasks: the bound on its memory whatever the campaign's size; a
 * unit past the cache is replayed from its history at its next task. A cached workflow costs more than its own
 * state on Node.js before 24: each keeps two AsyncLocalStorage instances (the SDK's scopes), and each of those stamps
 * every promise the workflow thread creates, so the thread's live heap grows with the square of the cache: 273 MB
 * at 250, 734 MB at 500 (1,000 units started). Node.js 24 stamps nothing: 211 MB at 500. The SDK's own default
 * from the heap (about 2,300) took a worker past 2.5 GB.
 */
export const DEFAULT_CACHED_WORKFLOWS = 250;

export const CONFIG_KEYS: Array<{ key: string; default: string; meaning: string }> = [
  { key: 'PORT', default: '3000', meaning: 'API port' },
  { key: 'HOST', default: '0.0.0.0', meaning: 'API listen address' },
  { key: 'DATABASE_URL', default: '(embedded)', meaning: 'PostgreSQL URL; when set, no embedded PostgreSQL is started' },
  { key: 'MASSLINE_PG_PORT', default: '54329', meaning: 'port of the embedded PostgreSQL' },
  { key: 'TEMPORAL_ADDRESS', default: '(embedded)', meaning: 'Temporal frontend host:port; when set, no dev server is started' },
  { key: 'TEMPORAL_NAMESPACE', default: 'default', meaning: 'Temporal namespace' },
  { key: 'TEMPORAL_TASK_QUEUE', default: 'massline', meaning: 'task queue of the worker' },
  { key: 'MASSLINE_TEMPORAL_PORT', default: '7233', meaning: 'port of the embedded Temporal dev server (`--cluster`: of its frontend)' },
  { key: 'MASSLINE_TEMPORAL_UI_PORT', default: '8233', meaning: 'port of the embedded Temporal Web UI' },
  {
    key: 'MASSLINE_TEMPORAL_HISTORY_PORT',
    default: '7234',
    meaning: '`--cluster`: gRPC port of the history service (membership: this − 300)',
  },
  {
    key: 'MASSLINE_TEMPORAL_MATCHING_PORT',
    default: '7235',
    meaning: '`--cluster`: gRPC port of the matching service (membership: this − 300)',
  },
  {
    key: 'MASSLINE_TEMPORAL_WORKER_PORT',
    default: '7239',
    meaning: "`--cluster`: gRPC port of Temporal's worker service (membership: this − 300)",
  },
  { key: 'TEMPORAL_CLI', default: '(PATH, then cache)', meaning: 'Temporal CLI binary to run the dev server with' },
  { key: 'MASSLINE_DATA_DIR', default: './data', meaning: 'data of the embedded services' },
  { key: 'MASSLINE_ADMIN_TOKEN', default: '(generated, printed once)', meaning: 'office token seeded on first start' },
  { key: 'MASSLINE_WEBHOOK_URL', default: '(none)', meaning: 'escalation notices are also POSTed here (with retries)' },
  { key: 'MASSLINE_WEBHOOK_SECRET', default: '(none)', meaning: 'HMAC-SHA256 key signing webhook bodies' },
  { key: 'MASSLINE_PUBLIC_RATE_LIMIT', default: '60', meaning: 'public requests per client address per minute, counted across every API' },
  { key: 'MASSLINE_IDEMPOTENCY_TTL_HOURS', default: '24', meaning: 'hours an Idempotency-Key and its answer are kept, then swept' },
  { key: 'LOG_LEVEL', default: 'info', meaning: 'debug, info, warn or error' },
  { key: 'MASSLINE_WORKER_ACTIVITIES', default: '100', meaning: 'worker: max concurrent activities' },
  {
    key: 'MASSLINE_WORKER_WORKFLOW_TASKS',
    default: String(DEFAULT_WORKFLOW_TASKS),
    meaning: 'worker: max concurrent workflow tasks (each on the one workflow thread; past it, tasks wait on the server)',
  },
  {
    key: 'MASSLINE_WORKER_CACHED_WORKFLOWS',
    default: String(DEFAULT_CACHED_WORKFLOWS),
    meaning:
      "worker: workflows kept in memory between their tasks, the rest replayed when they next run (at least the workflow tasks: a run recorded with its projections in its tasks needs the run held while one runs); the bound on the worker's memory (its workflow thread's live heap: 273 MB at 250, 734 MB at 500 on Node.js 20)",
  },
  {
    key: 'MASSLINE_WORKER_METRICS_PORT',
    default: '9464',
    meaning:
      'worker: port of the engine (SDK) metrics for Prometheus, at `/metrics` on `HOST`; `--workers N` uses it and the next N − 1; 0 turns it off',
  },
  {
    key: 'MASSLINE_INSTANCE',
    default: '(api, worker)',
    meaning: 'name of the process in its logs, traces and trace file (`massline up` sets api-1, worker-2, …)',
  },
  {
    key: 'OTEL_EXPORTER_OTLP_ENDPOINT',
    default: '(none)',
    meaning:
      'OTLP/HTTP collector the traces go to (e.g. `http://localhost:4318`); without it, each process writes them to `data/traces/<instance>.jsonl`',
  },
  {
    key: 'MASSLINE_STUCK_RUN_ATTEMPTS',
    default: '2',
    meaning: 'a run is stuck once its pending workflow task reaches this attempt (2: its first retry)',
  },
  {
    key: 'MASSLINE_STUCK_RUN_DESCRIBES_PER_SECOND',
    default: '100',
    meaning: 'the stuck-run detector describes at most this many open runs per second',
  },
  {
    key: 'MASSLINE_SIMULATION_SCRATCH_SERVER',
    default: '(its own)',
    meaning:
      'admin URL of a PostgreSQL where each simulation makes its scratch database, dropped after it; without it a simulation runs a PostgreSQL of its own in a temporary folder',
  },
];

export function loadConfig(env: Env = process.env, cwd: string = process.cwd()): MasslineConfig {
  const problems: string[] = [];
  const read = envReader(env, problems);
  // The problems are listed in the order the settings are read: the text settings first, then the numbers.
  const text = textSettings(read, problems);
  // Cluster ports leave room below for their membership ports (gRPC − 300), which Temporal keeps in a SMALLINT.
  const temporalPort = read.int('MASSLINE_TEMPORAL_PORT', 7233, 301);
  const dataDir = read.str('MASSLINE_DATA_DIR') ?? 'data';
  const config: MasslineConfig = {
    port: read.int('PORT', 3000, 0),
    host: read.str('HOST') ?? '0.0.0.0',
    dataDir: dataDir.startsWith('/') ? dataDir : `${cwd.replace(/\/$/, '')}/${dataDir}`,
    database: { url: text.databaseUrl, embedded: !text.databaseUrl, embeddedPort: read.int('MASSLINE_PG_PORT', 54329) },
    temporal: temporalSection(read, text.temporalAddress, temporalPort),
    adminToken: text.adminToken,
    notifier: { webhookUrl: text.webhookUrl, webhookSecret: read.str('MASSLINE_WEBHOOK_SECRET') },
    publicRateLimitPerMinute: read.int('MASSLINE_PUBLIC_RATE_LIMIT', 60, 1, 1_000_000),
    idempotencyTtlHours: read.int('MASSLINE_IDEMPOTENCY_TTL_HOURS', 24, 1, 8_760),
    logLevel: text.logLevel,
    worker: workerSection(read),
    simulation: { ...(text.scratchServerUrl ? { scratchServerUrl: text.scratchServerUrl } : {}) },
    stuckRuns: {
      attempts: read.int('MASSLINE_STUCK_RUN_ATTEMPTS', 2, 2, 1_000),
      describesPerSecond: read.int('MASSLINE_STUCK_RUN_DESCRIBES_PER_SECOND', 100, 1, 10_000),
    },
    ...(text.instance ? { instance: text.instance } : {}),
    telemetry: { ...(text.otlpEndpoint ? { otlpEndpoint: text.otlpEndpoint } : {}) },
  };
  checkWorkflowCache(config.worker, problems);
  if (problems.length) throw new ConfigError(problems);
  return Object.freeze(config);
}

/** Reads one key of the environment: unset and empty are the same; a number out of its range is a problem. */
interface EnvReader {
  int(key: string, fallback: number, min?: number, max?: number): number;
  str(key: string): string | undefined;
}

function envReader(env: Env, problems: string[]): EnvReader {
  const int = (key: string, fallback: number, min = 1, max = 65535): number => {
    const raw = env[key];
    if (raw === undefined || raw === '') return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) {
      problems.push(`${key} must be an integer in [${min}, ${max}], got "${raw}"`);
      return fallback;
    }
    return n;
  };
  const str = (key: string): string | undefined => (env[key] === undefined || env[key] === '' ? undefined : env[key]);
  return { int, str };
}

/** The settings given as text (URLs, addresses, names), each checked for its form. */
function textSettings(read: EnvReader, problems: string[]) {
  const databaseUrl = read.str('DATABASE_URL');
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) problems.push(`DATABASE_URL must be a postgres:// URL`);
  const temporalAddress = read.str('TEMPORAL_ADDRESS');
  if (temporalAddress && !/^[^\s:/]+:\d+$/.test(temporalAddress))
    problems.push(`TEMPORAL_ADDRESS must be host:port, got "${temporalAddress}"`);
  const webhookUrl = read.str('MASSLINE_WEBHOOK_URL');
  if (webhookUrl && !/^https?:\/\//.test(webhookUrl)) problems.push(`MASSLINE_WEBHOOK_URL must be an http(s) URL`);
  const logLevel = (read.str('LOG_LEVEL') ?? 'info') as MasslineConfig['logLevel'];
  if (!['debug', 'info', 'warn', 'error'].includes(logLevel)) problems.push(`LOG_LEVEL must be debug, info, warn or error`);
  const otlpEndpoint = read.str('OTEL_EXPORTER_OTLP_ENDPOINT');
  if (otlpEndpoint && !/^https?:\/\/[^\s]+$/.test(otlpEndpoint))
    problems.push(`OTEL_EXPORTER_OTLP_ENDPOINT must be an http(s) URL (OTLP/HTTP), got "${otlpEndpoint}"`);
  const scratchServerUrl = read.str('MASSLINE_SIMULATION_SCRATCH_SERVER');
  if (scratchServerUrl && !/^postgres(ql)?:\/\//.test(scratchServerUrl))
    problems.push('MASSLINE_SIMULATION_SCRATCH_SERVER must be a postgres:// URL');
  const instance = read.str('MASSLINE_INSTANCE');
  if (instance !== undefined && !/^[A-Za-z0-9._-]{1,64}$/.test(instance))
    problems.push('MASSLINE_INSTANCE must be 1 to 64 letters, digits, dots, dashes or underscores (it names a file)');
  const adminToken = read.str('MASSLINE_ADMIN_TOKEN');
  if (adminToken !== undefined && adminToken.length < 16) problems.push('MASSLINE_ADMIN_TOKEN must be at least 16 characters');
  return { databaseUrl, temporalAddress, webhookUrl, logLevel, otlpEndpoint, scratchServerUrl, instance, adminToken };
}

/** Temporal: the user's own (TEMPORAL_ADDRESS), else the embedded dev server or cluster on these ports. */
function temporalSection(read: EnvReader, address: string | undefined, embeddedPort: number): MasslineConfig['temporal'] {
  const clusterPort = (key: string, fallback: number) => read.int(key, fallback, 301, MAX_CLUSTER_GRPC_PORT);
  return {
    address: address ?? `127.0.0.1:${embeddedPort}`,
    embedded: !address,
    namespace: read.str('TEMPORAL_NAMESPACE') ?? 'default',
    taskQueue: read.str('TEMPORAL_TASK_QUEUE') ?? 'massline',
    embeddedPort,
    uiPort: read.int('MASSLINE_TEMPORAL_UI_PORT', 8233),
    cluster: {
      historyPort: clusterPort('MASSLINE_TEMPORAL_HISTORY_PORT', 7234),
      matchingPort: clusterPort('MASSLINE_TEMPORAL_MATCHING_PORT', 7235),
      workerPort: clusterPort('MASSLINE_TEMPORAL_WORKER_PORT', 7239),
    },
    cliPath: read.str('TEMPORAL_CLI'),
  };
}

function workerSection(read: EnvReader): MasslineConfig['worker'] {
  return {
    maxConcurrentActivities: read.int('MASSLINE_WORKER_ACTIVITIES', 100, 1, 10_000),
    maxConcurrentWorkflowTasks: read.int('MASSLINE_WORKER_WORKFLOW_TASKS', DEFAULT_WORKFLOW_TASKS, 2, 10_000),
    maxCachedWorkflows: read.int('MASSLINE_WORKER_CACHED_WORKFLOWS', DEFAULT_CACHED_WORKFLOWS, 0, 1_000_000),
    metricsPort: read.int('MASSLINE_WORKER_METRICS_PORT', 9464, 0),
  };
}

/**
 * The SDK would quietly lower the workflow tasks to the cache size: say so instead. No cache at all is refused
 * too: a run recorded with its projections in its tasks (a local activity under way) must stay in memory until
 * it completes, and without a cache such a run never completes that task (workflows/projection.ts).
 */
function checkWorkflowCache({ maxCachedWorkflows, maxConcurrentWorkflowTasks }: MasslineConfig['worker'], problems: string[]): void {
  if (maxCachedWorkflows < maxConcurrentWorkflowTasks) {
    problems.push(
      `MASSLINE_WORKER_CACHED_WORKFLOWS must be at least MASSLINE_WORKER_WORKFLOW_TASKS (${maxConcurrentWorkflowTasks}): a run recorded with its projections in its workflow tasks needs the run kept in memory; got ${maxCachedWorkflows}`,
    );
  }
}
