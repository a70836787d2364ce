/**
 * Runs one long job in a worker thread so the service's event loop stays free (training runs,
 * model comparisons). The protocol both sides share: the worker posts `progress` any number of
 * times, then one `result` or `error`; the parent posts `cancel` when the signal aborts and the
 * worker decides how to stop (it still answers with a result or an error).
 */
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';

export type WorkerMessage<Result, Progress> =
  | { type: 'progress'; progress: Progress }
  | { type: 'result'; result: Result }
  | { type: 'error'; message: string };

export interface WorkerJobHooks<Progress> {
  onProgress?: (progress: Progress) => void;
  signal?: AbortSignal;
}

/**
 * The entry file `<dir>/<name>.ts|.js`: from TypeScript sources (tests, `npm run` scripts) the worker
 * compiles it with @swc-node/register, the built service runs the compiled .js.
 */
export function workerEntry(dir: string, name: string): { file: string; execArgv: string[] } {
  const fromSource = __filename.endsWith('.ts');
  return { file: path.join(dir, `${name}.${fromSource ? 'ts' : 'js'}`), execArgv: fromSource ? ['-r', '@swc-node/register'] : [] };
}

/** Starts `entry` with `workerData` and settles with its result; the worker is terminated once settled. */
export function runInWorker<Result, Progress>(
  entry: { file: string; execArgv: string[] },
  workerData: unknown,
  hooks: WorkerJobHooks<Progress> = {},
): Promise<Result> {
  const worker = new Worker(entry.file, { workerData, execArgv: entry.execArgv });
  return new Promise<Result>((resolve, reject) => {
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
    // Plain Errors below: the worker's error crosses postMessage as its message only (its class and code stay in the
    // worker), and an exit without a result is a crash. Either way the caller reports the message as the job's error.
    worker.on('message', (m: WorkerMessage<Result, Progress>) => {
      if (m.type === 'progress') hooks.onProgress?.(m.progress);
      else if (m.type === 'result') finish(() => resolve(m.result));
      else finish(() => reject(new Error(m.message)));
    });
    worker.on('error', (err) => finish(() => reject(err)));
    worker.on('exit', (code) => finish(() => reject(new Error(`worker ${path.basename(entry.file)} exited with code ${code}`))));
  });
}
