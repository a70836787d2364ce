/**
 * One surface form for every candidate of a sheet, human or model: the benchmark's lower-cased word split
 * (what the models read and write) joined back by the word detokenizer, so "I'm fine, thanks!" and the model's
 * "i'm fine , thanks !" both read "i'm fine, thanks!". Without it a rater could tell the human reply by its case
 * and spacing alone.
 */
import { detokenize } from '../../tokenization/word-detokenizer';
import { tokenizeWords } from '../word-tokens';

export function surfaceForm(text: string): string {
  return detokenize(tokenizeWords(text));
}
