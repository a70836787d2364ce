import { Injectable } from '@nestjs/common';
import { type ModelVersion, Prisma } from '../generated/prisma/client';
import { PrismaService } from '../database/prisma.service';
import { ModelKind } from '../models/model-config';

export interface NewModelVersion {
  kind: ModelKind;
  name: string;
  filesPath: string;
  config: object;
  metrics?: object;
  trainingRunId?: string;
}

/** The only Prisma caller for model_versions. */
@Injectable()
export class ModelVersionsRepository {
  constructor(private readonly prisma: PrismaService) {}

  list(): Promise<ModelVersion[]> {
    return this.prisma.modelVersion.findMany({ orderBy: { createdAt: 'desc' } });
  }

  find(id: string): Promise<ModelVersion | null> {
    return this.prisma.modelVersion.findUnique({ where: { id } });
  }

  findByPath(filesPath: string): Promise<ModelVersion | null> {
    return this.prisma.modelVersion.findFirst({ where: { filesPath } });
  }

  findActive(): Promise<ModelVersion[]> {
    return this.prisma.modelVersion.findMany({ where: { isActive: true } });
  }

  create(v: NewModelVersion): Promise<ModelVersion> {
    return this.prisma.modelVersion.create({
      data: { ...v, config: v.config as Prisma.InputJsonObject, metrics: v.metrics as Prisma.InputJsonObject | undefined },
    });
  }

  /** Makes `id` the one active version of its kind (the partial unique index guards the invariant). */
  activate(id: string, kind: ModelKind): Promise<ModelVersion> {
    return this.prisma.$transaction(async (tx) => {
      await tx.modelVersion.updateMany({ where: { kind, isActive: true, NOT: { id } }, data: { isActive: false } });
      return tx.modelVersion.update({ where: { id }, data: { isActive: true } });
    });
  }

  /** Deletes the version unless it is active; false when it is (or is gone). */
  async deleteInactive(id: string): Promise<boolean> {
    const { count } = await this.prisma.modelVersion.deleteMany({ where: { id, isActive: false } });
    return count > 0;
  }
}
