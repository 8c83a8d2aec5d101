// The web console's side of the API: its files at `/`, sign-in links, the lists it shows, the supervisor's
// inbox, and the public disclosure routes (apps/api/src/public). Built from the app's context like the rest.
import { DynamicModule, MiddlewareConsumer, Module, NestModule, RequestMethod } from '@nestjs/common';
import type { ApiContext } from '../api-context';
import { PublicController, PublicService } from '../public/public';
import { ConsoleRepository, HolidaysRepository, PublicRepository } from '../../../../libs/persistence/src';
import { consoleStatic } from './console-static';
import { DirectoryController, DirectoryService } from './directory';
import { SignInController, SignInService } from './sign-in';
import { HolidaysController, HolidaysService } from './holidays';

@Module({})
export class ConsoleModule implements NestModule {
  static register(ctx: ApiContext): DynamicModule {
    const directory = new ConsoleRepository(ctx.dataSource);
    return {
      module: ConsoleModule,
      controllers: [PublicController, SignInController, DirectoryController, HolidaysController],
      providers: [
        { provide: PublicService, useValue: new PublicService(new PublicRepository(ctx.dataSource)) },
        { provide: SignInService, useValue: new SignInService(ctx.repositories.signIn, directory, ctx.auth) },
        { provide: DirectoryService, useValue: new DirectoryService(directory, ctx.repositories.campaigns, ctx.repositories.programmes) },
        { provide: HolidaysService, useValue: new HolidaysService(new HolidaysRepository(ctx.dataSource)) },
      ],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer
      .apply(consoleStatic())
      .forRoutes({ path: '{*path}', method: RequestMethod.GET }, { path: '{*path}', method: RequestMethod.HEAD });
  }
}
