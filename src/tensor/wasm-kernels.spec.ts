import * as tf from '@tensorflow/tfjs';
import { useTensorBackend } from '../../test/support/tensor-backend';

useTensorBackend();

describe('GatherV2 on whole rows (wasm)', () => {
  const x = () => tf.tensor3d([[[1, 2], [3, 4]], [[5, 6], [7, 8]], [[9, 10], [11, 12]]]); // [3, 2, 2]

  it('copies the chosen rows, repeats and any index shape included', () => {
    expect(tf.gather(x(), tf.tensor1d([2, 0, 2], 'int32')).arraySync()).toEqual([
      [[9, 10], [11, 12]],
      [[1, 2], [3, 4]],
      [[9, 10], [11, 12]],
    ]);
    expect(tf.gather(tf.tensor2d([[1, 2], [3, 4]], [2, 2], 'int32'), tf.tensor2d([[1], [0]], [2, 1], 'int32')).arraySync()).toEqual([[[3, 4]], [[1, 2]]]);
    expect(tf.gather(x(), tf.tensor1d([], 'int32')).shape).toEqual([0, 2, 2]);
  });

  it('still gathers along other axes', () => {
    expect(tf.gather(tf.tensor2d([[1, 2, 3], [4, 5, 6]]), tf.tensor1d([2, 0], 'int32'), 1).arraySync()).toEqual([
      [3, 1],
      [6, 4],
    ]);
  });

  it('refuses an index outside the rows', () => {
    expect(() => tf.gather(x(), tf.tensor1d([3], 'int32'))).toThrow(/not in \[0, 2\]/);
    expect(() => tf.gather(x(), tf.tensor1d([-1], 'int32'))).toThrow(/not in/);
  });

  it('sums the gradient of repeated rows', () => {
    const g = tf.grad((t: tf.Tensor) => tf.sum(tf.gather(t, tf.tensor1d([1, 1, 0], 'int32'))))(tf.zeros([3, 2]));
    expect(g.arraySync()).toEqual([
      [1, 1],
      [2, 2],
      [0, 0],
    ]);
  });
});

describe('Sum (wasm, leading axes by the native kernel where built)', () => {
  const x = () => tf.tensor3d([[[1, 2], [3, 4]], [[5, 6], [7, 8]]]); // [2, 2, 2]

  it('sums over leading axes, with and without kept dimensions', () => {
    expect(tf.sum(x(), 0).arraySync()).toEqual([[6, 8], [10, 12]]);
    expect(tf.sum(x(), [0, 1]).arraySync()).toEqual([16, 20]);
    expect(tf.sum(x(), [1, 0], true).arraySync()).toEqual([[[16, 20]]]);
  });

  it('still sums over other axes and over everything', () => {
    expect(tf.sum(x(), 2).arraySync()).toEqual([[3, 7], [11, 15]]);
    expect(tf.sum(x(), [0, 2]).arraySync()).toEqual([14, 22]);
    expect(tf.sum(x()).arraySync()).toEqual(36);
    expect(tf.sum(tf.tensor2d([[1, 2]], [1, 2], 'int32'), 0).arraySync()).toEqual([1, 2]);
  });

  it('gives the bias gradient of a broadcast add', () => {
    const g = tf.grad((b: tf.Tensor) => tf.sum(tf.mul(tf.add(tf.zeros([3, 2]), b), tf.tensor2d([[1, 2], [3, 4], [5, 6]]))))(tf.zeros([2]));
    expect(g.arraySync()).toEqual([9, 12]);
  });
});

describe('SplitV from heap views (wasm)', () => {
  const x = () => tf.tensor3d(Array.from({ length: 24 }, (_, i) => i), [2, 3, 4]);

  it('splits along every axis, by count and by sizes (−1 included), as slices would', () => {
    const t = x();
    const values = t.arraySync();
    expect(tf.split(t, 2, 0).map((p) => p.arraySync())).toEqual([[values[0]], [values[1]]]);
    expect(tf.split(t, [1, -1], 1).map((p) => p.arraySync())).toEqual([values.map((m) => m.slice(0, 1)), values.map((m) => m.slice(1))]);
    const [first, empty, last] = tf.split(t, [3, 0, 1], 2);
    expect(first.arraySync()).toEqual(values.map((m) => m.map((r) => r.slice(0, 3))));
    expect(empty.shape).toEqual([2, 3, 0]);
    expect(last.arraySync()).toEqual(values.map((m) => m.map((r) => r.slice(3))));
  });

  it('gives the gradient of a concat: each input gets its own part', () => {
    const [a, b] = [tf.ones([2, 3]), tf.zeros([2, 2])];
    const weights = tf.tensor2d([[1, 2, 3, 4, 5], [6, 7, 8, 9, 10]]);
    const [da, db] = tf.grads((p: tf.Tensor, q: tf.Tensor) => tf.sum(tf.mul(tf.concat([p, q], 1), weights)))([a, b]);
    expect(da.arraySync()).toEqual([[1, 2, 3], [6, 7, 8]]);
    expect(db.arraySync()).toEqual([[4, 5], [9, 10]]);
  });
});
