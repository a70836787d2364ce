import { Injectable, type NestMiddleware } from '@nestjs/common';
import { ServingMetrics } from './serving-metrics';

type FinishingResponse = { statusCode: number; once(event: 'finish', listener: () => void): void };

/** Counts every HTTP response of status 400 and over in hred_refusals_total{channel="http", code=<status>}. */
@Injectable()
export class HttpRefusalsMiddleware implements NestMiddleware {
  constructor(private readonly metrics: ServingMetrics) {}

  use(_request: unknown, response: FinishingResponse, next: () => void): void {
    response.once('finish', () => {
      if (response.statusCode >= 400) this.metrics.refused('http', String(response.statusCode));
    });
    next();
  }
}
