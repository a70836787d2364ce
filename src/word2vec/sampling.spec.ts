import { buildUnigramTable, keepProbability } from './sampling';
import { buildVocabulary } from './vocabulary';

describe('keepProbability', () => {
  test('C word2vec formula (√(c/tT) + 1)·tT/c, capped at 1; t = 0 keeps everything', () => {
    // c = 1000, T = 10^5, t = 10^-3 → tT = 100: (√10 + 1) · 0.1
    expect(keepProbability(1000, 100_000, 1e-3)).toBeCloseTo((Math.sqrt(10) + 1) * 0.1, 12);
    expect(keepProbability(5, 100_000, 1e-3)).toBe(1);
    expect(keepProbability(1000, 100_000, 0)).toBe(1);
  });
});

describe('buildUnigramTable', () => {
  test('fills slots in proportion to count^0.75', () => {
    const table = buildUnigramTable([16, 1], 1000); // 16^0.75 = 8 → shares 8/9 and 1/9
    const zeros = table.filter((w) => w === 0).length;
    expect(Math.abs(zeros - 889)).toBeLessThanOrEqual(2);
    expect(table[table.length - 1]).toBe(1);
  });
});

describe('buildVocabulary', () => {
  test('keeps words with count ≥ minCount, most frequent first, ties alphabetical', () => {
    const vocabulary = buildVocabulary([['b', 'a', 'c'], ['a', 'b', 'd', 'a']], 2);
    expect(vocabulary.words).toEqual(['a', 'b']);
    expect(Array.from(vocabulary.counts)).toEqual([3, 2]);
    expect(vocabulary.totalCount).toBe(5);
    expect(buildVocabulary([['z', 'y']], 1).words).toEqual(['y', 'z']);
  });
});
