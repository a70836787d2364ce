import * as tf from '@tensorflow/tfjs';

/** tf.tidy for a result that holds no tensors (tf.tidy's type only accepts tensor containers). */
export function tidyValue<T>(fn: () => T): T {
  let result!: T;
  tf.tidy(() => {
    result = fn();
  });
  return result;
}
