import { SeededRandom } from './random';

describe('SeededRandom', () => {
  test('repeats a sequence for a seed and differs across seeds', () => {
    const a = new SeededRandom(42);
    const b = new SeededRandom(42);
    const c = new SeededRandom(43);
    const first = Array.from({ length: 5 }, () => a.nextUint32());
    expect(Array.from({ length: 5 }, () => b.nextUint32())).toEqual(first);
    expect(Array.from({ length: 5 }, () => c.nextUint32())).not.toEqual(first);
  });

  test('floats lie in [0, 1), ints in range, Gaussians have mean ≈ 0 and variance ≈ 1', () => {
    const random = new SeededRandom(1);
    let floatsInRange = true;
    let intsInRange = true;
    let sum = 0;
    let squares = 0;
    for (let i = 0; i < 20_000; i++) {
      const f = random.nextFloat();
      floatsInRange &&= f >= 0 && f < 1;
      const k = random.nextInt(7);
      intsInRange &&= Number.isInteger(k) && k >= 0 && k < 7;
      const g = random.nextGaussian();
      sum += g;
      squares += g * g;
    }
    expect(floatsInRange).toBe(true);
    expect(intsInRange).toBe(true);
    expect(Math.abs(sum / 20_000)).toBeLessThan(0.03);
    expect(Math.abs(squares / 20_000 - 1)).toBeLessThan(0.05);
  });
});
