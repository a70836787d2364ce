/**
 * What a conversation keeps between turns so that a new turn costs only the encoding of that turn.
 * Plain Float32Arrays, not tensors: states live in caches and on the wire, and hold no backend memory.
 * Shapes: He encoder units per direction (encoder outputs are 2He wide), Hc context units, L tokens.
 */
import * as tf from '@tensorflow/tfjs';
import { DialogueModel, EncodedUtterances } from '../models/dialogue-model';
import { ModelConfig, ModelKind } from '../models/model-config';
import { EOS_ID, PAD_ID, Tokenizer } from '../tokenization/tokenizer';
import { tidyValue } from './tidy-value';

export interface ConversationState {
  kind: ModelKind;
  /** Utterances observed so far. */
  turns: number;
  /** [Hc] context GRU state after every turn so far (hred, vhred); empty for seq2seq. */
  context: Float32Array;
  /** [lastLength, 2He] encoder outputs of the last utterance (the one a reply answers), eos included. */
  lastOutputs: Float32Array;
  lastLength: number;
  /** [2He] the last utterance's vector: final forward and backward encoder states. */
  lastVector: Float32Array;
}

/** The state before any turn: zero context (the context GRU's h0 in training), no utterance to answer. */
export function initialState(model: DialogueModel): ConversationState {
  const c = model.config;
  return {
    kind: c.kind,
    turns: 0,
    context: new Float32Array(c.kind === 'seq2seq' ? 0 : c.contextUnits),
    lastOutputs: new Float32Array(0),
    lastLength: 0,
    lastVector: new Float32Array(2 * c.encoderUnits),
  };
}

/** Token ids of one utterance as training reads them (buildBatch): encode, truncate; eos is added on encoding. */
export function utteranceIds(tokenizer: Tokenizer, text: string, config: ModelConfig): number[] {
  return tokenizer.encode(text).slice(0, config.maxUtteranceTokens);
}

/**
 * Encodes utterances (each truncated to maxUtteranceTokens, then eos) as the rows of one batch: outputs [N, L, 2He]
 * and vectors [N, 2He] in the order given, and each row's length. The encoder runs them longest first, so a step
 * computes only the utterances still running, as in training; the rows are put back in order after.
 */
function encodeRows(model: DialogueModel, utterances: number[][]): EncodedUtterances & { lengths: number[] } {
  const rows = utterances.map((u) => [...u.slice(0, model.config.maxUtteranceTokens), EOS_ID]);
  const order = rows.map((_, i) => i).sort((a, b) => rows[b].length - rows[a].length || a - b);
  const L = rows[order[0]].length;
  const ids = new Int32Array(rows.length * L).fill(PAD_ID);
  const mask = new Float32Array(rows.length * L);
  order.forEach((row, k) => {
    ids.set(rows[row], k * L);
    mask.fill(1, k * L, k * L + rows[row].length);
  });
  const enc = model.encodeUtterances(tf.tensor2d(ids, [rows.length, L], 'int32'), tf.tensor2d(mask, [rows.length, L]), order.map((row) => rows[row].length));
  const back = new Int32Array(rows.length); // back[row] = where the encoder had it
  order.forEach((row, k) => (back[row] = k));
  return { outputs: tf.gather(enc.outputs, back), vectors: tf.gather(enc.vectors, back), lengths: rows.map((r) => r.length) };
}

/**
 * Reads one new utterance per conversation, batched: one encoder call and one context step for all.
 * `utterances[i]` are token ids without eos (see utteranceIds). Returns new states; inputs are not changed.
 */
export function observeUtterances(model: DialogueModel, states: readonly ConversationState[], utterances: number[][]): ConversationState[] {
  if (states.length !== utterances.length) throw new RangeError(`${states.length} states but ${utterances.length} utterances`);
  if (states.length === 0) return [];
  states.forEach((s) => assertStateFits(model, s));
  const c = model.config;
  const D = 2 * c.encoderUnits;
  return tidyValue(() => {
    const enc = encodeRows(model, utterances);
    const L = enc.outputs.shape[1];
    const outputs = enc.outputs.dataSync() as Float32Array; // [N, L, 2He]
    const vectors = enc.vectors.dataSync() as Float32Array; // [N, 2He]
    let contexts: Float32Array | undefined;
    if (c.kind !== 'seq2seq') {
      const previous = tf.tensor2d(concatRows(states.map((s) => s.context)), [states.length, c.contextUnits]);
      contexts = model.contextStep(previous, enc.vectors).dataSync() as Float32Array;
    }
    return states.map((s, i) => ({
      kind: s.kind,
      turns: s.turns + 1,
      context: contexts ? contexts.slice(i * c.contextUnits, (i + 1) * c.contextUnits) : new Float32Array(0),
      lastOutputs: outputs.slice(i * L * D, (i * L + enc.lengths[i]) * D),
      lastLength: enc.lengths[i],
      lastVector: vectors.slice(i * D, (i + 1) * D),
    }));
  });
}

/** The state after `utterances` (a whole stored conversation); see rebuildStates. */
export function rebuildState(model: DialogueModel, utterances: number[][]): ConversationState {
  return rebuildStates(model, [utterances])[0];
}

/**
 * The states after whole stored conversations: every turn of every conversation encoded in one encoder
 * call, then the context GRU stepped turn by turn over all conversations at once (contextStep, as
 * observeUtterances does, so the result equals folding observeUtterances over the turns).
 * `from[i]` continues conversation i from an earlier state instead of the initial one, so a long history
 * can be read in chunks (GenerationService does, to keep each synchronous step short).
 */
