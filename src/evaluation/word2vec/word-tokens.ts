/**
 * The project's `word` tokens (shared/bench/SPEC.md): NFKC, lower case, then runs of
 * letters/digits/underscore or single other non-space characters — so "don't" is three tokens.
 */
const WORD_OR_PUNCTUATION = /[\p{L}\p{N}_]+|[^\p{L}\p{N}_\s]/gu;

export function tokenizeWords(text: string): string[] {
  return text.normalize('NFKC').toLowerCase().match(WORD_OR_PUNCTUATION) ?? [];
}
