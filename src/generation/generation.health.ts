import { Injectable } from '@nestjs/common';
import type { HealthContributor } from '../health/health-contributor';
import { GenerationService } from './generation.service';

/** GET /health section `generation`: tensor backend, loaded models, replies in flight. No model loaded is not a fault. */
@Injectable()
export class GenerationHealth implements HealthContributor {
  readonly name = 'generation';

  constructor(private readonly generation: GenerationService) {}

  async check(): Promise<Record<string, unknown>> {
    const info = this.generation.healthInfo();
    return { ok: info.backend !== null, ...info };
  }

  async notReady(): Promise<string[]> {
    return this.generation.healthInfo().backend ? [] : ['tensor_backend_unavailable'];
  }
}
