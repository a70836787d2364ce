/**
 * Decoder state of many replies as rows of one batch: start rows from conversation states, keep or
 * reorder rows (beam search, replies leaving a batch), append rows (replies joining). Each function
 * returns new tensors and leaves its inputs alone; the caller disposes what it replaces.
 */
import * as tf from '@tensorflow/tfjs';
import { AttentionMemory } from '../models/layers/attention';
import { DecoderState, DialogueModel } from '../models/dialogue-model';
import { decoderCondition } from '../models/decoder-condition';
import { assertStateFits, ConversationState } from './conversation-state';
import { tidyValue } from './tidy-value';

/** Mask bias of padded memory positions, as attentionMemory writes it. */
const PAD_BIAS = -1e9;

/**
 * Initial decoder rows for replies to `states` (z per row for VHRED), conditioned as in training (decoderCondition).
 * Attention keys are computed here once per reply, not per step. Rows of different answered lengths are padded and masked.
 */
export function startRows(model: DialogueModel, states: readonly ConversationState[], zs?: readonly (Float32Array | undefined)[]): DecoderState {
  states.forEach((s) => {
    assertStateFits(model, s);
    // Internal invariant: the chat, /v1 and evaluation refuse a conversation with no turn before it gets here.
    if (s.turns === 0) throw new RangeError('a conversation state with no turn has nothing to reply to');
  });
  const D = 2 * model.config.encoderUnits;
  const F = model.decoderFeatureDim();
  const N = states.length;
  const L = Math.max(...states.map((s) => s.lastLength));
  const feature = new Float32Array(N * F);
  const values = new Float32Array(N * L * D);
  const mask = new Float32Array(N * L);
  states.forEach((s, i) => {
    let offset = i * F;
    for (const part of decoderCondition(model.config.kind, { answered: s.lastVector, context: s.context, z: zs?.[i] })) {
      feature.set(part, offset);
      offset += part.length;
    }
    values.set(s.lastOutputs, i * L * D);
    mask.fill(1, i * L, i * L + s.lastLength);
  });
  return tidyValue(() =>
    keepState(model.startDecoder(tf.tensor2d(feature, [N, F]), tf.tensor3d(values, [N, L, D]), tf.tensor2d(mask, [N, L]))),
  );
}

/** Rows `indices` of a state, in that order (repeats allowed: beam search copies a parent). */
export function selectRows(s: DecoderState, indices: readonly number[]): DecoderState {
  return tidyValue(() => {
    const idx = tf.tensor1d(Int32Array.from(indices), 'int32');
    const pick = <T extends tf.Tensor>(t: T) => tf.gather(t, idx) as T;
    return keepState({
      h: pick(s.h),
      attention: pick(s.attention),
      memory: { values: pick(s.memory.values), keys: pick(s.memory.keys), maskBias: pick(s.memory.maskBias) },
    });
  });
}

/** Rows of `a` then rows of `b`; the shorter memory is padded (zeros, masked) to the longer. */
export function appendRows(a: DecoderState, b: DecoderState): DecoderState {
  return tidyValue(() => {
    const L = Math.max(a.memory.values.shape[1], b.memory.values.shape[1]);
    const [ma, mb] = [padMemory(a.memory, L), padMemory(b.memory, L)];
    return keepState({
      h: tf.concat([a.h, b.h]),
      attention: tf.concat([a.attention, b.attention]),
      memory: {
        values: tf.concat([ma.values, mb.values]),
        keys: tf.concat([ma.keys, mb.keys]),
        maskBias: tf.concat([ma.maskBias, mb.maskBias]),
      },
    });
  });
}

export function disposeDecoderState(s: DecoderState | undefined): void {
  if (s) tf.dispose([s.h, s.attention, s.memory.values, s.memory.keys, s.memory.maskBias]);
}

function padMemory(m: AttentionMemory, L: number): AttentionMemory {
  const extra = L - m.values.shape[1];
  if (extra === 0) return m;
  return {
    values: tf.pad(m.values, [[0, 0], [0, extra], [0, 0]]),
    keys: tf.pad(m.keys, [[0, 0], [0, extra], [0, 0]]),
    maskBias: tf.pad(m.maskBias, [[0, 0], [0, extra]], PAD_BIAS),
  };
}

function keepState(s: DecoderState): DecoderState {
  tf.keep(s.h);
  tf.keep(s.attention);
  tf.keep(s.memory.values);
  tf.keep(s.memory.keys);
  tf.keep(s.memory.maskBias);
  return s;
}
