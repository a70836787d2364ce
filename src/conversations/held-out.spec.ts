import { randomUUID } from 'node:crypto';
import { heldOutPosition, isHeldOut } from './held-out';

describe(isHeldOut.name, () => {
  const ids = Array.from({ length: 2000 }, () => randomUUID());

  it('depends on the id alone (not its case): the same conversation always falls on the same side', () => {
    const id = ids[0];
    expect(heldOutPosition(id)).toBe(heldOutPosition(id.toUpperCase()));
    expect(heldOutPosition(id)).toBeGreaterThanOrEqual(0);
    expect(heldOutPosition(id)).toBeLessThan(1);
  });

  it('holds out about the fraction asked for', () => {
    const share = ids.filter((id) => isHeldOut(id, 0.1)).length / ids.length;
    expect(share).toBeGreaterThan(0.07);
    expect(share).toBeLessThan(0.13);
  });

  it('only grows with the fraction: raising it never moves a held-out conversation into training', () => {
    const small = ids.filter((id) => isHeldOut(id, 0.1));
    expect(small.every((id) => isHeldOut(id, 0.2))).toBe(true);
  });
});
