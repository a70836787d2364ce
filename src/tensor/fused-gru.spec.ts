import * as tf from '@tensorflow/tfjs';
import { gruGates } from '../models/layers/gru';
import { nativeKernelsExpected, useTensorBackend } from '../../test/support/tensor-backend';
import { backendInfo } from './backend';
import { fusedGruGates } from './fused-gru';

useTensorBackend();

const native = nativeKernelsExpected();

(native ? describe.skip : describe)('GRU gates without the native kernels (TF_NATIVE=off)', () => {
  it('are declined, so the GRU layer composes tfjs ops', () => {
    expect(backendInfo()?.nativeKernels).toBe(false);
    expect(fusedGruGates(tf.zeros([1, 3]), tf.zeros([1, 3]), tf.zeros([1, 1]))).toBeUndefined();
  });
});

(native ? describe : describe.skip)('fused GRU gates (native kernel)', () => {
  const B = 3;
  const H = 4;
  const inputs = () => [
    tf.randomNormal([B, 3 * H], 0, 1.5, 'float32', 1),
    tf.randomNormal([B, 3 * H], 0, 1.5, 'float32', 2),
    tf.randomNormal([B, H], 0, 1, 'float32', 3),
  ] as tf.Tensor2D[];

  it('matches the hand-computed one-unit step', () => {
    // x = [r z n] = [0.5 -0.5 1], hProj = [0.5 0.5 -0.5] (h = 0.5 times wh = [1 1 -1]): the layers test's GRU.
    const out = fusedGruGates(tf.tensor2d([[0.5, -0.5, 1]]), tf.tensor2d([[0.5, 0.5, -0.5]]), tf.tensor2d([[0.5]]));
    expect(out).toBeDefined();
    expect(out!.dataSync()[0]).toBeCloseTo(0.5305615, 6);
  });

  it('equals the tfjs composition, values and all three gradients', () => {
    const [x, hp, h] = inputs();
    const weights = tf.randomNormal([B, H], 0, 1, 'float32', 4);
    const loss = (f: (a: tf.Tensor2D, b: tf.Tensor2D, c: tf.Tensor2D) => tf.Tensor2D | undefined) => (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) =>
      tf.sum(tf.mul(f(a as tf.Tensor2D, b as tf.Tensor2D, c as tf.Tensor2D)!, weights));
    expect(fusedGruGates(x, hp, h)!.arraySync()).toEqual(
      (gruGates(x, hp, h).arraySync() as number[][]).map((row) => row.map((v) => expect.closeTo(v, 6))),
    );
    const fusedGrads = tf.grads(loss(fusedGruGates))([x, hp, h]);
    const composedGrads = tf.grads(loss(gruGates))([x, hp, h]);
    fusedGrads.forEach((g, i) => {
      const want = composedGrads[i].dataSync();
      g.dataSync().forEach((v, j) => expect(v).toBeCloseTo(want[j], 5));
    });
  });

  it('leaves no tensors behind across forward and backward', () => {
    const [x, hp, h] = inputs();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) tf.dispose(tf.tidy(() => tf.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => tf.sum(fusedGruGates(a as tf.Tensor2D, b as tf.Tensor2D, c as tf.Tensor2D)!))([x, hp, h])));
    expect(tf.memory().numTensors).toBe(before);
  });
});
