import { Body, Controller, Get, HttpCode, HttpStatus, Post, Sse, UseGuards } from '@nestjs/common';
import { IdParam } from '../common/id-param';
import { ApiAcceptedResponse, ApiBearerAuth, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Observable } from 'rxjs';
import { AdminGuard } from './admin.guard';
import { type CreateTrainingRun, createTrainingRunSchema } from './training-run.schemas';
import { type RunMessageEvent, TrainingRunsService } from './training-runs.service';
import { zodValidation } from '../common/validation';

@ApiTags('training runs')
@ApiBearerAuth()
@UseGuards(AdminGuard)
@Controller('admin/training-runs')
export class TrainingRunsController {
  constructor(private readonly service: TrainingRunsService) {}

  @Post()
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({ summary: 'Queue a training run (409 while another runs, unless a queue is configured)' })
  @ApiAcceptedResponse({ description: '{ id, status: "queued" }' })
  create(@Body({ schema: createTrainingRunSchema, pipes: [zodValidation] }) body: CreateTrainingRun) {
    return this.service.create(body);
  }

  @Get()
  @ApiOperation({ summary: 'The latest 100 runs, newest first' })
  list() {
    return this.service.list();
  }

  @Get(':id')
  @ApiOperation({ summary: 'One run: status, latest progress, metrics so far, error' })
  get(@IdParam() id: string) {
    return this.service.get(id);
  }

  @Sse(':id/events')
  @ApiOperation({ summary: 'Server-sent events: `status` first, then each `progress` report; ends when the run ends' })
  @ApiProduces('text/event-stream')
  async events(@IdParam() id: string): Promise<Observable<RunMessageEvent>> {
    await this.service.get(id); // an unknown run is a 404, before the stream starts
    return this.service.events(id);
  }

  @Post(':id/cancel')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Stop a queued or running run; answers once it has stopped (status cancelled)' })
  cancel(@IdParam() id: string) {
    return this.service.cancel(id);
  }

  @Post(':id/resume')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({ summary: 'Re-queue an interrupted, cancelled or failed run from its last checkpoint' })
  resume(@IdParam() id: string) {
    return this.service.resume(id);
  }
}
