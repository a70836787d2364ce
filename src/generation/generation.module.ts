import { Module } from '@nestjs/common';
import { healthContributor } from '../health/health-contributor';
import { GenerationHealth } from './generation.health';
import { GenerationService } from './generation.service';

@Module({
  providers: [GenerationService, GenerationHealth, healthContributor(GenerationHealth)],
  exports: [GenerationService],
})
export class GenerationModule {}
