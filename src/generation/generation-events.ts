/** What a reply stream yields: one `token` event per decoded token, then exactly one `end` event. */

/** eos: the model ended the reply; length: maxTokens reached; cancelled: the signal aborted (or the consumer stopped). */
export type FinishReason = 'eos' | 'length' | 'cancelled';

export interface TokenEvent {
  type: 'token';
  /** 0-based position in the reply. */
  index: number;
  id: number;
  /** Surface form of the id (tokenizer.idToToken). */
  token: string;
  /** Reply text decoded so far (the tokenizer's stream decoder: never takes back what it showed). */
  text: string;
  /** What this token added to `text` (may be empty while a subword character is incomplete). */
  delta: string;
}

/** A finished beam hypothesis. */
export interface ScoredReply {
  ids: number[];
  text: string;
  /** Sum of token log-probabilities (eos included when it ended the hypothesis). */
  logProb: number;
  /** What hypotheses are ranked by: beam search, logProb / length penalty; sample-and-rank, logProb per token. */
  score: number;
  finishReason: Exclude<FinishReason, 'cancelled'>;
}

export interface EndEvent {
  type: 'end';
  finishReason: FinishReason;
  /** The reply's ids (eos excluded unless ignoreEos) and text = tokenizer.decode(ids). */
  ids: number[];
  text: string;
  /** The seed used: pass it back in the decoding settings to repeat this reply. */
  seed: number;
  /** Beam search: the nBest hypotheses, best first. */
  hypotheses?: ScoredReply[];
  /** Sample-and-rank: every candidate, best first (score = log-likelihood per token). */
  candidates?: ScoredReply[];
}

export type GenerationEvent = TokenEvent | EndEvent;
