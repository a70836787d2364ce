/**
 * Beam search for one reply (beams are the rows of its own batch; it does not join other replies).
 * Each step scores every (beam, token) extension by summed log-probability and keeps the best
 * `beamWidth` that do not end; an extension ending in eos among the best `beamWidth` is finished.
 * Stopping: once `beamWidth` hypotheses have finished (HF's early_stopping=true) or at maxTokens,
 * where live beams finish with reason 'length'. Finished hypotheses are ranked by
 * logProb / ((5 + length) / 6)^α (GNMT, Wu et al. 2016), length counting eos.
 * With width 1 the first finished hypothesis ends the search, which makes it exactly greedy.
 * Not on the decode driver (decode-driver.ts) on purpose: the driver's rows are replies that join and leave,
 * while a beam's rows are hypotheses that are reordered and copied every step, all ending together.
 */
import * as tf from '@tensorflow/tfjs';
import { DecoderState, DialogueModel } from '../models/dialogue-model';
import { BOS_ID, EOS_ID, Tokenizer } from '../tokenization/tokenizer';
import { ConversationState } from './conversation-state';
import { disposeDecoderState, selectRows, startRows } from './decoder-rows';
import { ScoredReply } from './generation-events';
import { latentsFor } from './latent-choice';
import { ReplyRow } from './reply-row';
import { replyStep } from './reply-step';
import { tidyValue } from './tidy-value';

export function gnmtLengthPenalty(length: number, alpha: number): number {
  return ((5 + length) / 6) ** alpha;
}

/** log softmax of logits[offset .. offset+V) in float64. */
export function logSoftmaxRow(logits: Float32Array, offset: number, V: number): Float64Array {
  let max = -Infinity;
  for (let v = 0; v < V; v++) max = Math.max(max, logits[offset + v]);
  let sum = 0;
  for (let v = 0; v < V; v++) sum += Math.exp(logits[offset + v] - max);
  const lse = max + Math.log(sum);
  const out = new Float64Array(V);
  for (let v = 0; v < V; v++) out[v] = logits[offset + v] - lse;
  return out;
}

export interface Beam {
  ids: number[];
  logProb: number;
}

export interface Candidate {
  parent: number;
  token: number;
  logProb: number;
}

/** The `count` best (beam, token) extensions, best first; ties go to the lower beam, then the lower id. */
export function topCandidates(beams: readonly Beam[], logProbs: readonly Float64Array[], count: number): Candidate[] {
  const best: Candidate[] = [];
  beams.forEach((beam, parent) => {
    const row = logProbs[parent];
    for (let token = 0; token < row.length; token++) {
      const logProb = beam.logProb + row[token];
      if (best.length === count && !(logProb > best[count - 1].logProb)) continue;
      let at = best.length;
      while (at > 0 && best[at - 1].logProb < logProb) at--;
      best.splice(at, 0, { parent, token, logProb });
      if (best.length > count) best.pop();
    }
  });
  return best;
}

export class BeamSearch {
  private state: DecoderState;
  private beams: Beam[] = [{ ids: [], logProb: 0 }];
  private readonly finished: ScoredReply[] = [];
  private steps = 0;

  /** `row` carries the settings, seed and z's random stream; its token stream is not used. */
  constructor(
    private readonly model: DialogueModel,
    private readonly tokenizer: Tokenizer,
    conversation: ConversationState,
    private readonly row: ReplyRow,
  ) {
    const [z] = latentsFor(model, [conversation], [{ mode: row.decoding.latent, random: row.latentRandom }]);
    this.state = startRows(model, [conversation], [z]);
  }

  get done(): boolean {
    return this.beams.length === 0 || this.finished.length >= this.row.decoding.beamWidth;
  }

  /** One step for all live beams. */
  step(): void {
    if (this.done) return;
    const { beamWidth, ignoreEos } = this.row.decoding;
    const V = this.model.config.vocabSize;
    const state = this.state;
    const out = tidyValue(() => {
      const prev = this.beams.map((b) => (b.ids.length ? b.ids[b.ids.length - 1] : BOS_ID));
      const step = replyStep(this.model, prev, state);
      return { logits: step.logits.dataSync() as Float32Array, h: tf.keep(step.state.h), attention: tf.keep(step.state.attention) };
    });
    tf.dispose([state.h, state.attention]);
    const stepped: DecoderState = { h: out.h, attention: out.attention, memory: state.memory };
    const logProbs = this.beams.map((_, i) => logSoftmaxRow(out.logits, i * V, V));

    const next: Candidate[] = [];
    topCandidates(this.beams, logProbs, 2 * beamWidth).forEach((c, rank) => {
      const ids = this.beams[c.parent].ids;
      if (c.token === EOS_ID && !ignoreEos) {
        if (rank < beamWidth) this.finish([...ids], c.logProb, ids.length + 1, 'eos');
      } else if (next.length < beamWidth) {
        next.push(c);
      }
    });
    this.steps++;
    this.beams = next.map((c) => ({ ids: [...this.beams[c.parent].ids, c.token], logProb: c.logProb }));
    this.state = selectRows(stepped, next.length ? next.map((c) => c.parent) : [0]);
    disposeDecoderState(stepped);
    if (this.steps >= this.row.maxTokens) {
      for (const b of this.beams) this.finish(b.ids, b.logProb, b.ids.length, 'length');
      this.beams = [];
    }
  }

  /** The nBest finished hypotheses, best first. */
  result(): ScoredReply[] {
    return [...this.finished].sort((a, b) => b.score - a.score).slice(0, this.row.decoding.nBest);
  }

  dispose(): void {
    disposeDecoderState(this.state);
  }

  private finish(ids: number[], logProb: number, length: number, finishReason: ScoredReply['finishReason']): void {
    const score = logProb / gnmtLengthPenalty(length, this.row.decoding.lengthPenalty);
    this.finished.push({ ids, text: this.tokenizer.decode(ids), logProb, score, finishReason });
  }
}
