/**
 * The plain word2vec text format (C word2vec with `-binary 0`): a header line "V D", then V
 * lines "word v1 v2 … vD", values separated by single spaces. Words never contain spaces here.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { AppError } from '../common/errors';

/** A vectors file that is not in this format; `meta` names the file and line. */
export class EmbeddingsFileError extends AppError<'EMBEDDINGS_FILE_INVALID'> {
  constructor(file: string, line: number | undefined, detail: string) {
    super('EMBEDDINGS_FILE_INVALID', `${line === undefined ? file : `${file}:${line}`}: ${detail}`, { file, line });
  }
}

/** Streams the vectors to `path`, 6 decimals per value (as the C tool's "%lf"). */
export async function writeWord2VecText(path: string, words: readonly string[], dim: number, vectors: Float32Array): Promise<void> {
  const out = createWriteStream(path, 'utf8');
  const finished = once(out, 'finish');
  const write = async (line: string): Promise<void> => {
    if (!out.write(line)) await once(out, 'drain');
  };
  await write(`${words.length} ${dim}\n`);
  for (let i = 0; i < words.length; i++) {
    const values = Array.from(vectors.subarray(i * dim, (i + 1) * dim), (v) => v.toFixed(6));
    await write(`${words[i]} ${values.join(' ')}\n`);
  }
  out.end();
  await finished;
}

/** Parses the format; the header's counts are checked against the rows found. */
export async function readWord2VecText(path: string): Promise<{ words: string[]; dim: number; vectors: Float32Array }> {
  const lines = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity });
  const words: string[] = [];
  let dim = 0;
  let expectedWords = 0;
  let vectors = new Float32Array(0);
  let lineNumber = 0;
  for await (const line of lines) {
    lineNumber++;
    const fields = line.trim().split(/\s+/);
    if (lineNumber === 1) {
      [expectedWords, dim] = fields.map(Number);
      if (fields.length !== 2 || !Number.isInteger(expectedWords) || !Number.isInteger(dim) || dim < 1) {
        throw new EmbeddingsFileError(path, 1, `expected a header "V D", got "${line}"`);
      }
      vectors = new Float32Array(expectedWords * dim);
      continue;
    }
    if (fields.length === 1 && fields[0] === '') continue;
    if (fields.length !== dim + 1) throw new EmbeddingsFileError(path, lineNumber, `expected a word and ${dim} values, got ${fields.length} fields`);
    if (words.length >= expectedWords) throw new EmbeddingsFileError(path, lineNumber, `more rows than the header's ${expectedWords}`);
    for (let j = 0; j < dim; j++) vectors[words.length * dim + j] = Number(fields[j + 1]);
    words.push(fields[0]);
  }
  if (lineNumber === 0) throw new EmbeddingsFileError(path, undefined, 'empty file');
  if (words.length !== expectedWords) throw new EmbeddingsFileError(path, undefined, `header promises ${expectedWords} words, found ${words.length}`);
  return { words, dim, vectors };
}
