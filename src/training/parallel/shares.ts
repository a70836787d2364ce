/**
 * How a batch is divided between the threads of a data-parallel step. A worker's part also pays for
 * receiving the weights and sending its gradients back, so equal parts leave this thread idle at the end
 * of every step; each thread's share follows its tokens per second instead, as each thread times its own part.
 */
import { dialogueTurns, isTargetTurn, type TrainingDialogue } from '../../models/batch';

/** Reply tokens of a dialogue: its target turns, each with its eos. */
const replyTokens = (d: TrainingDialogue) => dialogueTurns(d).reduce((n, u, t) => (isTargetTurn(d, t) ? n + u.length + 1 : n), 0);

/**
 * Splits dialogues into one group per share with reply tokens in proportion to the shares (largest dialogue
 * first, each to the group it leaves least loaded relative to its share; ties to the earlier group). Given at
 * least as many dialogues as shares, no group is left empty.
 */
export function splitDialogues<D extends TrainingDialogue>(dialogues: readonly D[], shares: readonly number[]): D[][] {
  const groups = shares.map(() => ({ items: [] as D[], tokens: 0 }));
  const order = dialogues.map((_, i) => i).sort((a, b) => replyTokens(dialogues[b]) - replyTokens(dialogues[a]) || a - b);
  order.forEach((i, n) => {
    const w = replyTokens(dialogues[i]);
    const empty = groups.filter((g) => g.items.length === 0);
    let best = 0;
    for (let g = 1; g < groups.length; g++) if ((groups[g].tokens + w) / shares[g] < (groups[best].tokens + w) / shares[best]) best = g;
    if (empty.length >= order.length - n && groups[best].items.length > 0) best = groups.indexOf(empty[0]);
    groups[best].items.push(dialogues[i]);
    groups[best].tokens += w;
  });
  return groups.map((g) => g.items);
}

/** How fast the shares follow the measured speeds (an exponential moving average: step timings are noisy). */
const RATE = 0.3;
/** No thread's share falls below half of an equal one, so a slow step cannot starve a thread. */
const FLOOR = 0.5;

/**
 * Next shares (summing to 1) from this step's reply tokens and milliseconds per part: each moves towards
 * its part's share of the total speed (tokens / ms). A step with an empty or unmeasured part changes nothing.
 */
export function rebalanceShares(shares: readonly number[], tokens: readonly number[], ms: readonly number[]): number[] {
  const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);
  const current = shares.map((s) => s / sum(shares));
  if (tokens.some((t) => t <= 0) || ms.some((m) => !(m > 0))) return current;
  const speeds = tokens.map((t, i) => t / ms[i]);
  const floor = FLOOR / shares.length;
  const moved = current.map((s, i) => Math.max(floor, (1 - RATE) * s + (RATE * speeds[i]) / sum(speeds)));
  return moved.map((s) => s / sum(moved));
}
