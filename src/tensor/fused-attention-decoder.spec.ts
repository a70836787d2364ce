/**
 * The native attention decoder (fused-attention-decoder.ts) against its definition: the decoder layer's tfjs
 * reference, `referenceSteps` in src/models/layers/attention-decoder.ts, values and gradients of every input.
 */
import * as tf from '@tensorflow/tfjs';
import { nativeKernelsExpected, useTensorBackend } from '../../test/support/tensor-backend';
import { referenceSteps } from '../models/layers/attention-decoder';
import { backendInfo } from './backend';
import { AttentionDecoderInputs, fusedAttentionDecoder, fusedAttentionDecoderStates, hasFusedAttentionDecoder } from './fused-attention-decoder';
import { loadNativeKernels } from './native-kernels';

useTensorBackend();

const native = nativeKernelsExpected();
const addon = loadNativeKernels();

// five rows, masked down to fewer: steps run the products' one-row, two-row and tiled paths (native/kernels/sgemm_isa.h)
const [T, N, H, L, E, A] = [4, 5, 5, 3, 4, 6];
/** The differentiable inputs, in the order the tests take gradients. */
const ARGS = ['embProj', 'h0', 'a0', 'wxa', 'wh', 'bh', 'keys', 'values', 'wc', 'bc'] as const;
type Args = Pick<AttentionDecoderInputs, (typeof ARGS)[number]>;

/** The differentiable inputs from a list in ARGS order. */
function argsOf([embProj, h0, a0, wxa, wh, bh, keys, values, wc, bc]: tf.Tensor[]): Args {
  return {
    embProj: embProj as tf.Tensor3D,
    h0: h0 as tf.Tensor2D,
    a0: a0 as tf.Tensor2D,
    wxa: wxa as tf.Tensor2D,
    wh: wh as tf.Tensor2D,
    bh: bh as tf.Tensor1D,
    keys: keys as tf.Tensor3D,
    values: values as tf.Tensor3D,
    wc: wc as tf.Tensor2D,
    bc: bc as tf.Tensor1D,
  };
}

/**
 * The definition: the layer's `referenceSteps`, one step at a time so that where the mask is 0 the row's state and
 * attention vector are carried, as the kernel does (the layer reads no output there). The input projection and the
 * keys come in ready (embProj, wxa, keys), so the GRU's wx and bx and the attention's wa are not read.
 */
function definition(x: Args, mask: tf.Tensor2D, bias: tf.Tensor2D): { attention: tf.Tensor3D; states: tf.Tensor3D } {
  const gru = { units: H, wx: tf.zeros([1, 1]) as tf.Tensor2D, bx: tf.zeros([1]) as tf.Tensor1D, wh: x.wh, bh: x.bh };
  const attention = { wa: tf.zeros([1, 1]) as tf.Tensor2D, out: { w: x.wc, b: x.bc } };
  const memory = { values: x.values, keys: x.keys, maskBias: bias };
  const masks = tf.unstack(tf.expandDims(mask, 2)) as tf.Tensor2D[];
  const carried = (before: tf.Tensor2D, after: tf.Tensor2D, m: tf.Tensor2D) => tf.add(before, tf.mul(m, tf.sub(after, before))) as tf.Tensor2D;
  let [h, a] = [x.h0, x.a0];
  const out: tf.Tensor2D[] = [];
  const states: tf.Tensor2D[] = [];
  for (let t = 0; t < T; t++) {
    const { last } = referenceSteps(tf.slice(x.embProj, [t, 0, 0], [1, -1, -1]), { h, attention: a, memory }, x.wxa, gru, attention);
    [h, a] = [carried(h, last.h, masks[t]), carried(a, last.attention, masks[t])];
    out.push(a);
    states.push(h);
  }
  return { attention: tf.stack(out) as tf.Tensor3D, states: tf.stack(states) as tf.Tensor3D };
}

const reference = (x: Args, mask: tf.Tensor2D, bias: tf.Tensor2D): tf.Tensor3D => definition(x, mask, bias).attention;

