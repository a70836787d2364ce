import { Module } from '@nestjs/common';
import { GenerationModule } from '../generation/generation.module';
import { ModelVersionsRepository } from './model-versions.repository';
import { ModelVersionsService } from './model-versions.service';

@Module({
  imports: [GenerationModule],
  providers: [ModelVersionsRepository, ModelVersionsService],
  exports: [ModelVersionsService, GenerationModule],
})
export class ModelVersionsModule {}
