/**
 * Applies a trained BPE merge list to one pre-tokenized word, synchronously.
 *
 * Why hand-written: the `tokenizers` binding trains and pre-tokenizes synchronously but only encodes
 * through a Promise, while `Tokenizer.encode` is synchronous (the gateway and the batcher call it in
 * plain loops). Applying merges is the small part of BPE: repeatedly merge the adjacent pair with the
 * lowest rank, as the library's model does. The spec checks the ids against the library's own encode.
 */
export class BpeMerges {
  private readonly ranks = new Map<string, number>();

  /** `merges[rank]` is a pair of tokens; byte-level tokens never contain a space, so "a b" is a safe key. */
  constructor(merges: ReadonlyArray<readonly [string, string]>) {
    merges.forEach(([a, b], rank) => this.ranks.set(`${a} ${b}`, rank));
  }

  get size(): number {
    return this.ranks.size;
  }

  /**
   * Splits `word` into tokens; `onMerge(rank)` is told each merge applied (used to count merge
   * frequencies). Merging the leftmost lowest-rank pair each time equals merging all its occurrences
   * left to right ("aaa" becomes "aa a"); ranks of untouched pairs are kept between steps.
   */
  apply(word: string, onMerge?: (rank: number) => void): string[] {
    const parts = Array.from(word);
    const ranks = parts.slice(1).map((next, i) => this.rank(parts[i]!, next));
    for (;;) {
      let at = -1;
      let best = Infinity;
      for (let i = 0; i < ranks.length; i++) {
        if (ranks[i]! < best) {
          best = ranks[i]!;
          at = i;
        }
      }
      if (at < 0) return parts;
      parts.splice(at, 2, parts[at]! + parts[at + 1]!);
      ranks.splice(at, 1);
      onMerge?.(best);
      if (at > 0) ranks[at - 1] = this.rank(parts[at - 1]!, parts[at]!);
      if (at < ranks.length) ranks[at] = this.rank(parts[at]!, parts[at + 1]!);
    }
  }

  private rank(a: string, b: string): number {
    return this.ranks.get(`${a} ${b}`) ?? Infinity;
  }
}
