/**
 * The one tokenizer contract shared by training, generation and the chat gateway.
 * Special-token ids are fixed for every kind so model code can rely on them:
 * 0 `<pad>` (batch padding), 1 `<unk>` (a `word` outside the vocabulary; `subword` never produces it),
 * 2 `<bos>` (decoder start), 3 `<eos>` (end of utterance). `encode` adds none of them.
 */
import type { SavedTokenizer } from './tokenizer-file';

export const PAD_ID = 0;
export const UNK_ID = 1;
export const BOS_ID = 2;
export const EOS_ID = 3;
export const SPECIAL_TOKENS = ['<pad>', '<unk>', '<bos>', '<eos>'] as const;

export type TokenizerKind = 'word' | 'subword';

/** Streams a reply: feed ids one by one, read the text decoded so far. */
export interface StreamDecoder {
  /** Adds one id; returns the text decoded so far and what it added to the previous text. */
  push(id: number): { text: string; delta: string };
  /**
   * Call once the reply is complete. Releases what is held back (a `subword` decoder holds an
   * incomplete UTF-8 character until its last byte arrives); afterwards `text` equals `decode` of all ids.
   */
  finish(): { text: string; delta: string };
  /** Always a prefix of the final text: nothing shown is ever taken back. */
  readonly text: string;
}

export interface Tokenizer {
  readonly kind: TokenizerKind;
  /** Vocabulary size including the special tokens. */
  readonly vocabSize: number;
  normalize(text: string): string;
  /** Text to ids, without bos/eos. */
  encode(text: string): number[];
  /** Ids to readable text; special tokens are dropped. */
  decode(ids: readonly number[]): string;
  /** The surface form of one id (for `reply:token` events). */
  idToToken(id: number): string;
  createStreamDecoder(): StreamDecoder;
  /** What `save` writes (tokenizerFromSaved rebuilds it): also how a tokenizer reaches a worker thread. */
  saved(): SavedTokenizer;
  /** Writes `tokenizer.json` into `dir`. */
  save(dir: string): Promise<void>;
}
