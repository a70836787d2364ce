import type { JobStatus, ModelKind } from '../generated/prisma/client';
import type { TrainingRunRow } from './training-runs.repository';

/** Statuses of a run that holds (or waits for) a queue slot. */
export const ACTIVE_STATUSES: JobStatus[] = ['queued', 'running'];
/** Ended without a model: POST …/resume continues from the last checkpoint (or from scratch without one). */
export const RESUMABLE_STATUSES: JobStatus[] = ['interrupted', 'cancelled', 'failed'];

export const isActive = (status: JobStatus) => ACTIVE_STATUSES.includes(status);

/** A training run as the admin API shows it. */
export interface TrainingRunView {
  id: string;
  status: JobStatus;
  kind: ModelKind;
  dataset: unknown;
  hyperparameters: unknown;
  baseModelId: string | null;
  /** The latest progress report (persisted at most every few seconds while running). */
  progress: unknown;
  /** Per-epoch validation metrics so far, the best epoch, and at the end why training stopped. */
  metrics: unknown;
  error: string | null;
  /** The model version this run registered (succeeded runs). */
  modelVersionId: string | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
}

export function toView(row: TrainingRunRow): TrainingRunView {
  return {
    id: row.id,
    status: row.status,
    kind: row.kind,
    dataset: row.dataset,
    hyperparameters: row.hyperparameters,
    baseModelId: row.baseModelId,
    progress: row.progress,
    metrics: row.metrics,
    error: row.error,
    modelVersionId: row.modelVersions[0]?.id ?? null,
    createdAt: row.createdAt,
    startedAt: row.startedAt,
    finishedAt: row.finishedAt,
  };
}
