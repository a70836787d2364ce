import { Controller, Get, Inject, Param, UseFilters, UseGuards } from '@nestjs/common';
import type { ModelVersion } from '../generated/prisma/client';
import { MODEL_KINDS } from '../models/model-config';
import { ModelVersionsService } from '../model-versions/model-versions.service';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiKeyGuard } from './api-key.guard';
import { OPENAI_API_OPTIONS, type OpenAiApiOptions } from './openai-api.options';
import { OpenAiErrorFilter, openAiErrors } from './openai-errors';

/** An entry of GET /v1/models: OpenAI's fields, plus the kind and the version's name. */
interface ModelEntry {
  id: string;
  object: 'model';
  created: number;
  owned_by: 'hred-chat';
  kind: string;
  name: string;
  /** Kind entries: the version the kind names now (it follows activations). */
  version_id?: string;
  /** Version entries: whether it is its kind's active version. */
  active?: boolean;
}

/**
 * GET /v1/models: what `model` may name. First one entry per kind with an active version (`hred` always means the
 * active HRED, so it follows hot swaps), then the versions by id (pins that version): the active ones, or every
 * registered one when CHAT_INACTIVE_VERSIONS allows them.
 */
@ApiTags('OpenAI-compatible chat')
@ApiBearerAuth()
@UseGuards(ApiKeyGuard)
@UseFilters(OpenAiErrorFilter)
@Controller('v1/models')
export class OpenAiModelsController {
  constructor(
    private readonly modelVersions: ModelVersionsService,
    @Inject(OPENAI_API_OPTIONS) private readonly options: OpenAiApiOptions,
  ) {}

  @Get()
  @ApiOperation({ summary: 'What `model` may name: each kind with an active version, then the versions by id' })
  async list(): Promise<{ object: 'list'; data: ModelEntry[] }> {
    return { object: 'list', data: await this.entries() };
  }

  @Get(':id')
  @ApiOperation({ summary: 'One entry of the list (404 in OpenAI\'s error shape when none)' })
  async get(@Param('id') id: string): Promise<ModelEntry> {
    const entry = (await this.entries()).find((e) => e.id === id);
    if (!entry) throw openAiErrors.modelNotFound(id);
    return entry;
  }

  private async entries(): Promise<ModelEntry[]> {
    const versions = await this.modelVersions.list();
    const created = (date: Date) => Math.floor(date.getTime() / 1000);
    const kinds = MODEL_KINDS.flatMap((kind): ModelEntry[] => {
      const active = versions.find((v) => v.id === this.modelVersions.activeVersionId(kind));
      return active ? [{ id: kind, object: 'model', created: created(active.createdAt), owned_by: 'hred-chat', kind, name: active.name, version_id: active.id }] : [];
    });
    const isActive = (v: ModelVersion) => v.id === this.modelVersions.activeVersionId(v.kind);
    const byId = versions
      .filter((v) => this.options.inactiveVersions || isActive(v))
      .map((v): ModelEntry => ({ id: v.id, object: 'model', created: created(v.createdAt), owned_by: 'hred-chat', kind: v.kind, name: v.name, active: isActive(v) }));
    return [...kinds, ...byId];
  }
}
