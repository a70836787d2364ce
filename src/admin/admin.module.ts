import { Module, type Provider } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config';
import { ConversationsModule } from '../conversations/conversations.module';
import { ModelVersionsModule } from '../model-versions/model-versions.module';
import { AdminGuard } from './admin.guard';
import { ModelsController } from './models.controller';
import { TRAINING_QUEUE } from './training-queue';
import { InProcessTrainingQueue } from './training-queue.in-process';
import { TrainingRunExecutor } from './training-run.executor';
import { TrainingRunEvents } from './training-run-events';
import { TrainingRunsController } from './training-runs.controller';
import { TrainingRunsRepository } from './training-runs.repository';
import { TrainingRunsService } from './training-runs.service';

/** REDIS_URL set: runs go through BullMQ (loaded only then); otherwise one run at a time in this process. */
const trainingQueue: Provider = {
  provide: TRAINING_QUEUE,
  inject: [APP_CONFIG, TrainingRunExecutor],
  useFactory: async (config: AppConfig, executor: TrainingRunExecutor) => {
    if (!config.redisUrl) return new InProcessTrainingQueue(executor);
    const { BullMqTrainingQueue } = await import('./training-queue.bullmq');
    return BullMqTrainingQueue.connect(config.redisUrl, executor);
  },
};

/** The admin API under /admin (Bearer ADMIN_TOKEN; off without one): training runs and model versions. */
@Module({
  imports: [ConversationsModule, ModelVersionsModule],
  controllers: [TrainingRunsController, ModelsController],
  providers: [AdminGuard, TrainingRunsRepository, TrainingRunEvents, TrainingRunExecutor, TrainingRunsService, trainingQueue],
})
export class AdminModule {}
