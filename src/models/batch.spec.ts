import { BOS_ID, EOS_ID, PAD_ID, UNK_ID } from '../tokenization/tokenizer';
import { buildBatch, DialogueIds, MaskedDialogue } from './batch';

const DIALOGUES: DialogueIds[] = [
  [[4, 5], [6, 7, 8], [9]],
  [[10], [11, 12]],
];
const OPTIONS = { maxTurns: 10, maxUtteranceTokens: 30 };
/** Decoder rows [inputs, outputs] of every target, padding cut. */
const rows = (b: ReturnType<typeof buildBatch>) =>
  Array.from({ length: b.targets }, (_, n) => {
    const cut = (a: Int32Array) => Array.from(a.slice(n * b.decLength, (n + 1) * b.decLength)).filter((_, j) => b.decMask[n * b.decLength + j] > 0);
    return [cut(b.decIn), cut(b.decOut)];
  });

describe('buildBatch decoder inputs', () => {
  test('teacher forcing: bos + reply in, reply + eos out, every turn after the first a target', () => {
    const batch = buildBatch(DIALOGUES, OPTIONS);
    expect(rows(batch)).toEqual([
      [[BOS_ID, 6, 7, 8], [6, 7, 8, EOS_ID]],
      [[BOS_ID, 9], [9, EOS_ID]],
      [[BOS_ID, 11, 12], [11, 12, EOS_ID]],
    ]);
    expect(batch.targetTokens).toBe(9);
    expect(batch.decIn[batch.decLength - 1 + batch.decLength]).toBe(PAD_ID);
  });

  test('a masked dialogue decodes only its target turns; the others stay in the context', () => {
    const masked: MaskedDialogue = { turns: DIALOGUES[0], targets: [false, false, true] };
    const batch = buildBatch([masked, DIALOGUES[1]], OPTIONS);
    expect(rows(batch)).toEqual([
      [[BOS_ID, 9], [9, EOS_ID]],
      [[BOS_ID, 11, 12], [11, 12, EOS_ID]],
    ]);
    expect(batch.utterances).toBe(5); // every turn is still encoded
    expect(Array.from(batch.contextSlot)).toEqual([1, 3]); // turn 2 reads the context after turns 0 and 1 (slots of 3 turns)
    expect(batch.targetTokens).toBe(5);
  });

  test('utterance drop replaces every input but bos, and never the outputs', () => {
    const dropped = rows(buildBatch(DIALOGUES, { ...OPTIONS, utteranceDrop: 1 }));
    expect(dropped.map(([inputs]) => inputs)).toEqual([[BOS_ID, UNK_ID, UNK_ID, UNK_ID], [BOS_ID, UNK_ID], [BOS_ID, UNK_ID, UNK_ID]]);
    expect(dropped.map(([, outputs]) => outputs)).toEqual(rows(buildBatch(DIALOGUES, OPTIONS)).map(([, outputs]) => outputs));
  });

  test('utterance drop takes whole replies: each reply is all kept or all dropped', () => {
    const draws = [0.9, 0.1, 0.9]; // reply 1 kept, reply 2 dropped, reply 3 kept
    const batch = buildBatch(DIALOGUES, { ...OPTIONS, utteranceDrop: 0.5, random: () => draws.shift()! });
    expect(rows(batch).map(([inputs]) => inputs)).toEqual([[BOS_ID, 6, 7, 8], [BOS_ID, UNK_ID], [BOS_ID, 11, 12]]);
  });

  test('word drop replaces single inputs after bos with unk at its rate', () => {
    const dialogues: DialogueIds[] = [[[4], Array.from({ length: 30 }, () => 5)]];
    let seed = 1;
    const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    const inputs: number[] = [];
    for (let i = 0; i < 40; i++) inputs.push(...rows(buildBatch(dialogues, { ...OPTIONS, wordDrop: 0.25, random }))[0][0].slice(1));
    const rate = inputs.filter((id) => id === UNK_ID).length / inputs.length;
    expect(rate).toBeGreaterThan(0.2);
    expect(rate).toBeLessThan(0.3);
  });
});
