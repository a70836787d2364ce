/**
 * Entry of a training worker thread: trains with its own tensor backend, so the service's event
 * loop never runs a training step. Messages: in `cancel`; out `progress`, `result`, `error`.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { BackendChoice, initTensorBackend } from '../tensor/backend';
import { train } from './trainer';
import { TrainingOptions } from './training-options';
import { WorkerMessage } from './worker-messages';

const { options, backend } = workerData as { options: TrainingOptions; backend: BackendChoice };
const cancel = new AbortController();
const post = (m: WorkerMessage) => parentPort?.postMessage(m);

parentPort?.on('message', (m: { type: string }) => {
  if (m.type === 'cancel') cancel.abort();
});

initTensorBackend(backend)
  .then(() => train(options, { signal: cancel.signal, onProgress: (progress) => post({ type: 'progress', progress }) }))
  .then((result) => post({ type: 'result', result }))
  .catch((err: Error) => post({ type: 'error', message: err.message }));
