/**
 * The two sampling devices of Mikolov et al. 2013 ("Distributed Representations of Words and
 * Phrases and their Compositionality", NIPS), with the formulas of the original C word2vec.
 */

/**
 * Probability of keeping one occurrence of a word of count c in a corpus of T tokens, for
 * subsampling threshold t (C word2vec's `sample`): min(1, (√(c / tT) + 1) · tT / c).
 * t = 0 disables subsampling.
 */
export function keepProbability(count: number, totalCount: number, threshold: number): number {
  if (threshold <= 0) return 1;
  const scaled = threshold * totalCount;
  return Math.min(1, (Math.sqrt(count / scaled) + 1) * (scaled / count));
}

/**
 * Table for drawing negative samples from the unigram distribution raised to 3/4:
 * word i fills a share c_i^0.75 / Σ_j c_j^0.75 of the slots, so a uniform slot is such a draw.
 */
export function buildUnigramTable(counts: ArrayLike<number>, size = 10_000_000, power = 0.75): Int32Array {
  const table = new Int32Array(size);
  if (counts.length === 0) return table;
  let total = 0;
  for (let i = 0; i < counts.length; i++) total += counts[i] ** power;
  let word = 0;
  let cumulative = counts[0] ** power / total;
  for (let slot = 0; slot < size; slot++) {
    table[slot] = word;
    if (slot / size > cumulative && word < counts.length - 1) {
      word++;
      cumulative += counts[word] ** power / total;
    }
  }
  return table;
}
