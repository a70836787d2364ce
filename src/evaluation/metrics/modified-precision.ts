/**
 * BLEU's clipped ("modified") n-gram precision and brevity penalty, as in NLTK's
 * nltk/translate/bleu_score.py (Papineni et al. 2002, "BLEU: a method for automatic
 * evaluation of machine translation", ACL).
 */
import { countNgrams } from './ngrams';

/** An unreduced fraction: NLTK keeps `Fraction(..., _normalize=False)` because smoothing reads the raw counts. */
export interface ModifiedPrecision {
  readonly numerator: number;
  readonly denominator: number;
}

/**
 * p_n = Σ_g min(count_hyp(g), max_r count_r(g)) / max(1, Σ_g count_hyp(g)) over the
 * hypothesis n-grams g. The denominator is at least 1 so that a hypothesis shorter than n
 * gives 0/1 rather than 0/0.
 */
export function modifiedPrecision(references: readonly (readonly string[])[], hypothesis: readonly string[], n: number): ModifiedPrecision {
  const hypothesisCounts = countNgrams(hypothesis, n);
  const maxReferenceCounts = new Map<string, number>();
  for (const reference of references) {
    const referenceCounts = countNgrams(reference, n);
    for (const ngram of hypothesisCounts.keys()) {
      maxReferenceCounts.set(ngram, Math.max(maxReferenceCounts.get(ngram) ?? 0, referenceCounts.get(ngram) ?? 0));
    }
  }
  let numerator = 0;
  let total = 0;
  for (const [ngram, count] of hypothesisCounts) {
    numerator += Math.min(count, maxReferenceCounts.get(ngram) ?? 0);
    total += count;
  }
  return { numerator, denominator: Math.max(1, total) };
}

/** r: the reference length closest to the hypothesis length; ties go to the shorter reference. */
export function closestReferenceLength(references: readonly (readonly string[])[], hypothesisLength: number): number {
  if (references.length === 0) throw new RangeError('BLEU needs at least one reference');
  let best = references[0].length;
  for (const reference of references) {
    const length = reference.length;
    const distance = Math.abs(length - hypothesisLength);
    const bestDistance = Math.abs(best - hypothesisLength);
    if (distance < bestDistance || (distance === bestDistance && length < best)) best = length;
  }
  return best;
}

/** BP = 1 if c > r; 0 if c = 0; else exp(1 − r / c), with c the hypothesis length and r the closest reference length. */
export function brevityPenalty(closestRefLength: number, hypothesisLength: number): number {
  if (hypothesisLength > closestRefLength) return 1;
  if (hypothesisLength === 0) return 0;
  return Math.exp(1 - closestRefLength / hypothesisLength);
}
