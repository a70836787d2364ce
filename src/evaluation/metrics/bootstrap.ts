/**
 * Paired bootstrap confidence interval for the difference of two models' mean scores over
 * the same test contexts (Efron & Tibshirani 1993; Koehn 2004, "Statistical Significance
 * Tests for Machine Translation Evaluation", EMNLP, for its use in NLP).
 */
import { SeededRandom } from '../../common/random';
import { mean, quantileOfSorted } from '../statistics';

export interface PairedBootstrapOptions {
  /** Number of resamples B (default 10,000). */
  readonly resamples?: number;
  /** Two-sided confidence level (default 0.95). */
  readonly confidence?: number;
  /** RNG seed, so the interval repeats (default 12345). */
  readonly seed?: number;
}

export interface PairedBootstrapResult {
  /** mean(a) − mean(b) on the full test set. */
  readonly diff: number;
  /** Percentile interval bounds of the resampled differences. */
  readonly low: number;
  readonly high: number;
  /** True when the interval lies strictly on one side of 0 (low > 0 or high < 0). */
  readonly excludesZero: boolean;
}

/**
 * Resamples context indices with replacement B times; each resample gives
 * Δ* = mean_{i∈sample}(a_i − b_i). The interval is the [α/2, 1 − α/2] percentile range of the Δ*
 * (α = 1 − confidence, linear interpolation between order statistics).
 * `a[i]` and `b[i]` must score the same context i.
 */
export function pairedBootstrap(a: readonly number[], b: readonly number[], options: PairedBootstrapOptions = {}): PairedBootstrapResult {
  if (a.length !== b.length) throw new RangeError(`paired scores need equal lengths, got ${a.length} and ${b.length}`);
  if (a.length === 0) throw new RangeError('paired bootstrap needs at least one context');
  const resamples = options.resamples ?? 10_000;
  const confidence = options.confidence ?? 0.95;
  if (!(confidence > 0 && confidence < 1)) throw new RangeError(`confidence must be in (0, 1), got ${confidence}`);
  if (!Number.isInteger(resamples) || resamples < 1) throw new RangeError(`resamples must be a positive integer, got ${resamples}`);

  const n = a.length;
  const differences = new Float64Array(n);
  for (let i = 0; i < n; i++) differences[i] = a[i] - b[i];
  const random = new SeededRandom(options.seed ?? 12345);
  const resampled = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) {
    let sum = 0;
    for (let j = 0; j < n; j++) sum += differences[random.nextInt(n)];
    resampled[r] = sum / n;
  }
  resampled.sort();
  const alpha = 1 - confidence;
  const low = quantileOfSorted(resampled, alpha / 2);
  const high = quantileOfSorted(resampled, 1 - alpha / 2);
  return { diff: mean(differences), low, high, excludesZero: low > 0 || high < 0 };
}

/**
 * The same paired bootstrap for a difference that is not a mean of per-item scores (an F1 of two
 * means, a corpus distinct-n, a perplexity): `difference(indices)` computes A − B on the items
 * `indices` (with repeats). Resamples are drawn exactly as pairedBootstrap draws them, so for a mean
 * difference both give the same interval. `diff` is `difference` on all n items.
 */
export function pairedBootstrapStatistic(
  n: number,
  difference: (indices: Int32Array) => number,
  options: PairedBootstrapOptions = {},
): PairedBootstrapResult {
  if (!Number.isInteger(n) || n < 1) throw new RangeError('paired bootstrap needs at least one item');
  const resamples = options.resamples ?? 10_000;
  const confidence = options.confidence ?? 0.95;
  if (!(confidence > 0 && confidence < 1)) throw new RangeError(`confidence must be in (0, 1), got ${confidence}`);
  if (!Number.isInteger(resamples) || resamples < 1) throw new RangeError(`resamples must be a positive integer, got ${resamples}`);
  const random = new SeededRandom(options.seed ?? 12345);
  const indices = new Int32Array(n);
  const resampled = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) {
    for (let j = 0; j < n; j++) indices[j] = random.nextInt(n);
    resampled[r] = difference(indices);
  }
  resampled.sort();
  const alpha = 1 - confidence;
  const low = quantileOfSorted(resampled, alpha / 2);
  const high = quantileOfSorted(resampled, 1 - alpha / 2);
  const all = Int32Array.from({ length: n }, (_, i) => i);
  return { diff: difference(all), low, high, excludesZero: low > 0 || high < 0 };
}
