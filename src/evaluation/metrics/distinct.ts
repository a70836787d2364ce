/**
 * Lexical diversity of generated replies: distinct-n ratios, unigram entropy and length.
 *
 * distinct-n (Li et al. 2016, "A Diversity-Promoting Objective Function for Neural
 * Conversation Models", NAACL) = |distinct n-grams| / |n-grams|. DialogWAE (Gu et al. 2019)
 * reports it two ways per context of N sampled replies — intra (within each reply, averaged)
 * and inter (pooled over the N replies) — then averages over contexts.
 *
 * Convention for a reply with fewer than n tokens (no n-grams): its ratio is 0 and it still
 * counts in averages. DialogWAE's `div_distinct` computes (distinct + 1e-12) / (total + 1e-5),
 * which gives 1e-7 ≈ 0 there and is within 1e-5 (relative) of the exact ratio elsewhere;
 * we use the exact ratio and an exact 0.
 */
import { mean } from '../statistics';
import { ngramKeys } from './ngrams';

/** Distinct n-grams over all n-grams of one token list; 0 when it has no n-grams. */
export function distinctRatio(tokens: readonly string[], n: number): number {
  const keys = ngramKeys(tokens, n);
  return keys.length === 0 ? 0 : new Set(keys).size / keys.length;
}

/** Distinct n-grams over all n-grams pooled from several token lists; 0 when they have none. */
export function pooledDistinctRatio(replies: readonly (readonly string[])[], n: number): number {
  const distinct = new Set<string>();
  let total = 0;
  for (const reply of replies) {
    const keys = ngramKeys(reply, n);
    total += keys.length;
    for (const key of keys) distinct.add(key);
  }
  return total === 0 ? 0 : distinct.size / total;
}

/** Intra-distinct-n of one context's replies: mean over replies of distinctRatio(reply, n); 0 for no replies. */
export function intraDistinct(replies: readonly (readonly string[])[], n: number): number {
  return mean(replies.map((reply) => distinctRatio(reply, n)));
}

/** Inter-distinct-n of one context's N replies: distinct n-grams / n-grams pooled over those replies. */
export function interDistinct(replies: readonly (readonly string[])[], n: number): number {
  return pooledDistinctRatio(replies, n);
}

export interface CorpusDistinctOptions {
  /**
   * `'ngrams'` (default): divide by the number of n-grams, as most code and DialogWAE's inter-dist.
   * `'tokens'`: divide by the number of generated tokens, Li et al.'s wording ("scaled by the
   * total number of generated tokens"); identical for n = 1.
   */
  readonly denominator?: 'ngrams' | 'tokens';
}

/** Corpus distinct-n (Li et al. 2016): distinct n-grams over all replies of a test set, divided as chosen; 0 when empty. */
export function corpusDistinct(replies: readonly (readonly string[])[], n: number, options: CorpusDistinctOptions = {}): number {
  if ((options.denominator ?? 'ngrams') === 'ngrams') return pooledDistinctRatio(replies, n);
  const distinct = new Set(replies.flatMap((reply) => ngramKeys(reply, n)));
  const tokens = replies.reduce((sum, reply) => sum + reply.length, 0);
  return tokens === 0 ? 0 : distinct.size / tokens;
}

/**
 * Entropy of the unigram distribution of all tokens in `replies`:
 * H = −Σ_w p(w) · log_b p(w), p(w) = count(w) / total. Base 2 (bits) by default; 0 when empty.
 */
export function unigramEntropy(replies: readonly (readonly string[])[], base = 2): number {
  const counts = new Map<string, number>();
  let total = 0;
  for (const reply of replies) {
    for (const token of reply) counts.set(token, (counts.get(token) ?? 0) + 1);
    total += reply.length;
  }
  if (total === 0) return 0;
  let entropy = 0;
  for (const count of counts.values()) {
    const p = count / total;
    entropy -= p * Math.log(p);
  }
  return entropy / Math.log(base);
}

/** Mean number of tokens per reply; 0 for no replies. */
export function meanLength(replies: readonly (readonly string[])[]): number {
  return mean(replies.map((reply) => reply.length));
}
