/**
 * The GRU layer's native ops (gruGates, gruSequence: src/tensor/native-ops.ts) against the layer's reference in tfjs
 * ops (gruGates, gruCell), values and gradients; with TF_NATIVE=off, that the layer declines them.
 */
import * as tf from '@tensorflow/tfjs';
import { nativeKernelsExpected, useTensorBackend } from '../../../test/support/tensor-backend';
import { backendInfo } from '../../tensor/backend';
import { loadNativeKernels } from '../../tensor/native-kernels';
import { nativeOp, nativeOpReady } from '../../tensor/native-op-runtime';
import { createGru, gruCell, gruGates, gruStep, runGru } from './gru';
import { ParamStore } from './params';

useTensorBackend();

const native = nativeKernelsExpected();
const addon = loadNativeKernels();

const fusedGates = (xProj: tf.Tensor2D, hProj: tf.Tensor2D, h: tf.Tensor2D) => nativeOp('gruGates', { xProj, hProj, h }) as tf.Tensor2D;
const fusedSequence = (xProj: tf.Tensor3D, mask: tf.Tensor2D, h0: tf.Tensor2D, wh: tf.Tensor2D, bh: tf.Tensor1D, reverse: boolean) =>
  nativeOp('gruSequence', { xProj, mask, h0, wh, bh }, { reverse }) as tf.Tensor3D;

(native ? describe.skip : describe)('the GRU layer without the native kernels (TF_NATIVE=off)', () => {
  it('declines the native ops, so the layer composes tfjs ops', () => {
    expect(backendInfo()?.nativeKernels).toBe(false);
    expect([nativeOpReady('gruGates'), nativeOpReady('gruSequence')]).toEqual([false, false]);
  });
});

(native ? describe : describe.skip)('gruGates (native op) against the tfjs gate arithmetic', () => {
  const B = 3;
  const H = 4;
  const inputs = () => [
    tf.randomNormal([B, 3 * H], 0, 1.5, 'float32', 1),
    tf.randomNormal([B, 3 * H], 0, 1.5, 'float32', 2),
    tf.randomNormal([B, H], 0, 1, 'float32', 3),
  ] as tf.Tensor2D[];

  it('matches the hand-computed one-unit step', () => {
    // x = [r z n] = [0.5 -0.5 1], hProj = [0.5 0.5 -0.5] (h = 0.5 times wh = [1 1 -1]): the layers test's GRU.
    const out = fusedGates(tf.tensor2d([[0.5, -0.5, 1]]), tf.tensor2d([[0.5, 0.5, -0.5]]), tf.tensor2d([[0.5]]));
    expect(out.dataSync()[0]).toBeCloseTo(0.5305615, 6);
  });

  it('equals the tfjs composition, values and all three gradients', () => {
    const [x, hp, h] = inputs();
    const weights = tf.randomNormal([B, H], 0, 1, 'float32', 4);
    const loss = (f: (a: tf.Tensor2D, b: tf.Tensor2D, c: tf.Tensor2D) => tf.Tensor2D) => (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) =>
      tf.sum(tf.mul(f(a as tf.Tensor2D, b as tf.Tensor2D, c as tf.Tensor2D), weights));
    expect(fusedGates(x, hp, h).arraySync()).toEqual((gruGates(x, hp, h).arraySync() as number[][]).map((row) => row.map((v) => expect.closeTo(v, 6))));
    const fusedGrads = tf.grads(loss(fusedGates))([x, hp, h]);
    const composedGrads = tf.grads(loss(gruGates))([x, hp, h]);
    fusedGrads.forEach((g, i) => {
      const want = composedGrads[i].dataSync();
      g.dataSync().forEach((v, j) => expect(v).toBeCloseTo(want[j], 5));
    });
  });

  it('runs in gruStep, which equals gruCell', () => {
    const p = createGru(new ParamStore(3), 'g', 2, H);
    const [x, , h] = inputs();
    const want = gruCell(x, h, p).dataSync();
    gruStep(x, h, p).dataSync().forEach((v, i) => expect(v).toBeCloseTo(want[i], 6));
  });

  it('leaves no tensors behind across forward and backward', () => {
    const [x, hp, h] = inputs();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) tf.dispose(tf.tidy(() => tf.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => tf.sum(fusedGates(a as tf.Tensor2D, b as tf.Tensor2D, c as tf.Tensor2D)))([x, hp, h])));
    expect(tf.memory().numTensors).toBe(before);
  });

  // Before the op table only the attention decoder checked its operands: these shapes read past xProj's and hProj's ends.
  it('refuses operands whose shapes do not fit together, naming the op and the operand', () => {
    const [x, hp, h] = inputs();
    expect(() => fusedGates(tf.zeros([B, 3 * H - 3]) as tf.Tensor2D, hp, h)).toThrow(/^gruGates: xProj has shape \[3,9\], expected \[3,12\] \(B=3 from h, H=4 from h\)$/);
    expect(() => fusedGates(x, tf.zeros([B + 1, 3 * H]) as tf.Tensor2D, h)).toThrow(/^gruGates: hProj has shape \[4,12\], expected \[3,12\]/);
    expect(() => nativeOp('gruGates', { xProj: x, hProj: hp, h: tf.zeros([B, H, 1]) })).toThrow(/^gruGates: h has shape \[3,4,1\], expected \[B, H\]$/);
  });
});

/** The definition, step by step with the reference cell: h' = h + m ⊙ (gruCell(x, h) − h). */
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

(native ? describe : describe.skip)('gruSequence (native op) against gruCell stepped over the sequence', () => {
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
        const want = reference(xProj, mask, h0, wh, bh, reverse).dataSync();
        fusedSequence(xProj, mask, h0, wh, bh, reverse).dataSync().forEach((v, i) => expect(v).toBeCloseTo(want[i], 5));
        const got = tf.grads(loss(fusedSequence))([xProj, h0, wh, bh]);
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
    const out = tf.tidy(() => fusedSequence(xProj, tf.zeros([T, B]) as tf.Tensor2D, h0, wh, bh, false));
    expect(out.arraySync()).toEqual(Array.from({ length: T }, () => h0.arraySync()));
    out.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses, through the layer, a recurrent weight that does not fit the state, and an unsaid direction', () => {
    const { xProj, h0, wh, bh } = inputs();
    const p = { units: H, wx: tf.zeros([1, 3 * H]) as tf.Tensor2D, bx: tf.zeros([3 * H]) as tf.Tensor1D, wh: tf.zeros([H + 1, 3 * H]) as tf.Tensor2D, bh };
    expect(() => runGru(xProj, { mask: masks.packed }, h0, p)).toThrow(/^gruSequence: wh has shape \[4,9\], expected \[3,9\] \(H=3 from h0\)$/);
    expect(() => nativeOp('gruSequence', { xProj, mask: masks.packed, h0, wh, bh })).toThrow(/^gruSequence: attribute reverse must be true or false, got undefined$/);
  });
});

// The addon itself, registered or not (TF_NATIVE=off only declines to register it).
('kernels' in addon || process.env.CI ? it : it.skip)('gruSequence refuses a sequence whose operands do not fit the heap', () => {
  if (!('kernels' in addon)) throw new Error(`native kernels not built: ${addon.error}`);
  const heap = new ArrayBuffer(64);
  expect(() => addon.kernels.gruSequence(heap, 2, 2, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0)).toThrow(/outside the heap/);
});
