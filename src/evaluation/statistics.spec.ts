import { logSumExp, mean, normalQuantile, quantileOfSorted } from './statistics';

describe('statistics helpers', () => {
  test('mean, with 0 for an empty list', () => {
    expect(mean([1, 2, 6])).toBe(3);
    expect(mean([])).toBe(0);
  });

  test('quantiles interpolate like numpy\'s default', () => {
    // np.quantile([1, 2, 3, 4], [0, 0.25, 0.5, 0.975, 1]) → 1, 1.75, 2.5, 3.925, 4
    const sorted = [1, 2, 3, 4];
    expect([0, 0.25, 0.5, 0.975, 1].map((q) => quantileOfSorted(sorted, q))).toEqual([1, 1.75, 2.5, expect.closeTo(3.925, 12), 4]);
    expect(() => quantileOfSorted([], 0.5)).toThrow(RangeError);
  });

  test.each([
    [0.975, 1.959963984540054],
    [0.5, 0],
    [0.995, 2.5758293035489],
    [0.001, -3.090232306167813],
  ])('normalQuantile(%f) = %f', (p, z) => {
    expect(normalQuantile(p)).toBeCloseTo(z, 7);
  });

  test('logSumExp is stable for large values', () => {
    expect(logSumExp([1000, 1000])).toBeCloseTo(1000 + Math.log(2), 12);
    expect(logSumExp([])).toBe(-Infinity);
  });
});
