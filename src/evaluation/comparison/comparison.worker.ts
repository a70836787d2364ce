/**
 * Entry of a comparison worker thread (see common/run-in-worker.ts for the messages): runs
 * runComparison with its own tensor backend and posts the report. The per-context replies stay here:
 * the admin API stores the report only.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { WorkerMessage } from '../../common/run-in-worker';
import { type BackendChoice, initTensorBackend } from '../../tensor/backend';
import type { ComparisonReport } from './comparison-report';
import type { ComparisonProgress } from './model-outputs';
import { type ComparisonSettings, runComparison } from './run-comparison';

const { settings, backend } = workerData as { settings: ComparisonSettings; backend: BackendChoice };
const cancel = new AbortController();
const post = (m: WorkerMessage<ComparisonReport, ComparisonProgress>) => parentPort?.postMessage(m);

parentPort?.on('message', (m: { type: string }) => {
  if (m.type === 'cancel') cancel.abort();
});

initTensorBackend(backend)
  .then(() => runComparison(settings, { signal: cancel.signal, onProgress: (progress) => post({ type: 'progress', progress }) }))
  .then(({ report }) => post({ type: 'result', result: report }))
  .catch((err: Error) => post({ type: 'error', message: err.message }));
