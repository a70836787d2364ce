import { tempDir, writeCorpus } from '../../../test/support/tiny-corpus';
import { contextTurns, readTestContexts } from './test-contexts';

const DIALOGUES = [['a1', 'a2', 'a3'], ['lonely'], ['b1', 'b2', 'b3', 'b4']];

describe(readTestContexts.name, () => {
  test('every turn after the first is a reference, with all earlier turns as context', async () => {
    const file = await writeCorpus(await tempDir(), DIALOGUES, 'test.jsonl');
    const set = await readTestContexts(file);
    expect(set.contexts.map((c) => [c.reference, c.position])).toEqual([['a2', 1], ['a3', 2], ['b2', 1], ['b3', 2], ['b4', 3]]);
    expect(contextTurns(set, set.contexts[4])).toEqual(['b1', 'b2', 'b3']);
  });

  test('limit keeps the first N contexts and cuts the last dialogue after its last kept reference', async () => {
    const file = await writeCorpus(await tempDir(), DIALOGUES, 'test.jsonl');
    const set = await readTestContexts(file, 3);
    expect(set.contexts.map((c) => c.reference)).toEqual(['a2', 'a3', 'b2']);
    expect(set.dialogues.map((d) => d.turns)).toEqual([['a1', 'a2', 'a3'], ['b1', 'b2']]);
  });
});
