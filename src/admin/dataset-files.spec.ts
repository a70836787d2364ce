import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { tempDir } from '../../test/support/tiny-corpus';
import { resolveDatasetFile } from './dataset-files';

describe(resolveDatasetFile.name, () => {
  let corpusDir: string;
  let dataDir: string;
  let elsewhere: string;

  beforeAll(async () => {
    [corpusDir, dataDir, elsewhere] = await Promise.all([tempDir(), tempDir(), tempDir()]);
    await fs.writeFile(path.join(corpusDir, 'train.jsonl'), '');
    await fs.writeFile(path.join(dataDir, 'export.jsonl'), '');
    await fs.writeFile(path.join(elsewhere, 'secret.jsonl'), '');
    await fs.mkdir(path.join(corpusDir, 'sub'));
    await fs.symlink(path.join(elsewhere, 'secret.jsonl'), path.join(corpusDir, 'link.jsonl'));
  });

  const resolve = (given: string) => resolveDatasetFile('dataset.path', given, [corpusDir, dataDir]);

  it('takes relative names from the corpus folder and absolute ones inside either folder', async () => {
    expect(await resolve('train.jsonl')).toBe(await fs.realpath(path.join(corpusDir, 'train.jsonl')));
    expect(await resolve(path.join(dataDir, 'export.jsonl'))).toBe(await fs.realpath(path.join(dataDir, 'export.jsonl')));
  });

  it.each([
    ['a way out with ..', () => `../${path.basename(elsewhere)}/secret.jsonl`, 'is outside CORPUS_DIR and DATA_DIR'],
    ['an absolute path elsewhere', () => path.join(elsewhere, 'secret.jsonl'), 'is outside CORPUS_DIR and DATA_DIR'],
    // Pins the symlink case: the name is inside, the file it points to is not.
    ['a symbolic link leading out', () => 'link.jsonl', 'is outside CORPUS_DIR and DATA_DIR'],
    ['the corpus folder itself', () => '.', 'is outside CORPUS_DIR and DATA_DIR'],
    ['a missing file', () => 'missing.jsonl', 'dataset.path: file missing.jsonl not found'],
    ['a folder', () => 'sub', 'dataset.path: sub is not a file'],
  ])('refuses %s with a 400 naming the field', async (_, given, message) => {
    await expect(resolve(given())).rejects.toMatchObject({ code: 'invalid_input', message: expect.stringContaining(message), meta: { field: 'dataset.path' } });
  });
});
