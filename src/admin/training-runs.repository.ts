import { Injectable } from '@nestjs/common';
import { type JobStatus, type ModelKind, Prisma, type TrainingRun } from '../generated/prisma/client';
import { PrismaService } from '../database/prisma.service';

/** A run row with the model version it produced, if any. */
export type TrainingRunRow = TrainingRun & { modelVersions: { id: string }[] };

export interface NewTrainingRun {
  kind: ModelKind;
  dataset: object;
  hyperparameters: object;
  baseModelId?: string;
}

/** The error text of an interrupted run: what happened and how to go on. */
export const INTERRUPTED_HINT = 'the service stopped during this run; POST /admin/training-runs/:id/resume continues it from its last checkpoint';

const withOutput = { modelVersions: { select: { id: true }, orderBy: { createdAt: 'desc' } } } as const;
const json = (value: object | undefined) => value as Prisma.InputJsonObject | undefined;

/** The only Prisma caller for training_runs. Status changes that race (cancel, resume) are conditional updates. */
@Injectable()
export class TrainingRunsRepository {
  constructor(private readonly prisma: PrismaService) {}

  create(run: NewTrainingRun): Promise<TrainingRunRow> {
    return this.prisma.trainingRun.create({
      data: { ...run, dataset: json(run.dataset)!, hyperparameters: json(run.hyperparameters)! },
      include: withOutput,
    });
  }

  async delete(id: string): Promise<void> {
    await this.prisma.trainingRun.delete({ where: { id } });
  }

  find(id: string): Promise<TrainingRunRow | null> {
    return this.prisma.trainingRun.findUnique({ where: { id }, include: withOutput });
  }

  list(take: number): Promise<TrainingRunRow[]> {
    return this.prisma.trainingRun.findMany({ orderBy: { createdAt: 'desc' }, take, include: withOutput });
  }

  /** How many runs are in each status (statuses with none are absent). */
  async countByStatus(): Promise<Partial<Record<JobStatus, number>>> {
    const groups = await this.prisma.trainingRun.groupBy({ by: ['status'], _count: { _all: true } });
    return Object.fromEntries(groups.map((g) => [g.status, g._count._all]));
  }

  /** Moves a run from one of `from` to `to`; false when its status was something else (someone got there first). */
  async transition(id: string, from: JobStatus[], to: JobStatus, data: Prisma.TrainingRunUpdateManyMutationInput = {}): Promise<boolean> {
    const { count } = await this.prisma.trainingRun.updateMany({ where: { id, status: { in: from } }, data: { ...data, status: to } });
    return count === 1;
  }

  markRunning(id: string, checkpointDir: string): Promise<boolean> {
    return this.transition(id, ['queued'], 'running', { startedAt: new Date(), finishedAt: null, error: null, checkpointDir });
  }

  async saveProgress(id: string, progress: object, metrics?: object): Promise<void> {
    await this.prisma.trainingRun.updateMany({
      where: { id, status: 'running' },
      data: { progress: json(progress), ...(metrics ? { metrics: json(metrics) } : {}) },
    });
  }

  /** Final status of a run that was running: succeeded, failed, cancelled or interrupted. */
  async finish(id: string, status: JobStatus, result: { progress?: object; metrics?: object; error?: string }): Promise<void> {
    await this.prisma.trainingRun.update({
      where: { id },
      data: { status, finishedAt: new Date(), progress: json(result.progress), metrics: json(result.metrics), error: result.error },
    });
  }

  /** At start-up: runs left in `statuses` by a previous process are marked interrupted. Returns their ids. */
  async interruptLeftovers(statuses: JobStatus[], heldElsewhere: (ids: string[]) => Promise<Set<string>>): Promise<string[]> {
    const rows = await this.prisma.trainingRun.findMany({ where: { status: { in: statuses } }, select: { id: true } });
    if (rows.length === 0) return [];
    const held = await heldElsewhere(rows.map((r) => r.id));
    const ids = rows.map((r) => r.id).filter((id) => !held.has(id));
    if (ids.length === 0) return [];
    await this.prisma.trainingRun.updateMany({
      where: { id: { in: ids }, status: { in: statuses } },
      data: { status: 'interrupted', error: INTERRUPTED_HINT },
    });
    return ids;
  }
}
