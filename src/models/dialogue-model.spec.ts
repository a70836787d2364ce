import * as tf from '@tensorflow/tfjs';
import { useTensorBackend } from '../../test/support/tensor-backend';
import { CONTEXT_DIALOGUES, fit, tinyModel } from '../../test/support/tiny-model';
import { buildBatch, DialogueIds } from './batch';
import { batchLoss } from './loss';
import { ModelKind } from './model-config';
import { DialogueModel } from './dialogue-model';

useTensorBackend();

const nllOf = (model: DialogueModel, dialogues: DialogueIds[]) =>
  tf.tidy(() => batchLoss(model, buildBatch(dialogues, { maxTurns: 10, maxUtteranceTokens: 30 }), { klWeight: 0, freeBits: 0, bowWeight: 0 }).nll.dataSync()[0]);

describe(DialogueModel.name, () => {
  it.each(['seq2seq', 'hred', 'vhred'] as ModelKind[])('%s: gradients match finite differences', (kind) => {
    const model = tinyModel(kind);
    const batch = buildBatch(CONTEXT_DIALOGUES, { maxTurns: 10, maxUtteranceTokens: 30 });
    // Full KL weight and a fixed ε so the loss is a deterministic function of the weights.
    const lossValue = () => tf.tidy(() => batchLoss(model, batch, { klWeight: 1, freeBits: 0, bowWeight: 0, seed: 5 }).loss.dataSync()[0]);
    const vars = [...model.params.vars.entries()];
    const { grads } = tf.variableGrads(() => batchLoss(model, batch, { klWeight: 1, freeBits: 0, bowWeight: 0, seed: 5 }).loss, vars.map(([, v]) => v));
    const eps = 1e-2;
    for (const [name, v] of vars.filter(([n]) => /embedding|encoder.forward.wh|context.wx|prior.mean.w|posterior.hidden.w|decoder.attention.wa|decoder.output.w/.test(n))) {
      const analytic = Array.from(grads[v.name].dataSync());
      // the entry with the largest gradient: finite differences resolve it well in float32
      const i = analytic.reduce((best, g, j) => (Math.abs(g) > Math.abs(analytic[best]) ? j : best), 0);
      const original = Float32Array.from(v.dataSync());
      const nudge = (delta: number) => {
        const values = original.slice();
        values[i] += delta;
        v.assign(tf.tensor(values, v.shape));
        return lossValue();
      };
      const numeric = (nudge(eps) - nudge(-eps)) / (2 * eps);
      v.assign(tf.tensor(original, v.shape));
      expect({ name, g: analytic[i] }).toEqual({ name, g: expect.closeTo(numeric, Math.max(2e-3, Math.abs(numeric) * 0.05) as never) });
    }
    tf.dispose(Object.values(grads));
    model.dispose();
  });

  it('ignores padding: a dialogue scores the same alone and batched beside a longer one', () => {
    const model = tinyModel('hred');
    const short: DialogueIds = [[4], [5, 6]];
    const long: DialogueIds = [[7, 8, 9, 10, 11], [12, 13, 14, 4, 5, 6], [7], [8, 9]];
    expect(nllOf(model, [short, long])).toBeCloseTo(nllOf(model, [short]) + nllOf(model, [long]), 3);
    model.dispose();
  });

  it.each(['seq2seq', 'hred', 'vhred'] as ModelKind[])('%s learns a tiny corpus (loss near zero)', (kind) => {
    const model = tinyModel(kind);
    const corpus: DialogueIds[] = [
      [[4, 5], [6, 7]],
      [[8], [9, 10, 11]],
    ];
    const { first, last } = fit(model, corpus, { maxSteps: 300, target: 0.02 });
    expect(first.nll / first.targetTokens).toBeGreaterThan(2);
    expect(last.nll / last.targetTokens).toBeLessThan(0.02);
    model.dispose();
  }, 180_000);

  it('HRED uses earlier turns; Seq2Seq cannot', () => {
    const hred = tinyModel('hred');
    const seq2seq = tinyModel('seq2seq');
    const h = fit(hred, CONTEXT_DIALOGUES, { maxSteps: 300 });
    const s = fit(seq2seq, CONTEXT_DIALOGUES, { maxSteps: 100 });
    expect(h.last.nll / h.last.targetTokens).toBeLessThan(0.01);
    // The last replies differ only by the first turn: Seq2Seq stays ≥ ln 2 per such reply.
    expect(s.last.nll).toBeGreaterThan(2 * Math.log(2) * 0.9);
    hred.dispose();
    seq2seq.dispose();
  }, 180_000);

  it('VHRED keeps KL above zero with annealing and word drop where replies vary', () => {
    const model = tinyModel('vhred', 20, 3, { latentDim: 4 });
    // One context, four equally likely replies whose every token follows from the first: with the
    // decoder's inputs dropped, only z can tell it which reply it is writing, so z is worth its KL.
    const corpus: DialogueIds[] = [5, 6, 7, 8].map((w) => [[4], [w, w + 4, w + 8]]);
    const { last } = fit(model, corpus, { maxSteps: 150, target: 0, wordDrop: 0.5, klWeight: (s: number) => Math.min(1, s / 100) });
    expect(last.kl / last.replies).toBeGreaterThan(0.01);
    model.dispose();
  }, 180_000);

  it('decodes with the current weights after they change (the split of the input weight is made again)', () => {
    const model = tinyModel('hred');
    const N = 3;
    const { encoderUnits: He, contextUnits: Hc, vocabSize } = model.config;
    const memory = tf.randomNormal([N, 4, 2 * He], 0, 1, 'float32', 1) as tf.Tensor3D;
    const start = model.startDecoder(tf.randomNormal([N, Hc], 0, 1, 'float32', 2) as tf.Tensor2D, memory, tf.ones([N, 4]));
    const tokens = tf.tensor1d([5, 6, 7], 'int32');
    // one step by decoderStep against the same step teacher-forced (which splits the weight afresh)
    const stepGap = () =>
      tf.tidy(() => {
        const step = model.decoderStep(tokens, start).state.attention;
        const forced = model.decodeTeacherForced(start, tf.reshape(tokens, [N, 1]) as tf.Tensor2D);
        return tf.max(tf.abs(tf.sub(step, forced))).dataSync()[0];
      });
    expect(stepGap()).toBeLessThan(1e-5);
    const before = tf.tidy(() => model.decoderStep(tokens, start).logits.dataSync());
    (model.decoder.wx as tf.Variable).assign(tf.randomNormal(model.decoder.wx.shape, 0, 0.5, 'float32', 3));
    expect(stepGap()).toBeLessThan(1e-5);
    const after = tf.tidy(() => model.decoderStep(tokens, start).logits.dataSync());
    expect(after.length).toBe(N * vocabSize);
    expect(after.some((x, i) => Math.abs(x - before[i]) > 1e-3)).toBe(true);
    model.dispose();
  });

  it('frees every tensor a training step makes', () => {
    const model = tinyModel('vhred');
    fit(model, CONTEXT_DIALOGUES, { maxSteps: 2, target: 0 });
    const before = tf.memory().numTensors;
    fit(model, CONTEXT_DIALOGUES, { maxSteps: 20, target: 0 });
    // Adam's moments exist from the first fit's optimizer, disposed at its end; a new one makes its own
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });
});
