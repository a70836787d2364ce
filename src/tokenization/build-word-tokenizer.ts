import { normalizeText } from './normalize';
import { VocabularyLimits, selectVocabulary } from './vocab';
import { WordTokenizer } from './word-tokenizer';
import { splitWords } from './word-split';

export interface BuildWordTokenizerOptions extends Partial<VocabularyLimits> {
  /** Lower-case after NFKC (the benchmark does). Default true. */
  lowercase?: boolean;
}

/**
 * Counts tokens over every text (one utterance each) and keeps the most frequent.
 * Defaults: `maxSize` 8000 (the benchmark's `small` model), `minCount` 1, `lowercase` true.
 */
export async function buildWordTokenizer(
  texts: AsyncIterable<string> | Iterable<string>,
  { maxSize = 8000, minCount = 1, lowercase = true }: BuildWordTokenizerOptions = {},
): Promise<WordTokenizer> {
  const counts = new Map<string, number>();
  for await (const text of texts) {
    for (const token of splitWords(normalizeText(text, { lowercase }))) {
      counts.set(token, (counts.get(token) ?? 0) + 1);
    }
  }
  return new WordTokenizer(selectVocabulary(counts, { maxSize, minCount }), { lowercase });
}
