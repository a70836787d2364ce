/**
 * Per-row softmax cross-entropy against integer labels: the loss at the vocabulary output. With the native kernels
 * it is the native op `softmaxXent` (native-ops.ts), one pass each way; without them tfjs's own ops compute the
 * same values.
 */
import * as tf from '@tensorflow/tfjs';
import { nativeOp, nativeOpReady } from './native-op-runtime';

/** −log softmax(logits[i])[labels[i]] for each row i: logits [M, V], int32 labels [M] → [M]. */
export function softmaxCrossEntropyRows(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Tensor1D {
  if (nativeOpReady('softmaxXent') && logits.shape[0] > 0) return nativeOp('softmaxXent', { logits, labels }) as tf.Tensor1D;
  const oneHot = tf.oneHot(labels, logits.shape[1]);
  return tf.losses.softmaxCrossEntropy(oneHot, logits, undefined, 0, tf.Reduction.NONE) as tf.Tensor1D;
}
