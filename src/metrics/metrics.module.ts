import { type DynamicModule, Logger, Module, type Provider } from '@nestjs/common';
import { collectDefaultMetrics } from 'prom-client';
import { TrainingRunsModule } from '../admin/training-runs.module';
import { TrainingRunsService } from '../admin/training-runs.service';
import type { AppConfig } from '../config';
import { GenerationModule, GenerationService } from '../generation';
import { DatabaseQueryMetrics } from './database-query-metrics';
import { HttpRefusals } from './http-refusals';
import { MetricsController } from './metrics.controller';
import { MetricsListener } from './metrics-listener';
import { ServingMetrics } from './serving-metrics';

const logger = new Logger('Metrics');

const servingMetrics = (enabled: boolean): Provider => ({
  provide: ServingMetrics,
  inject: [GenerationService, TrainingRunsService],
  useFactory: (generation: GenerationService, trainingRuns: TrainingRunsService) => {
    const metrics = new ServingMetrics({
      replyLoad: () => generation.load(),
      trainingRunsByStatus: () => trainingRuns.countByStatus(),
      onCollectError: (metric, error) => logger.warn(`${metric} left out of this scrape: ${error instanceof Error ? error.message : String(error)}`),
    });
    // Process metrics (CPU, memory, event-loop lag, GC) only when someone can read them: they install observers.
    if (enabled) collectDefaultMetrics({ register: metrics.registry });
    return metrics;
  },
});

/**
 * Prometheus metrics (METRICS, METRICS_PORT). Global: the chat and the OpenAI API record their replies and refusals
 * through ServingMetrics. With METRICS=off the recording still happens (a few counter increments) but nothing is
 * exposed and no process collector runs; GET /metrics answers 404.
 */
@Module({})
export class MetricsModule {
  static forRoot(config: AppConfig): DynamicModule {
    const { enabled, port } = config.metrics;
    return {
      module: MetricsModule,
      global: true,
      imports: [GenerationModule, TrainingRunsModule],
      controllers: enabled && port === undefined ? [MetricsController] : [],
      providers: [servingMetrics(enabled), DatabaseQueryMetrics, HttpRefusals, ...(enabled && port !== undefined ? [MetricsListener] : [])],
      exports: [ServingMetrics],
    };
  }
}
