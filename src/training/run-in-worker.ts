import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { BackendChoice } from '../tensor/backend';
import { TrainingProgress } from './progress';
import { TrainingResult } from './trainer';
import { TrainingOptions } from './training-options';
import { WorkerMessage } from './worker-messages';

export interface WorkerRunHooks {
  onProgress?: (p: TrainingProgress) => void;
  signal?: AbortSignal;
  backend?: BackendChoice;
}

/**
 * Runs `train` in a worker thread. From TypeScript sources (tests, `npm run` scripts) the worker
 * compiles its entry with @swc-node/register; the built service runs the compiled .js.
 */
export function trainInWorker(options: TrainingOptions, hooks: WorkerRunHooks = {}): Promise<TrainingResult> {
  const fromSource = __filename.endsWith('.ts');
  const entry = path.join(__dirname, `training.worker.${fromSource ? 'ts' : 'js'}`);
  const worker = new Worker(entry, {
    workerData: { options, backend: hooks.backend ?? 'auto' },
    execArgv: fromSource ? ['-r', '@swc-node/register'] : [],
  });
  return new Promise<TrainingResult>((resolve, reject) => {
    let settled = false;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      hooks.signal?.removeEventListener('abort', onAbort);
      fn();
      void worker.terminate();
    };
    const onAbort = () => worker.postMessage({ type: 'cancel' });
    if (hooks.signal?.aborted) onAbort();
    hooks.signal?.addEventListener('abort', onAbort);
    worker.on('message', (m: WorkerMessage) => {
      if (m.type === 'progress') hooks.onProgress?.(m.progress);
      else if (m.type === 'result') finish(() => resolve(m.result));
      else finish(() => reject(new Error(m.message)));
    });
    worker.on('error', (err) => finish(() => reject(err)));
    worker.on('exit', (code) => finish(() => reject(new Error(`training worker exited with code ${code}`))));
  });
}
