import { Body, Controller, Get, Header, HttpCode, HttpStatus, Post, UseGuards } from '@nestjs/common';
import { IdParam } from '../common/id-param';
import { ApiAcceptedResponse, ApiBearerAuth, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { AdminGuard } from '../admin/admin.guard';
import { zodValidation } from '../common/validation';
import { type CreateComparison, createComparisonSchema } from './comparison-request';
import { ComparisonsService } from './comparisons.service';

@ApiTags('comparisons')
@ApiBearerAuth()
@UseGuards(AdminGuard)
@Controller('admin/comparisons')
export class ComparisonsController {
  constructor(private readonly service: ComparisonsService) {}

  @Post()
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({ summary: 'Queue a comparison of two models (version ids or kinds) on test dialogues in CORPUS_DIR' })
  @ApiAcceptedResponse({ description: '{ id, status: "queued", cost: { contexts, samples, models, decodes } }' })
  create(@Body({ schema: createComparisonSchema, pipes: [zodValidation] }) body: CreateComparison) {
    return this.service.create(body);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One comparison: status, progress while running, the JSON report once succeeded, error' })
  get(@IdParam() id: string) {
    return this.service.get(id);
  }

  @Post(':id/cancel')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Cancel a queued comparison, or stop a running one (409 once it has ended)' })
  cancel(@IdParam() id: string) {
    return this.service.cancel(id);
  }

  @Get(':id/report')
  @Header('Content-Type', 'text/html; charset=utf-8')
  @ApiOperation({ summary: 'The report as a self-contained HTML page (409 until the comparison has succeeded)' })
  @ApiProduces('text/html')
  report(@IdParam() id: string) {
    return this.service.reportPage(id);
  }
}
