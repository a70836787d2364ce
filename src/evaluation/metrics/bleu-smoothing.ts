/**
 * Chen & Cherry (2014) smoothing for sentence BLEU, mirroring NLTK's `SmoothingFunction`
 * (nltk/translate/bleu_score.py) step for step, quirks included. Each method receives the
 * raw clipped precisions p_n (numerator/denominator pairs, order 1..N) and returns the
 * smoothed precisions as numbers.
 *
 * B. Chen, C. Cherry. "A Systematic Comparison of Smoothing Techniques for Sentence-Level
 * BLEU". WMT 2014.
 */
import { AppError } from '../../common/errors';
import type { ModifiedPrecision } from './modified-precision';

/**
 * `method0` none; `method1` ε for zero counts; `method4` ln-length scaled counts;
 * `method5` average of neighbouring orders; `method7` = method4 then method5.
 */
export type BleuSmoothing = 'method0' | 'method1' | 'method4' | 'method5' | 'method7';

/**
 * NLTK has shipped three formulas for method4:
 * - `'nltk>=3.6'` (current, and the default): p_n = ln(L) / (2^k_i · K) / denominator, when L > 1,
 *   where k_i counts the zero-match orders seen so far (1, 2, …);
 * - `'nltk3.2-3.4'` (2017–2019, what DialogWAE-era code ran): p_n = 1 / (i + K / ln L) with the
 *   0-based order index i, when L ≠ 0 — an operator-precedence slip (nltk issue #2341).
 *   For L = 1 it divides by ln 1 = 0 and NLTK raises ZeroDivisionError;
 * - NLTK 3.5 used (i + K / ln L) / denominator, which is not offered here.
 */
export type Method4Variant = 'nltk>=3.6' | 'nltk3.2-3.4';

export interface SmoothingInput {
  readonly precisions: readonly ModifiedPrecision[];
  /** The clipped 5-gram precision: NLTK's method5 appends it whatever the number of weights. */
  readonly fiveGramPrecision: ModifiedPrecision;
  /** L, the hypothesis length (NLTK's `hyp_len`). */
  readonly hypothesisLength: number;
}

export interface SmoothingParameters {
  /** ε of method1 (NLTK default 0.1). */
  readonly epsilon: number;
  /** K of method4 (NLTK default 5). */
  readonly k: number;
  readonly method4Variant: Method4Variant;
}

/** Thrown where NLTK itself raises (ZeroDivisionError in the legacy method4 for L = 1). */
export class BleuUndefinedError extends AppError<'BLEU_UNDEFINED'> {
  constructor(message: string) {
    super('BLEU_UNDEFINED', message);
  }
}

/** Python's `sys.float_info.min`, which NLTK's method0 substitutes for a zero precision. */
const PYTHON_FLOAT_MIN = 2.2250738585072014e-308;

const value = (p: ModifiedPrecision): number => p.numerator / p.denominator;

/** Applies one smoothing method and returns the smoothed precisions (order 1..N). */
export function smoothPrecisions(method: BleuSmoothing, input: SmoothingInput, params: SmoothingParameters): number[] {
  switch (method) {
    case 'method0':
      return input.precisions.map((p) => (p.numerator !== 0 ? value(p) : PYTHON_FLOAT_MIN));
    case 'method1':
      return input.precisions.map((p) => (p.numerator === 0 ? (p.numerator + params.epsilon) / p.denominator : value(p)));
    case 'method4':
      return method4(input, params);
    case 'method5':
      return method5(input.precisions.map(value), input.fiveGramPrecision);
    case 'method7':
      return method5(method4(input, params), input.fiveGramPrecision);
  }
}

/**
 * Method 4: a zero-match order gets a count shrinking with ln(L), so short hypotheses are
 * not flattered by their small denominators. Non-zero orders are left as they are.
 */
function method4(input: SmoothingInput, params: SmoothingParameters): number[] {
  const L = input.hypothesisLength;
  let zeroOrdersSeen = 1;
  return input.precisions.map((p, i) => {
    if (p.numerator !== 0) return value(p);
    if (params.method4Variant === 'nltk3.2-3.4') {
      if (L === 0) return 0;
      if (L === 1) throw new BleuUndefinedError('legacy NLTK method4 divides by ln(1) = 0 for a one-token hypothesis');
      return 1 / (i + params.k / Math.log(L));
    }
    if (L <= 1) return 0;
    const smoothed = 1 / ((2 ** zeroOrdersSeen * params.k) / Math.log(L)) / p.denominator;
    zeroOrdersSeen++;
    return smoothed;
  });
}

/**
 * Method 5: each order becomes the mean of (previous smoothed order, itself, next raw order),
 * with m₀ = p₁ + 1 before the first order. As in NLTK the "next" of the last order is always
 * the clipped 5-gram precision, so BLEU-3 (DialogWAE) averages p₃ with p₅, not p₄.
 */
function method5(precisions: readonly number[], fiveGram: ModifiedPrecision): number[] {
  const next = [...precisions, value(fiveGram)];
  const smoothed: number[] = [];
  let previous = precisions[0] + 1;
  for (let i = 0; i < precisions.length; i++) {
    previous = (previous + precisions[i] + next[i + 1]) / 3;
    smoothed.push(previous);
  }
  return smoothed;
}
