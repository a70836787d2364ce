import { applyTemperature, argmax, drawIndex, sampleToken, softmax, topKMask, topPMask } from './sampling';

const f32 = (xs: number[]) => Float32Array.from(xs);
const NEG = -Infinity;

describe('sampling', () => {
  test('argmax takes the first of equal maxima, like tf.argMax', () => {
    expect(argmax(f32([1, 3, 3, 2]))).toBe(1);
    expect(argmax(f32([9, 1, 3, 3, 2]), 1, 4)).toBe(1);
  });

  test('temperature divides the logits', () => {
    expect(Array.from(applyTemperature(f32([2, -4, 1]), 0.5))).toEqual([4, -8, 2]);
    expect(() => applyTemperature(f32([1]), 0)).toThrow(RangeError);
  });

  test.each([
    [1, [NEG, 5, NEG, NEG]],
    [2, [NEG, 5, 3, NEG]],
    [3, [1, 5, 3, 1]], // ties with the 3rd largest are kept
    [0, [1, 5, 3, 1]],
  ])('top-k %i', (k, expected) => {
    expect(Array.from(topKMask(f32([1, 5, 3, 1]), k))).toEqual(expected);
  });

  // probabilities ln(0.5), ln(0.3), ln(0.15), ln(0.05) as logits
  const logits = f32([0.5, 0.3, 0.15, 0.05].map(Math.log));
  test.each([
    [0.4, [0]], // 0.5 ≥ 0.4
    [0.5, [0]],
    [0.6, [0, 1]], // 0.5 < 0.6 ≤ 0.8
    [0.9, [0, 1, 2]],
    [1, [0, 1, 2, 3]],
  ])('top-p %f keeps the smallest head reaching p', (p, kept) => {
    const masked = topPMask(logits, p);
    expect([0, 1, 2, 3].filter((i) => masked[i] > NEG)).toEqual(kept);
  });

  test('softmax of masked logits gives them zero probability', () => {
    const p = softmax(f32([Math.log(1), Math.log(3), NEG]));
    expect(p[0]).toBeCloseTo(0.25, 6);
    expect(p[1]).toBeCloseTo(0.75, 6);
    expect(p[2]).toBe(0);
  });

  test('drawIndex inverts the cumulative distribution', () => {
    const p = [0.25, 0, 0.5, 0.25];
    expect([0, 0.2499, 0.25, 0.74, 0.75, 0.9999].map((u) => drawIndex(p, u))).toEqual([0, 0, 2, 2, 3, 3]);
  });

  test('sampleToken applies temperature, then top-k, then top-p', () => {
    const x = f32([0.5, 0.3, 0.15, 0.05].map(Math.log));
    // top-k 2 leaves 0.5 and 0.3 → renormalised 0.625 / 0.375
    expect(sampleToken(x, { temperature: 1, topK: 2, topP: 1 }, 0.62)).toBe(0);
    expect(sampleToken(x, { temperature: 1, topK: 2, topP: 1 }, 0.63)).toBe(1);
    // a very low temperature concentrates on the argmax
    expect(sampleToken(x, { temperature: 0.01, topK: 0, topP: 1 }, 0.999)).toBe(0);
  });
});
