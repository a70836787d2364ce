import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readDialogSentences } from './dialog-corpus';

describe('readDialogSentences', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dialog-corpus-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('gives one tokenised sentence per non-empty turn, skipping blank lines', async () => {
    const path = join(dir, 'dialogs.jsonl');
    await writeFile(path, ['{"id": "1", "turns": ["Hi , Tom !", "Hello ."]}', '', '{"id": "2", "turns": ["  ", "Don\'t."]}', ''].join('\n'));
    expect(await readDialogSentences(path)).toEqual([['hi', ',', 'tom', '!'], ['hello', '.'], ['don', "'", 't', '.']]);
  });

  test('names the line of a record without turns', async () => {
    const path = join(dir, 'bad.jsonl');
    await writeFile(path, '{"id": "1", "turns": ["ok"]}\n{"id": "2"}\n');
    await expect(readDialogSentences(path)).rejects.toThrow(/bad\.jsonl:2: expected a "turns" array/);
  });
});
