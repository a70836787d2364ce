/**
 * The tokens every text metric counts: the benchmark's lower-cased word-and-punctuation split
 * (shared/bench/SPEC.md), so "don't" is three tokens. One implementation lives in src/tokenization
 * (normalizeText + splitWords); this only fixes the options the metrics use. Imported file by file,
 * not through the tokenization index, so worker threads do not load its Nest module.
 */
import { normalizeText } from '../tokenization/normalize';
import { splitWords } from '../tokenization/word-split';

export function tokenizeWords(text: string): string[] {
  return splitWords(normalizeText(text, { lowercase: true }));
}
