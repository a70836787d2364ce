/**
 * A small seeded pseudo-random generator (mulberry32), so that bootstrap intervals,
 * Monte Carlo estimates and word2vec training repeat exactly for a given seed.
 * Not cryptographic; period 2^32, which is ample for resampling and SGD noise.
 */
// Bound once: inside jest's vm sandbox every lookup of the global `Math` goes through an
// interceptor and made the hot loops ~30× slower than under plain node.
const { imul, sqrt, log, cos, PI } = Math;

export class SeededRandom {
  private state: number;

  constructor(seed: number) {
    if (!Number.isFinite(seed)) throw new RangeError(`seed must be a finite number, got ${seed}`);
    this.state = Math.trunc(seed) >>> 0;
  }

  /** Next unsigned 32-bit integer. */
  nextUint32(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = imul(t ^ (t >>> 15), t | 1);
    t ^= t + imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** Uniform float in [0, 1). */
  nextFloat(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Uniform integer in [0, maxExclusive); maxExclusive must be in [1, 2^32]. */
  nextInt(maxExclusive: number): number {
    return (this.nextFloat() * maxExclusive) >>> 0; // truncation = floor for values in [0, 2^32)
  }

  /** Standard normal draw (Box–Muller, one value per call). */
  nextGaussian(): number {
    const u = 1 - this.nextFloat(); // (0, 1]: log(u) is finite
    const v = this.nextFloat();
    return sqrt(-2 * log(u)) * cos(2 * PI * v);
  }
}

/** Fisher–Yates shuffle of `items` in place (returned for chaining). */
export function shuffle<T>(items: T[], rng: SeededRandom): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = rng.nextInt(i + 1);
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}
