/**
 * Entry of a worker thread that produces one model's outputs of a comparison (see common/run-in-worker.ts
 * for the messages), so that both models of a comparison decode at once on a two-core machine.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { WorkerMessage } from '../../common/run-in-worker';
import { loadModel } from '../../models/model-files';
import { type BackendChoice, initTensorBackend } from '../../tensor/backend';
import { type ComparisonProgress, type ModelOutputs, type OutputSettings, produceOutputs } from './model-outputs';
import type { TestSet } from './test-contexts';

interface Job {
  label: string;
  dir: string;
  set: TestSet;
  settings: Omit<OutputSettings, 'signal' | 'onProgress'>;
  backend: BackendChoice;
}

const { label, dir, set, settings, backend } = workerData as Job;
const cancel = new AbortController();
const post = (m: WorkerMessage<ModelOutputs, ComparisonProgress>) => parentPort?.postMessage(m);

parentPort?.on('message', (m: { type: string }) => {
  if (m.type === 'cancel') cancel.abort();
});

async function run(): Promise<ModelOutputs> {
  await initTensorBackend(backend);
  const loaded = await loadModel(dir);
  try {
    return await produceOutputs(label, loaded, set, { ...settings, signal: cancel.signal, onProgress: (progress) => post({ type: 'progress', progress }) });
  } finally {
    loaded.model.dispose();
  }
}

run()
  .then((result) => post({ type: 'result', result }))
  .catch((err: Error) => post({ type: 'error', message: err.message }));
