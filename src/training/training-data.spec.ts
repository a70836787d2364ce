import { promises as fs } from 'fs';
import * as path from 'path';
import { tempDir } from '../../test/support/tiny-corpus';
import { buildWordTokenizer } from '../tokenization';
import { loadDialogueIds, replaySample } from './training-data';

describe(loadDialogueIds.name, () => {
  it("keeps a dialogue's target flags, and leaves out a dialogue with nothing to learn within the turns the model reads", async () => {
    const file = path.join(await tempDir(), 'export.jsonl');
    const lines = [
      { id: 'a', turns: ['hi', 'hello', 'how are you'], targets: [false, false, true] },
      { id: 'b', turns: ['hi', 'hello'], targets: [false, false] }, // nothing learned
      { id: 'c', turns: ['hi', 'hello', 'hi', 'hello'], targets: [false, false, false, true] }, // its target is past maxTurns 3
      { id: 'd', turns: ['hi', 'hello'] }, // a corpus dialogue: every turn after the first
      { id: 'e', turns: ['hi'] },
    ];
    await fs.writeFile(file, lines.map((l) => JSON.stringify(l)).join('\n'));
    const tokenizer = await buildWordTokenizer(['hi hello how are you']);
    const { dialogues } = await loadDialogueIds(file, tokenizer, Infinity, 3);
    const ids = (text: string) => tokenizer.encode(text);
    expect(dialogues).toEqual([{ turns: [ids('hi'), ids('hello'), ids('how are you')], targets: [false, false, true] }, [ids('hi'), ids('hello')]]);
  });
});

describe(replaySample.name, () => {
  const corpus = Array.from({ length: 100 }, (_, i) => i);

  it('draws without repeats, the same for the same (seed, epoch), afresh for the next epoch', () => {
    const a = replaySample(corpus, 30, 1, 0);
    expect(new Set(a).size).toBe(30);
    expect(replaySample(corpus, 30, 1, 0)).toEqual(a);
    expect(replaySample(corpus, 30, 1, 1)).not.toEqual(a);
  });

  it('takes the whole corpus when asked for more than it has', () => {
    expect([...replaySample(corpus.slice(0, 5), 8, 1, 0)].sort()).toEqual([0, 1, 2, 3, 4]);
  });
});
