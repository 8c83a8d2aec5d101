// The "Audit" routes of API.md (and the per-item timeline and referral dossier). Imported by the AppModule;
// it takes the DataSource, the Temporal client and the logger from the global CoreModule, and the access
// guard, validation pipe and error filter from the app.
import { DynamicModule, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { Client } from '@temporalio/client';
import { DataSource } from 'typeorm';
import { JsonLogger } from '../common/logger';
import { AuditController, DossierController, ItemAuditController, UnitAuditController } from './audit.controller';
import { AuditRepository } from './audit.repository';
import { AuditService } from './audit.service';
import { ReplayRunner } from './replay-runner';

/** Workflow code replays run against; the current code unless a test points elsewhere. */
export const REPLAY_WORKFLOWS_PATH = Symbol('REPLAY_WORKFLOWS_PATH');

class ReplayRunnerLifecycle implements OnApplicationShutdown {
  constructor(@Inject(ReplayRunner) private readonly runner: ReplayRunner) {}
  async onApplicationShutdown(): Promise<void> {
    await this.runner.stop();
  }
}

@Module({
  controllers: [UnitAuditController, ItemAuditController, AuditController, DossierController],
  providers: [
    { provide: REPLAY_WORKFLOWS_PATH, useValue: null },
    { provide: AuditRepository, useFactory: (dataSource: DataSource) => new AuditRepository(dataSource), inject: [DataSource] },
    {
      provide: ReplayRunner,
      useFactory: (repository: AuditRepository, client: Client, logger: JsonLogger, workflowsPath: string | null) =>
        new ReplayRunner(repository, client, logger, workflowsPath ?? undefined),
      inject: [AuditRepository, Client, JsonLogger, REPLAY_WORKFLOWS_PATH],
    },
    {
      provide: AuditService,
      useFactory: (repository: AuditRepository, client: Client, runner: ReplayRunner) => new AuditService(repository, client, runner),
      inject: [AuditRepository, Client, ReplayRunner],
    },
    ReplayRunnerLifecycle,
  ],
})
export class AuditModule {
  /** The module with replays run against other workflow code (tests prove a changed workflow is caught). */
  static withReplayWorkflows(workflowsPath: string): DynamicModule {
    return { module: AuditModule, providers: [{ provide: REPLAY_WORKFLOWS_PATH, useValue: workflowsPath }] };
  }
}
