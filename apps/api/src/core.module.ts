// The API's shared pieces, global so that any feature module (e.g. audit) can inject them.
import { DynamicModule, Global, Module, type OnApplicationShutdown } from '@nestjs/common';
import { Client } from '@temporalio/client';
import { DataSource } from 'typeorm';
import type { ApiContext } from './api-context';
import { JsonLogger } from './common/logger';
import { ApiMetrics } from './common/metrics';
import { MASSLINE_CONFIG } from './tokens';
import { UnitsService } from './units/units.service';
import { WorkflowGateway } from './workflow/workflow-gateway';
import { AccessGuardDeps } from './auth/auth.guard';

/**
 * Closes what the app opened itself (data source, Temporal connection) when Nest shuts down, once the calls
 * to the engine still in flight (a client may have hung up on them) have settled.
 */
class OwnedResources implements OnApplicationShutdown {
  constructor(
    private readonly workflows: WorkflowGateway,
    private readonly closers: Array<() => Promise<void>>,
  ) {}
  async onApplicationShutdown(): Promise<void> {
    await this.workflows.drain();
    for (const close of this.closers.splice(0).reverse()) await close().catch(() => undefined);
  }
}

@Global()
@Module({})
export class CoreModule {
  static register(ctx: ApiContext): DynamicModule {
    const providers = [
      { provide: MASSLINE_CONFIG, useValue: ctx.config },
      { provide: DataSource, useValue: ctx.dataSource },
      { provide: Client, useValue: ctx.temporal },
      { provide: WorkflowGateway, useValue: ctx.workflows },
      { provide: UnitsService, useValue: ctx.services.units },
      { provide: JsonLogger, useValue: ctx.logger },
      { provide: ApiMetrics, useValue: ctx.metrics },
      { provide: AccessGuardDeps, useValue: new AccessGuardDeps(ctx.auth) },
    ];
    return {
      module: CoreModule,
      providers: [...providers, { provide: OwnedResources, useValue: new OwnedResources(ctx.workflows, ctx.closers) }],
      exports: providers.map((p) => p.provide),
    };
  }
}
