import { runInWorker, workerEntry } from '../../common/run-in-worker';
import type { BackendChoice } from '../../tensor/backend';
import type { ComparisonReport } from './comparison-report';
import type { ComparisonProgress } from './model-outputs';
import type { ComparisonSettings } from './run-comparison';

export interface CompareHooks {
  onProgress?: (progress: ComparisonProgress) => void;
  /** Aborting stops the run at the next decoder step; the promise then rejects. */
  signal?: AbortSignal;
  backend?: BackendChoice;
}

/** runComparison in a worker thread (comparison.worker.ts), so decoding never blocks the service's event loop. */
export function compareInWorker(settings: ComparisonSettings, hooks: CompareHooks = {}): Promise<ComparisonReport> {
  const { backend = 'auto', ...jobHooks } = hooks;
  return runInWorker<ComparisonReport, ComparisonProgress>(workerEntry(__dirname, 'comparison.worker'), { settings, backend }, jobHooks);
}
