import { Controller, Get, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { ServingMetrics } from './serving-metrics';

type TextResponse = { setHeader(name: string, value: string): void; send(body: string): void };

/** GET /metrics on the application's port (METRICS on, METRICS_PORT unset); see MetricsListener for the other case. */
@ApiExcludeController()
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: ServingMetrics) {}

  @Get()
  async scrape(@Res() response: TextResponse): Promise<void> {
    const { contentType, body } = await this.metrics.exposition();
    response.setHeader('Content-Type', contentType);
    response.send(body);
  }
}
