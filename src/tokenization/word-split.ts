/**
 * The benchmark's `word` split, `\w+|[^\w\s]` applied to normalised text.
 *
 * Python's `re` (which the reference implementation uses) gives `\w` Unicode meaning: a character is a
 * word character when `str.isalnum()` is true or it is `_`, i.e. letters (L*) and numbers (Nd, Nl, No).
 * JavaScript's `\w` is ASCII-only even with the `u` flag, so the class is spelled out as
 * `[\p{L}\p{N}_]`. Combining marks (M*) are not word characters in Python either, so they split off
 * as single tokens in both. Whitespace is JS `\s` (Unicode White_Space); the only code points where it
 * differs from Python's `str.isspace()` (U+001C..U+001F, U+FEFF) never reach here, because
 * `normalizeText` has already turned whitespace runs into single spaces.
 */
const WORD_OR_SYMBOL = /[\p{L}\p{N}_]+|[^\p{L}\p{N}_\s]/gu;

export function splitWords(normalized: string): string[] {
  return normalized.match(WORD_OR_SYMBOL) ?? [];
}

const STARTS_WITH_WORD_CHAR = /^[\p{L}\p{N}_]/u;

export function isWordToken(token: string): boolean {
  return STARTS_WITH_WORD_CHAR.test(token);
}
