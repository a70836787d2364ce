import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { Tokenizer as HfTokenizer } from 'tokenizers';
import { BYTE_TO_CHAR } from './byte-level';
import { BpeMerges } from './bpe-merges';
import { normalizeText } from './normalize';
import { BpePair, HfTokenizerJson, definitionFromMerges, mergePairs, untrainedDefinition } from './subword-definition';
import { preTokenizeToByteLevel } from './subword-pre-tokenizer';
import { SubwordTokenizer } from './subword-tokenizer';
import { SPECIAL_TOKENS } from './tokenizer';

export interface TrainSubwordOptions {
  /** Entries in the vocabulary: 4 specials + 256 bytes + merges. Default 8000; at most about 30,000 (see below). */
  vocabSize?: number;
  /** Stop merging at the first merge used fewer times than this in the training text. Default 1 (no limit). */
  minCount?: number;
  /** Lower-case after NFKC. Default false: subwords can afford case. */
  lowercase?: boolean;
}

/** 4 specials and the 256 byte tokens are always present, so nothing is ever unknown. */
export const MIN_SUBWORD_VOCAB_SIZE = SPECIAL_TOKENS.length + BYTE_TO_CHAR.length;

/**
 * Trains a byte-level BPE with the `tokenizers` library on the texts (one utterance each).
 *
 * The Node binding takes no trainer options: `Tokenizer.train(files)` always uses the default
 * BpeTrainer (vocab_size 30,000, min_frequency 0, no initial alphabet). Both limits are applied
 * afterwards, exactly: BPE training is greedy (each step merges the most frequent pair, given the
 * earlier merges), so a run told to stop at size V would have learned precisely the first merges of
 * the long run. We keep that prefix, and cut it earlier at the first merge whose frequency (replayed
 * over the training words) is below `minCount`. The default trainer's alphabet holds only the bytes
 * seen in the text (a byte-level BPE trained on English then had no token for Japanese bytes); the
 * vocabulary is rebuilt with all 256 byte tokens first, which is what `initial_alphabet` would do.
 *
 * Training is synchronous inside the library and blocks the event loop (about 2 s for DailyDialog's
 * train split, 40 s for RealPersonaChat's); run it in a training job, not in a request.
 */
export async function trainSubwordTokenizer(
  texts: AsyncIterable<string> | Iterable<string>,
  { vocabSize = 8000, minCount = 1, lowercase = false }: TrainSubwordOptions = {},
): Promise<SubwordTokenizer> {
  if (!Number.isInteger(vocabSize) || vocabSize < MIN_SUBWORD_VOCAB_SIZE) {
    throw new RangeError(`vocabSize must be an integer >= ${MIN_SUBWORD_VOCAB_SIZE}, got ${vocabSize}`);
  }
  const workDir = await mkdtemp(join(tmpdir(), 'hred-subword-'));
  try {
    const library = HfTokenizer.fromString(JSON.stringify(untrainedDefinition()));
    const corpusFile = join(workDir, 'corpus.txt');
    const wordCounts = await writeTrainingText(texts, corpusFile, lowercase, minCount > 1);
    library.train([corpusFile]);
    const trainedFile = join(workDir, 'trained.json');
    library.save(trainedFile);
    const trained = JSON.parse(await readFile(trainedFile, 'utf8')) as HfTokenizerJson;
    let merges = mergePairs(trained.model);
    if (wordCounts) merges = merges.slice(0, firstRareMerge(merges, wordCounts, minCount));
    return new SubwordTokenizer(definitionFromMerges(mergesUpToSize(merges, vocabSize)), { lowercase });
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

/** Normalised texts, one a line, for the library's file trainer; with `countWords`, also the pre-tokenized words' counts. */
async function writeTrainingText(
  texts: AsyncIterable<string> | Iterable<string>,
  file: string,
  lowercase: boolean,
  countWords: boolean,
): Promise<Map<string, number> | undefined> {
  const out = createWriteStream(file, 'utf8');
  const counts = countWords ? new Map<string, number>() : undefined;
  let chunk = ''; // written in ~64 KB pieces: one write per line spent more time in Buffer conversion than the rest
  try {
    for await (const text of texts) {
      const normalized = normalizeText(text, { lowercase });
      if (normalized === '') continue;
      chunk += `${normalized}\n`;
      if (chunk.length > 65_536) {
        if (!out.write(chunk)) await once(out, 'drain');
        chunk = '';
      }
      if (counts) for (const word of preTokenizeToByteLevel(normalized)) counts.set(word, (counts.get(word) ?? 0) + 1);
    }
  } catch (error) {
    out.destroy(); // a failing corpus reader must not leave the file open
    throw error;
  }
  out.end(chunk);
  await once(out, 'close');
  return counts;
}

/** How many merges to keep so that every kept merge was applied at least `minCount` times. */
function firstRareMerge(merges: readonly BpePair[], wordCounts: ReadonlyMap<string, number>, minCount: number): number {
  const uses = new Array<number>(merges.length).fill(0);
  const bpe = new BpeMerges(merges);
  for (const [word, count] of wordCounts) bpe.apply(word, (rank) => (uses[rank]! += count));
  const rare = uses.findIndex((used) => used < minCount);
  return rare < 0 ? merges.length : rare;
}

/** The merges that fit: each adds its token unless an earlier merge already made the same string. */
function mergesUpToSize(merges: readonly BpePair[], vocabSize: number): BpePair[] {
  const made = new Set<string>(BYTE_TO_CHAR);
  const kept: BpePair[] = [];
  for (const [a, b] of merges) {
    if (!made.has(a + b) && made.size + SPECIAL_TOKENS.length >= vocabSize) break;
    made.add(a + b);
    kept.push([a, b]);
  }
  return kept;
}
