import { Controller, Get, Header, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiProperty, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import type { Client } from '@temporalio/client';
import type { DataSource } from 'typeorm';
import { Open } from '../auth/decorators';
import { ErrorResponseDto } from '../common/dto';
import { errorBody } from '../common/errors.filter';
import type { ApiMetrics } from '../common/metrics';
import { pingDatabase } from '../repositories/read-model.repository';

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

export class HealthService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly temporal: Client,
    readonly metrics: ApiMetrics,
  ) {}

  async readiness(): Promise<{ ready: boolean; checks: Record<'database' | 'temporal', string> }> {
    const check = async (run: () => Promise<unknown>, what: string, timeoutMs: number) => {
      try {
        await withTimeout(run(), timeoutMs, what);
        return 'up';
      } catch (err) {
        return `down: ${err instanceof Error ? err.message : String(err)}`.slice(0, 300);
      }
    };
    const [database, temporal] = await Promise.all([
      check(() => pingDatabase(this.dataSource), 'database', 3_000),
      // The call carries its own deadline (its retries end with it); the outer timeout is only a safety net,
      // longer than the retries, so that no call is left running behind the answer.
      check(() => this.temporal.withDeadline(Date.now() + 2_500, () => this.temporal.workflowService.getSystemInfo({})), 'workflow engine', 15_000),
    ]);
    return { ready: database === 'up' && temporal === 'up', checks: { database, temporal } };
  }
}

class LiveDto {
  @ApiProperty({ example: 'ok' }) status!: string;
}
class ReadyDto {
  @ApiProperty({ example: 'ready' }) status!: string;
  @ApiProperty({ example: { database: 'up', temporal: 'up' } }) checks!: Record<string, string>;
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
  @ApiOperation({ summary: 'The database and the workflow engine are reachable' })
  @ApiOkResponse({ type: ReadyDto })
  @ApiResponse({ status: 503, description: 'database or workflow engine unreachable', type: ErrorResponseDto })
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
