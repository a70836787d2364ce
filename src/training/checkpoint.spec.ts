import * as tf from '@tensorflow/tfjs';
import { promises as fs } from 'fs';
import * as path from 'path';
import { useTensorBackend } from '../../test/support/tensor-backend';
import { tempDir } from '../../test/support/tiny-corpus';
import { tinyModel } from '../../test/support/tiny-model';
import { ParamStore } from '../models/layers/params';
import { ScaledAdam } from '../tensor/fused-adam';
import { buildWordTokenizer } from '../tokenization/build-word-tokenizer';
import { loadCheckpoint, saveCheckpoint, TrainerState } from './checkpoint';

useTensorBackend();

const STATE: TrainerState = { epoch: 0, batchInEpoch: 1, step: 1, bestValidationPerplexity: Infinity, epochsWithoutImprovement: 0, learningRate: 0.01, history: [] };

/** A checkpoint after one Adam step whose gradient is the constant k + 1 on the k-th parameter, applied in reverse order. */
async function checkpointOfReversedStep(): Promise<{ dir: string; gradientOf: Map<string, number> }> {
  const dir = path.join(await tempDir(), 'checkpoint');
  const tokenizer = await buildWordTokenizer(['a b c d'], { maxSize: 16 });
  const model = tinyModel('hred', tokenizer.vocabSize);
  const optimizer = new ScaledAdam(0.01);
  const params = [...model.params.vars];
  const gradientOf = new Map(params.map(([name], k) => [name, k + 1]));
  const grads = Object.fromEntries(params.reverse().map(([name, v]) => [v.name, tf.fill(v.shape, gradientOf.get(name)!)]));
  optimizer.applyScaledGradients(grads, 1); // Adam makes its moments in the order of the gradients given
  tf.dispose(Object.values(grads));
  await saveCheckpoint(dir, model, tokenizer, optimizer, STATE);
  optimizer.dispose();
  model.dispose();
  return { dir, gradientOf };
}

describe('checkpoint', () => {
  it("gives each parameter back its own Adam moments, whatever order the optimizer made them in", async () => {
    const { dir, gradientOf } = await checkpointOfReversedStep();
    const { model, optimizer } = await loadCheckpoint(dir, (lr) => new ScaledAdam(lr));
    const [, ...moments] = await optimizer.getWeights();
    const parameters = [...model.params.vars.keys()];
    expect(moments.map((m) => ParamStore.parameterOf(m.name))).toEqual([...parameters.map((p) => `${p}/m`), ...parameters.map((p) => `${p}/v`)]);
    parameters.forEach((name, k) => {
      const g = gradientOf.get(name)!;
      // after one step m = (1 − β₁)·g and v = (1 − β₂)·g²
      const [m, v] = [moments[k], moments[parameters.length + k]].map((w) => w.tensor.dataSync()[0]);
      expect([name, m / g, v / (g * g)]).toEqual([name, expect.closeTo(0.1, 6), expect.closeTo(0.001, 6)]);
    });
    optimizer.dispose();
    model.dispose();
  });

  it("refuses moments that are not exactly the model's parameters, naming them", async () => {
    const { dir } = await checkpointOfReversedStep();
    const file = path.join(dir, 'trainer-state.json');
    const saved = JSON.parse(await fs.readFile(file, 'utf8')) as { optimizer: { name: string }[] };
    const renamed = saved.optimizer.findIndex((s) => s.name.endsWith('/decoder.init.b/v'));
    saved.optimizer[renamed].name = 'model9/decoder.gone/v';
    await fs.writeFile(file, JSON.stringify(saved));
    await expect(loadCheckpoint(dir, (lr) => new ScaledAdam(lr))).rejects.toThrow(/missing: decoder\.init\.b\/v; unknown: decoder\.gone\/v/);
  });
});
