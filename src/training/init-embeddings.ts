import * as tf from '@tensorflow/tfjs';
import { readWord2VecText } from '../word2vec/text-format';
import type { DialogueModel } from '../models/dialogue-model';
import type { Tokenizer } from '../tokenization';
import { TrainingError } from './training-errors';

/**
 * Starts the model's token embeddings from Word2vec vectors (`npm run word2vec -- train`): every vocabulary entry
 * the file has a vector for gets it; the others keep their random start. Returns how many rows were set.
 */
export async function initEmbeddings(model: DialogueModel, tokenizer: Tokenizer, file: string): Promise<{ covered: number; vocabulary: number }> {
  const { words, dim, vectors } = await readWord2VecText(file);
  const E = model.config.embeddingDim;
  if (dim !== E) throw new TrainingError('EMBEDDINGS_MISMATCH', `${file} holds ${dim}-dimensional vectors, the model's embeddings have ${E} (set model.embeddingDim or retrain word2vec)`, { file, dim, embeddingDim: E });
  const rowOf = new Map(words.map((word, row) => [word, row]));
  const table = Float32Array.from(model.embedding.dataSync());
  let covered = 0;
  for (let id = 0; id < tokenizer.vocabSize; id++) {
    const row = rowOf.get(tokenizer.idToToken(id));
    if (row === undefined) continue;
    table.set(vectors.subarray(row * dim, (row + 1) * dim), id * E);
    covered++;
  }
  model.embedding.assign(tf.tensor2d(table, [tokenizer.vocabSize, E]));
  return { covered, vocabulary: tokenizer.vocabSize };
}
