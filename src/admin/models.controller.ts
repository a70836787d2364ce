import { Controller, Delete, Get, HttpCode, HttpStatus, Post, UseGuards } from '@nestjs/common';
import { IdParam } from '../common/id-param';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ModelVersionsService } from '../model-versions/model-versions.service';
import { AdminGuard } from './admin.guard';

/** Thin: model versions are ModelVersionsService's (registration, hot swap, deletion rules). */
@ApiTags('models')
@ApiBearerAuth()
@UseGuards(AdminGuard)
@Controller('admin/models')
export class ModelsController {
  constructor(private readonly modelVersions: ModelVersionsService) {}

  @Get()
  @ApiOperation({ summary: 'Every model version, newest first' })
  list() {
    return this.modelVersions.list();
  }

  @Get(':id')
  get(@IdParam() id: string) {
    return this.modelVersions.get(id);
  }

  @Post(':id/activate')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Make this the live version of its kind; replies in flight finish on the previous one' })
  activate(@IdParam() id: string) {
    return this.modelVersions.activate(id);
  }

  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'Delete a version that is not active (409 for the active one)' })
  async delete(@IdParam() id: string): Promise<void> {
    await this.modelVersions.delete(id);
  }
}
