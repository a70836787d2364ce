import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { useTensorBackend } from '../../../test/support/tensor-backend';
import { tempDir, writeCorpus } from '../../../test/support/tiny-corpus';
import { tinyModel } from '../../../test/support/tiny-model';
import { buildBatch, DialogueIds } from '../../models/batch';
import { train } from '../trainer';
import { trainStep } from '../train-step';
import { trainingOptionsSchema } from '../training-options';
import { DataParallel } from './data-parallel';
import { splitDialogues } from './shares';
import { ScaledAdam } from '../../tensor/fused-adam';

useTensorBackend();

const DIALOGUES: DialogueIds[] = [
  [[4, 5, 6], [7, 8], [9, 10, 11, 12]],
  [[13], [14, 15, 4]],
  [[5, 6], [7], [8, 9], [10]],
  [[11, 12, 13, 14, 15], [4, 5, 6, 7, 8, 9]],
];
const LAYOUT = { maxTurns: 10, maxUtteranceTokens: 30 };
const LOSS = { klWeight: 1, freeBits: 0, bowWeight: 0, seed: 5 };

test('a step on two threads updates the weights as one step on the whole batch does, and leaks no tensors', async () => {
  const single = tinyModel('hred', 16, 7);
  const parallelModel = tinyModel('hred', 16, 7);
  const [optA, optB] = [new ScaledAdam(0.01), new ScaledAdam(0.01)];
  const parallel = DataParallel.start(parallelModel, 2, 'wasm');
  try {
    for (let step = 0; step < 2; step++) {
      const before = tf.memory().numTensors;
      const whole = trainStep(single, optA, buildBatch(DIALOGUES, LAYOUT), LOSS, 1);
      const split = await parallel.step(optB, splitDialogues(DIALOGUES, [1, 1]).map((d) => buildBatch(d, LAYOUT)), LOSS, 1);
      expect(split.loss).toBeCloseTo(whole.loss, 5);
      expect(split.nll).toBeCloseTo(whole.nll, 4);
      expect(split.gradNorm).toBeCloseTo(whole.gradNorm, 5);
      expect([split.targetTokens, split.replies]).toEqual([whole.targetTokens, whole.replies]);
      const a = [...single.params.vars.values()];
      [...parallelModel.params.vars.values()].forEach((v, k) => {
        const [x, y] = [v.dataSync(), a[k].dataSync()];
        x.forEach((value, i) => expect(value).toBeCloseTo(y[i], 5));
      });
      if (step > 0) expect(tf.memory().numTensors).toBe(before); // Adam made its moments in step 0
    }
  } finally {
    await parallel.close();
    [single, parallelModel].forEach((m) => m.dispose());
    [optA, optB].forEach((o) => o.dispose());
  }
}, 60_000);

test('the trainer trains on two threads (threads: 2)', async () => {
  const dir = await tempDir();
  const data = await writeCorpus(dir);
  const options = trainingOptionsSchema.parse({
    kind: 'hred',
    preset: 'tiny',
    trainData: data,
    outDir: path.join(dir, 'out'),
    batchSize: 4,
    learningRate: 0.01,
    maxEpochs: 4,
    threads: 2,
    tokenizer: { kind: 'word', vocabSize: 64 },
  });
  const result = await train(options);
  const history = result.state.history;
  expect(history).toHaveLength(4);
  expect(history[3].trainLoss).toBeLessThan(history[0].trainLoss);
}, 60_000);
