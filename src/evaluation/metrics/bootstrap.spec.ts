import { SeededRandom } from '../../common/random';
import { pairedBootstrap, pairedBootstrapStatistic } from './bootstrap';

const noisyScores = (n: number, seed: number, offset: number): number[] => {
  const random = new SeededRandom(seed);
  return Array.from({ length: n }, () => offset + random.nextGaussian());
};

describe('pairedBootstrap', () => {
  test('identical inputs give diff 0 and the interval [0, 0], which does not exclude 0', () => {
    const scores = noisyScores(50, 1, 0);
    expect(pairedBootstrap(scores, scores, { resamples: 500 })).toEqual({ diff: 0, low: 0, high: 0, excludesZero: false });
  });

  test('a constant shift c gives exactly [c, c]', () => {
    const b = noisyScores(40, 2, 0);
    const a = b.map((x) => x + 0.25);
    const result = pairedBootstrap(a, b, { resamples: 500 });
    expect(result.diff).toBeCloseTo(0.25, 12);
    expect(result.low).toBeCloseTo(0.25, 12);
    expect(result.high).toBeCloseTo(0.25, 12);
    expect(result.excludesZero).toBe(true);
  });

  test('an obvious difference excludes 0, in both directions', () => {
    const a = noisyScores(200, 3, 1);
    const b = noisyScores(200, 4, 0);
    const better = pairedBootstrap(a, b, { resamples: 2000 });
    expect(better.low).toBeGreaterThan(0);
    expect(better.excludesZero).toBe(true);
    const worse = pairedBootstrap(b, a, { resamples: 2000 });
    expect(worse.high).toBeLessThan(0);
    expect(worse.excludesZero).toBe(true);
  });

  test('pure noise does not exclude 0, and the width matches the normal approximation ±1.96·sd/√n', () => {
    const a = noisyScores(200, 5, 0);
    const b = noisyScores(200, 6, 0);
    const result = pairedBootstrap(a, b, { resamples: 4000 });
    const d = a.map((x, i) => x - b[i]);
    const m = d.reduce((s, x) => s + x, 0) / d.length;
    const sd = Math.sqrt(d.reduce((s, x) => s + (x - m) ** 2, 0) / (d.length - 1));
    const halfWidth = (1.96 * sd) / Math.sqrt(d.length);
    expect(result.excludesZero).toBe(false);
    expect((result.high - result.low) / 2).toBeGreaterThan(0.85 * halfWidth);
    expect((result.high - result.low) / 2).toBeLessThan(1.15 * halfWidth);
  });

  test('repeats for a seed and moves with another seed', () => {
    const a = noisyScores(30, 7, 0.1);
    const b = noisyScores(30, 8, 0);
    expect(pairedBootstrap(a, b, { seed: 9, resamples: 300 })).toEqual(pairedBootstrap(a, b, { seed: 9, resamples: 300 }));
    expect(pairedBootstrap(a, b, { seed: 9, resamples: 300 }).low).not.toBe(pairedBootstrap(a, b, { seed: 10, resamples: 300 }).low);
  });

  test('rejects unpaired or empty inputs and bad options', () => {
    expect(() => pairedBootstrap([1, 2], [1])).toThrow(RangeError);
    expect(() => pairedBootstrap([], [])).toThrow(RangeError);
    expect(() => pairedBootstrap([1], [1], { confidence: 1 })).toThrow(RangeError);
    expect(() => pairedBootstrap([1], [1], { resamples: 0 })).toThrow(RangeError);
  });
});

describe('pairedBootstrapStatistic', () => {
  test('for a mean difference it draws the same resamples as pairedBootstrap', () => {
    const a = noisyScores(30, 5, 0.5);
    const b = noisyScores(30, 6, 0);
    const meanDiff = (indices: Int32Array) => {
      let sum = 0;
      for (const i of indices) sum += a[i] - b[i];
      return sum / indices.length;
    };
    const plain = pairedBootstrap(a, b, { resamples: 300, seed: 9 });
    const general = pairedBootstrapStatistic(a.length, meanDiff, { resamples: 300, seed: 9 });
    expect(general.diff).toBeCloseTo(plain.diff, 12);
    expect(general.low).toBeCloseTo(plain.low, 12);
    expect(general.high).toBeCloseTo(plain.high, 12);
  });
});
