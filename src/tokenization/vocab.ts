import { SPECIAL_TOKENS } from './tokenizer';

export interface VocabularyLimits {
  /** Entries in the vocabulary, the 4 special tokens included. */
  maxSize: number;
  /** Tokens seen fewer times than this are left out (1 keeps every token). */
  minCount: number;
}

/**
 * Orders strings by Unicode code point, as Python's `sorted()` does. JS `<` compares UTF-16 code
 * units, which puts astral characters (emoji) before U+E000..U+FFFF and would break ties differently
 * from the reference implementation.
 */
export function compareCodePoints(a: string, b: string): number {
  for (let i = 0, j = 0; i < a.length && j < b.length; ) {
    const ca = a.codePointAt(i)!;
    const cb = b.codePointAt(j)!;
    if (ca !== cb) return ca - cb;
    i += ca > 0xffff ? 2 : 1;
    j += cb > 0xffff ? 2 : 1;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

/**
 * Specials first (ids 0..3), then the most frequent tokens, ties broken alphabetically by code point,
 * until `maxSize` entries or the first token rarer than `minCount`.
 */
export function selectVocabulary(counts: ReadonlyMap<string, number>, limits: VocabularyLimits): string[] {
  if (!Number.isInteger(limits.maxSize) || limits.maxSize < SPECIAL_TOKENS.length) {
    throw new RangeError(`maxSize must be an integer >= ${SPECIAL_TOKENS.length}, got ${limits.maxSize}`);
  }
  const specials = new Set<string>(SPECIAL_TOKENS);
  const ranked = [...counts]
    .filter(([token, count]) => count >= limits.minCount && !specials.has(token))
    .sort(([ta, ca], [tb, cb]) => cb - ca || compareCodePoints(ta, tb))
    .slice(0, limits.maxSize - SPECIAL_TOKENS.length)
    .map(([token]) => token);
  return [...SPECIAL_TOKENS, ...ranked];
}
