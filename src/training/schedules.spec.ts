import { clipScale } from './train-step';
import { klWeight, learningRate } from './schedules';

describe('klWeight', () => {
  test.each([
    [0, 0],
    [2500, 0.5],
    [5000, 1],
    [9000, 1],
  ])('linear over 5000 steps at step %i is %f', (step, w) => {
    expect(klWeight(step, { kind: 'linear', steps: 5000 })).toBeCloseTo(w);
  });

  test.each([
    [0, 0],
    [250, 0.5],
    [500, 1],
    [999, 1],
    [1000, 0], // second cycle starts again from 0
    [1250, 0.5],
    [4000, 1], // after the last cycle it stays at 1
  ])('cyclical (4 cycles over 4000 steps, rising half of each) at step %i is %f', (step, w) => {
    expect(klWeight(step, { kind: 'cyclical', steps: 4000, cycles: 4, ratio: 0.5 })).toBeCloseTo(w);
  });
});

describe('learningRate', () => {
  it('warms up linearly, then holds the peak', () => {
    const s = { peak: 1e-3, warmupSteps: 10, decay: 1, decaySteps: 1 };
    expect(learningRate(0, s)).toBeCloseTo(1e-4);
    expect(learningRate(9, s)).toBeCloseTo(1e-3);
    expect(learningRate(500, s)).toBeCloseTo(1e-3);
  });
});

describe('clipScale', () => {
  it('scales a norm above the limit down to it, and leaves a smaller one alone', () => {
    expect(clipScale(4, 1)).toBeCloseTo(0.25);
    expect(clipScale(0.5, 1)).toBe(1);
  });
});
