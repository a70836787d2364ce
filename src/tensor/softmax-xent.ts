/**
 * Per-row softmax cross-entropy against integer labels: the loss at the vocabulary output, the largest
 * elementwise work of a step. With the native kernels it is one fused kernel each way (tfjs's one-hot
 * path runs a scalar exp over [rows, vocabulary] twice and builds a one-hot matrix); without them,
 * tfjs's own ops compute the same values.
 */
import * as tf from '@tensorflow/tfjs';
import { heapWord, type NativeKernels, type WasmHeapBackend } from './native-kernels';

const FORWARD = 'NativeSoftmaxXent';
const BACKWARD = 'NativeSoftmaxXentGrad';

export function registerNativeSoftmaxXent(native: NativeKernels): void {
  tf.registerKernel({
    kernelName: FORWARD,
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend }) => {
      const { logits, labels } = inputs as { logits: tf.TensorInfo; labels: tf.TensorInfo };
      const [rows, cols] = logits.shape;
      const wasm = backend as unknown as WasmHeapBackend;
      const nll = wasm.makeOutput([rows], 'float32');
      const probs = wasm.makeOutput([rows, cols], 'float32');
      const heap = wasm.typedArrayFromHeap(probs).buffer;
      native.softmaxXent(heap, rows, cols, heapWord(wasm, logits), heapWord(wasm, labels), heapWord(wasm, nll), heapWord(wasm, probs));
      return [nll, probs];
    },
  });
  tf.registerKernel({
    kernelName: BACKWARD,
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend }) => {
      const { probs, labels, dy } = inputs as { probs: tf.TensorInfo; labels: tf.TensorInfo; dy: tf.TensorInfo };
      const [rows, cols] = probs.shape;
      const wasm = backend as unknown as WasmHeapBackend;
      const dx = wasm.makeOutput([rows, cols], 'float32');
      const heap = wasm.typedArrayFromHeap(dx).buffer;
      native.softmaxXentGrad(heap, rows, cols, heapWord(wasm, probs), heapWord(wasm, labels), heapWord(wasm, dy), heapWord(wasm, dx));
      return dx;
    },
  });
}

/** The softmax kept from the forward pass makes the gradient one pass: dy · (softmax − one-hot). */
const fusedXent = tf.customGrad(((logits: tf.Tensor, labels: tf.Tensor, save: tf.GradSaveFunc) => {
  const [nll, probs] = tf.engine().runKernel(FORWARD, { logits, labels }, {}) as tf.Tensor[];
  save([probs, labels]);
  return {
    value: nll,
    gradFunc: (dy: tf.Tensor, [p, l]: tf.Tensor[]) => [tf.engine().runKernel(BACKWARD, { probs: p, labels: l, dy }, {}) as tf.Tensor, tf.zerosLike(l)],
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]);

/** −log softmax(logits[i])[labels[i]] for each row i: logits [M, V], int32 labels [M] → [M]. */
export function softmaxCrossEntropyRows(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Tensor1D {
  if (tf.getBackend() === 'wasm' && tf.getKernel(FORWARD, 'wasm') && logits.shape[0] > 0) return fusedXent(logits, labels) as tf.Tensor1D;
  const oneHot = tf.oneHot(labels, logits.shape[1]);
  return tf.losses.softmaxCrossEntropy(oneHot, logits, undefined, 0, tf.Reduction.NONE) as tf.Tensor1D;
}
