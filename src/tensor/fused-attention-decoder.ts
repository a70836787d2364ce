/**
 * The attention decoder over every step of a teacher-forced batch as the native op `attentionDecoder`
 * (native-ops.ts), for the WASM backend. `fusedAttentionDecoder` is undefined where the kernels are not registered;
 * the decoder layer then runs `referenceSteps` (models/layers/attention-decoder.ts), the same function in tfjs ops
 * and the definition this kernel's spec holds it to.
 */
import * as tf from '@tensorflow/tfjs';
import { nativeOp, nativeOpOutputs, nativeOpReady } from './native-op-runtime';

/**
 * What the kernel reads: embProj [T, N, 3H] is the embedding part of the GRU's input projection (bias included),
 * wxa [A, 3H] the part that reads the previous attention vector (a0 [N, A] before the first step), h0 [N, H] the
 * first state; keys [N, L, H] = values·Wa, values [N, L, E], bias [N, L] (0 or −1e9 on the memory's padding); the
 * attention vector is tanh([h; context]·wc + bc) with wc [H + E, A], bc [A]. Where mask [T, N] is 0 the row's
 * state and attention vector are carried.
 */
export interface AttentionDecoderInputs {
  embProj: tf.Tensor3D;
  mask: tf.Tensor2D;
  h0: tf.Tensor2D;
  a0: tf.Tensor2D;
  wxa: tf.Tensor2D;
  wh: tf.Tensor2D;
  bh: tf.Tensor1D;
  keys: tf.Tensor3D;
  values: tf.Tensor3D;
  bias: tf.Tensor2D;
  wc: tf.Tensor2D;
  bc: tf.Tensor1D;
}

/** Whether fusedAttentionDecoder runs (the WASM backend with the native kernels registered). */
export function hasFusedAttentionDecoder(): boolean {
  return nativeOpReady('attentionDecoder');
}

/** The attention vectors [T, N, A] of every step, differentiable in every input but the mask and the bias. */
export function fusedAttentionDecoder(x: AttentionDecoderInputs): tf.Tensor3D | undefined {
  if (!hasFusedAttentionDecoder() || x.embProj.size === 0) return undefined;
  return nativeOp('attentionDecoder', x) as tf.Tensor3D;
}

/** The same steps without a gradient (decoding): the attention vectors [T, N, A] and the states [T, N, H]. */
export function fusedAttentionDecoderStates(x: AttentionDecoderInputs): { attention: tf.Tensor3D; states: tf.Tensor3D } | undefined {
  if (!hasFusedAttentionDecoder() || x.embProj.size === 0) return undefined;
  const { att, hs, ...saved } = nativeOpOutputs('attentionDecoder', x);
  tf.dispose(Object.values(saved));
  return { attention: att as tf.Tensor3D, states: hs as tf.Tensor3D };
}
