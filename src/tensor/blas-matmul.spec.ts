import * as tf from '@tensorflow/tfjs';
import { nativeKernelsExpected, useTensorBackend } from '../../test/support/tensor-backend';
import { backendInfo } from './backend';
import { loadNativeKernels } from './native-kernels';

useTensorBackend();

const native = loadNativeKernels();

/** Row-major reference product of op(A)·op(B), by the definition. */
function reference(a: number[][], b: number[][], ta: boolean, tb: boolean): number[][] {
  const A = ta ? a[0].map((_, j) => a.map((r) => r[j])) : a;
  const B = tb ? b[0].map((_, j) => b.map((r) => r[j])) : b;
  return A.map((row) => B[0].map((_, j) => row.reduce((s, x, k) => s + x * B[k][j], 0)));
}

const random = (rows: number, cols: number, seed: number) =>
  Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (_, j) => Math.sin(seed * 7.3 + i * 1.7 + j * 0.9)));

// The native products where they are built, tfjs's own with TF_NATIVE=off (CI's fallback pass): the same definition.
describe(`BatchMatMul on wasm (${nativeKernelsExpected() ? 'native products' : "tfjs's kernel"})`, () => {
  it('is the kernel expected here', () => {
    expect(backendInfo()).toMatchObject({ name: 'wasm', nativeKernels: nativeKernelsExpected() });
  });

  it.each([
    [3, 4, 5, false, false],
    [3, 4, 5, true, false],
    [3, 4, 5, false, true],
    [3, 4, 5, true, true],
    [1, 6, 7, false, false], // one row: the gemv and dot-product paths (native/kernels/sgemm_isa.h)
    [1, 6, 7, false, true],
    [1, 6, 7, true, false],
  ])('m=%i k=%i n=%i transposeA=%s transposeB=%s equals the definition', (m, k, n, ta, tb) => {
    const a = random(ta ? k : m, ta ? m : k, 1);
    const b = random(tb ? n : k, tb ? k : n, 2);
    const got = tf.matMul(tf.tensor2d(a), tf.tensor2d(b), ta, tb).arraySync() as number[][];
    const want = reference(a, b, ta, tb);
    got.forEach((row, i) => row.forEach((v, j) => expect(v).toBeCloseTo(want[i][j], 5)));
  });

  it('multiplies each batch entry, broadcasting a batch of one', () => {
    const a = [random(2, 3, 3), random(2, 3, 4)];
    const b = [random(3, 4, 5)];
    const got = tf.matMul(tf.tensor3d(a), tf.tensor3d(b)).arraySync() as number[][][];
    expect(got).toHaveLength(2);
    got.forEach((m, i) => m.forEach((row, r) => row.forEach((v, c) => expect(v).toBeCloseTo(reference(a[i], b[0], false, false)[r][c], 5))));
  });

  it('gives zeros for an empty inner dimension and an empty result for an empty outer one', () => {
    expect(tf.matMul(tf.zeros([2, 0]), tf.zeros([0, 3])).arraySync()).toEqual([
      [0, 0, 0],
      [0, 0, 0],
    ]);
    expect(tf.matMul(tf.zeros([0, 4]), tf.ones([4, 3])).shape).toEqual([0, 3]);
  });

  it('differentiates as the definition does', () => {
    const a = random(3, 4, 6);
    const b = random(4, 2, 7);
    const [da, db] = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.matMul(x, y)))([tf.tensor2d(a), tf.tensor2d(b)]);
    // d/dA sum(AB) = 1·Bᵀ (row sums of B), d/dB = Aᵀ·1 (column sums of A)
    (da.arraySync() as number[][]).forEach((row) => row.forEach((v, k) => expect(v).toBeCloseTo(b[k][0] + b[k][1], 5)));
    (db.arraySync() as number[][]).forEach((row, k) => row.forEach((v) => expect(v).toBeCloseTo(a[0][k] + a[1][k] + a[2][k], 5)));
  });

  ('kernels' in native || process.env.CI ? it : it.skip)('refuses operands outside the heap instead of reading or writing past it', () => {
    if (!('kernels' in native)) throw new Error(`native kernels not built: ${native.error}`);
    const heap = new ArrayBuffer(64); // 16 floats
    expect(() => native.kernels.gemm(heap, 1, 2, 2, 2, 0, 0, 0, 0, 4, 0, 14)).toThrow(/outside the heap/);
    expect(() => native.kernels.gemm(heap, 1, 2, 2, 2, 0, 0, 0, 0, 4, 0, 8)).not.toThrow();
    expect(() => native.kernels.gemm(heap, 1, 2, 2, 2, 0, 0, -1, 0, 4, 0, 8)).toThrow(/outside the heap/);
  });
});
