import { Module } from '@nestjs/common';
import { GenerationModule } from '../generation';
import { healthContributor } from '../health/health-contributor';
import { ModelVersionsHealth } from './model-versions.health';
import { ModelVersionsRepository } from './model-versions.repository';
import { ModelVersionsService } from './model-versions.service';

@Module({
  imports: [GenerationModule],
  providers: [ModelVersionsRepository, ModelVersionsService, ModelVersionsHealth, healthContributor(ModelVersionsHealth)],
  exports: [ModelVersionsService, GenerationModule],
})
export class ModelVersionsModule {}
