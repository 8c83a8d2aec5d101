// Everything the API is made of, built once from the config, the data source and the Temporal client.
// Nest receives the finished objects (useValue): no hidden construction, and tests build the same thing.
import type { Client } from '@temporalio/client';
import type { DataSource } from 'typeorm';
import type { MasslineConfig } from '../../../libs/config/src';
import { AuthService } from './auth/auth.service';
import { PgThrottlerStorage } from './auth/rate-limiter';
import { CampaignsService } from './campaigns/campaigns.service';
import { IdempotencySweeper } from './common/idempotency.interceptor';
import { PeriodicSweeper } from './common/sweeper';
import { JsonLogger } from './common/logger';
import { ApiMetrics, FAILING_ACTIVITY_FRESH_MS, STUCK_RUNS_NAMED } from './common/metrics';
import { EscalationsService } from './escalations/escalations.controller';
import { EngineHealth } from './health/engine-health';
import { HealthService } from './health/health.controller';
import { ItemsService } from './items/items.service';
import { MeasuresService } from './measures/measures';
import { PrincipalsService } from './principals/principals.service';
import { ProgrammesService } from './programmes/programmes';
import {
  type ActivityFailureRepository,
  AuditLogRepository,
  CampaignsRepository,
  type DocumentRepository,
  EntriesRepository,
  IdempotencyRepository,
  PgActivityFailureRepository,
  PgDocumentRepository,
  PgMeasureRepository,
  PgStuckRunRepository,
  PresenceRepository,
  PrincipalsRepository,
  ProgrammesRepository,
  RateLimitRepository,
  ReadModelRepository,
  SignInRepository,
  type StuckRunRepository,
  UnitsRepository,
  ViewsRepository,
} from '../../../libs/persistence/src';
import { TextStore } from './common/texts';
import { MeetingPresence } from './units/presence';
import { UnitsService } from './units/units.service';
import { WorkflowGateway } from './workflow/workflow-gateway';

export interface ApiContext {
  config: MasslineConfig;
  /** Started with the app, stopped on shutdown. */
  idempotencySweeper: IdempotencySweeper;
  /** Removes the public rate limit's windows that emptied (every minute); started and stopped with the app. */
  rateLimitSweeper: PeriodicSweeper;
  dataSource: DataSource;
  temporal: Client;
  logger: JsonLogger;
  metrics: ApiMetrics;
  /** The public channels' rate limit, in PostgreSQL (shared by every API). */
  publicRateLimit: PgThrottlerStorage;
  auth: AuthService;
  workflows: WorkflowGateway;
  repositories: {
    principals: PrincipalsRepository;
    campaigns: CampaignsRepository;
    units: UnitsRepository;
    readModel: ReadModelRepository;
    measures: PgMeasureRepository;
    programmes: ProgrammesRepository;
    idempotency: IdempotencyRepository;
    auditLog: AuditLogRepository;
    entries: EntriesRepository;
    documents: DocumentRepository;
    activityFailures: ActivityFailureRepository;
    stuckRuns: StuckRunRepository;
    signIn: SignInRepository;
    rateLimits: RateLimitRepository;
  };
  texts: TextStore;
  closers: Array<() => Promise<void>>;
  services: {
    principals: PrincipalsService;
    campaigns: CampaignsService;
    units: UnitsService;
    items: ItemsService;
    escalations: EscalationsService;
    measures: MeasuresService;
    programmes: ProgrammesService;
    health: HealthService;
  };
}

/** One repository per table family, all over the same data source. */
function createRepositories(config: MasslineConfig, dataSource: DataSource, clock?: () => number): ApiContext['repositories'] {
  return {
    principals: new PrincipalsRepository(dataSource),
    campaigns: new CampaignsRepository(dataSource),
    units: new UnitsRepository(dataSource),
    readModel: new ReadModelRepository(dataSource),
    measures: new PgMeasureRepository(dataSource),
    programmes: new ProgrammesRepository(dataSource),
    idempotency: new IdempotencyRepository(dataSource, config.idempotencyTtlHours),
    auditLog: new AuditLogRepository(dataSource),
    entries: new EntriesRepository(dataSource),
    documents: new PgDocumentRepository(dataSource),
    activityFailures: new PgActivityFailureRepository(dataSource),
    stuckRuns: new PgStuckRunRepository(dataSource),
    signIn: new SignInRepository(dataSource),
    rateLimits: new RateLimitRepository(dataSource, clock),
  };
}

