import { winRate, wilsonInterval, type Preference } from './win-rate';

const preferences = (a: number, b: number, tie: number): Preference[] => [
  ...Array<Preference>(a).fill('a'),
  ...Array<Preference>(b).fill('b'),
  ...Array<Preference>(tie).fill('tie'),
];

describe('wilsonInterval', () => {
  test.each([
    // [p̂, n, low, high] — textbook values at 95 % (z = 1.959964)
    [0.8, 10, 0.4902, 0.9433],
    [0, 10, 0, 0.2775],
    [0.5, 100, 0.4038, 0.5962],
  ])('p̂ = %f, n = %i → [%f, %f]', (rate, n, low, high) => {
    const interval = wilsonInterval(rate, n);
    expect(interval.low).toBeCloseTo(low, 4);
    expect(interval.high).toBeCloseTo(high, 4);
  });
});

describe('winRate', () => {
  test('counts ties as half a win by default', () => {
    const result = winRate(preferences(6, 2, 2));
    expect(result).toMatchObject({ wins: 6, losses: 2, ties: 2, n: 10, rate: 0.7 });
    expect(result.low).toBeLessThan(0.7);
    expect(result.high).toBeGreaterThan(0.7);
  });

  test('can drop ties', () => {
    const result = winRate(preferences(8, 2, 5), { ties: 'exclude' });
    expect(result).toMatchObject({ n: 10, rate: 0.8 });
    expect(result.low).toBeCloseTo(0.4902, 4);
  });

  test('a clear preference has an interval above ½; no judgements give ½ in [0, 1]', () => {
    expect(winRate(preferences(90, 10, 0)).low).toBeGreaterThan(0.5);
    expect(winRate([])).toEqual({ wins: 0, losses: 0, ties: 0, n: 0, rate: 0.5, low: 0, high: 1 });
  });
});
