import { Module } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config';
import { ReplyScheduler } from './reply-scheduler';

/** The reply admission the socket chat and /v1 share (one scheduler per process: both count against one queue). */
@Module({
  providers: [{ provide: ReplyScheduler, inject: [APP_CONFIG], useFactory: (config: AppConfig) => new ReplyScheduler(config.serving) }],
  exports: [ReplyScheduler],
})
export class ServingModule {}
