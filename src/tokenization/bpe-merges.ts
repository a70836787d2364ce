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

  /** Splits `word` into tokens; `onMerge(rank)` is told each merge applied (used to count merge frequencies). */
  apply(word: string, onMerge?: (rank: number) => void): string[] {
    let parts = Array.from(word);
    while (parts.length > 1) {
      let best = Infinity;
      for (let i = 0; i + 1 < parts.length; i++) {
        const rank = this.ranks.get(`${parts[i]} ${parts[i + 1]}`);
        if (rank !== undefined && rank < best) best = rank;
      }
      if (best === Infinity) break;
      parts = this.mergeAll(parts, best, onMerge);
    }
    return parts;
  }

  /** Merges every occurrence of the pair with this rank, left to right (so "aaa" becomes "aa a"). */
  private mergeAll(parts: string[], rank: number, onMerge?: (rank: number) => void): string[] {
    const merged: string[] = [];
    for (let i = 0; i < parts.length; i++) {
      if (i + 1 < parts.length && this.ranks.get(`${parts[i]} ${parts[i + 1]}`) === rank) {
        merged.push(parts[i]! + parts[i + 1]!);
        onMerge?.(rank);
        i++;
      } else {
        merged.push(parts[i]!);
      }
    }
    return merged;
  }
}
