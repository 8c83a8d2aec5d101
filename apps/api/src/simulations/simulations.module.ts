// The office's simulations (POST /api/simulations …): the runner spawns `massline simulate` per job, one at a time.
import * as fs from 'fs';
import { Inject, Module, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { CampaignSnapshotRepository, SimulationsRepository } from '../../../../libs/persistence/src';
import type { MasslineConfig } from '../../../../libs/config/src';
import { JsonLogger } from '../common/logger';
import { MASSLINE_CONFIG } from '../tokens';
import { SimulationRunner } from './simulation-runner';
import { SimulationsController } from './simulations.controller';
import { SimulationsService } from './simulations.service';

/** How the runner starts the simulator: the compiled CLI, with the scratch server the configuration names. */
export const SIMULATOR_COMMAND = Symbol('SIMULATOR_COMMAND');

class SimulationRunnerLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(
    @Inject(SimulationRunner) private readonly runner: SimulationRunner,
    @Inject(JsonLogger) private readonly logger: JsonLogger,
  ) {}
  async onApplicationBootstrap(): Promise<void> {
    const failed = await this.runner.failOrphans().catch(() => 0);
    if (failed) this.logger.event('warn', 'simulations interrupted by a stop were marked failed', { failed });
  }
  async onApplicationShutdown(): Promise<void> {
    await this.runner.stop();
  }
}

/** Apache ECharts for the HTML report (read once, when first asked for). */
let echarts: string | null | undefined;
const echartsSource = () => {
  if (echarts === undefined) {
    try {
      echarts = fs.readFileSync(require.resolve('echarts/dist/echarts.min.js'), 'utf8');
    } catch {
      echarts = null;
    }
  }
  return echarts ?? undefined;
};

@Module({
  controllers: [SimulationsController],
  providers: [
    {
      provide: SIMULATOR_COMMAND,
      useFactory: (config: MasslineConfig) => ({
        args: config.simulation.scratchServerUrl ? ['--scratch-server', config.simulation.scratchServerUrl] : [],
      }),
      inject: [MASSLINE_CONFIG],
    },
    { provide: SimulationsRepository, useFactory: (ds: DataSource) => new SimulationsRepository(ds), inject: [DataSource] },
    {
      provide: SimulationRunner,
      useFactory: (repo: SimulationsRepository, ds: DataSource, logger: JsonLogger, command: { main?: string; args?: string[] }) =>
        new SimulationRunner(repo, ds, logger, command),
      inject: [SimulationsRepository, DataSource, JsonLogger, SIMULATOR_COMMAND],
    },
    {
      provide: SimulationsService,
      useFactory: (repo: SimulationsRepository, ds: DataSource, runner: SimulationRunner) =>
        new SimulationsService(repo, new CampaignSnapshotRepository(ds), runner, echartsSource),
      inject: [SimulationsRepository, DataSource, SimulationRunner],
    },
    SimulationRunnerLifecycle,
  ],
})
export class SimulationsModule {}
