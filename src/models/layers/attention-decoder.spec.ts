import * as tf from '@tensorflow/tfjs';
import { nativeKernelsExpected, useTensorBackend } from '../../../test/support/tensor-backend';
import { AttentionDecoder, referenceSteps } from './attention-decoder';
import { ParamStore } from './params';

useTensorBackend();

const native = nativeKernelsExpected();
const [N, T, L, E] = [3, 4, 5, 4];
const DIMS = { embeddingDim: E, memoryDim: 6, units: 5, attentionUnits: 3 };
const r = (shape: number[], seed: number) => tf.randomNormal(shape, 0, 0.8, 'float32', seed);

describe(`${AttentionDecoder.name} (${native ? 'the native kernel' : 'tfjs ops, TF_NATIVE=off'}) against its tfjs reference`, () => {
  // made once the backend is up (useTensorBackend's beforeAll runs first)
  let store: ParamStore;
  let decoder: AttentionDecoder;
  let values: tf.Tensor3D;
  let mask: tf.Tensor2D;
  let h0: tf.Tensor2D;
  let embedded: tf.Tensor2D; // time-major
  let weights: tf.Tensor;
  let vars: tf.Variable[];
  beforeAll(() => {
    store = new ParamStore(2);
    decoder = AttentionDecoder.create(store, 'decoder', DIMS);
    values = r([N, L, DIMS.memoryDim], 3) as tf.Tensor3D;
    mask = tf.tensor2d([
      [1, 1, 1, 1, 1],
      [1, 1, 1, 0, 0],
      [1, 0, 0, 0, 0],
    ]);
    h0 = r([N, DIMS.units], 4) as tf.Tensor2D;
    embedded = r([T * N, E], 5) as tf.Tensor2D;
    weights = r([T * N, DIMS.attentionUnits], 6);
    vars = [...store.vars.values()];
  });

  /** The reference over the same embedding projection the layer makes. */
  const reference = (emb: tf.Tensor2D, forTraining: boolean) => {
    const start = decoder.start(h0, values, mask, forTraining);
    const wx = decoder.gru.wx;
    const embProj = tf.reshape(tf.add(tf.matMul(emb, tf.slice(wx, [0, 0], [E, -1])), decoder.gru.bx), [emb.shape[0] / N, N, -1]) as tf.Tensor3D;
    return referenceSteps(embProj, start, tf.slice(wx, [E, 0], [-1, -1]), decoder.gru, decoder.attention);
  };

  it('sequence: the same attention vectors and the same gradient for every weight', () => {
    const forced = () => tf.sum(tf.mul(decoder.sequence(embedded, decoder.start(h0, values, mask, true), tf.ones([T, N])), weights)) as tf.Scalar;
    const defined = () => tf.sum(tf.mul(tf.concat(reference(embedded, true).attention, 0), weights)) as tf.Scalar;
    const [got, want] = [tf.variableGrads(forced, vars), tf.variableGrads(defined, vars)];
    expect(got.value.dataSync()[0]).toBeCloseTo(want.value.dataSync()[0], 4);
    for (const v of vars) {
      const expected = want.grads[v.name].dataSync();
      got.grads[v.name].dataSync().forEach((g, i) => expect([v.name, i, g]).toEqual([v.name, i, expect.closeTo(expected[i], 4)]));
    }
  });

  // tfjs's unstack has no working gradient over one step: the reference once failed on a one-step batch.
  it('sequence of one step: the same gradient for every weight', () => {
    const first = tf.slice(embedded, [0, 0], [N, -1]);
    const forced = () => tf.sum(decoder.sequence(first, decoder.start(h0, values, mask, true), tf.ones([1, N]))) as tf.Scalar;
    const defined = () => tf.sum(tf.concat(reference(first, true).attention, 0)) as tf.Scalar;
    const [got, want] = [tf.variableGrads(forced, vars), tf.variableGrads(defined, vars)];
    for (const v of vars) {
      const expected = want.grads[v.name].dataSync();
      got.grads[v.name].dataSync().forEach((g, i) => expect([v.name, i, g]).toEqual([v.name, i, expect.closeTo(expected[i], 4)]));
    }
  });

  it('step: the same state and attention vector after one step, and again after a second', () => {
    let state = decoder.start(h0, values, mask);
    for (const t of [0, 1]) {
      state = decoder.step(tf.slice(embedded, [t * N, 0], [N, -1]), state);
      const want = reference(tf.slice(embedded, 0, (t + 1) * N), false).last;
      for (const k of ['h', 'attention'] as const) {
        const expected = want[k].dataSync();
        state[k].dataSync().forEach((x, i) => expect([t, k, i, x]).toEqual([t, k, i, expect.closeTo(expected[i], 5)]));
      }
    }
  });

  afterAll(() => {
    decoder.dispose();
    store.dispose();
  });
});
