import {
  cosineSimilarity,
  embeddingAverage,
  embeddingExtrema,
  extremaVector,
  greedyMatching,
  meanVector,
  type EmbeddingLookup,
} from './embedding';

const table: Record<string, number[]> = {
  hi: [1, 0],
  hello: [0.8, 0.6],
  bye: [0, 1],
  no: [-1, 0],
  big: [3, -4],
};
const lookup: EmbeddingLookup = (word) => table[word];
const words = (text: string): string[] => (text === '' ? [] : text.split(' '));

describe('vector helpers', () => {
  test('cosine of known pairs, and 0 against a zero vector', () => {
    expect(cosineSimilarity([1, 0], [0.8, 0.6])).toBeCloseTo(0.8, 15);
    expect(cosineSimilarity([1, 0], [-2, 0])).toBeCloseTo(-1, 15);
    expect(cosineSimilarity([0, 0], [1, 1])).toBe(0);
    expect(() => cosineSimilarity([1], [1, 2])).toThrow(RangeError);
  });

  test('mean and extrema per dimension; extrema prefers +v on |v| ties', () => {
    expect(Array.from(meanVector([[1, 0], [0, 1]]))).toEqual([0.5, 0.5]);
    expect(Array.from(extremaVector([[1, -3], [-2, 2]]))).toEqual([-2, -3]);
    expect(Array.from(extremaVector([[2, 0], [-2, 0]]))).toEqual([2, 0]);
  });
});

describe('embeddingAverage', () => {
  test('cosine of the mean vectors', () => {
    // mean(hi, bye) = (0.5, 0.5); reference hello = (0.8, 0.6) → (0.4 + 0.3) / (√0.5 · 1)
    expect(embeddingAverage(words('hi bye'), words('hello'), lookup)).toBeCloseTo(0.7 / Math.sqrt(0.5), 12);
  });

  test('identical replies score 1', () => {
    expect(embeddingAverage(words('hi bye big'), words('hi bye big'), lookup)).toBeCloseTo(1, 12);
  });

  test('out-of-vocabulary words are skipped', () => {
    expect(embeddingAverage(words('hi zzz'), words('qqq hello'), lookup)).toBeCloseTo(0.8, 12);
  });

  test('an empty or all-OOV side scores 0', () => {
    expect(embeddingAverage([], words('hello'), lookup)).toBe(0);
    expect(embeddingAverage(words('zzz'), words('hello'), lookup)).toBe(0);
    expect(embeddingAverage(words('hi'), [], lookup)).toBe(0);
  });
});

describe('embeddingExtrema', () => {
  test('cosine of the extrema vectors', () => {
    // extrema(hi, no) = (1, 0) (tie 1 vs −1 → +1); extrema(big) = (3, −4) → 3 / 5
    expect(embeddingExtrema(words('hi no'), words('big'), lookup)).toBeCloseTo(0.6, 12);
    // extrema(no, bye) = (−1, 1) vs hello (0.8, 0.6) → (−0.8 + 0.6) / √2
    expect(embeddingExtrema(words('no bye'), words('hello'), lookup)).toBeCloseTo(-0.2 / Math.SQRT2, 12);
  });

  test('empty side scores 0', () => {
    expect(embeddingExtrema([], words('hello'), lookup)).toBe(0);
  });
});

describe('greedyMatching', () => {
  test('averages the best matches of both directions', () => {
    // hyp (hi, bye) → ref (hello): best cos 0.8 and 0.6 → 0.7; ref → hyp: max(0.8, 0.6) = 0.8 → (0.7 + 0.8) / 2
    expect(greedyMatching(words('hi bye'), words('hello'), lookup)).toBeCloseTo(0.75, 12);
  });

  test('is symmetric and 1 for identical replies', () => {
    expect(greedyMatching(words('hello'), words('hi bye'), lookup)).toBeCloseTo(0.75, 12);
    expect(greedyMatching(words('hi no big'), words('hi no big'), lookup)).toBeCloseTo(1, 12);
  });

  test('skips OOV words and scores an empty side 0', () => {
    expect(greedyMatching(words('hi zzz bye'), words('hello qqq'), lookup)).toBeCloseTo(0.75, 12);
    expect(greedyMatching(words('zzz'), words('hello'), lookup)).toBe(0);
  });
});
