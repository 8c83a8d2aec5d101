import { Controller, Get, Header, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiProperty, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import type { DataSource } from 'typeorm';
import { Open } from '../auth/decorators';
import { ErrorResponseDto } from '../common/dto';
import { errorBody } from '../common/errors.filter';
import { FAILING_ACTIVITY_FRESH_MS, STUCK_RUNS_NAMED, type ApiMetrics, type StuckRunsNow } from '../common/metrics';
import { RECORDING_ACTIVITIES } from '../../../../activities';
import type { ActivityFailureRepository } from '../../../../libs/persistence/src';
import { pingDatabase } from '../repositories/read-model.repository';
import type { EnginePart } from '../../../../libs/temporal/src/engine-probe';
import type { EngineHealth } from './engine-health';

const withTimeout = <T>(p: Promise<T>, ms: number, what: string): Promise<T> =>
  new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e) => {
        clearTimeout(t);
        reject(e);
      },
    );
  });

export type ReadinessCheck = 'database' | 'records' | EnginePart | 'workflows';

/**
 * Checks that name what needs a person without deciding readiness: a stuck run holds up its own workflow only,
 * so decisions can still be taken (`up`, or `stuck: …` naming each run).
 */
const INFORMATIVE: ReadonlySet<string> = new Set<ReadinessCheck>(['workflows']);

/** `up`, or each stuck run named (the oldest STUCK_RUNS_NAMED) with its cause, attempt and since when. */
export function stuckRunsCheck(now: StuckRunsNow): string {
  if (!now.total) return 'up';
  const named = now.runs.slice(0, STUCK_RUNS_NAMED).map((r) => `${r.workflowId} (${r.cause.replace(/^WORKFLOW_TASK_FAILED_CAUSE_/, '')}, attempt ${r.attempt}, since ${r.firstSeenAt})`);
  const more = now.total > named.length ? `; and ${now.total - named.length} more (GET /api/audit/stuck-runs)` : '';
  return `stuck: ${now.total} ${now.total === 1 ? 'run whose workflow task keeps failing' : 'runs whose workflow tasks keep failing'}, left for an operator (massline audit reset): ${named.join('; ')}${more}`;
}

/** Activities that record what a workflow decided: while one keeps failing, what is decided does not reach the database. */
const RECORDING = new Set<string>(RECORDING_ACTIVITIES);
/** Failed attempts before a recording activity counts against readiness (a single retry is ordinary). */
const FAILING_AFTER_ATTEMPTS = 3;

export class HealthService {
  constructor(
    private readonly dataSource: DataSource,
    readonly engine: EngineHealth,
    readonly metrics: ApiMetrics,
    private readonly activityFailures?: ActivityFailureRepository,
    /** The stuck runs as the detector last saw them (absent: the check says `up`). */
    private readonly stuckRuns?: () => Promise<StuckRunsNow>,
  ) {}

  /** Projections and escalation records that keep failing (retried meanwhile, never dropped). */
  private async records(): Promise<string> {
    if (!this.activityFailures) return 'up';
    const failing = (await this.activityFailures.current(FAILING_ACTIVITY_FRESH_MS)).filter((f) => RECORDING.has(f.activity) && f.attempts >= FAILING_AFTER_ATTEMPTS);
    if (!failing.length) return 'up';
    const [f] = failing;
    return `down: ${failing.length} recording ${failing.length === 1 ? 'activity keeps' : 'activities keep'} failing (retried meanwhile), e.g. ${f.activity} of ${f.workflowId}, attempt ${f.attempts}: ${f.lastError}`.slice(0, 300);
  }

  /**
   * Ready means a decision can be taken now: the database answers, and the workflow engine can run a workflow
   * task — its frontend, history and matching services answer, and a worker polls the task queue.
   */
  async readiness(): Promise<{ ready: boolean; checks: Record<ReadinessCheck, string> }> {
    const database = withTimeout(pingDatabase(this.dataSource), 3_000, 'database').then(
      () => 'up',
      (err: unknown) => `down: ${err instanceof Error ? err.message : String(err)}`.slice(0, 300),
    );
    const records = withTimeout(this.records(), 3_000, 'database').catch((err: unknown) => `down: ${err instanceof Error ? err.message : String(err)}`.slice(0, 300));
    const workflows = this.stuckRuns
      ? withTimeout(this.stuckRuns(), 3_000, 'database').then(stuckRunsCheck, (err: unknown) => `unknown: ${err instanceof Error ? err.message : String(err)}`.slice(0, 300))
      : Promise.resolve('up');
    // Each engine call carries its own deadline (2.5 s, no retry left behind); the probes run side by side.
    const [db, recorded, engine, stuck] = await Promise.all([database, records, this.engine.probe(), workflows]);
    const checks = { database: db, records: recorded, ...engine, workflows: stuck };
    return { ready: Object.entries(checks).every(([k, v]) => v === 'up' || INFORMATIVE.has(k)), checks };
  }

  /** The checks that keep the API from being ready, as the 503's message names them. */
  static failing(checks: Record<string, string>): Array<[string, string]> {
    return Object.entries(checks).filter(([k, v]) => v !== 'up' && !INFORMATIVE.has(k));
  }
}

class LiveDto {
  @ApiProperty({ example: 'ok' }) status!: string;
}
class ReadyDto {
  @ApiProperty({ example: 'ready' }) status!: string;
  @ApiProperty({
    description: 'each check: `up`, or `down: <why>`; `workflows` is `up` or `stuck: <each run whose workflow task keeps failing>` and does not decide readiness',
    example: { database: 'up', records: 'up', frontend: 'up', history: 'up', matching: 'up', worker: 'up', workflows: 'up' },
  })
  checks!: Record<string, string>;
}

@ApiTags('operations')
@Controller()
export class HealthController {
  constructor(private readonly health: HealthService) {}

  @Get('health/live')
  @Open()
  @ApiOperation({ summary: 'The process answers' })
  @ApiOkResponse({ type: LiveDto })
  live() {
    return { status: 'ok' };
  }

  @Get('health/ready')
  @Open()
  @ApiOperation({
    summary: 'A decision can be taken now',
    description:
      'database: PostgreSQL answers; frontend, history, matching: the workflow engine`s services answer (GetSystemInfo, ' +
      'DescribeWorkflowExecution of an unused id, DescribeTaskQueue); worker: a worker polled the task queue in the last 90 s. ' +
      'workflows names each run whose workflow task keeps failing (left for an operator); it does not decide readiness.',
  })
  @ApiOkResponse({ type: ReadyDto })
  @ApiResponse({ status: 503, description: 'a check is down; the message and details name it', type: ErrorResponseDto })
  async ready(@Res({ passthrough: true }) res: Response) {
    const { ready, checks } = await this.health.readiness();
    if (ready) return { status: 'ready', checks };
    res.status(503);
    return errorBody(503, `not ready: ${HealthService.failing(checks).map(([k, v]) => `${k} ${v}`).join('; ')}`, [checks]);
  }

  @Get('metrics')
  @Open()
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  @ApiOperation({ summary: 'Prometheus metrics: request latency by route, workflow calls, escalations fired' })
  @ApiProduces('text/plain')
  @ApiOkResponse({ schema: { type: 'string' } })
  metrics() {
    return this.health.metrics.registry.metrics();
  }
}
