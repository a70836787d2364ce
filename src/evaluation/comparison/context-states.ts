/**
 * Conversation states for every test context, reading each dialogue once: turn t of every dialogue in
 * a chunk is observed in one batched encoder call (observeUtterances), and the state after turn t is
 * the context of reference t + 1. This equals rebuildState of each context's turns (the state is a
 * fold over turns), at O(turns) encodings instead of O(turns²).
 */
import type { DialogueModel } from '../../models/dialogue-model';
import { type ConversationState, initialState, observeUtterances, utteranceIds } from '../../generation';
import type { Tokenizer } from '../../tokenization/tokenizer';
import type { TestSet } from './test-contexts';

/** Dialogues per encoder call: bounds the [chunk, L, 2He] encoder outputs held at once. */
const CHUNK = 64;

export function contextStates(model: DialogueModel, tokenizer: Tokenizer, set: TestSet): ConversationState[] {
  // states[d][p] = state after the first p turns of dialogue d, kept only where a context needs it.
  const wanted = new Map<string, number[]>();
  set.contexts.forEach((c, i) => {
    const key = `${c.dialogue}:${c.position}`;
    wanted.set(key, [...(wanted.get(key) ?? []), i]);
  });
  const result: ConversationState[] = new Array(set.contexts.length);
  for (let first = 0; first < set.dialogues.length; first += CHUNK) {
    const chunk = set.dialogues.slice(first, first + CHUNK);
    const ids = chunk.map((d) => d.turns.map((t) => utteranceIds(tokenizer, t, model.config)));
    let states = chunk.map(() => initialState(model));
    const longest = Math.max(...chunk.map((d) => d.turns.length));
    // The last turn of a dialogue is only ever a reference, never context: stop one short.
    for (let t = 0; t < longest - 1; t++) {
      const live = chunk.flatMap((d, j) => (t < d.turns.length - 1 ? [j] : []));
      const next = observeUtterances(model, live.map((j) => states[j]), live.map((j) => ids[j][t]));
      states = [...states];
      live.forEach((j, k) => {
        states[j] = next[k];
        for (const i of wanted.get(`${first + j}:${t + 1}`) ?? []) result[i] = next[k];
      });
    }
  }
  return result;
}
