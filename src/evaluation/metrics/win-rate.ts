/**
 * Win rate of model A over model B from pairwise preferences (compare mode), with the
 * Wilson score interval (Wilson 1927; Brown, Cai & DasGupta 2001, "Interval Estimation for a
 * Binomial Proportion", Statistical Science).
 */
import { normalQuantile } from '../statistics';

export type Preference = 'a' | 'b' | 'tie';

export interface WinRateOptions {
  /** Two-sided confidence level (default 0.95). */
  readonly confidence?: number;
  /**
   * `'half'` (default): a tie counts as half a win and half a loss, n = all judgements;
   * `'exclude'`: ties are dropped, n = decisive judgements only.
   */
  readonly ties?: 'half' | 'exclude';
}

export interface WinRateResult {
  readonly wins: number;
  readonly losses: number;
  readonly ties: number;
  /** The n used for the rate and interval. */
  readonly n: number;
  /** p̂ = (wins [+ ties/2]) / n; 0.5 when n = 0. */
  readonly rate: number;
  readonly low: number;
  readonly high: number;
}

/**
 * Wilson interval: (p̂ + z²/2n ± z·√(p̂(1−p̂)/n + z²/4n²)) / (1 + z²/n), z = Φ⁻¹(1 − α/2).
 * With no judgements the rate is 0.5 and the interval [0, 1]. Counting ties as half-wins
 * makes the binomial interval slightly conservative.
 */
export function winRate(preferences: readonly Preference[], options: WinRateOptions = {}): WinRateResult {
  const confidence = options.confidence ?? 0.95;
  if (!(confidence > 0 && confidence < 1)) throw new RangeError(`confidence must be in (0, 1), got ${confidence}`);
  const wins = preferences.filter((p) => p === 'a').length;
  const losses = preferences.filter((p) => p === 'b').length;
  const ties = preferences.length - wins - losses;
  const halfTies = (options.ties ?? 'half') === 'half';
  const n = halfTies ? preferences.length : wins + losses;
  if (n === 0) return { wins, losses, ties, n, rate: 0.5, low: 0, high: 1 };
  const rate = (wins + (halfTies ? ties / 2 : 0)) / n;
  const { low, high } = wilsonInterval(rate, n, confidence);
  return { wins, losses, ties, n, rate, low, high };
}

/** Wilson score interval for a proportion p̂ observed over n trials. */
export function wilsonInterval(rate: number, n: number, confidence = 0.95): { low: number; high: number } {
  const z = normalQuantile(1 - (1 - confidence) / 2);
  const z2 = z * z;
  const denominator = 1 + z2 / n;
  const centre = (rate + z2 / (2 * n)) / denominator;
  const halfWidth = (z * Math.sqrt((rate * (1 - rate)) / n + z2 / (4 * n * n))) / denominator;
  return { low: Math.max(0, centre - halfWidth), high: Math.min(1, centre + halfWidth) };
}
