import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { LoggerModule } from 'nestjs-pino';
import { AdminModule } from './admin/admin.module';
import { ChatModule } from './chat/chat.module';
import { ClusterModule } from './cluster/cluster.module';
import { AppErrorFilter } from './common/app-error.filter';
import { HttpExceptionFilter } from './common/http-exception.filter';
import { loggerOptions } from './common/logger.options';
import { type AppConfig, ConfigModule } from './config';
import { ConversationsModule } from './conversations/conversations.module';
import { DatabaseModule } from './database/database.module';
import { EvaluationModule } from './evaluation/evaluation.module';
import { HealthModule } from './health';
import { MetricsModule } from './metrics/metrics.module';
import { ModelVersionsModule } from './model-versions/model-versions.module';
import { OpenAiApiModule } from './openai-api/openai-api.module';

/** The application, built from an already validated configuration (see main.ts). Add feature modules to the list. */
@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggerModule.forRoot(loggerOptions(config)),
        HealthModule,
        DatabaseModule,
        ClusterModule,
        ConversationsModule,
        ModelVersionsModule,
        AdminModule,
        EvaluationModule,
        ChatModule,
        OpenAiApiModule,
        MetricsModule.forRoot(config),
      ],
      providers: [
        { provide: APP_FILTER, useClass: AppErrorFilter },
        { provide: APP_FILTER, useClass: HttpExceptionFilter },
      ],
    };
  }
}
