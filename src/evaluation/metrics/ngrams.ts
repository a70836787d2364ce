/**
 * N-gram keys and counts over token lists. An n-gram is keyed by its tokens joined with
 * U+0001, a character our tokenizers never emit, so keys of different n-grams never collide.
 */
const SEPARATOR = '\u0001';

/** The n-grams of `tokens` in order, as keys; empty when the list is shorter than n. */
export function ngramKeys(tokens: readonly string[], n: number): string[] {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`n-gram order must be a positive integer, got ${n}`);
  const keys: string[] = [];
  for (let i = 0; i + n <= tokens.length; i++) keys.push(n === 1 ? tokens[i] : tokens.slice(i, i + n).join(SEPARATOR));
  return keys;
}

/** Multiset of the n-grams of `tokens`: key → occurrences. */
export function countNgrams(tokens: readonly string[], n: number): Map<string, number> {
  const counts = new Map<string, number>();
  for (const key of ngramKeys(tokens, n)) counts.set(key, (counts.get(key) ?? 0) + 1);
  return counts;
}
