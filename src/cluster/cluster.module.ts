import { Global, Module } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config';
import { CLUSTER_BUS, LocalClusterBus, RedisClusterBus } from './cluster-bus';

/** The bus between instances: Redis pub/sub with REDIS_URL, otherwise a single instance's no-op. */
@Global()
@Module({
  providers: [
    {
      provide: CLUSTER_BUS,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => (config.redisUrl ? RedisClusterBus.connect(config.redisUrl, config.redisPrefix) : new LocalClusterBus()),
    },
  ],
  exports: [CLUSTER_BUS],
})
export class ClusterModule {}
