import * as tf from '@tensorflow/tfjs';
import { useTensorBackend } from '../../../test/support/tensor-backend';
import { attend, attentionMemory, attentionWeights } from './attention';
import { activeRows, createGru, gruCell, gruInputProjection, GruParams, GruSteps, runGru } from './gru';
import { ParamStore } from './params';

useTensorBackend();

// A one-unit GRU: wx = [r z n] = [0.5 -0.5 1], wh = [1 1 -1], no biases; x = 1, h = 0.5.
// r = σ(1) = 0.7310586, z = σ(0) = 0.5, n = tanh(1 − 0.5·r) = 0.5611230, h' = 0.5·n + 0.5·0.5 = 0.5305615
const oneUnitGru = (): GruParams => ({
  units: 1,
  wx: tf.tensor2d([[0.5, -0.5, 1]]),
  wh: tf.tensor2d([[1, 1, -1]]),
  bx: tf.zeros([3]) as tf.Tensor1D,
  bh: tf.zeros([3]) as tf.Tensor1D,
});

describe('gruCell', () => {
  it('matches the GRU equations computed by hand', () => {
    const unit = oneUnitGru();
    const xProj = tf.matMul(tf.tensor2d([[1]]), unit.wx) as tf.Tensor2D;
    const h = gruCell(xProj, tf.tensor2d([[0.5]]), unit);
    expect(h.dataSync()[0]).toBeCloseTo(0.5305615, 6);
  });
});

describe('runGru', () => {
  it('carries the state unchanged over padding, in both directions', () => {
    const unit = oneUnitGru();
    const steps = tf.reshape(tf.matMul(tf.tensor2d([[1], [0]]), unit.wx), [2, 1, 3]) as tf.Tensor3D; // [T, B, 3H]
    const h0 = tf.tensor2d([[0.5]]);
    for (const which of [{ mask: tf.tensor2d([[1], [0]]) }, { active: [1, 0] }]) {
      const fw = runGru(steps, which, h0, unit);
      expect(fw.final.dataSync()[0]).toBeCloseTo(0.5305615, 6);
      expect(fw.outputs.dataSync()[1]).toBeCloseTo(0.5305615, 6);
      const bw = runGru(steps, which, h0, unit, true);
      expect(bw.outputs.dataSync()[1]).toBeCloseTo(0.5, 6); // padding first: nothing read yet
      expect(bw.final.dataSync()[0]).toBeCloseTo(0.5305615, 6);
    }
  });

  it('a packed batch (rows longest first, running rows only) equals the masked one, values and gradients', () => {
    const p = createGru(new ParamStore(5), 'g', 3, 4);
    const lengths = [4, 3, 3, 1];
    const x = tf.randomNormal([4, 4, 3], 0, 1, 'float32', 9) as tf.Tensor3D; // [T, B, in]
    const mask = lengths.map((n) => Array.from({ length: 4 }, (_, t) => (t < n ? 1 : 0)));
    const timeMajorMask = tf.transpose(tf.tensor2d(mask)) as tf.Tensor2D;
    const run = (which: GruSteps, reverse: boolean) => (input: tf.Tensor) => {
      const steps = gruInputProjection(tf.reshape(input, [16, 3]) as tf.Tensor2D, p).reshape([4, 4, -1]) as tf.Tensor3D;
      const r = runGru(steps, which, tf.zeros([4, 4]), p, reverse);
      return tf.sum(tf.mul(r.outputs, tf.randomNormal([4, 4, 4], 0, 1, 'float32', 3)));
    };
    for (const reverse of [false, true]) {
      const masked = tf.valueAndGrad(run({ mask: timeMajorMask }, reverse))(x);
      const packed = tf.valueAndGrad(run({ active: activeRows(lengths, 4) }, reverse))(x);
      expect(packed.value.dataSync()[0]).toBeCloseTo(masked.value.dataSync()[0], 5);
      packed.grad.dataSync().forEach((g, i) => expect(g).toBeCloseTo(masked.grad.dataSync()[i], 5));
    }
    expect(activeRows(lengths, 5)).toEqual([4, 3, 3, 1, 0]);
    expect(() => activeRows([1, 2], 2)).toThrow(/longest first/);
  });
});

describe('Luong general attention', () => {
  // values e1 = [1, 0], e2 = [0, 1]; Wa = I; h = [1, 0] → scores [1, 0] → α = [e/(e+1), 1/(e+1)]
  let values: tf.Tensor3D;
  let params: Parameters<typeof attend>[2];
  beforeAll(() => {
    values = tf.tensor3d([[[1, 0], [0, 1]]]);
    params = { wa: tf.eye(2) as tf.Tensor2D, out: { w: tf.eye(4, 2) as tf.Tensor2D, b: tf.zeros([2]) as tf.Tensor1D } };
  });

  it('weights the memory by softmax of hᵀ·Wa·e', () => {
    const memory = attentionMemory(values, tf.tensor2d([[1, 1]]), params);
    const alpha = attentionWeights(tf.tensor2d([[1, 0]]), memory).dataSync();
    expect(alpha[0]).toBeCloseTo(0.7310586, 6);
    expect(alpha[1]).toBeCloseTo(0.2689414, 6);
  });

  it('gives padding no weight', () => {
    const memory = attentionMemory(values, tf.tensor2d([[1, 0]]), params);
    const alpha = attentionWeights(tf.tensor2d([[1, 0]]), memory).dataSync();
    expect(alpha[0]).toBeCloseTo(1, 6);
    expect(alpha[1]).toBeCloseTo(0, 6);
  });

  it('returns tanh(Wc·[h; context])', () => {
    // Wc = first two rows of I(4): picks h, so the attention vector is tanh(h)
    const memory = attentionMemory(values, tf.tensor2d([[1, 1]]), params);
    const out = attend(tf.tensor2d([[1, 0]]), memory, params).dataSync();
    expect(out[0]).toBeCloseTo(Math.tanh(1), 6);
    expect(out[1]).toBeCloseTo(0, 6);
  });
});
