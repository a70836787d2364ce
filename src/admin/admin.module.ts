import { Module } from '@nestjs/common';
import { ModelVersionsModule } from '../model-versions/model-versions.module';
import { AdminGuard } from './admin.guard';
import { ModelsController } from './models.controller';
import { TrainingRunsController } from './training-runs.controller';
import { TrainingRunsModule } from './training-runs.module';

/** The admin API under /admin (Bearer ADMIN_TOKEN; off without one): training runs and model versions. */
@Module({
  imports: [ModelVersionsModule, TrainingRunsModule],
  controllers: [TrainingRunsController, ModelsController],
  providers: [AdminGuard],
})
export class AdminModule {}
