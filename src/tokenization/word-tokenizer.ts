import { AccumulatingStreamDecoder } from './accumulating-stream-decoder';
import { normalizeText } from './normalize';
import { SavedTokenizer, writeTokenizerFile } from './tokenizer-file';
import { SPECIAL_TOKENS, StreamDecoder, Tokenizer, UNK_ID } from './tokenizer';
import { WordDetokenizer } from './word-detokenizer';
import { splitWords } from './word-split';

export interface WordTokenizerOptions {
  lowercase: boolean;
}

/** Words and punctuation (the benchmark's tokenizer): one id per token, `<unk>` (id 1) outside the vocabulary. */
export class WordTokenizer implements Tokenizer {
  readonly kind = 'word' as const;
  private readonly ids: ReadonlyMap<string, number>;

  /**
   * `vocab[id]` is the token; it must start with the special tokens in id order. Plain Errors, as SubwordTokenizer's:
   * loadTokenizer turns them into TOKENIZER_FILE_CORRUPT naming the file.
   */
  constructor(
    readonly vocab: readonly string[],
    readonly options: WordTokenizerOptions,
  ) {
    SPECIAL_TOKENS.forEach((special, id) => {
      if (vocab[id] !== special) throw new Error(`word vocabulary entry ${id} must be ${special}, got ${vocab[id]}`);
    });
    this.ids = new Map(vocab.map((token, id) => [token, id]));
    if (this.ids.size !== vocab.length) throw new Error('word vocabulary has duplicate entries');
  }

  get vocabSize(): number {
    return this.vocab.length;
  }

  normalize(text: string): string {
    return normalizeText(text, this.options);
  }

  /** The normalised text split into tokens, before the vocabulary lookup. */
  tokenize(text: string): string[] {
    return splitWords(this.normalize(text));
  }

  encode(text: string): number[] {
    return this.tokenize(text).map((token) => this.ids.get(token) ?? UNK_ID);
  }

  decode(ids: readonly number[]): string {
    const detokenizer = new WordDetokenizer();
    let text = '';
    for (const id of ids) text += this.append(detokenizer, id);
    return text;
  }

  idToToken(id: number): string {
    const token = this.vocab[id];
    if (token === undefined) throw new RangeError(`id ${id} is outside the word vocabulary (size ${this.vocabSize})`);
    return token;
  }

  createStreamDecoder(): StreamDecoder {
    const detokenizer = new WordDetokenizer();
    return new AccumulatingStreamDecoder((id) => this.append(detokenizer, id));
  }

  saved(): SavedTokenizer {
    return { kind: 'word', lowercase: this.options.lowercase, vocab: [...this.vocab] };
  }

  save(dir: string): Promise<void> {
    return writeTokenizerFile(dir, this.saved());
  }

  /** Special tokens (unknown included) are dropped, as the interface specifies. */
  private append(detokenizer: WordDetokenizer, id: number): string {
    const token = this.idToToken(id);
    return id < SPECIAL_TOKENS.length ? '' : detokenizer.push(token);
  }
}
