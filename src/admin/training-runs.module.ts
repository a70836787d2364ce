import { Module, type Provider } from '@nestjs/common';
import { CLUSTER_BUS, type ClusterBus } from '../cluster/cluster-bus';
import { APP_CONFIG, type AppConfig } from '../config';
import { ConversationsModule } from '../conversations/conversations.module';
import { ModelVersionsModule } from '../model-versions/model-versions.module';
import { TRAINING_QUEUE } from './training-queue';
import { InProcessTrainingQueue } from './training-queue.in-process';
import { TrainingRunExecutor } from './training-run.executor';
import { TrainingRunEvents } from './training-run-events';
import { TrainingRunsRepository } from './training-runs.repository';
import { TrainingRunsService } from './training-runs.service';

/** REDIS_URL set: runs go through BullMQ (loaded only then); otherwise one run at a time in this process. */
const trainingQueue: Provider = {
  provide: TRAINING_QUEUE,
  inject: [APP_CONFIG, TrainingRunExecutor, TrainingRunEvents, CLUSTER_BUS],
  useFactory: async (config: AppConfig, executor: TrainingRunExecutor, events: TrainingRunEvents, cluster: ClusterBus) => {
    if (!config.redisUrl) return new InProcessTrainingQueue(executor);
    const { BullMqTrainingQueue } = await import('./training-queue.bullmq');
    const options = { url: config.redisUrl, prefix: config.redisPrefix, executesRuns: config.trainingWorker };
    return BullMqTrainingQueue.connect(options, executor, events, cluster);
  },
};

/** Training runs without HTTP: what the admin API drives and what `npm run worker` executes. */
@Module({
  imports: [ConversationsModule, ModelVersionsModule],
  providers: [TrainingRunsRepository, TrainingRunEvents, TrainingRunExecutor, TrainingRunsService, trainingQueue],
  exports: [TrainingRunsService],
})
export class TrainingRunsModule {}
