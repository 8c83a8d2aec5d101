import { Controller, Get, Header, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiProperty, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import type { DataSource } from 'typeorm';
import { Open } from '../auth/decorators';
import { ErrorResponseDto } from '../common/dto';
import { errorBody } from '../common/errors.filter';
import type { ApiMetrics } from '../common/metrics';
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

export type ReadinessCheck = 'database' | EnginePart;

export class HealthService {
  constructor(
    private readonly dataSource: DataSource,
    readonly engine: EngineHealth,
    readonly metrics: ApiMetrics,
  ) {}

  /**
   * Ready means a decision can be taken now: the database answers, and the workflow engine can run a workflow
   * task — its frontend, history and matching services answer, and a worker polls the task queue.
   */
  async readiness(): Promise<{ ready: boolean; checks: Record<ReadinessCheck, string> }> {
    const database = withTimeout(pingDatabase(this.dataSource), 3_000, 'database').then(
      () => 'up',
      (err: unknown) => `down: ${err instanceof Error ? err.message : String(err)}`.slice(0, 300),
    );
    // Each engine call carries its own deadline (2.5 s, no retry left behind); the probes run side by side.
    const [db, engine] = await Promise.all([database, this.engine.probe()]);
    const checks = { database: db, ...engine };
    return { ready: Object.values(checks).every((v) => v === 'up'), checks };
  }
}

class LiveDto {
  @ApiProperty({ example: 'ok' }) status!: string;
}
class ReadyDto {
  @ApiProperty({ example: 'ready' }) status!: string;
  @ApiProperty({
    description: 'each check: `up`, or `down: <why>`',
    example: { database: 'up', frontend: 'up', history: 'up', matching: 'up', worker: 'up' },
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
      'DescribeWorkflowExecution of an unused id, DescribeTaskQueue); worker: a worker polled the task queue in the last 90 s.',
  })
  @ApiOkResponse({ type: ReadyDto })
  @ApiResponse({ status: 503, description: 'a check is down; the message and details name it', type: ErrorResponseDto })
  async ready(@Res({ passthrough: true }) res: Response) {
    const { ready, checks } = await this.health.readiness();
    if (ready) return { status: 'ready', checks };
    res.status(503);
    return errorBody(503, `not ready: ${Object.entries(checks).filter(([, v]) => v !== 'up').map(([k, v]) => `${k} ${v}`).join('; ')}`, [checks]);
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
