/**
 * Corpus-level diversity (distinct-n, unigram entropy, mean length) of one reply per context, fast
 * enough to recompute on every bootstrap resample: n-grams are interned to integers once, and each
 * resample counts them in typed arrays instead of rebuilding string sets. On all contexts the values
 * equal corpusDistinct / unigramEntropy / meanLength of metrics/distinct.ts (checked in the spec).
 */
import { ngramKeys } from '../metrics/ngrams';

export class InternedReplies {
  /** ids[n - 1][reply] = the reply's n-gram ids (n = 1, 2). */
  private readonly ids: Int32Array[][];
  private readonly vocabulary: number[];
  private readonly counts: Float64Array[];

  constructor(replies: readonly (readonly string[])[]) {
    this.ids = [1, 2].map((n) => {
      const intern = new Map<string, number>();
      return replies.map((reply) => Int32Array.from(ngramKeys(reply, n), (key) => intern.get(key) ?? intern.set(key, intern.size).size - 1));
    });
    this.vocabulary = this.ids.map((perReply) => perReply.reduce((max, ids) => Math.max(max, ...ids, -1), -1) + 1);
    this.counts = this.vocabulary.map((size) => new Float64Array(size));
  }

  get size(): number {
    return this.ids[0].length;
  }

  /** Distinct n-grams / n-grams over the replies `indices` (repeats count again); 0 when there are none. */
  distinct(n: 1 | 2, indices: ArrayLike<number>): number {
    const counts = this.fill(n, indices);
    let distinct = 0;
    let total = 0;
    for (const count of counts) {
      if (count > 0) distinct++;
      total += count;
    }
    return total === 0 ? 0 : distinct / total;
  }

  /** Unigram entropy in bits over the replies `indices`; 0 when they are empty. */
  entropy(indices: ArrayLike<number>): number {
    const counts = this.fill(1, indices);
    let total = 0;
    for (const count of counts) total += count;
    if (total === 0) return 0;
    let entropy = 0;
    for (const count of counts) if (count > 0) entropy -= (count / total) * Math.log2(count / total);
    return entropy;
  }

  meanLength(indices: ArrayLike<number>): number {
    let sum = 0;
    for (let i = 0; i < indices.length; i++) sum += this.ids[0][indices[i]].length;
    return indices.length === 0 ? 0 : sum / indices.length;
  }

  private fill(n: 1 | 2, indices: ArrayLike<number>): Float64Array {
    const counts = this.counts[n - 1];
    counts.fill(0);
    for (let i = 0; i < indices.length; i++) for (const id of this.ids[n - 1][indices[i]]) counts[id]++;
    return counts;
  }
}
