import { Global, Module } from '@nestjs/common';
import { HEALTH_CONTRIBUTORS } from './health-contributor';
import { HealthController } from './health.controller';

/** Global so that any module can register a contributor with healthContributor(). */
@Global()
@Module({
  controllers: [HealthController],
  providers: [{ provide: HEALTH_CONTRIBUTORS, useFactory: () => [] }],
  exports: [HEALTH_CONTRIBUTORS],
})
export class HealthModule {}