export function rebuildStates(model: DialogueModel, conversations: number[][][], from?: readonly ConversationState[]): ConversationState[] {
  const c = model.config;
  const D = 2 * c.encoderUnits;
  const live = conversations.flatMap((turns, i) => (turns.length > 0 ? [i] : []));
  const states = conversations.map((_, i) => from?.[i] ?? initialState(model));
  states.forEach((s) => assertStateFits(model, s));
  if (live.length === 0) return states;
  const utterances = live.flatMap((i) => conversations[i]);
  const firstRow = live.map((_, j) => live.slice(0, j).reduce((n, i) => n + conversations[i].length, 0));
  const turnCount = live.map((i) => conversations[i].length);
  tidyValue(() => {
    const enc = encodeRows(model, utterances);
    const L = enc.outputs.shape[1];
    const lastRow = live.map((_, j) => firstRow[j] + turnCount[j] - 1);
    const outputs = tf.gather(enc.outputs, lastRow).dataSync() as Float32Array; // [B, L, 2He]
    const vectors = tf.gather(enc.vectors, lastRow).dataSync() as Float32Array; // [B, 2He]
    let contexts: Float32Array | undefined;
    if (c.kind !== 'seq2seq') {
      const B = live.length;
      const T = Math.max(...turnCount);
      let h = tf.tensor2d(concatRows(live.map((i) => states[i].context)), [B, c.contextUnits]);
      const after: tf.Tensor2D[] = [];
      for (let t = 0; t < T; t++) {
        // a conversation already ended re-reads its last turn; its state at that point is not used
        const rows = live.map((_, j) => firstRow[j] + Math.min(t, turnCount[j] - 1));
        h = model.contextStep(h, tf.gather(enc.vectors, rows) as tf.Tensor2D);
        after.push(h);
      }
      const final = tf.gather(tf.reshape(tf.stack(after, 1), [B * T, -1]), live.map((_, j) => j * T + turnCount[j] - 1));
      contexts = final.dataSync() as Float32Array;
    }
    live.forEach((i, j) => {
      const length = enc.lengths[lastRow[j]];
      states[i] = {
        kind: c.kind,
        turns: states[i].turns + turnCount[j],
        context: contexts ? contexts.slice(j * c.contextUnits, (j + 1) * c.contextUnits) : new Float32Array(0),
        lastOutputs: outputs.slice(j * L * D, (j * L + length) * D),
        lastLength: length,
        lastVector: vectors.slice(j * D, (j + 1) * D),
      };
    });
  });
  return states;
}

/**
 * Each utterance's vector [2He] (the encoder's final forward and backward states), one encoder call for all.
 * An utterance's vector depends on its tokens alone, so it can be cached and reused wherever the text recurs.
 */
export function utteranceVectors(model: DialogueModel, utterances: number[][]): Float32Array[] {
  if (utterances.length === 0) return [];
  const D = 2 * model.config.encoderUnits;
  return tidyValue(() => {
    const vectors = encodeRows(model, utterances).vectors.dataSync() as Float32Array;
    return utterances.map((_, i) => vectors.slice(i * D, (i + 1) * D));
  });
}

/**
 * The state after a window of utterances, from the vectors of all but the last (utteranceVectors, cached) and the
 * last one's ids (encoded here: a reply attends to its outputs): the context GRU from its initial state over every
 * vector. Equals rebuildState over the window's ids, at the cost of one encoding instead of the whole window.
 */
export function windowState(model: DialogueModel, earlier: readonly Float32Array[], last: number[]): ConversationState {
  const c = model.config;
  const D = 2 * c.encoderUnits;
  return tidyValue(() => {
    const enc = encodeRows(model, [last]);
    const length = enc.lengths[0];
    let context: Float32Array = new Float32Array(0);
    if (c.kind !== 'seq2seq') {
      let h: tf.Tensor2D = tf.zeros([1, c.contextUnits]);
      for (const vector of earlier) h = model.contextStep(h, tf.tensor2d(vector, [1, D]));
      context = model.contextStep(h, enc.vectors as tf.Tensor2D).dataSync() as Float32Array;
    }
    return {
      kind: c.kind,
      turns: earlier.length + 1,
      context: context.slice(),
      lastOutputs: (enc.outputs.dataSync() as Float32Array).slice(0, length * D),
      lastLength: length,
      lastVector: (enc.vectors.dataSync() as Float32Array).slice(),
    };
  });
}

/** Throws when a state was made by a model of another kind or shape (e.g. after a model swap). */
export function assertStateFits(model: DialogueModel, s: ConversationState): void {
  const c = model.config;
  const D = 2 * c.encoderUnits;
  const contextSize = c.kind === 'seq2seq' ? 0 : c.contextUnits;
  const problem =
    s.kind !== c.kind ? `kind ${s.kind}, model is ${c.kind}`
    : s.context.length !== contextSize ? `context of ${s.context.length}, model needs ${contextSize}`
    : s.lastVector.length !== D ? `utterance vector of ${s.lastVector.length}, model needs ${D}`
    : s.lastOutputs.length !== s.lastLength * D ? `encoder outputs of ${s.lastOutputs.length}, expected ${s.lastLength}×${D}`
    : undefined;
  if (problem) throw new RangeError(`conversation state does not fit this model: ${problem}`);
}

function concatRows(rows: Float32Array[]): Float32Array {
  const out = new Float32Array(rows.reduce((n, r) => n + r.length, 0));
  let offset = 0;
  for (const r of rows) {
    out.set(r, offset);
    offset += r.length;
  }
  return out;
}
