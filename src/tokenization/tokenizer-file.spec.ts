import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildWordTokenizer } from './build-word-tokenizer';
import { loadTokenizer, tokenizerFromSaved } from './load-tokenizer';
import { TokenizerFileError } from './tokenization-errors';
import { tokenizerFilePath } from './tokenizer-file';
import { Tokenizer } from './tokenizer';
import { trainSubwordTokenizer } from './train-subword-tokenizer';

const TEXTS = ["I don't know, really.", 'How about a walk to the gym?', '今日は涼しいですね 😀', 'See you at 10:30!'];
const PROBES = [...TEXTS, 'Unseen words: zyzzyva, 日本語, 👍🏽'];

describe(loadTokenizer.name, () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tokenizer-file-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  test.each([
    ['word', () => buildWordTokenizer(TEXTS, { maxSize: 50, minCount: 1 })],
    ['subword', () => trainSubwordTokenizer(TEXTS, { vocabSize: 300 })],
  ] as const)('loads a saved %s tokenizer (from its file, or its saved form sent to another thread) that encodes and decodes identically', async (kind, build) => {
    const saved: Tokenizer = await build();
    await saved.save(dir);
    const crossed = tokenizerFromSaved(structuredClone(saved.saved())); // as a decoder thread receives it
    for (const loaded of [await loadTokenizer(dir), crossed]) {
      expect(loaded.kind).toBe(kind);
      expect(loaded.vocabSize).toBe(saved.vocabSize);
      for (const text of PROBES) {
        expect(loaded.encode(text)).toEqual(saved.encode(text));
        expect(loaded.decode(saved.encode(text))).toBe(saved.decode(saved.encode(text)));
      }
    }
  });

  it('names the file when there is none', async () => {
    const error = await loadTokenizer(dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TokenizerFileError);
    expect(error).toMatchObject({ code: 'TOKENIZER_FILE_MISSING', file: tokenizerFilePath(dir) });
    expect((error as Error).message).toContain(tokenizerFilePath(dir));
  });

  test.each([
    ['truncated JSON', (json: string) => json.slice(0, json.length / 2)],
    ['an unknown kind', (json: string) => json.replace('"kind":"subword"', '"kind":"charlevel"')],
    ['reordered special tokens', (json: string) => json.replace('["<pad>","<unk>"', '["<unk>","<pad>"')],
    ['a missing byte token', (json: string) => json.replace('"Ā":', '"not-a-byte":')],
    ['a foreign pre-tokenizer', (json: string) => json.replace('"Isolated"', '"Removed"')],
  ])('rejects a file with %s as corrupt, naming it', async (_, corrupt) => {
    await (await trainSubwordTokenizer(TEXTS, { vocabSize: 280 })).save(dir);
    const file = tokenizerFilePath(dir);
    await writeFile(file, corrupt(await readFile(file, 'utf8')));
    await expect(loadTokenizer(dir)).rejects.toMatchObject({ code: 'TOKENIZER_FILE_CORRUPT', file, name: 'TokenizerFileError' });
  });

  it('writes a subword definition the tokenizers library loads on its own', async () => {
    await (await trainSubwordTokenizer(TEXTS, { vocabSize: 280 })).save(dir);
    const { huggingface, specialTokens } = JSON.parse(await readFile(tokenizerFilePath(dir), 'utf8'));
    expect(specialTokens).toEqual(['<pad>', '<unk>', '<bos>', '<eos>']);
    const { Tokenizer: LibraryTokenizer } = await import('tokenizers');
    expect(LibraryTokenizer.fromString(JSON.stringify(huggingface)).getVocabSize()).toBe(280);
  });
});
