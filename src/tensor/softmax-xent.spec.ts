import * as tf from '@tensorflow/tfjs';
import { nativeKernelsExpected, useTensorBackend } from '../../test/support/tensor-backend';
import { backendInfo } from './backend';
import { softmaxCrossEntropyRows } from './softmax-xent';

useTensorBackend();

// Both paths (native kernel, tfjs ops) must give these values.
// Row [0, ln 2, ln 3]: softmax = [1/6, 2/6, 3/6]. Label 2 → −ln(1/2) = ln 2; label 0 → ln 6.
// Row [1000, 1000]: a large shift must not overflow; softmax = [1/2, 1/2], label 1 → ln 2.
const logits = () => tf.tensor2d([[0, Math.log(2), Math.log(3)], [0, Math.log(2), Math.log(3)], [1000, 1000, -1000]]);
const labels = () => tf.tensor1d([2, 0, 1], 'int32');

describe('softmaxCrossEntropyRows', () => {
  it('gives −log softmax at the label, by hand', () => {
    const nll = softmaxCrossEntropyRows(logits(), labels()).arraySync();
    expect(nll[0]).toBeCloseTo(Math.log(2), 5);
    expect(nll[1]).toBeCloseTo(Math.log(6), 5);
    expect(nll[2]).toBeCloseTo(Math.log(2), 4); // tfjs's ops lose a digit at this shift
  });

  it('has the gradient dy · (softmax − one-hot)', () => {
    const dy = tf.tensor1d([1, 2, 0.5]);
    const grad = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(softmaxCrossEntropyRows(x as tf.Tensor2D, labels()), dy)))(logits());
    const want = [
      [1 / 6, 2 / 6, 3 / 6 - 1],
      [2 * (1 / 6 - 1), 2 * (2 / 6), 2 * (3 / 6)],
      [0.5 * 0.5, 0.5 * (0.5 - 1), 0],
    ];
    (grad.arraySync() as number[][]).forEach((row, i) => row.forEach((v, j) => expect(v).toBeCloseTo(want[i][j], 4)));
  });

  it('agrees with finite differences on random logits', () => {
    const x = tf.randomNormal([4, 7], 0, 2, 'float32', 3) as tf.Tensor2D;
    const y = tf.tensor1d([0, 6, 3, 3], 'int32');
    const f = (t: tf.Tensor2D) => tf.sum(softmaxCrossEntropyRows(t, y)).arraySync() as number;
    const grad = tf.grad((t: tf.Tensor) => tf.sum(softmaxCrossEntropyRows(t as tf.Tensor2D, y)))(x).arraySync() as number[][];
    const values = x.arraySync();
    const h = 1e-2;
    for (const [i, j] of [[0, 0], [1, 6], [2, 1], [3, 3]]) {
      const plus = values.map((r) => r.slice());
      const minus = values.map((r) => r.slice());
      plus[i][j] += h;
      minus[i][j] -= h;
      expect(grad[i][j]).toBeCloseTo((f(tf.tensor2d(plus)) - f(tf.tensor2d(minus))) / (2 * h), 2);
    }
  });

  it('leaves no tensors behind across forward and backward', () => {
    const x = logits();
    const y = labels();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) {
      const g = tf.tidy(() => tf.grad((t: tf.Tensor) => tf.sum(softmaxCrossEntropyRows(t as tf.Tensor2D, y)))(x));
      g.dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  // tfjs's one-hot path (no native kernels) gives a zero row for such a label instead of an error.
  (nativeKernelsExpected() ? it : it.skip)('refuses a label outside the vocabulary (native kernel)', () => {
    expect(backendInfo()?.nativeKernels).toBe(true);
    expect(() => softmaxCrossEntropyRows(logits(), tf.tensor1d([0, 3, 1], 'int32'))).toThrow(/outside/);
  });
});
