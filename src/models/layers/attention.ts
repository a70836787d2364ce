import * as tf from '@tensorflow/tfjs';
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

/** What the decoder attends to: values [N, L, E], keys = values·Wa [N, L, H], and an additive mask. */
export interface AttentionMemory {
  values: tf.Tensor3D;
  keys: tf.Tensor3D;
  /** [N, L]: 0 on real tokens, a large negative number on padding. */
  maskBias: tf.Tensor2D;
}

export function attentionMemory(values: tf.Tensor3D, mask: tf.Tensor2D, p: AttentionParams): AttentionMemory {
  const [N, L, E] = values.shape;
  const keys = tf.reshape(tf.matMul(tf.reshape(values, [N * L, E]), p.wa), [N, L, -1]) as tf.Tensor3D;
  const maskBias = tf.mul(tf.sub(1, mask), -1e9) as tf.Tensor2D;
  return { values, keys, maskBias };
}

/** Softmax weights over the memory for decoder states h [N, H]: [N, L]. */
export function attentionWeights(h: tf.Tensor2D, memory: AttentionMemory): tf.Tensor2D {
  const scores = tf.squeeze(tf.matMul(memory.keys, tf.expandDims(h, 2)), [2]) as tf.Tensor2D;
  return tf.softmax(tf.add(scores, memory.maskBias)) as tf.Tensor2D;
}

/** The attention vector tanh(Wc·[h; Σ_j α_j e_j] + bc): [N, attentionUnits]. */
export function attend(h: tf.Tensor2D, memory: AttentionMemory, p: AttentionParams): tf.Tensor2D {
  const alpha = attentionWeights(h, memory);
  const context = tf.squeeze(tf.matMul(tf.expandDims(alpha, 1), memory.values), [1]) as tf.Tensor2D;
  return tf.tanh(dense(tf.concat([h, context], 1), p.out));
}
