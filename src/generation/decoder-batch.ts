/**
 * Greedy and sampled replies decoded together, one row each: every step advances all rows with one
 * decoder call and one read-back (N argmax ids when every row is greedy, else the [N, V] logits).
 * Rows join (add) and leave (keep) only between steps, which is all continuous batching needs.
 */
import * as tf from '@tensorflow/tfjs';
import { DecoderState, DialogueModel } from '../models/dialogue-model';
import { BOS_ID } from '../tokenization/tokenizer';
import { ConversationState } from './conversation-state';
import { appendRows, disposeDecoderState, selectRows, startRows } from './decoder-rows';
import { latentsFor } from './latent-choice';
import { ReplyRow } from './reply-row';
import { replyStep } from './reply-step';
import { tidyValue } from './tidy-value';

export class DecoderBatch<R extends ReplyRow = ReplyRow> {
  private state?: DecoderState;
  private prev: number[] = [];
  private rowList: R[] = [];

  constructor(readonly model: DialogueModel) {}

  get rows(): readonly R[] {
    return this.rowList;
  }

  /** Starts replies to `states` (z drawn per row for VHRED) and appends them as new rows. */
  add(entries: readonly { state: ConversationState; row: R }[]): void {
    if (entries.length === 0) return;
    const states = entries.map((e) => e.state);
    const zs = latentsFor(this.model, states, entries.map((e) => ({ mode: e.row.decoding.latent, random: e.row.latentRandom })));
    const fresh = startRows(this.model, states, zs);
    if (this.state) {
      const joined = appendRows(this.state, fresh);
      disposeDecoderState(this.state);
      disposeDecoderState(fresh);
      this.state = joined;
    } else {
      this.state = fresh;
    }
    this.rowList.push(...entries.map((e) => e.row));
    this.prev.push(...entries.map(() => BOS_ID));
  }

  /** Keeps the rows for which `keep` is true (in order) and frees the others. */
  keep(keep: (row: R) => boolean): void {
    const indices = this.rowList.flatMap((r, i) => (keep(r) ? [i] : []));
    if (indices.length === this.rowList.length) return;
    const next = indices.length > 0 && this.state ? selectRows(this.state, indices) : undefined;
    disposeDecoderState(this.state);
    this.state = next;
    this.rowList = indices.map((i) => this.rowList[i]);
    this.prev = indices.map((i) => this.prev[i]);
  }

  /** One decoder step for every row: the chosen token of each, in row order. */
  step(): number[] {
    const state = this.state;
    if (!state) return [];
    const V = this.model.config.vocabSize;
    const needLogits = this.rowList.some((r) => r.needsLogits);
    const out = tidyValue(() => {
      const step = replyStep(this.model, this.prev, state);
      tf.keep(step.state.h);
      tf.keep(step.state.attention);
      const read = needLogits
        ? { logits: step.logits.dataSync() as Float32Array }
        : { argmax: tf.argMax(step.logits, 1).dataSync() as Int32Array };
      return { ...read, h: step.state.h, attention: step.state.attention };
    });
    tf.dispose([state.h, state.attention]);
    this.state = { h: out.h, attention: out.attention, memory: state.memory };
    const tokens = this.rowList.map((r, i) => r.choose(out.argmax?.[i], out.logits, i * V, V));
    this.prev = tokens;
    return tokens;
  }

  dispose(): void {
    disposeDecoderState(this.state);
    this.state = undefined;
    this.rowList = [];
    this.prev = [];
  }
}
