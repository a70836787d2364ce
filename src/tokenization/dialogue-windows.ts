import { Dialogue } from './corpus-reader';

/**
 * A dialogue longer than `window` turns as windows of `window` turns starting every `stride` turns (the last one
 * reaching the end), so that with a trainer that reads a dialogue's first `window` turns every turn is a target
 * once; the `window − stride` turns that neighbouring windows share give each window's first reply some context.
 * Ids get `#w<start>`. A dialogue that fits is returned as it is.
 */
export function dialogueWindows(d: Dialogue, window: number, stride: number): Dialogue[] {
  if (!(Number.isInteger(window) && window >= 2 && Number.isInteger(stride) && stride >= 1 && stride < window)) {
    throw new RangeError(`dialogue windows need integers window ≥ 2 and 1 ≤ stride < window (got ${window}, ${stride})`);
  }
  if (d.turns.length <= window) return [d];
  const out: Dialogue[] = [];
  for (let start = 0; ; start += stride) {
    out.push({ id: `${d.id}#w${start}`, turns: d.turns.slice(start, start + window) });
    if (start + window >= d.turns.length) return out;
  }
}
