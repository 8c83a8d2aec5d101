// Plan changes of a running campaign (preview, versions): apps/api/src/campaigns/plan-changes.*.
import { Module } from '@nestjs/common';
import { Client } from '@temporalio/client';
import { DataSource } from 'typeorm';
import type { MasslineConfig } from '../../../../libs/config/src';
import { CampaignsRepository, PlanVersionsRepository } from '../../../../libs/persistence/src';
import { MASSLINE_CONFIG } from '../tokens';
import { PlanChangesController } from './plan-changes.controller';
import { PlanChangesService } from './plan-changes.service';

@Module({
  controllers: [PlanChangesController],
  providers: [
    {
      provide: PlanChangesService,
      useFactory: (ds: DataSource, client: Client, config: MasslineConfig) =>
        new PlanChangesService(new CampaignsRepository(ds), new PlanVersionsRepository(ds), ds, {
          client,
          taskQueue: config.temporal.taskQueue,
        }),
      inject: [DataSource, Client, MASSLINE_CONFIG],
    },
  ],
})
export class PlanChangesModule {}
