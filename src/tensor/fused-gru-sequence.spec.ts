import * as tf from '@tensorflow/tfjs';
import { nativeKernelsExpected, useTensorBackend } from '../../test/support/tensor-backend';
import { backendInfo } from './backend';
import { gruCell } from '../models/layers/gru';
import { fusedGruSequence } from './fused-gru-sequence';
import { loadNativeKernels } from './native-kernels';

useTensorBackend();

const native = nativeKernelsExpected();
const addon = loadNativeKernels();

/** The definition, step by step in tfjs ops: h' = h + m ⊙ (GRU(x, h) − h). */
function reference(xProj: tf.Tensor3D, mask: tf.Tensor2D, h0: tf.Tensor2D, wh: tf.Tensor2D, bh: tf.Tensor1D, reverse: boolean): tf.Tensor3D {
  const [T] = xProj.shape;
  const p = { units: h0.shape[1], wx: tf.zeros([1, 1]) as tf.Tensor2D, bx: tf.zeros([1]) as tf.Tensor1D, wh, bh };
  const xs = tf.unstack(xProj) as tf.Tensor2D[];
  const ms = tf.unstack(tf.expandDims(mask, 2)) as tf.Tensor2D[];
  const out = new Array<tf.Tensor2D>(T);
  let h = h0;
  for (let i = 0; i < T; i++) {
    const t = reverse ? T - 1 - i : i;
    h = tf.add(h, tf.mul(ms[t], tf.sub(gruCell(xs[t], h, p), h)));
    out[t] = h;
  }
  return tf.stack(out) as tf.Tensor3D;
}

(native ? describe : describe.skip)('GRU over a whole sequence (native kernel)', () => {
  const [T, B, H] = [5, 4, 3];
  const inputs = () => ({
    xProj: tf.randomNormal([T, B, 3 * H], 0, 1, 'float32', 1) as tf.Tensor3D,
    h0: tf.randomNormal([B, H], 0, 1, 'float32', 2) as tf.Tensor2D,
    wh: tf.randomNormal([H, 3 * H], 0, 0.7, 'float32', 3) as tf.Tensor2D,
    bh: tf.randomNormal([3 * H], 0, 0.5, 'float32', 4) as tf.Tensor1D,
  });
  const masks = {
    // rows sorted longest first (lengths 5, 3, 3, 1) and an arbitrary pattern with gaps and an empty row
    packed: tf.transpose(tf.tensor2d([5, 3, 3, 1].map((n) => Array.from({ length: T }, (_, t) => (t < n ? 1 : 0))))) as tf.Tensor2D,
    scattered: tf.tensor2d([[1, 0, 1, 0], [0, 1, 1, 0], [1, 1, 0, 0], [0, 0, 1, 0], [1, 0, 0, 0]]),
  };
  const weights = tf.randomNormal([T, B, H], 0, 1, 'float32', 5);

  for (const [name, mask] of Object.entries(masks)) {
    for (const reverse of [false, true]) {
      it(`equals the step-by-step definition, values and the gradients of xProj, h0, wh, bh (${name} mask, ${reverse ? 'reverse' : 'forward'})`, () => {
        const { xProj, h0, wh, bh } = inputs();
        const loss = (f: typeof reference) => (x: tf.Tensor, h: tf.Tensor, w: tf.Tensor, b: tf.Tensor) =>
          tf.sum(tf.mul(f(x as tf.Tensor3D, mask, h as tf.Tensor2D, w as tf.Tensor2D, b as tf.Tensor1D, reverse), weights));
        const fused = (x: tf.Tensor3D, m: tf.Tensor2D, h: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D, r: boolean) => fusedGruSequence(x, m, h, w, b, r)!;
        const want = reference(xProj, mask, h0, wh, bh, reverse).dataSync();
        fused(xProj, mask, h0, wh, bh, reverse).dataSync().forEach((v, i) => expect(v).toBeCloseTo(want[i], 5));
        const got = tf.grads(loss(fused))([xProj, h0, wh, bh]);
        const expected = tf.grads(loss(reference))([xProj, h0, wh, bh]);
        got.forEach((g, k) => {
          expect(g.shape).toEqual(expected[k].shape);
          const e = expected[k].dataSync();
          g.dataSync().forEach((v, i) => expect(v).toBeCloseTo(e[i], 4));
        });
      });
    }
  }

  it('carries h0 through a fully masked sequence and leaves no tensors behind', () => {
    const { xProj, h0, wh, bh } = inputs();
    const before = tf.memory().numTensors;
    const out = tf.tidy(() => fusedGruSequence(xProj, tf.zeros([T, B]) as tf.Tensor2D, h0, wh, bh, false)!);
    expect(out.arraySync()).toEqual(Array.from({ length: T }, () => h0.arraySync()));
    out.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

(native ? describe.skip : describe)('GRU over a whole sequence without the native kernels (TF_NATIVE=off)', () => {
  it('is declined, so the GRU layer steps in tfjs ops', () => {
    expect(backendInfo()?.nativeKernels).toBe(false);
    expect(fusedGruSequence(tf.zeros([2, 1, 3]), tf.ones([2, 1]), tf.zeros([1, 1]), tf.zeros([1, 3]), tf.zeros([3]), false)).toBeUndefined();
  });
});

// The addon itself, registered or not (TF_NATIVE=off only declines to register it).
('kernels' in addon || process.env.CI ? it : it.skip)('gruSequence refuses a sequence whose operands do not fit the heap', () => {
  if (!('kernels' in addon)) throw new Error(`native kernels not built: ${addon.error}`);
  const heap = new ArrayBuffer(64);
  expect(() => addon.kernels.gruSequence(heap, 2, 2, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0)).toThrow(/outside the heap/);
});
