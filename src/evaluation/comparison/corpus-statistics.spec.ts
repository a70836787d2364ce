import { corpusDistinct, meanLength, unigramEntropy } from '../metrics/distinct';
import { InternedReplies } from './corpus-statistics';

const REPLIES = [['i', 'am', 'fine'], ['i', 'am', 'i', 'am'], [], ['ok']];

describe(InternedReplies.name, () => {
  test('on all replies it gives the figures of metrics/distinct.ts', () => {
    const interned = new InternedReplies(REPLIES);
    const all = [0, 1, 2, 3];
    expect(interned.distinct(1, all)).toBeCloseTo(corpusDistinct(REPLIES, 1), 12);
    expect(interned.distinct(2, all)).toBeCloseTo(corpusDistinct(REPLIES, 2), 12);
    expect(interned.entropy(all)).toBeCloseTo(unigramEntropy(REPLIES), 12);
    expect(interned.meanLength(all)).toBeCloseTo(meanLength(REPLIES), 12);
  });

  test('a resample counts repeated replies again', () => {
    const interned = new InternedReplies(REPLIES);
    const resample = [0, 0, 3];
    const replies = resample.map((i) => REPLIES[i]);
    expect(interned.distinct(1, resample)).toBeCloseTo(corpusDistinct(replies, 1), 12);
    expect(interned.distinct(2, resample)).toBeCloseTo(corpusDistinct(replies, 2), 12);
    expect(interned.entropy(resample)).toBeCloseTo(unigramEntropy(replies), 12);
    expect(interned.distinct(2, [2, 3])).toBe(0); // no bigrams at all
  });
});
