import { Test } from '@nestjs/testing';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildWordTokenizer } from './build-word-tokenizer';
import { TokenizationModule } from './tokenization.module';
import { TokenizationService } from './tokenization.service';

describe(TokenizationService.name, () => {
  let sut: TokenizationService;
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tokenization-service-'));
    const moduleRef = await Test.createTestingModule({ imports: [TokenizationModule] }).compile();
    sut = moduleRef.get(TokenizationService);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('loads a model folder once and shares the tokenizer', async () => {
    await (await buildWordTokenizer(['hello there'], { maxSize: 10 })).save(dir);
    const [first, second] = await Promise.all([sut.forModel(dir), sut.forModel(join(dir, '.'))]);
    expect(first).toBe(second);
    expect(first.decode(first.encode('Hello there'))).toBe('hello there');
  });

  it('does not cache a failed load', async () => {
    const missing = join(dir, 'later');
    await expect(sut.forModel(missing)).rejects.toMatchObject({ code: 'TOKENIZER_FILE_MISSING' });
    await (await buildWordTokenizer(['hi'], { maxSize: 10 })).save(missing);
    await expect(sut.forModel(missing)).resolves.toMatchObject({ kind: 'word' });
  });
});
