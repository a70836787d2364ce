import * as tf from '@tensorflow/tfjs';
import { ParamStore } from './params';

export interface DenseParams {
  w: tf.Tensor2D;
  b: tf.Tensor1D;
}

export function createDense(store: ParamStore, name: string, inDim: number, outDim: number): DenseParams {
  return { w: store.glorot(`${name}.w`, [inDim, outDim]) as tf.Tensor2D, b: store.zeros(`${name}.b`, [outDim]) as tf.Tensor1D };
}

/** x·W + b for x of shape [N, in]. */
export function dense(x: tf.Tensor2D, p: DenseParams): tf.Tensor2D {
  return tf.add(tf.matMul(x, p.w), p.b);
}
