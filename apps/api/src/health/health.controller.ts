import { Controller, Get, Header, Res, ServiceUnavailableException } from '@nestjs/common';
import { HealthCheckService, HealthIndicatorService, type HealthCheckResult, type HealthIndicatorFunction } from '@nestjs/terminus';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiProperty, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import type { DataSource } from 'typeorm';
import { Open } from '../auth/decorators';
import { ErrorResponseDto } from '../common/dto';
import { errorBody } from '../common/errors.filter';
import { FAILING_ACTIVITY_FRESH_MS, STUCK_RUNS_NAMED, type ApiMetrics, type StuckRunsNow } from '../common/metrics';
import { RECORDING_ACTIVITIES } from '../../../../libs/contracts/src';
import { type ActivityFailureRepository, pingDatabase } from '../../../../libs/persistence/src';
import type { EnginePart } from '../../../../libs/temporal/src/engine-probe';
import type { EngineHealth } from './engine-health';

/** Each check's deadline: a part that does not answer within it is down. */
export const CHECK_DEADLINE_MS = 2_500;

const withTimeout = async <T>(p: Promise<T>, ms: number, what: string): Promise<T> => {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      reject(new Error(`${what} did not answer within ${ms} ms`));
    }, ms);
  });
  try {
    return await Promise.race([p, deadline]);
  } finally {
    clearTimeout(timer);
  }
};

export type ReadinessCheck = 'database' | 'records' | EnginePart;
export const READINESS_CHECKS: readonly ReadinessCheck[] = ['database', 'records', 'frontend', 'history', 'matching', 'worker'];

/** `up`, or each stuck run named (the oldest STUCK_RUNS_NAMED) with its cause, attempt and since when. */
export function stuckRunsCheck(now: StuckRunsNow): string {
  if (!now.total) return 'up';
  const named = now.runs
    .slice(0, STUCK_RUNS_NAMED)
    .map((r) => `${r.workflowId} (${r.cause.replace(/^WORKFLOW_TASK_FAILED_CAUSE_/, '')}, attempt ${r.attempt}, since ${r.firstSeenAt})`);
  const more = now.total > named.length ? `; and ${now.total - named.length} more (GET /api/audit/stuck-runs)` : '';
  return `stuck: ${now.total} ${now.total === 1 ? 'run whose workflow task keeps failing' : 'runs whose workflow tasks keep failing'}, left for an operator (massline audit reset): ${named.join('; ')}${more}`;
}

/** Activities that record what a workflow decided: while one keeps failing, what is decided does not reach the database. */
const RECORDING = new Set<string>(RECORDING_ACTIVITIES);
/** Failed attempts before a recording activity counts against readiness (a single retry is ordinary). */
const FAILING_AFTER_ATTEMPTS = 3;

const why = (err: unknown) => (err instanceof Error ? err.message : String(err)).slice(0, 300);

export class HealthService {
  private readonly indicator = new HealthIndicatorService();

  constructor(
    private readonly dataSource: DataSource,
    readonly engine: EngineHealth,
    readonly metrics: ApiMetrics,
    private readonly activityFailures?: ActivityFailureRepository,
    /** The stuck runs as the detector last saw them (absent: the check says `up`). */
    private readonly stuckRuns?: () => Promise<StuckRunsNow>,
  ) {}

  /** Projections and escalation records that keep failing (retried meanwhile, never dropped): undefined when none. */
  private async failingRecords(): Promise<string | undefined> {
    if (!this.activityFailures) return undefined;
    const failing = (await this.activityFailures.current(FAILING_ACTIVITY_FRESH_MS)).filter(
      (f) => RECORDING.has(f.activity) && f.attempts >= FAILING_AFTER_ATTEMPTS,
    );
    if (!failing.length) return undefined;
    const [f] = failing;
    return `${failing.length} recording ${failing.length === 1 ? 'activity keeps' : 'activities keep'} failing (retried meanwhile), e.g. ${f.activity} of ${f.workflowId}, attempt ${f.attempts}: ${f.lastError}`;
  }

