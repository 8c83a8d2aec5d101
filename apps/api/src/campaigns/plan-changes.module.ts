// Plan changes of a running campaign (preview, versions): apps/api/src/campaigns/plan-changes.*.
import { Module } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { CampaignsRepository } from '../repositories/campaigns.repository';
import { PlanVersionsRepository } from '../repositories/plan-versions.repository';
import { PlanChangesController } from './plan-changes.controller';
import { PlanChangesService } from './plan-changes.service';

@Module({
  controllers: [PlanChangesController],
  providers: [
    {
      provide: PlanChangesService,
      useFactory: (ds: DataSource) => new PlanChangesService(new CampaignsRepository(ds), new PlanVersionsRepository(ds)),
      inject: [DataSource],
    },
  ],
})
export class PlanChangesModule {}
