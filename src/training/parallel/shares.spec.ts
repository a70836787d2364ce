import { DialogueIds } from '../../models/batch';
import { rebalanceShares, splitDialogues } from './shares';

// reply tokens (turns after the first, each + eos): 8, 4, 7, 7
const DIALOGUES: DialogueIds[] = [
  [[4, 5, 6], [7, 8], [9, 10, 11, 12]],
  [[13], [14, 15, 4]],
  [[5, 6], [7], [8, 9], [10]],
  [[11, 12, 13, 14, 15], [4, 5, 6, 7, 8, 9]],
];
const replyTokens = (part: DialogueIds[]) => part.reduce((n, d) => n + d.slice(1).reduce((m, u) => m + u.length + 1, 0), 0);

describe('splitDialogues', () => {
  it('keeps every dialogue once and, for equal shares, balances the reply tokens', () => {
    const parts = splitDialogues(DIALOGUES, [1, 1]);
    expect(new Set(parts.flat())).toEqual(new Set(DIALOGUES));
    expect(parts.flat()).toHaveLength(DIALOGUES.length);
    expect(parts.map(replyTokens)).toEqual([12, 14]); // 8 + 4 against 7 + 7: the best of the possible splits
  });

  it('sizes the parts to unequal shares', () => {
    // 8 → first (8/3 < 8/1); 7 → first (15/3 < 7/1); 7 → second (7/1 < 22/3); 4 → first (19/3 < 11/1)
    expect(splitDialogues(DIALOGUES, [3, 1]).map(replyTokens)).toEqual([19, 7]);
  });

  it('leaves no part empty while there are dialogues enough', () => {
    const parts = splitDialogues(DIALOGUES.slice(0, 2), [0.9, 0.1]);
    expect(parts.map((p) => p.length)).toEqual([1, 1]);
  });
});

describe('rebalanceShares', () => {
  it('moves each share 30 % of the way to its part of the measured speed', () => {
    // speeds 100 / 100 = 1 and 100 / 300 = 1/3: targets 0.75 / 0.25, from 0.5 / 0.5 → 0.575 / 0.425
    const next = rebalanceShares([1, 1], [100, 100], [100, 300]);
    expect(next[0]).toBeCloseTo(0.575, 10);
    expect(next[1]).toBeCloseTo(0.425, 10);
  });

  it('keeps every share above half of an equal one', () => {
    let shares = [0.5, 0.5];
    for (let i = 0; i < 50; i++) shares = rebalanceShares(shares, [1000, 1], [1, 1000]);
    expect(shares[1]).toBeCloseTo(0.25 / 1.0, 1);
    expect(shares[1]).toBeGreaterThanOrEqual(0.2);
    expect(shares[0] + shares[1]).toBeCloseTo(1, 12);
  });

  it('ignores a step with an empty or unmeasured part', () => {
    expect(rebalanceShares([0.6, 0.4], [0, 50], [10, 10])).toEqual([0.6, 0.4]);
    expect(rebalanceShares([0.6, 0.4], [50, 50], [10, 0])).toEqual([0.6, 0.4]);
  });
});
