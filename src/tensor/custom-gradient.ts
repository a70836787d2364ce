/**
 * tf.customGrad with its inputs typed: tfjs passes the inputs and then the save function as one list of either
 * kind, so each caller had to cast its function to fit. Here `f` gets the tensors and the save function apart.
 */
import * as tf from '@tensorflow/tfjs';

export interface CustomGradientResult {
  value: tf.Tensor;
  /** The gradient of each input, in input order, given dy (the gradient of `value`) and the saved tensors. */
  gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.Tensor[];
}

export function customGradient(f: (inputs: tf.Tensor[], save: tf.GradSaveFunc) => CustomGradientResult): (...inputs: tf.Tensor[]) => tf.Tensor {
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const save = args[args.length - 1];
    // Internal invariant on tfjs's calling convention
    if (typeof save !== 'function') throw new Error('tf.customGrad passes the save function last');
    return f(
      args.filter((a): a is tf.Tensor => a instanceof tf.Tensor),
      save,
    );
  });
  return (...inputs) => op(...inputs);
}
