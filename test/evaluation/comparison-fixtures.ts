/** Two tiny untrained models (HRED, VHRED) saved as model folders, test dialogues and word vectors, for comparison tests. */
import * as path from 'node:path';
import { tokenizeWords } from '../../src/tokenization/word-tokens';
import { trainWord2Vec } from '../../src/word2vec/skip-gram';
import { tinyModel, tinyTokenizer } from '../support/generation-kit';
import { saveModel } from '../../src/models/model-files';
import type { ModelKind } from '../../src/models/model-config';
import { TINY_DIALOGUES, writeCorpus } from '../support/tiny-corpus';

export interface ComparisonFixtures {
  hred: string;
  vhred: string;
  data: string;
  vectors: string;
}

export async function writeTinyModel(dir: string, kind: ModelKind, seed: number): Promise<string> {
  const tokenizer = await tinyTokenizer();
  const model = tinyModel(kind, tokenizer.vocabSize, seed);
  await saveModel(dir, model, { note: 'untrained, for tests' });
  await tokenizer.save(dir);
  model.dispose();
  return dir;
}

/** `modelsDir/hred`, `modelsDir/vhred`, `dataDir/test.jsonl` and `vectorsDir/vectors.txt`. */
export async function writeComparisonFixtures(modelsDir: string, dataDir: string, vectorsDir = dataDir): Promise<ComparisonFixtures> {
  const vectors = path.join(vectorsDir, 'vectors.txt');
  await trainWord2Vec(TINY_DIALOGUES.flat().map(tokenizeWords), { dim: 8, minCount: 1, epochs: 2 }).save(vectors);
  return {
    hred: await writeTinyModel(path.join(modelsDir, 'hred'), 'hred', 3),
    vhred: await writeTinyModel(path.join(modelsDir, 'vhred'), 'vhred', 4),
    data: await writeCorpus(dataDir, TINY_DIALOGUES, 'test.jsonl'),
    vectors,
  };
}
