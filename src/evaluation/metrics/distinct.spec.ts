import { corpusDistinct, distinctRatio, interDistinct, intraDistinct, meanLength, unigramEntropy } from './distinct';

const words = (text: string): string[] => (text === '' ? [] : text.split(' '));

describe('distinctRatio', () => {
  test.each([
    ['i am ok', 1, 3 / 3],
    ['the the the cat', 1, 2 / 4],
    ['the the the cat', 2, 2 / 3], // (the the) ×2, (the cat)
    ['a b a b', 2, 2 / 3], // (a b) ×2, (b a)
    ['ok', 2, 0], // shorter than n: no bigrams → 0 by convention
    ['', 1, 0], // empty reply
  ])('"%s", n = %i → %f', (text, n, expected) => {
    expect(distinctRatio(words(text), n)).toBeCloseTo(expected, 15);
  });
});

describe('intraDistinct and interDistinct for one context', () => {
  const replies = [words('i am ok'), words('i am i am'), words('ok')];

  test('intra: mean of per-reply ratios; the 1-token reply counts as 0 for bigrams', () => {
    expect(intraDistinct(replies, 1)).toBeCloseTo((1 + 2 / 4 + 1) / 3, 15);
    expect(intraDistinct(replies, 2)).toBeCloseTo((2 / 2 + 2 / 3 + 0) / 3, 15);
  });

  test('inter: distinct n-grams pooled over the replies', () => {
    // unigrams: i, am, ok, i, am, i, am, ok → 3 distinct / 8
    expect(interDistinct(replies, 1)).toBeCloseTo(3 / 8, 15);
    // bigrams: (i am) (am ok) | (i am) (am i) (i am) → 3 distinct / 5
    expect(interDistinct(replies, 2)).toBeCloseTo(3 / 5, 15);
  });

  test('identical replies: intra stays per-reply, inter falls by the number of copies', () => {
    const same = [words('how are you'), words('how are you'), words('how are you')];
    expect(intraDistinct(same, 1)).toBe(1);
    expect(interDistinct(same, 1)).toBeCloseTo(1 / 3, 15);
    expect(interDistinct(same, 2)).toBeCloseTo(2 / 6, 15);
  });

  test('no replies or only empty replies give 0', () => {
    expect(intraDistinct([], 1)).toBe(0);
    expect(interDistinct([], 1)).toBe(0);
    expect(interDistinct([[], []], 2)).toBe(0);
  });
});

describe('corpusDistinct', () => {
  const replies = [words('a b c'), words('a b d')];

  test('divides by n-grams by default', () => {
    expect(corpusDistinct(replies, 1)).toBeCloseTo(4 / 6, 15);
    expect(corpusDistinct(replies, 2)).toBeCloseTo(3 / 4, 15); // (a b) (b c) (b d)
  });

  test('can divide by generated tokens, Li et al.\'s wording', () => {
    expect(corpusDistinct(replies, 2, { denominator: 'tokens' })).toBeCloseTo(3 / 6, 15);
    expect(corpusDistinct([], 2, { denominator: 'tokens' })).toBe(0);
  });
});

describe('unigramEntropy', () => {
  test('uniform over 4 words is 2 bits, or ln 4 nats', () => {
    expect(unigramEntropy([words('a b'), words('c d')])).toBeCloseTo(2, 15);
    expect(unigramEntropy([words('a b c d')], Math.E)).toBeCloseTo(Math.log(4), 15);
  });

  test('p = (½, ¼, ¼) is 1.5 bits; one repeated word is 0; no tokens is 0', () => {
    expect(unigramEntropy([words('a a b c')])).toBeCloseTo(1.5, 15);
    expect(unigramEntropy([words('yes yes yes')])).toBe(0);
    expect(unigramEntropy([[], []])).toBe(0);
  });
});

describe('meanLength', () => {
  test('mean token count, empty replies included; 0 for no replies', () => {
    expect(meanLength([words('a b c'), words(''), words('d')])).toBeCloseTo(4 / 3, 15);
    expect(meanLength([])).toBe(0);
  });
});
