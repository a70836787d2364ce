import { Global, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { APP_CONFIG, type AppConfig } from '../config';
import { healthContributor } from '../health/health-contributor';
import { DatabaseHealth } from './database.health';
import { DatabaseUnavailableFilter } from './database-unavailable.filter';
import { databaseTarget } from './database-target';
import { PrismaService } from './prisma.service';

/** Global so that each domain's repository can inject PrismaService (only repositories should). */
@Global()
@Module({
  providers: [
    {
      provide: PrismaService,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => PrismaService.open(databaseTarget(config)),
    },
    DatabaseHealth,
    healthContributor(DatabaseHealth),
    // HTTP requests that hit a database outage answer 503 `unavailable` (retry), not 500 (issue #9).
    { provide: APP_FILTER, useClass: DatabaseUnavailableFilter },
  ],
  exports: [PrismaService],
})
export class DatabaseModule {}
