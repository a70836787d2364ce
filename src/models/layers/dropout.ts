import * as tf from '@tensorflow/tfjs';

/**
 * Inverted dropout for training: each call zeroes a fresh random `rate` of x's entries and scales the rest by
 * 1 / (1 − rate), so the expected value is unchanged and inference needs no rescaling. Each call draws from its
 * own seed (seed, seed + 1, …), so a step is repeatable from the step's seed.
 */
export type Dropout = <T extends tf.Tensor>(x: T) => T;

/** The identity: what inference (and a rate of 0) applies. */
export const noDropout: Dropout = (x) => x;

export function dropoutOf(rate: number, seed: number): Dropout {
  if (!(rate >= 0 && rate < 1)) throw new RangeError(`dropout rate must be in [0, 1), got ${rate}`);
  if (rate === 0) return noDropout;
  let next = seed;
  return <T extends tf.Tensor>(x: T) => tf.dropout(x, rate, undefined, next++) as T;
}
