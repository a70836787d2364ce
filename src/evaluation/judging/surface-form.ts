/**
 * One surface form for every candidate of a sheet, human or model: the benchmark's lower-cased word split
 * (what the models read and write) joined back by the word detokenizer, so "I'm fine, thanks!" and the model's
 * "i'm fine , thanks !" both read "i'm fine, thanks!". Without it a rater could tell the human reply by its case
 * and spacing alone.
 */
import { detokenize } from '../../tokenization/word-detokenizer';
import { tokenizeWords } from '../../tokenization/word-tokens';

/** Typographic quotes, which corpora hold and the models' vocabularies do not, would mark a reply as human. */
const TYPOGRAPHIC_QUOTES: [RegExp, string][] = [
  [/[\u2018\u2019\u201a\u201b\u2032]/gu, "'"],
  [/[\u201c\u201d\u201e\u201f\u2033]/gu, '"'],
];

export function surfaceForm(text: string): string {
  const plain = TYPOGRAPHIC_QUOTES.reduce((t, [quote, ascii]) => t.replace(quote, ascii), text);
  return detokenize(tokenizeWords(plain));
}
