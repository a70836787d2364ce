import { type DynamicModule, Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { TrainingRunsModule } from './admin/training-runs.module';
import { ClusterModule } from './cluster/cluster.module';
import { loggerOptions } from './common/logger.options';
import { type AppConfig, ConfigModule } from './config';
import { DatabaseModule } from './database/database.module';
import { HealthModule } from './health';

/** `npm run worker`: takes training runs from the BullMQ queue; no HTTP, no chat. */
@Module({})
export class WorkerModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: WorkerModule,
      imports: [ConfigModule.forRoot(config), LoggerModule.forRoot(loggerOptions(config)), HealthModule, DatabaseModule, ClusterModule, TrainingRunsModule],
    };
  }
}
