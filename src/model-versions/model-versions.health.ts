import { Injectable } from '@nestjs/common';
import { GenerationService } from '../generation';
import type { HealthContributor } from '../health/health-contributor';
import { MODEL_KINDS } from '../models/model-config';
import { DEFAULT_KIND, ModelVersionsService } from './model-versions.service';

/**
 * GET /health section `models`: the active version of each kind. Ready once a model of each kind the chat offers is
 * loaded: the default kind (a conversation:start without a model uses it) and every kind with an active version.
 */
@Injectable()
export class ModelVersionsHealth implements HealthContributor {
  readonly name = 'models';

  constructor(
    private readonly modelVersions: ModelVersionsService,
    private readonly generation: GenerationService,
  ) {}

  async check(): Promise<Record<string, unknown>> {
    const active = MODEL_KINDS.flatMap((kind) => {
      const id = this.modelVersions.activeVersionId(kind);
      return id ? [[kind, id]] : [];
    });
    return { ok: true, active: Object.fromEntries(active) };
  }

  async notReady(): Promise<string[]> {
    const loaded = new Set(this.generation.models().filter((m) => !m.retired).map((m) => m.versionId));
    const offered = MODEL_KINDS.filter((kind) => kind === DEFAULT_KIND || this.modelVersions.activeVersionId(kind) !== undefined);
    return offered.filter((kind) => !loaded.has(this.modelVersions.activeVersionId(kind) ?? '')).map((kind) => `model_not_loaded:${kind}`);
  }
}
