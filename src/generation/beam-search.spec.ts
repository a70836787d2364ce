import { gnmtLengthPenalty, logSoftmaxRow, topCandidates } from './beam-search';

describe('beam search arithmetic', () => {
  test('GNMT length penalty ((5 + length) / 6)^α', () => {
    expect(gnmtLengthPenalty(1, 0.6)).toBe(1);
    expect(gnmtLengthPenalty(7, 1)).toBe(2);
    expect(gnmtLengthPenalty(13, 0.5)).toBeCloseTo(Math.sqrt(3), 12);
    expect(gnmtLengthPenalty(40, 0)).toBe(1);
  });

  test('log softmax of a row slice', () => {
    const row = logSoftmaxRow(Float32Array.from([9, 0, Math.log(3), 9]), 1, 2);
    expect(row[0]).toBeCloseTo(Math.log(0.25), 6);
    expect(row[1]).toBeCloseTo(Math.log(0.75), 6);
  });

  test('top candidates over all beams, best first; ties go to the lower beam then the lower id', () => {
    const beams = [
      { ids: [4], logProb: -1 },
      { ids: [5], logProb: -2 },
    ];
    const logProbs = [Float64Array.from([-0.5, -3, -1]), Float64Array.from([0, -1, -0.5])];
    // totals: beam 0 → -1.5, -4, -2; beam 1 → -2, -3, -2.5
    expect(topCandidates(beams, logProbs, 4)).toEqual([
      { parent: 0, token: 0, logProb: -1.5 },
      { parent: 0, token: 2, logProb: -2 },
      { parent: 1, token: 0, logProb: -2 },
      { parent: 1, token: 2, logProb: -2.5 },
    ]);
  });
});
