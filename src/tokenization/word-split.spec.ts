import { normalizeText } from './normalize';
import { splitWords } from './word-split';

const split = (text: string) => splitWords(normalizeText(text, { lowercase: true }));

describe(splitWords.name, () => {
  test.each([
    ["I don't know.", ['i', 'don', "'", 't', 'know', '.']],
    ['Say , Jim , how about ... ?', ['say', ',', 'jim', ',', 'how', 'about', '.', '.', '.', '?']],
    ['right.But', ['right', '.', 'but']],
    // Python's re \w is Unicode: accented letters, CJK and digits are word characters, as is "_".
    ['Café naïve snake_case 42nd', ['café', 'naïve', 'snake_case', '42nd']],
    ['今日は涼しいですね。', ['今日は涼しいですね', '。']],
    // NFKC: full-width letters and punctuation become plain ones before splitting.
    ['ＡＢＣ！？', ['abc', '!', '?']],
    // Each emoji code point is its own symbol token, modifiers included.
    ['ok 👍🏽', ['ok', '👍', '🏽']],
    ['  \t spaced\u3000out \n', ['spaced', 'out']],
  ])('%j', (text, tokens) => {
    expect(split(text)).toEqual(tokens);
  });

  it('returns nothing for empty or blank text', () => {
    expect(split('')).toEqual([]);
    expect(split(' \u00a0\ufeff ')).toEqual([]);
  });
});
