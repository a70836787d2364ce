import { gaussianKl, gaussianKlPerDimension, gaussianLogDensity, meanKlPerDimension, mutualInformation } from './latent';

const standard = (dim: number) => ({ mean: new Array(dim).fill(0), logVariance: new Array(dim).fill(0) });

describe('Gaussian KL', () => {
  test.each([
    // [μq, log σ²q, μp, log σ²p, KL]
    [0, 0, 0, 0, 0],
    [1, 0, 0, 0, 0.5],
    [0, -1, 0, 0, 0.5 * Math.exp(-1)],
    [0, 0, 0, 2, 0.5 * (2 + Math.exp(-2) - 1)],
    [2, 1, 1, 1, 0.5 / Math.E],
  ])('KL(N(%f, e^%f) ‖ N(%f, e^%f)) = %f', (mq, lq, mp, lp, expected) => {
    expect(gaussianKlPerDimension({ mean: [mq], logVariance: [lq] }, { mean: [mp], logVariance: [lp] })[0]).toBeCloseTo(expected, 14);
  });

  test('per reply sums the dimensions; the per-dimension mean is taken over replies', () => {
    const q = { mean: [1, 0], logVariance: [0, -1] };
    expect(gaussianKl(q, standard(2))).toBeCloseTo(0.5 + 0.5 * Math.exp(-1), 14);
    const perDim = meanKlPerDimension([q, standard(2)], [standard(2), standard(2)]);
    expect(perDim[0]).toBeCloseTo(0.25, 14);
    expect(perDim[1]).toBeCloseTo(0.25 * Math.exp(-1), 14);
    expect(meanKlPerDimension([], [])).toEqual([]);
  });

  test('rejects mismatched dimensions', () => {
    expect(() => gaussianKl({ mean: [0], logVariance: [0] }, standard(2))).toThrow(RangeError);
  });
});

describe('mutualInformation', () => {
  test('log density of the standard normal at 0 is −½ d log 2π', () => {
    expect(gaussianLogDensity([0, 0], standard(2))).toBeCloseTo(-Math.log(2 * Math.PI), 14);
  });

  test('is about 0 when every posterior is the same (the code ignores the input)', () => {
    const posteriors = Array.from({ length: 300 }, () => standard(2));
    expect(Math.abs(mutualInformation(posteriors, 1))).toBeLessThan(0.15);
  });

  test('is about log N when the posteriors are far apart (the code identifies the input)', () => {
    // Each term is log N − H − log q(z_i | x_i): log N plus zero-mean noise of sd √(d/2), so ±0.05 here.
    const posteriors = Array.from({ length: 200 }, (_, i) => ({ mean: [100 * i], logVariance: [0] }));
    expect(Math.abs(mutualInformation(posteriors, 2) - Math.log(200))).toBeLessThan(0.15);
  });

  test('repeats for a seed', () => {
    const posteriors = Array.from({ length: 20 }, (_, i) => ({ mean: [i / 10], logVariance: [-1] }));
    expect(mutualInformation(posteriors, 3)).toBe(mutualInformation(posteriors, 3));
  });
});
