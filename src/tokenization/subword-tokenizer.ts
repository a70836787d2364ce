import { AccumulatingStreamDecoder } from './accumulating-stream-decoder';
import { BpeMerges } from './bpe-merges';
import { BYTE_TO_CHAR, byteLevelToBytes, toByteLevel } from './byte-level';
import { normalizeText } from './normalize';
import { HfTokenizerJson, mergePairs } from './subword-definition';
import { PRE_TOKENIZER, preTokenize } from './subword-pre-tokenizer';
import { SavedTokenizer, writeTokenizerFile } from './tokenizer-file';
import { SPECIAL_TOKENS, StreamDecoder, Tokenizer } from './tokenizer';

export interface SubwordTokenizerOptions {
  lowercase: boolean;
}

/** Pieces already turned into ids; chat text repeats words a lot, so this is most of the encode speed. */
const PIECE_CACHE_LIMIT = 100_000;

/**
 * Byte-level BPE: any text (Japanese, emoji, rare words) is encoded without `<unk>`, because all 256
 * bytes are in the vocabulary. The `tokenizers` library trains it (train-subword-tokenizer.ts) and can
 * load the saved definition; encoding and decoding run here in JS, synchronously (see BpeMerges and
 * subword-pre-tokenizer.ts for why), and decoding works on bytes so that a streamed reply never shows
 * half a character.
 */
export class SubwordTokenizer implements Tokenizer {
  readonly kind = 'subword' as const;
  readonly vocabSize: number;
  private readonly ids: ReadonlyMap<string, number>;
  private readonly tokenBytes: readonly Uint8Array[];
  private readonly merges: BpeMerges;
  private readonly pieceCache = new Map<string, number[]>();

  /**
   * Throws if `definition` is not our byte-level BPE: same pre-tokenizer, specials at 0..3, all 256 bytes. Plain
   * Errors: a definition read from a file reaches them through loadTokenizer, which names the file
   * (TOKENIZER_FILE_CORRUPT); one built in memory that fails them is a bug.
   */
  constructor(
    readonly definition: HfTokenizerJson,
    readonly options: SubwordTokenizerOptions,
  ) {
    if (JSON.stringify(definition.pre_tokenizer) !== JSON.stringify(PRE_TOKENIZER)) throw new Error('unsupported pre_tokenizer');
    const vocab = definition.model.vocab;
    this.vocabSize = Object.keys(vocab).length;
    const tokens: string[] = [];
    for (const [token, id] of Object.entries(vocab)) tokens[id] = token;
    if (tokens.length !== this.vocabSize || tokens.includes(undefined as never)) throw new Error('vocabulary ids are not 0..n-1');
    SPECIAL_TOKENS.forEach((special, id) => {
      if (tokens[id] !== special) throw new Error(`vocabulary entry ${id} must be ${special}, got ${tokens[id]}`);
    });
    const missing = BYTE_TO_CHAR.filter((char) => vocab[char] === undefined);
    if (missing.length > 0) throw new Error(`${missing.length} of the 256 byte tokens are missing`);
    this.ids = new Map(Object.entries(vocab));
    this.tokenBytes = tokens.map((token, id) => {
      if (id < SPECIAL_TOKENS.length) return new Uint8Array();
      const bytes = byteLevelToBytes(token);
      if (!bytes) throw new Error(`token ${id} ${JSON.stringify(token)} is not byte-level`);
      return bytes;
    });
    const pairs = mergePairs(definition.model);
    for (const [a, b] of pairs) {
      if (!this.ids.has(a) || !this.ids.has(b) || !this.ids.has(a + b)) throw new Error(`merge "${a} ${b}" uses a token outside the vocabulary`);
    }
    this.merges = new BpeMerges(pairs);
  }

  get mergeCount(): number {
    return this.merges.size;
  }

  normalize(text: string): string {
    return normalizeText(text, this.options);
  }

  encode(text: string): number[] {
    const normalized = this.normalize(text);
    if (normalized === '') return [];
    const ids: number[] = [];
    for (const piece of preTokenize(normalized)) ids.push(...this.encodePiece(piece));
    return ids;
  }

  decode(ids: readonly number[]): string {
    const utf8 = new TextDecoder('utf-8', { ignoreBOM: true });
    return ids.map((id) => utf8.decode(this.bytesOf(id), { stream: true })).join('') + utf8.decode();
  }

  /** One token on its own; a token holding part of a character shows U+FFFD (stream with createStreamDecoder instead). */
  idToToken(id: number): string {
    const bytes = this.bytesOf(id);
    return id < SPECIAL_TOKENS.length ? SPECIAL_TOKENS[id]! : new TextDecoder().decode(bytes);
  }

  /** WHATWG streaming UTF-8 decoding holds back an incomplete character and matches a one-shot decode. */
  createStreamDecoder(): StreamDecoder {
    const utf8 = new TextDecoder('utf-8', { ignoreBOM: true });
    return new AccumulatingStreamDecoder(
      (id) => utf8.decode(this.bytesOf(id), { stream: true }),
      () => utf8.decode(),
    );
  }

  saved(): SavedTokenizer {
    return { kind: 'subword', lowercase: this.options.lowercase, huggingface: this.definition };
  }

  save(dir: string): Promise<void> {
    return writeTokenizerFile(dir, this.saved());
  }

  private bytesOf(id: number): Uint8Array {
    const bytes = this.tokenBytes[id];
    if (!bytes) throw new RangeError(`id ${id} is outside the subword vocabulary (size ${this.vocabSize})`);
    return bytes;
  }

  private encodePiece(piece: string): number[] {
    let ids = this.pieceCache.get(piece);
    if (!ids) {
      ids = this.merges.apply(toByteLevel(piece)).map((token) => this.ids.get(token)!);
      if (this.pieceCache.size >= PIECE_CACHE_LIMIT) this.pieceCache.clear();
      this.pieceCache.set(piece, ids);
    }
    return ids;
  }
}
