import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_INTERCEPTOR, APP_PIPE } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { ThrottlerModule } from '@nestjs/throttler';
import type { ApiContext } from './api-context';
import { AuditModule } from './audit/audit.module';
import { AccessGuard } from './auth/auth.guard';
import { PublicRateGuard, publicThrottlerOptions } from './auth/rate-limiter';
import { CampaignsController } from './campaigns/campaigns.controller';
import { CampaignsService } from './campaigns/campaigns.service';
import { ErrorFilter } from './common/errors.filter';
import { IdempotencyInterceptor } from './common/idempotency.interceptor';
import { createValidationPipe } from './common/validation';
import { ConsoleModule } from './console/console.module';
import { CoreModule } from './core.module';
import { EscalationsController, EscalationsService } from './escalations/escalations.controller';
import { HealthController, HealthService } from './health/health.controller';
import { ItemsController, UnitItemsController } from './items/items.controller';
import { ItemsService } from './items/items.service';
import { MeasuresController, MeasuresService } from './measures/measures';
import { PrincipalsController } from './principals/principals.controller';
import { PrincipalsService } from './principals/principals.service';
import { ProgrammesController, ProgrammesService } from './programmes/programmes';
import { SimulationsModule } from './simulations/simulations.module';
import { PlanChangesModule } from './campaigns/plan-changes.module';
import { UnitsController } from './units/units.controller';

@Module({})
export class AppModule {
  static register(ctx: ApiContext, extraImports: DynamicModule['imports'] = []): DynamicModule {
    return {
      module: AppModule,
      imports: [
        CoreModule.register(ctx),
        // /health/ready's checks run as terminus indicators; a check that is down is in the answer, not the log.
        TerminusModule.forRoot({ logger: false }),
        ThrottlerModule.forRoot(publicThrottlerOptions(ctx.config.publicRateLimitPerMinute, ctx.publicRateLimit)),
        // The "Audit" routes of API.md (timelines, history export, replays, reconciliation): apps/api/src/audit.
        AuditModule,
        // Rehearsals: whole campaigns simulated on the time-skipping test server (apps/api/src/simulations).
        SimulationsModule,
        // A running campaign's plan changes by version, previewed first (apps/api/src/campaigns/plan-changes.*).
        PlanChangesModule,
        // The web console at / and the routes it needs besides API.md's (sign-in links, lists, inbox, public disclosure).
        ConsoleModule.register(ctx),
        ...extraImports,
      ],
      controllers: [
        HealthController,
        PrincipalsController,
        CampaignsController,
        UnitsController,
        ItemsController,
        UnitItemsController,
        EscalationsController,
        MeasuresController,
        ProgrammesController,
      ],
      providers: [
        { provide: PrincipalsService, useValue: ctx.services.principals },
        { provide: CampaignsService, useValue: ctx.services.campaigns },
        { provide: ItemsService, useValue: ctx.services.items },
        { provide: EscalationsService, useValue: ctx.services.escalations },
        { provide: MeasuresService, useValue: ctx.services.measures },
        { provide: ProgrammesService, useValue: ctx.services.programmes },
        { provide: HealthService, useValue: ctx.services.health },
        // Order of a request: guards (who, then the public rate limit) → interceptor (idempotency) → pipe (validation)
        // → handler; errors → filter.
        { provide: APP_GUARD, useClass: AccessGuard },
        { provide: APP_GUARD, useClass: PublicRateGuard },
        { provide: APP_INTERCEPTOR, useValue: new IdempotencyInterceptor(ctx.repositories.idempotency) },
        { provide: APP_PIPE, useValue: createValidationPipe() },
        { provide: APP_FILTER, useValue: new ErrorFilter(ctx.logger) },
      ],
    };
  }
}
