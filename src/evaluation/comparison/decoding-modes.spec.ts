import { decodesPerContext, plannedDecodings } from './decoding-modes';

describe(decodesPerContext.name, () => {
  // Counted by hand from decoding-modes.ts, N = 10 samples, temperatures 0.5, 1, 1.5:
  // VHRED: sample, greedy-z, sample-mean-z, T 0.5, T 1.5 → 5 × 10 (T 1 is `sample`), greedy (z = mean) → 1, beam → 1.
  // HRED: sample, T 0.5, T 1.5 → 3 × 10; greedy-z = greedy (no z) → 1; sample-mean-z = sample; beam → 1.
  test.each([
    ['vhred', 10, [0.5, 1, 1.5], 52],
    ['hred', 10, [0.5, 1, 1.5], 32],
    ['seq2seq', 10, [0.5, 1, 1.5], 32],
    ['vhred', 2, [1], 8],
    ['hred', 2, [1], 4],
  ] as const)('%s, %i samples, temperatures %j: %i decodes per context', (kind, samples, temperatures, expected) => {
    expect(decodesPerContext(kind, samples, temperatures)).toBe(expected);
  });

  it('lists each distinct decoding once, in the order the comparison decodes them', () => {
    expect([...plannedDecodings('hred', 3, [1, 2]).values()].map((p) => p.replies)).toEqual([3, 1, 3]);
  });
});
