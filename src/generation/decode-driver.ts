/**
 * The decode loop, written once: a set of rows (replies being decoded) on one model. The chat batcher schedules
 * requests onto it (batcher.ts), the single-reply stream is it with one request (decode.ts), the evaluation loop is
 * it over a batch of contexts (evaluation/comparison/reply-decoder.ts).
 *
 *   join(requests)  their rows start (attention memory, VHRED's z from each row's own seeded stream) and append;
 *   step()          one decoder call and one read-back for all live rows (the N argmax ids when every row is plain
 *                   greedy, else the [N, V] logits); each row picks its token by its own rule (ReplyRow.choose:
 *                   greedy, sampling, n-gram blocking) and hands it to its request, which says what events follow
 *                   (DecodeRequest: a token, an end at eos or maxTokens, a ranked sample-and-rank reply);
 *   request.cancel()  ends a request; like a finished one, its rows leave before the next join or step.
 *
 * Rows join and leave only between steps, so a row's tokens never depend on who else is in the batch: greedy rows
 * give the tokens they give alone, and each row draws from its own random streams. Leaving rows are dropped in one
 * gather at the next boundary, so a step costs no tensor copy beyond the decoder's own.
 * Beam search is not a driver request (beam-search.ts): its rows are hypotheses reordered every step.
 */
import * as tf from '@tensorflow/tfjs';
import { DecoderState, DialogueModel } from '../models/dialogue-model';
import { BOS_ID } from '../tokenization/tokenizer';
import { DecodeRequest } from './decode-request';
import { appendRows, disposeDecoderState, selectRows, startRows } from './decoder-rows';
import { GenerationEvent } from './generation-events';
import { latentsFor } from './latent-choice';
import { ReplyRow } from './reply-row';
import { replyStep } from './reply-step';
import { tidyValue } from './tidy-value';

/** An event of one request, from a step. */
export interface DriverEvent<Q extends DecodeRequest> {
  request: Q;
  event: GenerationEvent;
}

export class DecodeDriver<Q extends DecodeRequest = DecodeRequest> {
  private state?: DecoderState;
  /** Per batch row, in order: the row, the request owning it, and the token it reads at the next step. */
  private rows: ReplyRow[] = [];
  private owners: Q[] = [];
  private prev: number[] = [];

  constructor(readonly model: DialogueModel) {}

  /** Requests still decoding, in the order they joined. */
  get requests(): Q[] {
    return [...new Set(this.owners)].filter((q) => !q.done);
  }

  /** Rows still decoding (what a batch-size limit counts). */
  get rowCount(): number {
    let live = 0;
    this.rows.forEach((row, i) => (live += this.owners[i].decodes(row) ? 1 : 0));
    return live;
  }

  /** Starts the requests' rows and appends them; they take part from the next step. Throws without joining any. */
  join(requests: readonly Q[]): void {
    const joined = new Set(this.owners);
    for (const request of requests) {
      if (request.done) throw new RangeError('a request that has ended cannot join a decode driver');
      if (joined.has(request)) throw new RangeError('a request joins a decode driver once');
      joined.add(request);
    }
    this.dropEnded();
    const rows = requests.flatMap((request) => request.rows.map((row) => ({ request, row })));
    if (rows.length === 0) return;
    const states = rows.map((r) => r.request.state);
    const zs = latentsFor(this.model, states, rows.map(({ row }) => ({ mode: row.decoding.latent, random: row.latentRandom })));
    const fresh = startRows(this.model, states, zs);
    if (this.state) {
      const appended = appendRows(this.state, fresh);
      disposeDecoderState(this.state);
      disposeDecoderState(fresh);
      this.state = appended;
    } else {
      this.state = fresh;
    }
    for (const { request, row } of rows) {
      this.rows.push(row);
      this.owners.push(request);
      this.prev.push(BOS_ID);
    }
  }

  /** One decoder step for every live row: the events of their requests, in row order. */
  step(): DriverEvent<Q>[] {
    this.dropEnded();
    const state = this.state;
    if (!state) return [];
    const V = this.model.config.vocabSize;
    const needLogits = this.rows.some((r) => r.needsLogits);
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
    this.prev = this.rows.map((row, i) => row.choose(out.argmax?.[i], out.logits, i * V, V));
    const events: DriverEvent<Q>[] = [];
    this.prev.forEach((id, i) => {
      const request = this.owners[i];
      for (const event of request.accept(this.rows[i], id)) events.push({ request, event });
    });
    return events;
  }

  /** Frees every row; the driver can be joined again. */
  dispose(): void {
    disposeDecoderState(this.state);
    this.state = undefined;
    this.rows = [];
    this.owners = [];
    this.prev = [];
  }

  /** Rows that ended (finished, cancelled, a candidate done) leave: one gather of the rows that stay. */
  private dropEnded(): void {
    const keep = this.rows.flatMap((row, i) => (this.owners[i].decodes(row) ? [i] : []));
    if (keep.length === this.rows.length) return;
    const next = keep.length > 0 && this.state ? selectRows(this.state, keep) : undefined;
    disposeDecoderState(this.state);
    this.state = next;
    this.rows = keep.map((i) => this.rows[i]);
    this.owners = keep.map((i) => this.owners[i]);
    this.prev = keep.map((i) => this.prev[i]);
  }
}
