/**
 * The test contexts of a comparison, as DialogWAE builds them: every turn after the first of each test
 * dialogue is a reference, and all the turns before it are its context. `limit` keeps the first N
 * contexts in file order; the dialogues returned are cut after the last reference kept, so corpus
 * figures (perplexity) cover exactly the replies the sampled figures do.
 */
import { readDialogues } from '../../tokenization/corpus-reader';

export interface TestContext {
  /** Index into the returned dialogues. */
  readonly dialogue: number;
  readonly dialogueId: string;
  /** Index of the reference turn in its dialogue (≥ 1): the number of context turns. */
  readonly position: number;
  readonly reference: string;
}

export interface TestSet {
  readonly contexts: TestContext[];
  /** Turn texts of the dialogues the contexts come from (each cut after its last kept reference). */
  readonly dialogues: { id: string; turns: string[] }[];
}

export async function readTestContexts(file: string, limit = Infinity): Promise<TestSet> {
  const contexts: TestContext[] = [];
  const dialogues: TestSet['dialogues'] = [];
  for await (const { id, turns } of readDialogues(file, { malformed: 'throw' })) {
    if (contexts.length >= limit) break;
    if (turns.length < 2) continue; // nothing to answer
    const dialogue = dialogues.length;
    const kept = Math.min(turns.length, 1 + limit - contexts.length);
    for (let position = 1; position < kept; position++) contexts.push({ dialogue, dialogueId: id, position, reference: turns[position] });
    dialogues.push({ id, turns: turns.slice(0, kept) });
  }
  if (contexts.length === 0) throw new RangeError(`${file} holds no dialogue with two or more turns`);
  return { contexts, dialogues };
}

/** The context turns of one test context. */
export function contextTurns(set: TestSet, context: TestContext): string[] {
  return set.dialogues[context.dialogue].turns.slice(0, context.position);
}
