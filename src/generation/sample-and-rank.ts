/**
 * Sample-and-rank (Adiwardana et al. 2020, §3.4): a reply with `candidates` N > 1 is N rows decoded together —
 * sampled tokens, or greedy tokens under N draws of VHRED's z — and the reply is the finished candidate with the
 * highest log-likelihood per token under the model. Candidate 0 uses the reply's own seed, so N = 1 is plain
 * decoding; the others take seeds derived from it, so the whole set repeats from one seed. On the decode driver such a
 * reply is one request owning N rows, ranked when the last ends (decode-request.ts).
 */
import { Tokenizer } from '../tokenization/tokenizer';
import { Decoding } from './decoding-options';
import { EndEvent, FinishReason, GenerationEvent, ScoredReply } from './generation-events';
import { ReplyRow } from './reply-row';
import { meanLogLikelihood } from './sampling';

/** Seed of candidate `i` of a reply whose seed is `seed` (i = 0: the seed itself). */
export function candidateSeed(seed: number, i: number): number {
  if (i === 0) return seed >>> 0;
  let h = (seed ^ Math.imul(i, 0x9e3779b1)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * The candidates' decoding settings: the reply's, each with its own seed. (`candidates` stays N: a row that is one
 * of N reads the logits to score what it chooses; rows are never expanded again.)
 */
export function candidateDecodings(decoding: Decoding, seed: number): Decoding[] {
  return Array.from({ length: decoding.candidates }, (_, i) => ({ ...decoding, seed: candidateSeed(seed, i) }));
}

/**
 * A finished candidate as a scored reply. A row's likelihood counts every token it chose, eos included, so a
 * candidate cut by maxTokens is scored on what it said.
 */
export function scoredCandidate(row: ReplyRow, finishReason: Exclude<FinishReason, 'cancelled'>, tokenizer: Tokenizer): ScoredReply {
  const score = meanLogLikelihood(row.logLikelihood, row.scoredTokens);
  return { ids: [...row.ids], text: tokenizer.decode(row.ids), logProb: row.logLikelihood, score, finishReason };
}

/** Best first (ties keep decoding order). */
export function rankCandidates(candidates: readonly ScoredReply[]): ScoredReply[] {
  return candidates.map((c, i) => ({ c, i })).sort((a, b) => b.c.score - a.c.score || a.i - b.i).map(({ c }) => c);
}

/**
 * The chosen reply's stream: its tokens as they would have streamed, then the end event with the reply's seed and
 * every candidate, best first.
 */
export function replayBest(tokenizer: Tokenizer, decoding: Decoding, maxTokens: number, seed: number, ranked: readonly ScoredReply[]): GenerationEvent[] {
  const row = new ReplyRow(tokenizer, { ...decoding, seed }, maxTokens);
  const [best] = ranked;
  const events: GenerationEvent[] = [];
  for (const id of best.ids) {
    const { event } = row.accept(id);
    if (event) events.push(event);
  }
  const end: EndEvent = { ...row.end(best.finishReason), candidates: [...ranked] };
  events.push(end);
  return events;
}
