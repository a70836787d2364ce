import { SPECIAL_TOKENS } from './tokenizer';
import { compareCodePoints, selectVocabulary } from './vocab';

describe(selectVocabulary.name, () => {
  const counts = new Map([
    ['the', 5],
    ['b', 2],
    ['a', 2],
    ['😀', 2],
    ['\uff5e', 2], // sorts after the emoji by UTF-16 unit, before it by code point
    ['rare', 1],
  ]);

  it('puts specials first, then by count, ties alphabetically by code point', () => {
    expect(selectVocabulary(counts, { maxSize: 100, minCount: 1 })).toEqual([
      ...SPECIAL_TOKENS, 'the', 'a', 'b', '\uff5e', '😀', 'rare',
    ]);
  });

  it('stops at maxSize entries, specials included', () => {
    expect(selectVocabulary(counts, { maxSize: 6, minCount: 1 })).toEqual([...SPECIAL_TOKENS, 'the', 'a']);
  });

  it('leaves out tokens rarer than minCount', () => {
    expect(selectVocabulary(counts, { maxSize: 100, minCount: 2 })).not.toContain('rare');
  });

  it('rejects a size that cannot hold the specials', () => {
    expect(() => selectVocabulary(counts, { maxSize: 3, minCount: 1 })).toThrow(RangeError);
  });
});

describe(compareCodePoints.name, () => {
  it('orders like Python sorted(), not like UTF-16', () => {
    expect(['😀', '\uff5e', 'a', 'ab', ''].sort(compareCodePoints)).toEqual(['', 'a', 'ab', '\uff5e', '😀']);
  });
});
