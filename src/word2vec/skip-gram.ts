/**
 * Skip-gram with negative sampling (Mikolov et al. 2013), following the original C word2vec:
 * subsampling of frequent words, a unigram^0.75 negative table, a window shrunk at random per
 * position, a learning rate decaying linearly to 0.01 % of its start, and a sigmoid read from
 * a table clipped at ±6.
 *
 * Why plain typed-array SGD and not tfjs: each update touches 1 + `negative` rows of `dim`
 * floats. As tensor ops that is a gather, a few tiny matmuls and a scatter per pair, and tfjs
 * (WASM) pays a fixed per-op cost far above the arithmetic itself; batching pairs would change
 * the algorithm (stale gradients). A single-threaded loop over Float32Arrays runs the same
 * updates as the C code, at a few seconds per epoch on DailyDialog, and is exactly repeatable
 * for a seed (the C tool's multi-threaded Hogwild updates are not).
 */
import { SeededRandom } from '../common/random';
import { buildUnigramTable, keepProbability } from './sampling';
import { buildVocabulary } from './vocabulary';
import { Word2Vec } from './word2vec';

export interface Word2VecTrainingOptions {
  /** Vector size (C word2vec `-size`; default 128, the project's embedding size). */
  readonly dim: number;
  /** Maximum context distance; each position uses a random 1..window (default 5). */
  readonly window: number;
  /** Negative samples per positive pair (default 5). */
  readonly negative: number;
  /** Words rarer than this are dropped from vocabulary and text (default 5). */
  readonly minCount: number;
  /** Passes over the corpus (default 5). */
  readonly epochs: number;
  /** Subsampling threshold t; 0 disables (default 1e-3, C word2vec's default). */
  readonly sample: number;
  /** Starting learning rate (default 0.025, C word2vec's skip-gram default). */
  readonly learningRate: number;
  /** RNG seed for initialisation, subsampling, windows and negatives (default 1). */
  readonly seed: number;
  /** Called about every 10,000 processed words and once at the end. */
  readonly onProgress?: (progress: Word2VecProgress) => void;
}

export interface Word2VecProgress {
  readonly epoch: number;
  /** Corpus tokens read so far over all epochs (subsampled ones included), out of `totalWords`. */
  readonly wordsProcessed: number;
  readonly totalWords: number;
  readonly learningRate: number;
}

export const DEFAULT_WORD2VEC_OPTIONS: Omit<Word2VecTrainingOptions, 'onProgress'> = Object.freeze({
  dim: 128,
  window: 5,
  negative: 5,
  minCount: 5,
  epochs: 5,
  sample: 1e-3,
  learningRate: 0.025,
  seed: 1,
});

const MAX_EXP = 6;
const EXP_TABLE_SIZE = 1000;
const PROGRESS_EVERY = 10_000;

/**
 * C word2vec uses 10^8 slots for vocabularies of millions; 1,000 slots per word (10^6..10^7)
 * still gives a word seen 5 times in DailyDialog about a hundred slots, and builds fast.
 */
function unigramTableSize(vocabSize: number): number {
  return Math.min(10_000_000, Math.max(1_000_000, 1000 * vocabSize));
}

/** σ(x) at EXP_TABLE_SIZE points over [−MAX_EXP, MAX_EXP], as the C code. */
function sigmoidTable(): Float64Array {
  return Float64Array.from({ length: EXP_TABLE_SIZE }, (_, i) => {
    const e = Math.exp(((i / EXP_TABLE_SIZE) * 2 - 1) * MAX_EXP);
    return e / (e + 1);
  });
}

