import { randomUUID } from 'node:crypto';
import { NotFoundError } from '../../../src/common/errors';
import type { ModelVersion } from '../../../src/generated/prisma/client';
import { MODEL_KINDS, type ModelKind } from '../../../src/models/model-config';
import type { ModelReference, ModelVersionsService, ResolvedModel } from '../../../src/model-versions/model-versions.service';

type Used = 'get' | 'resolve' | 'activeVersionId';

/** The model versions the chat reads (get, resolve, activeVersionId), held in memory: nothing is loaded. */
export class FakeModelVersions implements Pick<ModelVersionsService, Used> {
  private readonly versions = new Map<string, ModelVersion>();
  private readonly active = new Map<ModelKind, string>();

  get asService(): ModelVersionsService {
    return this as Pick<ModelVersionsService, Used> as ModelVersionsService;
  }

  add(kind: ModelKind, name: string, options: { active?: boolean } = {}): ModelVersion {
    const version: ModelVersion = { id: randomUUID(), kind, name, filesPath: `/models/${name}`, config: {}, metrics: null, isActive: false, createdAt: new Date(), trainingRunId: null };
    this.versions.set(version.id, version);
    if (options.active) this.activate(version.id);
    return version;
  }

  activate(id: string): void {
    for (const version of this.versions.values()) if (version.kind === this.versions.get(id)?.kind) version.isActive = version.id === id;
    this.active.set(this.versions.get(id)!.kind, id);
  }

  async get(id: string): Promise<ModelVersion> {
    const version = this.versions.get(id);
    if (!version) throw new NotFoundError('model version', id);
    return version;
  }

  async resolve(ref: ModelReference = 'hred'): Promise<ResolvedModel> {
    const id = (MODEL_KINDS as readonly string[]).includes(ref) ? this.active.get(ref as ModelKind) : ref;
    if (id === undefined) throw new NotFoundError('active model of kind', ref);
    const { kind, name } = await this.get(id);
    return { versionId: id, kind, name };
  }

  activeVersionId(kind: ModelKind): string | undefined {
    return this.active.get(kind);
  }
}
