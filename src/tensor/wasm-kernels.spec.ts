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
