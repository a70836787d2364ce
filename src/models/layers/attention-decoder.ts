/**
 * The decoder: a GRU with input feeding (the previous attention vector is read beside the token embedding) and Luong
 * "general" attention over the answered utterance (attention.ts). One step, for each row:
 *   h_t = GRU([e_t; a_{t−1}], h_{t−1}),   a_t = tanh(Wc·[h_t; Σ_j α_j m_j] + bc),   α = softmax(h_tᵀ·Wa·m_j)
 * `step` runs one step of many rows (generation), `sequence` every step of a teacher-forced batch (training, scoring).
 * Both run the native kernel (src/tensor/fused-attention-decoder.ts) where the backend has it, else
 * `referenceSteps`: the same function composed of tfjs ops, the definition the kernel is held to.
 * Shapes: N rows, T steps, E embedding, H units, A attention units.
 */
import * as tf from '@tensorflow/tfjs';
import { AttentionDecoderInputs, fusedAttentionDecoder, fusedAttentionDecoderStates, hasFusedAttentionDecoder } from '../../tensor/fused-attention-decoder';
import { AttentionMemory, AttentionParams, attend, attentionMemory, createAttention } from './attention';
import { createGru, gruCell, GruParams } from './gru';
import { ParamStore } from './params';

/** The decoder between steps: GRU state [N, H], the last attention vector [N, A], and what it attends to. */
export interface DecoderState {
  h: tf.Tensor2D;
  attention: tf.Tensor2D;
  memory: AttentionMemory;
}

/** The GRU's input weight [E + A, 3H] split by what its rows read: the token embedding, the previous attention vector. */
interface InputWeights {
  wxEmb: tf.Tensor2D;
  wxAtt: tf.Tensor2D;
}

export class AttentionDecoder {
  /** The input weight's split for decoding, with the weight it was made from (see inferenceWeights). */
  private inference?: InputWeights & { of: object };

  constructor(
    readonly gru: GruParams,
    readonly attention: AttentionParams,
    private readonly embeddingDim: number,
  ) {}

  /** The GRU (`<name>.gru`) reading [embedding; attention vector], then the attention (`<name>.attention`). */
  static create(store: ParamStore, name: string, d: { embeddingDim: number; memoryDim: number; units: number; attentionUnits: number }): AttentionDecoder {
    const gru = createGru(store, `${name}.gru`, d.embeddingDim + d.attentionUnits, d.units);
    const attention = createAttention(store, `${name}.attention`, d.memoryDim, d.units, d.attentionUnits);
    return new AttentionDecoder(gru, attention, d.embeddingDim);
  }

  /** The state before the first step: h0 [N, H], a zero attention vector, the memory values [N, L, D] masked by [N, L]. */
  start(h0: tf.Tensor2D, values: tf.Tensor3D, mask: tf.Tensor2D, forTraining = false): DecoderState {
    return {
      h: h0,
      attention: tf.zeros([h0.shape[0], this.attention.out.w.shape[1]]),
      // the kernel reads the memory as it is; only the reference's gradient wants it transposed as well
      memory: attentionMemory(values, mask, this.attention, forTraining && !hasFusedAttentionDecoder()),
    };
  }

  /** One step of every row from its token's embedding [N, E], for decoding (no gradient). */
  step(embedded: tf.Tensor2D, state: DecoderState): DecoderState {
    const N = embedded.shape[0];
    const { wxEmb, wxAtt } = this.inferenceWeights();
    const embProj = tf.reshape(tf.add(tf.matMul(embedded, wxEmb), this.gru.bx), [1, N, -1]) as tf.Tensor3D;
    const fused = fusedAttentionDecoderStates(this.kernelInputs(embProj, tf.ones([1, N]), state, wxAtt));
    if (!fused) return { ...referenceSteps(embProj, state, wxAtt, this.gru, this.attention).last, memory: state.memory };
    return { h: tf.reshape(fused.states, [N, -1]), attention: tf.reshape(fused.attention, [N, -1]), memory: state.memory };
  }

