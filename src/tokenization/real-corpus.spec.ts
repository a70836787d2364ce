import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { buildWordTokenizer } from './build-word-tokenizer';
import { readDialogues, readTurns } from './corpus-reader';
import { SubwordTokenizer } from './subword-tokenizer';
import { UNK_ID } from './tokenizer';
import { trainSubwordTokenizer } from './train-subword-tokenizer';
import { WordTokenizer } from './word-tokenizer';

// The shared corpora, when this machine has them: $CORPUS_DIR, else ../shared/data beside the repository.
const corpusDir = resolve(__dirname, '../..', process.env.CORPUS_DIR ?? '../shared/data');
const dailyDialog = (split: string) => resolve(corpusDir, `dailydialog/${split}.jsonl`);
const personaChat = (split: string) => resolve(corpusDir, `real_persona_chat/${split}.jsonl`);
const present = existsSync(dailyDialog('train')) && existsSync(personaChat('train'));

async function collect<T>(items: AsyncIterable<T>, limit = Infinity): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) {
    if (out.length >= limit) break;
    out.push(item);
  }
  return out;
}

(present ? describe : describe.skip)(`real corpora in ${corpusDir}`, () => {
  it('reads DailyDialog test as its README counts it', async () => {
    const dialogues = await collect(readDialogues(dailyDialog('test'), { malformed: 'throw' }));
    expect(dialogues).toHaveLength(1000);
    expect(dialogues.reduce((n, d) => n + d.turns.length, 0)).toBe(7740);
  });

  describe('word, the benchmark vocabulary', () => {
    let sut: WordTokenizer;
    let testTurns: string[];
    beforeAll(async () => {
      sut = await buildWordTokenizer(readTurns(dailyDialog('train')), { maxSize: 8000 });
      testTurns = await collect(readTurns(dailyDialog('test')));
    });

    it('has 7,996 tokens plus the 4 specials, and covers most test tokens', () => {
      expect(sut.vocabSize).toBe(8000);
      const ids = testTurns.flatMap((turn) => sut.encode(turn));
      expect(ids.filter((id) => id === UNK_ID).length / ids.length).toBeLessThan(0.03);
    });

    it('decodes DailyDialog turns into readable text', () => {
      expect(sut.decode(sut.encode("I don ' t know . It ’ s 3.5 miles , isn't it ?"))).toBe("i don't know. it’s 3.5 miles, isn't it?");
      const decoded = testTurns.map((turn) => sut.decode(sut.encode(turn)));
      expect(decoded.filter((text) => / [.,!?;:]|\w ' [tsm] | {2}/.test(text))).toEqual([]);
    });

    it('streams every test turn equal to the full decode at every prefix', () => {
      const mismatches = testTurns.filter((turn) => {
        const ids = sut.encode(turn);
        const stream = sut.createStreamDecoder();
        return ids.some((id, i) => stream.push(id).text !== sut.decode(ids.slice(0, i + 1)));
      });
      expect(mismatches).toEqual([]);
    });
  });

  describe('subword, trained on English and Japanese', () => {
    let sut: SubwordTokenizer;
    beforeAll(async () => {
      const english = await collect(readTurns(dailyDialog('train')), 3000);
      const japanese = await collect(readTurns(personaChat('train')), 3000);
      sut = await trainSubwordTokenizer([...english, ...japanese], { vocabSize: 4000 });
    });

    it('has the requested size', () => {
      expect(sut.vocabSize).toBe(4000);
    });

    it('round-trips Japanese test turns exactly, without <unk>, in fewer tokens than characters', async () => {
      const turns = await collect(readTurns(personaChat('test')), 1000);
      const ids = turns.map((turn) => sut.encode(turn));
      expect(turns.filter((turn, i) => sut.decode(ids[i]!) !== sut.normalize(turn))).toEqual([]);
      expect(ids.flat()).not.toContain(UNK_ID);
      expect(ids.flat().length).toBeLessThan(turns.join('').length);
    });
  });
});