/** The API's metrics: escalations fired and activities failing now, read from their tables at each scrape. */
function createMetrics(repositories: ApiContext['repositories']): ApiMetrics {
  return new ApiMetrics(
    () => repositories.readModel.escalationsByRung(),
    true,
    async () => {
      const counts = new Map<string, number>();
      for (const f of await repositories.activityFailures.current(FAILING_ACTIVITY_FRESH_MS))
        counts.set(f.activity, (counts.get(f.activity) ?? 0) + 1);
      return [...counts].map(([activity, count]) => ({ activity, count }));
    },
  );
}

/** The sweepers of expired Idempotency-Keys and emptied rate-limit windows (started by createApp); a failed sweep is logged. */
function createSweepers(repositories: ApiContext['repositories'], logger: JsonLogger) {
  const idempotencySweeper = new IdempotencySweeper(repositories.idempotency, (err) =>
    logger.event('warn', 'could not sweep expired idempotency keys', { error: err instanceof Error ? err.message : String(err) }),
  );
  const rateLimitSweeper = new PeriodicSweeper(
    repositories.rateLimits,
    (err) =>
      logger.event('warn', 'could not sweep the emptied rate-limit windows', { error: err instanceof Error ? err.message : String(err) }),
    60_000,
  );
  return { idempotencySweeper, rateLimitSweeper };
}

/** The services the controllers call, over the repositories and the one gateway to the workflows. */
function createServices(
  config: MasslineConfig,
  dataSource: DataSource,
  repositories: ApiContext['repositories'],
  texts: TextStore,
  workflows: WorkflowGateway,
  engine: EngineHealth,
  metrics: ApiMetrics,
): ApiContext['services'] {
  const views = new ViewsRepository(dataSource);
  const units = new UnitsService(
    repositories.units,
    repositories.campaigns,
    workflows,
    texts,
    repositories.entries,
    views,
    config.temporal.taskQueue,
    new MeetingPresence(new PresenceRepository(dataSource), views, repositories.entries),
  );
  return {
    principals: new PrincipalsService(repositories.principals, repositories.units, repositories.campaigns),
    campaigns: new CampaignsService(
      config,
      repositories.campaigns,
      repositories.units,
      repositories.readModel,
      workflows,
      repositories.stuckRuns,
    ),
    units,
    items: new ItemsService(units, workflows, repositories.readModel, views, texts, repositories.entries),
    escalations: new EscalationsService(repositories.readModel, repositories.campaigns),
    measures: new MeasuresService(repositories.measures, units),
    programmes: new ProgrammesService(config, repositories.programmes, repositories.units, repositories.campaigns, workflows, views, texts),
    health: new HealthService(dataSource, engine, metrics, repositories.activityFailures, () =>
      repositories.stuckRuns.current(STUCK_RUNS_NAMED),
    ),
  };
}

export function buildApiContext(
  config: MasslineConfig,
  dataSource: DataSource,
  temporal: Client,
  logger: JsonLogger,
  /** What the app opened itself and closes on shutdown, last opened first. */
  closers: Array<() => Promise<void>> = [],
  /** The clock of the public rate limit (tests move it); the database's by default. */
  clock?: () => number,
): ApiContext {
  const repositories = createRepositories(config, dataSource, clock);
  const texts = new TextStore(repositories.documents);
  const metrics = createMetrics(repositories);
  const { idempotencySweeper, rateLimitSweeper } = createSweepers(repositories, logger);
  const engine = new EngineHealth(
    temporal,
    { namespace: config.temporal.namespace, taskQueue: config.temporal.taskQueue },
    metrics.registry,
  );
  const workflows = new WorkflowGateway(temporal, repositories.auditLog, metrics, logger, engine);
  const services = createServices(config, dataSource, repositories, texts, workflows, engine, metrics);
  metrics.countStalledCampaigns = () => services.campaigns.stalledCampaigns();
  metrics.readStuckRuns = async () => {
    const [now, lastPass] = await Promise.all([repositories.stuckRuns.current(STUCK_RUNS_NAMED), repositories.stuckRuns.lastPass()]);
    return { ...now, ...(lastPass ? { lastPass } : {}) };
  };
  return {
    config,
    idempotencySweeper,
    rateLimitSweeper,
    dataSource,
    temporal,
    logger,
    metrics,
    publicRateLimit: new PgThrottlerStorage(repositories.rateLimits),
    auth: new AuthService(repositories.principals, repositories.signIn),
    workflows,
    repositories,
    texts,
    services,
    closers,
  };
}
