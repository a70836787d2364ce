import * as tf from '@tensorflow/tfjs';
import { customGradient } from '../../tensor/custom-gradient';
import { createDense, dense, DenseParams } from './dense';
import { ParamStore } from './params';

/**
 * Luong "general" attention: score(h, e_j) = hᵀ·Wa·e_j over the encoder outputs of the utterance
 * being answered, masked on padding; attention vector = tanh(Wc·[h; context] + bc).
 */
export interface AttentionParams {
  /** [encoderDim, decoderUnits] */
  wa: tf.Tensor2D;
  out: DenseParams;
}

export function createAttention(
  store: ParamStore,
  name: string,
  encoderDim: number,
  decoderUnits: number,
  attentionUnits: number,
): AttentionParams {
  return {
    wa: store.glorot(`${name}.wa`, [encoderDim, decoderUnits]) as tf.Tensor2D,
    out: createDense(store, `${name}.out`, decoderUnits + encoderDim, attentionUnits),
  };
}

/**
 * What the decoder attends to: values [N, L, E], keys = values·Wa [N, L, H], both also transposed
 * ([N, E, L], [N, H, L]) once per batch for the backward pass, and an additive mask.
 */
export interface AttentionMemory {
  values: tf.Tensor3D;
  keys: tf.Tensor3D;
  /** Set for training; decoding (no gradients) leaves them out, e.g. when it regroups memory rows. */
  valuesT?: tf.Tensor3D;
  keysT?: tf.Tensor3D;
  /** [N, L]: 0 on real tokens, a large negative number on padding. */
  maskBias: tf.Tensor2D;
}

export function attentionMemory(values: tf.Tensor3D, mask: tf.Tensor2D, p: AttentionParams, forTraining = false): AttentionMemory {
  const [N, L, E] = values.shape;
  const keys = tf.reshape(tf.matMul(tf.reshape(values, [N * L, E]), p.wa), [N, L, -1]) as tf.Tensor3D;
  const maskBias = tf.mul(tf.sub(1, mask), -1e9) as tf.Tensor2D;
  if (!forTraining) return { values, keys, maskBias };
  return { values, keys, maskBias, valuesT: tf.transpose(values, [0, 2, 1]), keysT: tf.transpose(keys, [0, 2, 1]) };
}

/**
 * Σ_l w[n, l]·m[n, l, :] for every n: [N, L] × [N, L, D] → [N, D], with `mT` = m transposed.
 * Autodiff of the batched product would transpose m at every decoder step (a full copy of the memory
 * on WASM); this gradient reuses the transpose made once per batch, and m's gradient is the outer
 * product w ⊗ dy. The whole gradient goes to `m`: `mT` is the same data in another layout.
 */
export function weightedRows(w: tf.Tensor2D, m: tf.Tensor3D, mT: tf.Tensor3D): tf.Tensor2D {
  const op = customGradient(([weights, memory], save) => {
    save([weights, mT]); // saved tensors outlive the forward pass's scope
    return {
      value: tf.squeeze(tf.matMul(tf.expandDims(weights, 1), memory), [1]),
      gradFunc: (dy, [savedWeights, savedT]) => [
        tf.squeeze(tf.matMul(tf.expandDims(dy, 1), savedT), [1]),
        tf.mul(tf.expandDims(savedWeights, 2), tf.expandDims(dy, 1)),
      ],
    };
  });
  return op(w, m) as tf.Tensor2D;
}

/** m[n]·v[n] for every n: [N, L, D] × [N, D] → [N, L], with `mT` = m transposed (see weightedRows). */
export function rowScores(m: tf.Tensor3D, mT: tf.Tensor3D, v: tf.Tensor2D): tf.Tensor2D {
  const op = customGradient(([memory, vectors], save) => {
    save([vectors, mT]);
    return {
      value: tf.squeeze(tf.matMul(memory, tf.expandDims(vectors, 2)), [2]),
      gradFunc: (dy, [savedVectors, savedT]) => [
        tf.mul(tf.expandDims(dy, 2), tf.expandDims(savedVectors, 1)),
        tf.squeeze(tf.matMul(savedT, tf.expandDims(dy, 2)), [2]),
      ],
    };
  });
  return op(m, v) as tf.Tensor2D;
}

/** Softmax weights over the memory for decoder states h [N, H]: [N, L]. */
export function attentionWeights(h: tf.Tensor2D, memory: AttentionMemory): tf.Tensor2D {
  const scores = memory.keysT
    ? rowScores(memory.keys, memory.keysT, h)
    : (tf.squeeze(tf.matMul(memory.keys, tf.expandDims(h, 2)), [2]) as tf.Tensor2D);
  return tf.softmax(tf.add(scores, memory.maskBias)) as tf.Tensor2D;
}

/** The attention vector tanh(Wc·[h; Σ_j α_j e_j] + bc): [N, attentionUnits]. */
export function attend(h: tf.Tensor2D, memory: AttentionMemory, p: AttentionParams): tf.Tensor2D {
  const alpha = attentionWeights(h, memory);
  const context = memory.valuesT
    ? weightedRows(alpha, memory.values, memory.valuesT)
    : (tf.squeeze(tf.matMul(tf.expandDims(alpha, 1), memory.values), [1]) as tf.Tensor2D);
  return tf.tanh(dense(tf.concat([h, context], 1), p.out));
}
