import { SubwordTokenizer } from './subword-tokenizer';
import { TokenizerFileError } from './tokenization-errors';
import { readTokenizerFile, SavedTokenizer, tokenizerFilePath } from './tokenizer-file';
import { Tokenizer } from './tokenizer';
import { WordTokenizer } from './word-tokenizer';

/** Loads `<dir>/tokenizer.json` as whichever kind was saved there. Throws TokenizerFileError. */
export async function loadTokenizer(dir: string): Promise<Tokenizer> {
  const saved = await readTokenizerFile(dir);
  try {
    return tokenizerFromSaved(saved);
  } catch (error) {
    // The JSON had the right shape but its content is inconsistent (duplicate tokens, missing bytes...).
    throw new TokenizerFileError('TOKENIZER_FILE_CORRUPT', tokenizerFilePath(dir), (error as Error).message, { cause: error });
  }
}

/** The tokenizer `saved` describes (Tokenizer.saved, or a validated tokenizer.json). Throws on inconsistent content. */
export function tokenizerFromSaved(saved: SavedTokenizer): Tokenizer {
  switch (saved.kind) {
    case 'word':
      return new WordTokenizer(saved.vocab, { lowercase: saved.lowercase });
    case 'subword':
      return new SubwordTokenizer(saved.huggingface, { lowercase: saved.lowercase });
  }
}
