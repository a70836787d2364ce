import { BYTE_TO_CHAR } from './byte-level';
import { PRE_TOKENIZER } from './subword-pre-tokenizer';
import { SPECIAL_TOKENS } from './tokenizer';

/**
 * The pieces of a `tokenizers` (HuggingFace) tokenizer JSON that a `subword` tokenizer is made of.
 * The saved definition is a complete, standard tokenizer JSON, so `Tokenizer.fromString` of the
 * library (or Python's `tokenizers`) loads it as is.
 */
export type BpePair = readonly [string, string];

const DECODER = { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true } as const;

export interface HfBpeModel {
  type: 'BPE';
  vocab: Record<string, number>;
  merges: Array<[string, string] | string>;
  [other: string]: unknown;
}

export interface HfTokenizerJson {
  pre_tokenizer: unknown;
  model: HfBpeModel;
  [other: string]: unknown;
}

/** A library tokenizer with our pre-tokenizer and an empty BPE model: what the library's trainer starts from. */
export function untrainedDefinition(): HfTokenizerJson {
  return definitionOf([], []);
}

/** Specials at ids 0..3, then the 256 byte characters, then one token per merge, in merge order. */
export function definitionFromMerges(merges: readonly BpePair[]): HfTokenizerJson {
  const vocab = [...SPECIAL_TOKENS, ...BYTE_TO_CHAR];
  const known = new Set(vocab);
  for (const [a, b] of merges) {
    if (!known.has(a + b)) vocab.push(a + b);
    known.add(a + b);
  }
  return definitionOf(vocab, merges);
}

function definitionOf(vocab: readonly string[], merges: readonly BpePair[]): HfTokenizerJson {
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: vocab.length === 0 ? [] : SPECIAL_TOKENS.map((content, id) => ({
      id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true,
    })),
    // Normalisation (NFKC, whitespace, lower-casing) is done by `normalizeText` before the library sees the text.
    normalizer: null,
    pre_tokenizer: PRE_TOKENIZER,
    post_processor: null,
    decoder: DECODER,
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: false,
      vocab: Object.fromEntries(vocab.map((token, id) => [token, id])),
      merges: merges.map(([a, b]): [string, string] => [a, b]),
    },
  };
}

/** Merges as pairs: the library writes `[a, b]` today and wrote `"a b"` strings before 0.20. */
export function mergePairs(model: HfBpeModel): BpePair[] {
  return model.merges.map((merge) => {
    if (typeof merge !== 'string') return merge;
    const space = merge.indexOf(' ');
    if (space < 0) throw new Error(`merge "${merge}" is not a pair`); // loadTokenizer names the file (TOKENIZER_FILE_CORRUPT)
    return [merge.slice(0, space), merge.slice(space + 1)] as const;
  });
}
