/**
 * Sentence BLEU exactly as NLTK's `sentence_bleu(references, hypothesis, weights,
 * smoothing_function)` (nltk/translate/bleu_score.py), i.e. `corpus_bleu` over one pair:
 * clipped n-gram precisions, closest-reference brevity penalty, optional Chen & Cherry
 * smoothing, then BP · exp(Σ w_n · ln p_n) over the orders with p_n > 0.
 *
 * The DialogWAE / Zhao et al. (2017) protocol is `weights = (1/3, 1/3, 1/3)` with
 * `SmoothingFunction().method7`: see {@link DIALOGWAE_BLEU}.
 */
import { BleuUndefinedError, smoothPrecisions, type BleuSmoothing, type Method4Variant } from './bleu-smoothing';
import { brevityPenalty, closestReferenceLength, modifiedPrecision } from './modified-precision';

export interface SentenceBleuOptions {
  /** Weight of each n-gram order, from unigrams up; NLTK's default is four times 0.25. */
  readonly weights?: readonly number[];
  /** NLTK's SmoothingFunction method; default `'method0'` (none), as NLTK. */
  readonly smoothing?: BleuSmoothing;
  /** ε of method1 (default 0.1) and K of method4 (default 5), NLTK's defaults. */
  readonly epsilon?: number;
  readonly k?: number;
  /** Which NLTK release's method4 formula to use; default the current one. */
  readonly method4Variant?: Method4Variant;
}

/** Weights and smoothing of DialogWAE's `sim_bleu` (Gu et al. 2019, after Zhao et al. 2017). */
export const DIALOGWAE_BLEU: SentenceBleuOptions = Object.freeze({
  weights: Object.freeze([1 / 3, 1 / 3, 1 / 3]),
  smoothing: 'method7',
});

/**
 * BLEU of one hypothesis against its references (token lists):
 * BLEU = BP(r, c) · exp(Σ_n w_n · ln p̃_n), summed over orders with p̃_n > 0, where p̃ are the
 * smoothed clipped precisions.
 *
 * Edge cases, as NLTK: returns 0 when no unigram matches (so an empty hypothesis scores 0);
 * orders longer than the hypothesis have precision 0/1 and are left to the smoothing;
 * `hyp_len` passed to the smoothing is the hypothesis length. Where NLTK raises
 * (legacy method4 on a one-token hypothesis) this returns 0, which is what DialogWAE's
 * `sim_bleu` records for any exception.
 *
 * @throws RangeError when `references` is empty (NLTK: `min()` of an empty sequence).
 */
export function sentenceBleu(references: readonly (readonly string[])[], hypothesis: readonly string[], options: SentenceBleuOptions = {}): number {
  const weights = options.weights ?? [0.25, 0.25, 0.25, 0.25];
  if (weights.length === 0) throw new RangeError('BLEU needs at least one n-gram weight');
  const closestRefLength = closestReferenceLength(references, hypothesis.length);
  const precisions = weights.map((_, i) => modifiedPrecision(references, hypothesis, i + 1));
  if (precisions[0].numerator === 0) return 0;

  const bp = brevityPenalty(closestRefLength, hypothesis.length);
  let smoothed: number[];
  try {
    smoothed = smoothPrecisions(
      options.smoothing ?? 'method0',
      { precisions, fiveGramPrecision: modifiedPrecision(references, hypothesis, 5), hypothesisLength: hypothesis.length },
      { epsilon: options.epsilon ?? 0.1, k: options.k ?? 5, method4Variant: options.method4Variant ?? 'nltk>=3.6' },
    );
  } catch (error) {
    if (error instanceof BleuUndefinedError) return 0;
    throw error;
  }
  let logSum = 0;
  for (let i = 0; i < weights.length; i++) if (smoothed[i] > 0) logSum += weights[i] * Math.log(smoothed[i]);
  return bp * Math.exp(logSum);
}
