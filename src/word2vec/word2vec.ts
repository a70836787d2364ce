/**
 * Trained word vectors: look-up, cosine nearest neighbours, an embedding matrix for a model's
 * vocabulary, and the plain word2vec text format.
 */
import { SeededRandom } from '../common/random';
import { readWord2VecText, writeWord2VecText } from './text-format';

export interface Neighbour {
  readonly word: string;
  readonly similarity: number;
}

export interface EmbeddingMatrixOptions {
  /**
   * Rows for words without a vector: `'random'` (default) draws uniform values in ±`scale`,
   * the range of tfjs's default embedding initialiser (randomUniform ±0.05), seeded;
   * `'zeros'` leaves them 0 (still trainable: an embedding row's gradient does not depend on its value).
   */
  readonly missing?: 'random' | 'zeros';
  readonly scale?: number;
  readonly seed?: number;
}

export interface EmbeddingMatrix {
  /** Row-major [rows × dim], ready for `tf.tensor2d(matrix, [rows, dim])`. */
  readonly matrix: Float32Array;
  readonly rows: number;
  readonly dim: number;
  /** Vocabulary entries that had no vector, in vocabulary order. */
  readonly missing: string[];
}

export class Word2Vec {
  private readonly indexOf: Map<string, number>;
  private norms?: Float64Array;

  /** `vectors` is row-major [words.length × dim]. */
  constructor(
    readonly words: readonly string[],
    readonly dim: number,
    readonly vectors: Float32Array,
  ) {
    if (vectors.length !== words.length * dim) {
      throw new RangeError(`expected ${words.length} × ${dim} = ${words.length * dim} values, got ${vectors.length}`);
    }
    this.indexOf = new Map(words.map((word, i) => [word, i]));
  }

  get size(): number {
    return this.words.length;
  }

  has(word: string): boolean {
    return this.indexOf.has(word);
  }

  /** The word's vector as a view into `vectors` (do not mutate), or undefined when unknown. */
  vector(word: string): Float32Array | undefined {
    const index = this.indexOf.get(word);
    return index === undefined ? undefined : this.vectors.subarray(index * this.dim, (index + 1) * this.dim);
  }

  /** This model as a look-up function (the one the embedding metrics take). */
  asLookup(): (word: string) => Float32Array | undefined {
    return (word) => this.vector(word);
  }

  /** The k words of highest cosine similarity to `word`, itself excluded; [] when `word` is unknown. */
  nearest(word: string, k = 10): Neighbour[] {
    const index = this.indexOf.get(word);
    if (index === undefined) return [];
    const norms = this.vectorNorms();
    const { dim, vectors } = this;
    const scored: Neighbour[] = [];
    for (let other = 0; other < this.words.length; other++) {
      if (other === index) continue;
      let dot = 0;
      for (let j = 0; j < dim; j++) dot += vectors[index * dim + j] * vectors[other * dim + j];
      const denominator = norms[index] * norms[other];
      scored.push({ word: this.words[other], similarity: denominator === 0 ? 0 : dot / denominator });
    }
    return scored.sort((a, b) => b.similarity - a.similarity).slice(0, k);
  }

  /** One row per vocabulary entry, copied from this model where it has the word (see options for the rest). */
  embeddingMatrix(vocabulary: readonly string[], options: EmbeddingMatrixOptions = {}): EmbeddingMatrix {
    const { dim } = this;
    const matrix = new Float32Array(vocabulary.length * dim);
    const random = new SeededRandom(options.seed ?? 0);
    const scale = options.scale ?? 0.05;
    const missing: string[] = [];
    vocabulary.forEach((word, row) => {
      const vector = this.vector(word);
      if (vector) {
        matrix.set(vector, row * dim);
        return;
      }
      missing.push(word);
      if ((options.missing ?? 'random') === 'random') {
        for (let j = 0; j < dim; j++) matrix[row * dim + j] = (2 * random.nextFloat() - 1) * scale;
      }
    });
    return { matrix, rows: vocabulary.length, dim, missing };
  }

  /** Writes the plain word2vec text format: "V D", then "word v1 … vD" per line. */
  save(path: string): Promise<void> {
    return writeWord2VecText(path, this.words, this.dim, this.vectors);
  }

  /** Reads the plain word2vec text format (as written by `save`, the C tool with -binary 0, or GloVe with a header). */
  static async load(path: string): Promise<Word2Vec> {
    const { words, dim, vectors } = await readWord2VecText(path);
    return new Word2Vec(words, dim, vectors);
  }

  private vectorNorms(): Float64Array {
    if (!this.norms) {
      const { dim, vectors } = this;
      this.norms = new Float64Array(this.words.length);
      for (let i = 0; i < this.words.length; i++) {
        let sum = 0;
        for (let j = 0; j < dim; j++) sum += vectors[i * dim + j] ** 2;
        this.norms[i] = Math.sqrt(sum);
      }
    }
    return this.norms;
  }
}