  /**
   * Teacher forcing: the attention vectors of every step, time-major [T·N, A] (row t·N + n is row n's step t), from
   * the inputs' embeddings, time-major [T·N, E]. `mask` [T, N] (1 on real inputs) lets the kernel skip rows that have
   * ended; what comes back there is not meant to be read. The embedding half of the input projection is one product.
   */
  sequence(embedded: tf.Tensor2D, start: DecoderState, mask: tf.Tensor2D): tf.Tensor2D {
    const [T, N] = mask.shape;
    const { wxEmb, wxAtt } = this.inputWeights();
    const embProj = tf.reshape(tf.add(tf.matMul(embedded, wxEmb), this.gru.bx), [T, N, -1]) as tf.Tensor3D;
    const fused = fusedAttentionDecoder(this.kernelInputs(embProj, mask, start, wxAtt));
    if (fused) return tf.reshape(fused, [T * N, -1]);
    return tf.concat(referenceSteps(embProj, start, wxAtt, this.gru, this.attention).attention, 0);
  }

  dispose(): void {
    if (this.inference) tf.dispose([this.inference.wxEmb, this.inference.wxAtt]);
    this.inference = undefined;
  }

  private inputWeights(): InputWeights {
    const E = this.embeddingDim;
    return { wxEmb: tf.slice(this.gru.wx, [0, 0], [E, -1]), wxAtt: tf.slice(this.gru.wx, [E, 0], [-1, -1]) };
  }

  /**
   * inputWeights for decoding, made again only when the weight changes (Variable.assign gives it a new dataId): the
   * split copies the weight (1.2 MB for the small model), which at one reply was a sixth of a token's time. Constants
   * to the tape, so never for training.
   */
  private inferenceWeights(): InputWeights {
    const wx = this.gru.wx;
    if (this.inference?.of !== wx.dataId) {
      this.dispose();
      const { wxEmb, wxAtt } = this.inputWeights();
      this.inference = { of: wx.dataId, wxEmb: tf.keep(wxEmb), wxAtt: tf.keep(wxAtt) };
    }
    return this.inference;
  }

  /** What the native kernel reads, from `state` (h, previous attention vector, memory) onwards. */
  private kernelInputs(embProj: tf.Tensor3D, mask: tf.Tensor2D, state: DecoderState, wxAtt: tf.Tensor2D): AttentionDecoderInputs {
    const { h, attention, memory } = state;
    const { wh, bh } = this.gru;
    const { w: wc, b: bc } = this.attention.out;
    return { embProj, mask, h0: h, a0: attention, wxa: wxAtt, wh, bh, keys: memory.keys, values: memory.values, bias: memory.maskBias, wc, bc };
  }
}

/**
 * The decoder in tfjs ops, step by step from `start` over the embedding half of the input projections
 * embProj [T, N, 3H] (bias included; wxAtt [A, 3H] reads the previous attention vector): the attention vector of every
 * step and the state after the last. The definition the native kernel computes (it also carries rows where a mask is
 * 0, which this computes as if they went on).
 */
export function referenceSteps(
  embProj: tf.Tensor3D,
  start: DecoderState,
  wxAtt: tf.Tensor2D,
  gru: GruParams,
  attention: AttentionParams,
): { attention: tf.Tensor2D[]; last: { h: tf.Tensor2D; attention: tf.Tensor2D } } {
  let { h, attention: a } = start;
  const outputs: tf.Tensor2D[] = [];
  // tfjs's gradient of unstack fails on an axis of length 1 (it hands the one output's gradient to stack unwrapped)
  const [T, N, G] = embProj.shape;
  const steps = T === 1 ? [tf.reshape(embProj, [N, G]) as tf.Tensor2D] : (tf.unstack(embProj) as tf.Tensor2D[]);
  for (const e of steps) {
    h = gruCell(tf.add(e, tf.matMul(a, wxAtt)), h, gru);
    a = attend(h, start.memory, attention);
    outputs.push(a);
  }
  return { attention: outputs, last: { h, attention: a } };
}
