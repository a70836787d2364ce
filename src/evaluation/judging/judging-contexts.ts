/**
 * The contexts of a judging round (shared/notes/rating.md): dialogues drawn at random with a seed, one position
 * per dialogue, so no dialogue weighs more than another and a round's list can be drawn again exactly.
 * Dialogues listed in `exclude` (e.g. DailyDialog's test dialogues that repeat a training dialogue) are skipped:
 * a model could recite their replies.
 */
import { SeededRandom, shuffle } from '../../common/random';
import { readDialogues } from '../../tokenization/corpus-reader';
import type { TestSet } from '../comparison/test-contexts';

export interface JudgingContextOptions {
  readonly count: number;
  readonly seed: number;
  /** Dialogue ids never drawn. */
  readonly exclude?: ReadonlySet<string>;
}

/** A TestSet of `count` contexts, one per dialogue, in draw order; each dialogue cut after its reference. */
export async function drawJudgingContexts(file: string, options: JudgingContextOptions): Promise<TestSet> {
  const all: { id: string; turns: string[] }[] = [];
  for await (const d of readDialogues(file, { malformed: 'throw' })) if (d.turns.length >= 2 && !options.exclude?.has(d.id)) all.push(d);
  return drawFrom(all, options);
}

export function drawFrom(dialogues: readonly { id: string; turns: string[] }[], { count, seed }: JudgingContextOptions): TestSet {
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`a round needs a positive whole number of contexts, got ${count}`);
  const usable = dialogues.filter((d) => d.turns.length >= 2);
  if (usable.length < count) throw new RangeError(`${count} contexts asked, but only ${usable.length} dialogues have two turns or more`);
  const random = new SeededRandom(seed);
  const order = shuffle([...usable.keys()], random).slice(0, count);
  const set: TestSet = { contexts: [], dialogues: [] };
  for (const i of order) {
    const { id, turns } = usable[i];
    const position = 1 + random.nextInt(turns.length - 1); // the reference: any turn after the first
    set.contexts.push({ dialogue: set.dialogues.length, dialogueId: id, position, reference: turns[position] });
    set.dialogues.push({ id, turns: turns.slice(0, position + 1) });
  }
  return set;
}

/** Ids in the first column of a TSV with a header (shared/data/dailydialog/duplicates.tsv). */
export function idsOfTsv(text: string): Set<string> {
  return new Set(
    text
      .split('\n')
      .slice(1)
      .map((line) => line.split('\t')[0].trim())
      .filter(Boolean),
  );
}
