/**
 * Entry of a gradient worker thread (data-parallel training): a replica of the model on its own tensor backend.
 * In: `step` with the current weights, a part of the batch and the loss options. Out: `grads` (flattened, in the
 * model's parameter order, in the array the weights came in) with the part's loss terms and the time it took here,
 * or `error`.
 */
import { parentPort, workerData } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import { DialogueBatch } from '../../models/batch';
import { DialogueModel } from '../../models/dialogue-model';
import { LossOptions } from '../../models/loss';
import { ModelConfig } from '../../models/model-config';
import { BackendChoice, initTensorBackend } from '../../tensor/backend';
import { batchGradients } from '../train-step';
import { flatten, setWeights } from './weights';
import type { GradientRequest, GradientResponse } from './gradient-messages';

const { config, backend } = workerData as { config: ModelConfig; backend: BackendChoice };
const ready = initTensorBackend(backend).then(() => new DialogueModel(config, 1));
const post = (m: GradientResponse, transfer: ArrayBuffer[] = []) => parentPort?.postMessage(m, transfer);

parentPort?.on('message', (m: GradientRequest) => {
  ready
    .then((model) => {
      const start = performance.now(); // after the first step's backend start-up, which is not this part's cost
      setWeights(model, m.weights);
      const { grads, ...terms } = batchGradients(model, m.batch as DialogueBatch, m.lossOptions as LossOptions);
      const flat = flatten(grads, m.weights); // the weights' array carries the gradients back
      tf.dispose(grads);
      post({ type: 'grads', grads: flat, ...terms, ms: performance.now() - start }, [flat.buffer as ArrayBuffer]);
    })
    .catch((error: Error) => post({ type: 'error', message: error.message }));
});
