import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config';
import { PrismaService } from '../database/prisma.service';
import { ServingMetrics } from './serving-metrics';

/**
 * Database latency from Prisma's query events (one per SQL statement, with its duration): no repository changes,
 * and every query of every module is seen, migrations aside.
 */
@Injectable()
export class DatabaseQueryMetrics implements OnModuleInit, OnModuleDestroy {
  private unsubscribe?: () => void;

  constructor(
    private readonly prisma: PrismaService,
    private readonly metrics: ServingMetrics,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    if (this.config.metrics.enabled) this.unsubscribe = this.prisma.onQuery((event) => this.metrics.queryRan(event.query, event.duration));
  }

  onModuleDestroy(): void {
    this.unsubscribe?.();
  }
}
