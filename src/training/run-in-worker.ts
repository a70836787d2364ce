import { runInWorker, workerEntry } from '../common/run-in-worker';
import { BackendChoice, resolvedBackend } from '../tensor/backend';
import { TrainingProgress } from './progress';
import { TrainingResult } from './trainer';
import { TrainingOptions } from './training-options';

export interface WorkerRunHooks {
  onProgress?: (p: TrainingProgress) => void;
  signal?: AbortSignal;
  backend?: BackendChoice;
}

/** Runs `train` in a worker thread (training.worker.ts); cancelling the signal stops it at the next step. */
export function trainInWorker(options: TrainingOptions, hooks: WorkerRunHooks = {}): Promise<TrainingResult> {
  const { backend = 'auto', ...jobHooks } = hooks;
  // the worker starts the backend this process chose: `auto` is decided once
  return runInWorker<TrainingResult, TrainingProgress>(workerEntry(__dirname, 'training.worker'), { options, backend: resolvedBackend(backend) }, jobHooks);
}
