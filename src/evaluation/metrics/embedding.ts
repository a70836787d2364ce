/**
 * Embedding-based similarity of a reply to its reference (Liu et al. 2016, "How NOT To
 * Evaluate Your Dialogue System", EMNLP), as computed by DialogWAE's `Metrics.sim_bow`:
 * - average: cosine of the mean word vectors;
 * - extrema (Forgues et al. 2014): cosine of the vectors taking, per dimension, the value of
 *   largest magnitude (the positive one on a tie, as DialogWAE's `seq_max >= |seq_min|`);
 * - greedy matching (Rus & Lintean 2012): each word's best cosine in the other sentence,
 *   averaged over the words, and the two directions averaged.
 *
 * Conventions: words the lookup lacks (out of vocabulary) are skipped; a reply or reference
 * left with no vectors scores 0, as does any cosine with a zero vector (sklearn's
 * `cosine_similarity`, which DialogWAE calls, also returns 0 there). Differences from
 * DialogWAE's numpy code, which works on padded id matrices: an OOV word there is the `<unk>`
 * id and gets that row's vector, and greedy matching averages over the padded positions too;
 * here OOV words are dropped and averages run over real words only. Best-of-N over samples
 * is the caller's business (see dialogwae-protocol.ts).
 */

/** Word → vector, or undefined when the word has none. All vectors share one dimension. */
export type EmbeddingLookup = (word: string) => ArrayLike<number> | undefined;

/** The vectors of the words the lookup knows, in order; unknown words are skipped. */
export function embedTokens(tokens: readonly string[], lookup: EmbeddingLookup): ArrayLike<number>[] {
  const vectors: ArrayLike<number>[] = [];
  for (const token of tokens) {
    const vector = lookup(token);
    if (vector !== undefined) vectors.push(vector);
  }
  return vectors;
}

/** cos(a, b) = a·b / (‖a‖ ‖b‖); 0 when either vector is zero. */
export function cosineSimilarity(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new RangeError(`vector dimensions differ: ${a.length} vs ${b.length}`);
  let dot = 0;
  let normA = 0;
  let normB = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    normA += a[i] * a[i];
    normB += b[i] * b[i];
  }
  return normA === 0 || normB === 0 ? 0 : dot / Math.sqrt(normA * normB);
}

/** Mean of the vectors, per dimension (length-0 input gives a length-0 vector). */
export function meanVector(vectors: readonly ArrayLike<number>[]): Float64Array {
  const dim = vectors.length === 0 ? 0 : vectors[0].length;
  const result = new Float64Array(dim);
  for (const vector of vectors) for (let d = 0; d < dim; d++) result[d] += vector[d];
  for (let d = 0; d < dim; d++) result[d] /= vectors.length;
  return result;
}

/** Per dimension, the value of largest |v| over the vectors; on a tie +v wins over −v. */
export function extremaVector(vectors: readonly ArrayLike<number>[]): Float64Array {
  const dim = vectors.length === 0 ? 0 : vectors[0].length;
  const result = new Float64Array(dim);
  for (let d = 0; d < dim; d++) {
    let max = -Infinity;
    let min = Infinity;
    for (const vector of vectors) {
      if (vector[d] > max) max = vector[d];
      if (vector[d] < min) min = vector[d];
    }
    result[d] = max >= Math.abs(min) ? max : min;
  }
  return result;
}

/** Embedding average score: cos(mean(hyp vectors), mean(ref vectors)); 0 if either side has no known word. */
export function embeddingAverage(hypothesis: readonly string[], reference: readonly string[], lookup: EmbeddingLookup): number {
  const hyp = embedTokens(hypothesis, lookup);
  const ref = embedTokens(reference, lookup);
  if (hyp.length === 0 || ref.length === 0) return 0;
  return cosineSimilarity(meanVector(hyp), meanVector(ref));
}

/** Vector extrema score: cos(extrema(hyp vectors), extrema(ref vectors)); 0 if either side has no known word. */
export function embeddingExtrema(hypothesis: readonly string[], reference: readonly string[], lookup: EmbeddingLookup): number {
  const hyp = embedTokens(hypothesis, lookup);
  const ref = embedTokens(reference, lookup);
  if (hyp.length === 0 || ref.length === 0) return 0;
  return cosineSimilarity(extremaVector(hyp), extremaVector(ref));
}

/**
 * Greedy matching score: G = ½ · [ mean_{h∈hyp} max_{r∈ref} cos(h, r) + mean_{r∈ref} max_{h∈hyp} cos(r, h) ];
 * 0 if either side has no known word.
 */
export function greedyMatching(hypothesis: readonly string[], reference: readonly string[], lookup: EmbeddingLookup): number {
  const hyp = embedTokens(hypothesis, lookup);
  const ref = embedTokens(reference, lookup);
  if (hyp.length === 0 || ref.length === 0) return 0;
  const cos = hyp.map((h) => ref.map((r) => cosineSimilarity(h, r)));
  let hypToRef = 0;
  for (let i = 0; i < hyp.length; i++) hypToRef += Math.max(...cos[i]);
  let refToHyp = 0;
  for (let j = 0; j < ref.length; j++) {
    let best = -Infinity;
    for (let i = 0; i < hyp.length; i++) best = Math.max(best, cos[i][j]);
    refToHyp += best;
  }
  return (hypToRef / hyp.length + refToHyp / ref.length) / 2;
}