  /**
   * The readiness checks as terminus indicators. Ready means a decision can be taken now: the database answers,
   * no recording activity keeps failing, and the workflow engine can run a workflow task — its frontend, history
   * and matching services answer, and a worker polls the task queue. The four engine checks share one probe
   * (each of its calls carries the deadline, no retry left behind); all run side by side.
   */
  indicators(): HealthIndicatorFunction[] {
    const engine = this.engine.probe();
    const down = (key: ReadinessCheck, err: unknown) => this.indicator.check(key).down({ message: why(err) });
    const database = async () => {
      try {
        await withTimeout(pingDatabase(this.dataSource), CHECK_DEADLINE_MS, 'database');
        return this.indicator.check('database').up();
      } catch (err) {
        return down('database', err);
      }
    };
    const records = async () => {
      try {
        const failing = await withTimeout(this.failingRecords(), CHECK_DEADLINE_MS, 'database');
        return failing ? this.indicator.check('records').down({ message: failing.slice(0, 300) }) : this.indicator.check('records').up();
      } catch (err) {
        return down('records', err);
      }
    };
    const part = (key: EnginePart) => async () => {
      const state = (await engine)[key];
      return state === 'up' ? this.indicator.check(key).up() : this.indicator.check(key).down({ message: state.replace(/^down: /, '') });
    };
    return [database, records, part('frontend'), part('history'), part('matching'), part('worker')];
  }

  /**
   * The `workflows` check: it names what needs a person without deciding readiness (a stuck run holds up its own
   * workflow only, so decisions can still be taken): `up`, or `stuck: …` naming each run.
   */
  async workflows(): Promise<string> {
    if (!this.stuckRuns) return 'up';
    return withTimeout(this.stuckRuns(), CHECK_DEADLINE_MS, 'database').then(stuckRunsCheck, (err: unknown) =>
      `unknown: ${why(err)}`.slice(0, 300),
    );
  }

  /** A terminus result as the answer has always named its checks: `up`, or `down: <why>`, in the same order. */
  static checksOf(result: HealthCheckResult): Record<ReadinessCheck, string> {
    const details = result.details as Record<string, { status: string; message?: string } | undefined>;
    return Object.fromEntries(
      READINESS_CHECKS.map((key) => {
        const d = details[key];
        return [key, d?.status === 'up' ? 'up' : `down: ${d?.message ?? 'no answer'}`];
      }),
    ) as Record<ReadinessCheck, string>;
  }
}

class LiveDto {
  @ApiProperty({ example: 'ok' }) status!: string;
}
class ReadyDto {
  @ApiProperty({ example: 'ready' }) status!: string;
  @ApiProperty({
    description:
      'each check: `up`, or `down: <why>`; `workflows` is `up` or `stuck: <each run whose workflow task keeps failing>` and does not decide readiness',
    example: { database: 'up', records: 'up', frontend: 'up', history: 'up', matching: 'up', worker: 'up', workflows: 'up' },
  })
  checks!: Record<string, string>;
}

@ApiTags('operations')
@Controller()
export class HealthController {
  constructor(
    private readonly health: HealthService,
    private readonly terminus: HealthCheckService,
  ) {}

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
    const readiness = async (): Promise<HealthCheckResult> => {
      try {
        return await this.terminus.check(this.health.indicators());
      } catch (err) {
        // terminus answers a failed check with a 503 holding the same result; the answer keeps massline's shape.
        if (!(err instanceof ServiceUnavailableException)) throw err;
        return err.getResponse() as HealthCheckResult;
      }
    };
    const [result, workflows] = await Promise.all([readiness(), this.health.workflows()]);
    const decisive = HealthService.checksOf(result);
    const checks = { ...decisive, workflows };
    if (result.status === 'ok') return { status: 'ready', checks };
    res.status(503);
    return errorBody(
      503,
      `not ready: ${Object.entries(decisive)
        .filter(([, v]) => v !== 'up')
        .map(([k, v]) => `${k} ${v}`)
        .join('; ')}`,
      [checks],
    );
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
