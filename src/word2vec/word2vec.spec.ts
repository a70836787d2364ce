import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Word2Vec } from './word2vec';

// Three words on a plane: 'hi' and 'hello' 36.87° apart, 'bye' orthogonal to 'hi'.
const model = new Word2Vec(['hi', 'hello', 'bye'], 2, Float32Array.from([1, 0, 0.8, 0.6, 0, 1]));

describe('Word2Vec', () => {
  test('looks vectors up and answers undefined for unknown words', () => {
    expect(Array.from(model.vector('hello')!)).toEqual([expect.closeTo(0.8, 6), expect.closeTo(0.6, 6)]);
    expect(model.vector('nope')).toBeUndefined();
    expect(model.asLookup()('bye')).toEqual(Float32Array.from([0, 1]));
  });

  test('nearest ranks by cosine and excludes the word itself', () => {
    const neighbours = model.nearest('hi', 5);
    expect(neighbours.map((n) => n.word)).toEqual(['hello', 'bye']);
    expect(neighbours[0].similarity).toBeCloseTo(0.8, 6);
    expect(neighbours[1].similarity).toBeCloseTo(0, 6);
    expect(model.nearest('nope')).toEqual([]);
  });

  test('builds an embedding matrix for a vocabulary: known rows copied, missing rows zero or small random', () => {
    const zeros = model.embeddingMatrix(['<pad>', 'bye', 'hi'], { missing: 'zeros' });
    expect(zeros).toMatchObject({ rows: 3, dim: 2, missing: ['<pad>'] });
    expect(Array.from(zeros.matrix)).toEqual([0, 0, 0, 1, 1, 0]);

    const random = model.embeddingMatrix(['<unk>', 'hi'], { seed: 3 });
    const unk = Array.from(random.matrix.subarray(0, 2));
    expect(unk.every((v) => Math.abs(v) <= 0.05 && v !== 0)).toBe(true);
    expect(Array.from(random.matrix.subarray(2))).toEqual([1, 0]);
    expect(model.embeddingMatrix(['<unk>', 'hi'], { seed: 3 }).matrix).toEqual(random.matrix);
  });

  test('rejects a vector buffer of the wrong size', () => {
    expect(() => new Word2Vec(['a'], 3, new Float32Array(2))).toThrow(RangeError);
  });

  describe('text format', () => {
    let dir: string;
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'word2vec-'));
    });
    afterAll(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    test('saves "V D" then "word v1 … vD" lines and loads them back', async () => {
      const path = join(dir, 'vectors.txt');
      await model.save(path);
      expect((await readFile(path, 'utf8')).split('\n').slice(0, 3)).toEqual(['3 2', 'hi 1.000000 0.000000', 'hello 0.800000 0.600000']);
      const loaded = await Word2Vec.load(path);
      expect(loaded.words).toEqual(model.words);
      expect(loaded.vectors).toEqual(model.vectors);
    });

    test('loads C-tool output with trailing spaces, and rejects a header that does not match', async () => {
      const path = join(dir, 'c-tool.txt');
      await writeFile(path, '2 3\nyes 0.1 0.2 0.3 \nno -0.1 -0.2 -0.3 \n');
      expect(Array.from((await Word2Vec.load(path)).vector('no')!)).toEqual([expect.closeTo(-0.1, 6), expect.closeTo(-0.2, 6), expect.closeTo(-0.3, 6)]);
      await writeFile(path, '3 3\nyes 0.1 0.2 0.3\n');
      await expect(Word2Vec.load(path)).rejects.toThrow(/promises 3 words, found 1/);
      await writeFile(path, '1 3\nyes 0.1 0.2\n');
      await expect(Word2Vec.load(path)).rejects.toThrow(/expected a word and 3 values/);
    });
  });
});
