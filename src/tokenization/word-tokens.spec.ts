import { tokenizeWords } from './word-tokens';

describe(tokenizeWords.name, () => {
  test.each([
    ["Don't go!", ['don', "'", 't', 'go', '!']],
    ['I guess you are right.But what', ['i', 'guess', 'you', 'are', 'right', '.', 'but', 'what']],
    ['Ｆｕｌｌ-width ２０２４', ['full', '-', 'width', '2024']], // NFKC folds full-width forms
    ['Café naïve_word', ['café', 'naïve_word']],
    ['   ', []],
    // The only change from the former copy of the split: a lone surrogate becomes U+FFFD (normalizeText).
    ['a\ud800b', ['a', '\ufffd', 'b']],
  ])('%j → %j', (text, tokens) => {
    expect(tokenizeWords(text)).toEqual(tokens);
  });
});