(native ? describe : describe.skip)('attention decoder over a whole batch (native kernel)', () => {
  const r = (shape: number[], seed: number, sd = 0.7) => tf.randomNormal(shape, 0, sd, 'float32', seed);
  const args = (): Args => ({
    embProj: r([T, N, 3 * H], 1, 1) as tf.Tensor3D,
    h0: r([N, H], 2) as tf.Tensor2D,
    a0: r([N, A], 3) as tf.Tensor2D,
    wxa: r([A, 3 * H], 4) as tf.Tensor2D,
    wh: r([H, 3 * H], 5) as tf.Tensor2D,
    bh: r([3 * H], 6, 0.5) as tf.Tensor1D,
    keys: r([N, L, H], 7) as tf.Tensor3D,
    values: r([N, L, E], 8) as tf.Tensor3D,
    wc: r([H + E, A], 9) as tf.Tensor2D,
    bc: r([A], 10, 0.5) as tf.Tensor1D,
  });
  // memory rows 1 and 3 have one padded position, row 2 two
  const bias = () => tf.tensor2d([[0, 0, 0], [0, 0, -1e9], [0, -1e9, -1e9], [0, 0, -1e9], [0, 0, 0]]);
  const masks = {
    everywhere: [[1, 1, 1, 1, 1], [1, 1, 1, 1, 1], [1, 1, 1, 1, 1], [1, 1, 1, 1, 1]],
    // replies of 4, 3, 2, 1 and 4 steps, the way teacher forcing masks them
    'replies ending': [[1, 1, 1, 1, 1], [1, 1, 1, 0, 1], [1, 1, 0, 0, 1], [1, 0, 0, 0, 1]],
    // gaps, and a step where no row decodes
    scattered: [[0, 1, 1, 1, 1], [0, 0, 0, 0, 0], [1, 0, 1, 0, 1], [1, 1, 0, 1, 0]],
  };
  const weights = () => r([T, N, A], 11, 1);
  const fused = (x: Args, mask: tf.Tensor2D, b: tf.Tensor2D) => fusedAttentionDecoder({ ...x, mask, bias: b })!;

  for (const [name, rows] of Object.entries(masks)) {
    it(`equals the step-by-step definition, values and the gradients of all ten inputs (mask: ${name})`, () => {
      const [x, mask, b, w] = [args(), tf.tensor2d(rows), bias(), weights()];
      const loss = (f: typeof reference) => (...inputs: tf.Tensor[]) => tf.sum(tf.mul(f(argsOf(inputs), mask, b), w));
      const want = reference(x, mask, b).dataSync();
      fused(x, mask, b).dataSync().forEach((v, i) => expect(v).toBeCloseTo(want[i], 5));
      const got = tf.grads(loss(fused))(ARGS.map((k) => x[k]));
      const expected = tf.grads(loss(reference))(ARGS.map((k) => x[k]));
      got.forEach((g, k) => {
        expect(g.shape).toEqual(expected[k].shape);
        const e = expected[k].dataSync();
        g.dataSync().forEach((v, i) => expect([ARGS[k], i, v]).toEqual([ARGS[k], i, expect.closeTo(e[i], 4)]));
      });
    });
  }

  it('decodes without a gradient to the same attention vectors, with the states (mask: replies ending)', () => {
    const [x, mask, b] = [args(), tf.tensor2d(masks['replies ending']), bias()];
    const want = definition(x, mask, b);
    const got = fusedAttentionDecoderStates({ ...x, mask, bias: b })!;
    for (const k of ['attention', 'states'] as const) {
      expect(got[k].shape).toEqual(want[k].shape);
      const e = want[k].dataSync();
      got[k].dataSync().forEach((v, i) => expect(v).toBeCloseTo(e[i], 5));
    }
  });

  it('leaves no tensors behind, forward or backward', () => {
    const [x, mask, b] = [args(), tf.tensor2d(masks.scattered), bias()];
    const before = tf.memory().numTensors;
    const grads = tf.grads((...inputs: tf.Tensor[]) => tf.sum(fused({ ...x, embProj: inputs[0] as tf.Tensor3D, wc: inputs[1] as tf.Tensor2D }, mask, b)))([
      x.embProj,
      x.wc,
    ]);
    tf.dispose(grads);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses operands whose shapes do not fit together, naming the operand', () => {
    const [x, mask, b] = [args(), tf.tensor2d(masks.everywhere), bias()];
    expect(() => fused({ ...x, keys: tf.zeros([N, L, H + 1]) as tf.Tensor3D }, mask, b)).toThrow(/keys has shape \[5,3,6\], expected \[5,3,5\]/);
    expect(() => fused({ ...x, wc: tf.zeros([H, A]) as tf.Tensor2D }, mask, b)).toThrow(/wc has shape/);
    expect(() => fused(x, tf.ones([T + 1, N]) as tf.Tensor2D, b)).toThrow(/embProj has shape/);
  });
});

(native ? describe.skip : describe)('attention decoder without the native kernels (TF_NATIVE=off)', () => {
  it('is declined, so the model steps the decoder in tfjs ops', () => {
    expect(backendInfo()?.nativeKernels).toBe(false);
    expect(hasFusedAttentionDecoder()).toBe(false);
  });
});

// The addon itself, registered or not (TF_NATIVE=off only declines to register it).
('kernels' in addon || process.env.CI ? it : it.skip)('attentionDecoder refuses operands that do not fit the heap', () => {
  if (!('kernels' in addon)) throw new Error(`native kernels not built: ${addon.error}`);
  const heap = new ArrayBuffer(64);
  expect(() => addon.kernels.attentionDecoder(heap, 2, 2, 2, 2, 2, 2, ...new Array<number>(18).fill(0))).toThrow(/outside the heap/);
  expect(() => addon.kernels.attentionDecoderGrad(heap, 2, 2, 2, 2, 2, 2, ...new Array<number>(25).fill(0))).toThrow(/outside the heap/);
  expect(() => addon.kernels.attentionDecoder(heap, 0, 2, 2, 2, 2, 2, ...new Array<number>(18).fill(0))).toThrow(/bad dimensions/);
});
