import { dialogueWindows } from './dialogue-windows';

const dialogue = (n: number) => ({ id: 'd', turns: Array.from({ length: n }, (_, i) => `t${i}`) });

describe(dialogueWindows.name, () => {
  it('keeps a dialogue that fits', () => {
    expect(dialogueWindows(dialogue(10), 10, 8)).toEqual([dialogue(10)]);
  });

  it('covers every turn of a long dialogue as a target once, neighbours sharing window − stride turns', () => {
    const w = dialogueWindows(dialogue(20), 10, 8);
    expect(w.map((x) => x.id)).toEqual(['d#w0', 'd#w8', 'd#w16']);
    expect(w.map((x) => x.turns)).toEqual([
      ['t0', 't1', 't2', 't3', 't4', 't5', 't6', 't7', 't8', 't9'],
      ['t8', 't9', 't10', 't11', 't12', 't13', 't14', 't15', 't16', 't17'],
      ['t16', 't17', 't18', 't19'],
    ]);
    // targets are every turn after a window's first: t1..t9, t9..t17, t17..t19 → all of t1..t19
    const targets = new Set(w.flatMap((x) => x.turns.slice(1)));
    expect(targets.size).toBe(19);
  });

  it('stops where a window reaches the end (no window of one turn)', () => {
    expect(dialogueWindows(dialogue(18), 10, 8).map((x) => x.turns.length)).toEqual([10, 10]);
  });

  it.each([
    [1, 1],
    [10, 10],
    [10, 0],
    [2.5, 1],
  ])('refuses window %p, stride %p', (window, stride) => {
    expect(() => dialogueWindows(dialogue(3), window, stride)).toThrow(RangeError);
  });
});