/** Trains skip-gram vectors on tokenised sentences. */
export function trainWord2Vec(sentences: readonly (readonly string[])[], options: Partial<Word2VecTrainingOptions> = {}): Word2Vec {
  const { dim, window, negative, minCount, epochs, sample, learningRate, seed } = { ...DEFAULT_WORD2VEC_OPTIONS, ...options };
  for (const [name, value] of Object.entries({ dim, window, epochs, minCount })) {
    if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer, got ${value}`);
  }
  if (!Number.isInteger(negative) || negative < 1) throw new RangeError(`negative must be a positive integer, got ${negative}`);

  const vocabulary = buildVocabulary(sentences, minCount);
  const vocabSize = vocabulary.words.length;
  const corpus = sentences.map((sentence) => Int32Array.from(sentence.flatMap((w) => vocabulary.indexOf.get(w) ?? [])));
  const keep = Float64Array.from(vocabulary.counts, (count) => keepProbability(count, vocabulary.totalCount, sample));
  const negatives = buildUnigramTable(vocabulary.counts, unigramTableSize(vocabSize));
  const sigmoid = sigmoidTable();
  const random = new SeededRandom(seed);

  // syn0: input (word) vectors, uniform in ±0.5/dim; syn1: output (context) vectors, zeros.
  const syn0 = new Float32Array(vocabSize * dim);
  for (let i = 0; i < syn0.length; i++) syn0[i] = (random.nextFloat() - 0.5) / dim;
  const syn1 = new Float32Array(vocabSize * dim);
  const state: PairState = { syn0, syn1, gradient: new Float32Array(dim), dim, negative, negatives, sigmoid, random };
  const kept = new Int32Array(corpus.reduce((max, s) => Math.max(max, s.length), 0));

  const totalWords = epochs * vocabulary.totalCount;
  let processed = 0;
  let lastReport = 0;
  let alpha = learningRate;
  for (let epoch = 0; epoch < epochs; epoch++) {
    for (const sentence of corpus) {
      let length = 0;
      for (const word of sentence) if (keep[word] >= 1 || keep[word] >= random.nextFloat()) kept[length++] = word;
      processed += sentence.length;
      alpha = learningRate * Math.max(1e-4, 1 - processed / (totalWords + 1));

      for (let position = 0; position < length; position++) {
        const centre = kept[position];
        const shrink = random.nextInt(window);
        for (let offset = -window + shrink; offset <= window - shrink; offset++) {
          const contextPosition = position + offset;
          if (offset === 0 || contextPosition < 0 || contextPosition >= length) continue;
          // As in C word2vec, the context word's input vector predicts the centre word.
          trainPair(state, kept[contextPosition], centre, alpha);
        }
      }
      if (options.onProgress && processed - lastReport >= PROGRESS_EVERY) {
        lastReport = processed;
        options.onProgress({ epoch: epoch + 1, wordsProcessed: processed, totalWords, learningRate: alpha });
      }
    }
  }
  options.onProgress?.({ epoch: epochs, wordsProcessed: processed, totalWords, learningRate: alpha });
  return new Word2Vec(vocabulary.words, dim, syn0);
}

interface PairState {
  readonly syn0: Float32Array;
  readonly syn1: Float32Array;
  readonly gradient: Float32Array;
  readonly dim: number;
  readonly negative: number;
  readonly negatives: Int32Array;
  readonly sigmoid: Float64Array;
  readonly random: SeededRandom;
}

/**
 * One SGD step for the pair (context → centre) and `negative` sampled non-centre words:
 * for target t with label y (1 for the centre, 0 for a negative), g = (y − σ(v_ctx · u_t)) · α;
 * u_t += g · v_ctx; v_ctx += Σ_t g · u_t (applied after all targets, as C word2vec).
 * Kept in its own small function so V8 optimises the hot loops tightly.
 */
function trainPair(state: PairState, context: number, centre: number, alpha: number): void {
  const { syn0, syn1, gradient, dim, negative, negatives, sigmoid, random } = state;
  const input = context * dim;
  gradient.fill(0);
  for (let d = 0; d <= negative; d++) {
    let target = centre;
    let label = 1;
    if (d > 0) {
      target = negatives[random.nextInt(negatives.length)];
      if (target === centre) continue;
      label = 0;
    }
    const output = target * dim;
    let dot = 0;
    for (let j = 0; j < dim; j++) dot += syn0[input + j] * syn1[output + j];
    const predicted = dot > MAX_EXP ? 1 : dot < -MAX_EXP ? 0 : sigmoid[((dot + MAX_EXP) * (EXP_TABLE_SIZE / MAX_EXP / 2)) | 0];
    const g = (label - predicted) * alpha;
    for (let j = 0; j < dim; j++) {
      gradient[j] += g * syn1[output + j];
      syn1[output + j] += g * syn0[input + j];
    }
  }
  for (let j = 0; j < dim; j++) syn0[input + j] += gradient[j];
}
