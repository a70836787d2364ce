/**
 * The word2vec training vocabulary: words seen at least `minCount` times, most frequent
 * first (ties alphabetical, so the order — and with it training — is deterministic).
 */
export interface Vocabulary {
  readonly words: readonly string[];
  /** counts[i] = occurrences of words[i] in the corpus. */
  readonly counts: Float64Array;
  readonly indexOf: ReadonlyMap<string, number>;
  /** Σ counts: the in-vocabulary tokens of one pass over the corpus. */
  readonly totalCount: number;
}

export function buildVocabulary(sentences: readonly (readonly string[])[], minCount: number): Vocabulary {
  const tally = new Map<string, number>();
  for (const sentence of sentences) for (const word of sentence) tally.set(word, (tally.get(word) ?? 0) + 1);
  const kept = [...tally].filter(([, count]) => count >= minCount);
  kept.sort(([wordA, countA], [wordB, countB]) => countB - countA || (wordA < wordB ? -1 : wordA > wordB ? 1 : 0));
  const words = kept.map(([word]) => word);
  const counts = Float64Array.from(kept, ([, count]) => count);
  const indexOf = new Map(words.map((word, i) => [word, i]));
  return { words, counts, indexOf, totalCount: counts.reduce((sum, count) => sum + count, 0) };
}
