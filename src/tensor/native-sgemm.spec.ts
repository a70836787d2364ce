/**
 * The native kernels' own matrix products (native/kernels/sgemm.c) against the definition, on every instruction
 * set this CPU runs, over shapes that reach each of its paths and block edges.
 */
import { loadNativeKernels, type NativeKernels } from './native-kernels';

const loaded = loadNativeKernels();
// CI builds the kernels (no library needed), so there they must load; elsewhere their absence skips these tests.
const describeNative = 'kernels' in loaded || process.env.CI ? describe : describe.skip;

/** c = op(a)·op(b) in double precision, by the definition. */
function reference(m: number, n: number, k: number, a: Float32Array, ta: boolean, b: Float32Array, tb: boolean): Float64Array {
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += a[ta ? p * m + i : i * k + p] * b[tb ? j * k + p : p * n + j];
      c[i * n + j] = s;
    }
  return c;
}

const filled = (length: number, seed: number) => Float32Array.from({ length }, (_, i) => Math.sin(seed * 12.9898 + i * 78.233) * 0.9);

/** Runs gemm on a heap holding a, b and c (c full of NaN: with beta 0 none may leak in) and returns c. */
function product(kernels: NativeKernels, batch: number, m: number, n: number, k: number, ta: boolean, tb: boolean, a: Float32Array, b: Float32Array, broadcastB: boolean) {
  const heap = new Float32Array(a.length + b.length + batch * m * n);
  heap.set(a, 0);
  heap.set(b, a.length);
  heap.fill(NaN, a.length + b.length);
  kernels.gemm(heap.buffer, batch, m, n, k, ta ? 1 : 0, tb ? 1 : 0, 0, m * k, a.length, broadcastB ? 0 : k * n, a.length + b.length);
  return heap.subarray(a.length + b.length);
}

function expectClose(got: Float32Array, want: Float64Array, k: number): void {
  const tolerance = 1e-6 * (8 + k); // float32 rounding grows with the length of each sum
  let worst = 0;
  for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]));
  expect(Number.isNaN(worst) ? Infinity : worst).toBeLessThanOrEqual(tolerance);
}

// [m, n, k]: one row (dot products when b is transposed, a gemv form otherwise), two rows, a few rows reading b
// in place (up to 48), packed tiles beyond; n off the 8/16/32-column tiles and past a 512-column block; k past
// the 256-deep block; m past the 960-row block.
const SHAPES: [number, number, number][] = [
  [1, 1, 1],
  [1, 37, 19],
  [1, 300, 70],
  [2, 33, 40],
  [3, 17, 9],
  [5, 64, 300],
  [12, 31, 7],
  [13, 100, 257],
  [47, 65, 33],
  [48, 16, 5],
  [49, 70, 65],
  [100, 530, 20],
  [61, 40, 600],
  [970, 20, 10],
];

describeNative('native sgemm on every instruction set of this CPU', () => {
  const kernels = 'kernels' in loaded ? loaded.kernels : undefined;
  const chosen = kernels?.config().replace('sgemm ', '') ?? 'none';
  // none without the kernels (in CI, where they must load, the first test then fails)
  const runs = kernels ? ['avx512', 'avx2', 'generic'].filter((isa) => kernels.useIsa(isa)).map((isa) => ({ isa, kernels })) : [];
  afterAll(() => kernels?.useIsa(chosen));

  it('runs the portable kernel anywhere and starts on the widest this CPU has', () => {
    const isas = runs.map((r) => r.isa);
    expect(isas).toContain('generic');
    expect(chosen).toBe(isas[0]);
    expect(kernels?.useIsa('sse9')).toBe(false);
  });

  describe.each(runs)('$isa', ({ isa, kernels }) => {
    beforeAll(() => expect(kernels.useIsa(isa)).toBe(true));

    it.each(SHAPES)('m=%i n=%i k=%i equals the definition for each transposition', (m, n, k) => {
      expect(kernels.config()).toBe(`sgemm ${isa}`);
      for (const [ta, tb] of [
        [false, false],
        [true, false],
        [false, true],
        [true, true],
      ]) {
        const a = filled(m * k, m + k);
        const b = filled(k * n, n + 3 * k);
        expectClose(product(kernels, 1, m, n, k, ta, tb, a, b, false), reference(m, n, k, a, ta, b, tb), k);
      }
    });

    it('multiplies each batch entry, broadcasting a b of stride 0', () => {
      const [batch, m, n, k] = [3, 4, 20, 9];
      const a = filled(batch * m * k, 5);
      const b = filled(k * n, 6);
      const c = product(kernels, batch, m, n, k, false, false, a, b, true);
      for (let i = 0; i < batch; i++) expectClose(c.subarray(i * m * n, (i + 1) * m * n), reference(m, n, k, a.subarray(i * m * k), false, b, false), k);
    });
  });
});
