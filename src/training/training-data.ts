import { dialogueTurns, isTargetTurn, TrainingDialogue } from '../models/batch';
import { readDialogues, Tokenizer } from '../tokenization';
import { SeededRandom, shuffle } from '../common/random';

/**
 * Reads a corpus file and encodes every turn; malformed lines are skipped and counted. A dialogue with no target
 * among its first `maxTurns` turns (what the model reads of it) is left out: it would teach nothing.
 */
export async function loadDialogueIds(
  file: string,
  tokenizer: Tokenizer,
  limit = Infinity,
  maxTurns = Infinity,
): Promise<{ dialogues: TrainingDialogue[]; skippedLines: number }> {
  const dialogues: TrainingDialogue[] = [];
  let skippedLines = 0;
  for await (const d of readDialogues(file, { onError: () => skippedLines++ })) {
    const ids = d.turns.map((t) => tokenizer.encode(t));
    const dialogue: TrainingDialogue = d.targets ? { turns: ids, targets: d.targets } : ids;
    if (!ids.some((_, t) => t < maxTurns && isTargetTurn(dialogue, t))) continue;
    dialogues.push(dialogue);
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
export function epochBatches(dialogues: readonly TrainingDialogue[], batchSize: number, seed: number, epoch: number): number[][] {
  const rng = new SeededRandom(seed * 1000003 + epoch);
  const order = shuffle([...dialogues.keys()], rng);
  const size = (i: number) => dialogueTurns(dialogues[i]).reduce((a, u) => a + u.length, 0);
  const window = batchSize * 50;
  const batches: number[][] = [];
  for (let start = 0; start < order.length; start += window) {
    const chunk = order.slice(start, start + window).sort((a, b) => size(a) - size(b));
    for (let i = 0; i < chunk.length; i += batchSize) batches.push(chunk.slice(i, i + batchSize));
  }
  return shuffle(batches, rng);
}

/**
 * The replayed part of one epoch: `count` dialogues of `corpus` without repeats (all of it when it has fewer), a fresh
 * draw each epoch so a long run sees much of the corpus; deterministic for (seed, epoch), so a resumed run draws the same.
 */
export function replaySample<D>(corpus: readonly D[], count: number, seed: number, epoch: number): D[] {
  const rng = new SeededRandom(seed * 7919 + epoch * 104729 + 1);
  return shuffle([...corpus.keys()], rng)
    .slice(0, Math.min(count, corpus.length))
    .map((i) => corpus[i]);
}
