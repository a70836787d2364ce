import { activeUnits } from './active-units';

describe('activeUnits', () => {
  test('counts dimensions whose posterior-mean sample variance exceeds 0.01', () => {
    const means = [
      [0, 1.0, 5.0],
      [0, 1.2, 5.0],
      [0, 0.8, 5.1],
    ];
    const result = activeUnits(means);
    expect(result.count).toBe(1);
    expect(result.activeDimensions).toEqual([1]);
    expect(result.variances[0]).toBe(0);
    expect(result.variances[1]).toBeCloseTo(0.04, 12); // (0 + 0.04 + 0.04) / (3 − 1)
    expect(result.variances[2]).toBeCloseTo(0.01 / 3, 12);
  });

  test('the threshold is strict and adjustable; fewer than two points are never active', () => {
    expect(activeUnits([[0], [0.25]], 0.03125).count).toBe(0); // variance exactly 2 · 0.125² / 1
    expect(activeUnits([[0], [0.25]], 0.03).count).toBe(1);
    expect(activeUnits([[3, 4]]).count).toBe(0);
    expect(activeUnits([]).count).toBe(0);
  });
});
