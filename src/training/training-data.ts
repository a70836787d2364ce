import { DialogueIds } from '../models/batch';
import { readDialogues, Tokenizer } from '../tokenization';
import { SeededRandom, shuffle } from '../common/random';

/** Reads a corpus file and encodes every turn; malformed lines are skipped and counted. */
export async function loadDialogueIds(
  file: string,
  tokenizer: Tokenizer,
  limit = Infinity,
): Promise<{ dialogues: DialogueIds[]; skippedLines: number }> {
  const dialogues: DialogueIds[] = [];
  let skippedLines = 0;
  for await (const d of readDialogues(file, { onError: () => skippedLines++ })) {
    if (d.turns.length < 2) continue; // nothing to answer
    dialogues.push(d.turns.map((t) => tokenizer.encode(t)));
    if (dialogues.length >= limit) break;
  }
  return { dialogues, skippedLines };
}

/** Texts of every turn, for building a vocabulary. */
export async function* corpusTexts(file: string, limit = Infinity): AsyncGenerator<string> {
  let n = 0;
  for await (const d of readDialogues(file)) {
    yield* d.turns;
    if (++n >= limit) break;
  }
}

/**
 * The batches of one epoch, as index lists into the dialogue array. Dialogues are shuffled, then
 * sorted by length within windows of 50 batches so a batch pads little, then the batches are shuffled:
 * deterministic for (seed, epoch), so a resumed run replays the same order.
 */
export function epochBatches(dialogues: DialogueIds[], batchSize: number, seed: number, epoch: number): number[][] {
  const rng = new SeededRandom(seed * 1000003 + epoch);
  const order = shuffle([...dialogues.keys()], rng);
  const size = (i: number) => dialogues[i].reduce((a, u) => a + u.length, 0);
  const window = batchSize * 50;
  const batches: number[][] = [];
  for (let start = 0; start < order.length; start += window) {
    const chunk = order.slice(start, start + window).sort((a, b) => size(a) - size(b));
    for (let i = 0; i < chunk.length; i += batchSize) batches.push(chunk.slice(i, i + batchSize));
  }
  return shuffle(batches, rng);
}
