import { Module } from '@nestjs/common';
import { AdminGuard } from '../admin/admin.guard';
import { ModelVersionsModule } from '../model-versions/model-versions.module';
import { ComparisonsController } from './comparisons.controller';
import { ComparisonsRepository } from './comparisons.repository';
import { ComparisonsService } from './comparisons.service';

/** Model comparisons under /admin/comparisons (issue #7), behind the admin token like the rest of /admin. */
@Module({
  imports: [ModelVersionsModule],
  controllers: [ComparisonsController],
  providers: [AdminGuard, ComparisonsRepository, ComparisonsService],
})
export class EvaluationModule {}
