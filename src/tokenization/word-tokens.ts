/**
 * The tokens every text metric counts and Word2vec learns vectors for: the benchmark's lower-cased
 * word-and-punctuation split (shared/bench/SPEC.md), so "don't" is three tokens. normalizeText + splitWords with the
 * options the metrics use. Imported file by file, not through the tokenization index, so worker threads do not load
 * its Nest module.
 */
import { normalizeText } from './normalize';
import { splitWords } from './word-split';

export function tokenizeWords(text: string): string[] {
  return splitWords(normalizeText(text, { lowercase: true }));
}
