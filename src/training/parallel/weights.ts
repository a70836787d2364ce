import * as tf from '@tensorflow/tfjs';
import type { DialogueModel } from '../../models/dialogue-model';

/** On WASM, a view of the tensor's values in the heap (dataSync would copy all 5 M weights once more); else dataSync. */
function values(t: tf.Tensor): Float32Array {
  const wasm = tf.backend() as unknown as Partial<{ typedArrayFromHeap(t: tf.Tensor): Float32Array }>;
  return (tf.getBackend() === 'wasm' && wasm.typedArrayFromHeap ? wasm.typedArrayFromHeap(t) : t.dataSync()) as Float32Array;
}

/**
 * All of a model's parameters (or gradients in that order) as one Float32Array, to cross a thread boundary. `into`,
 * when given, is reused: a fresh 20 MB array every step cost up to 90 ms of allocation and garbage collection.
 */
export function flatten(tensors: readonly tf.Tensor[], into?: Float32Array): Float32Array {
  const size = tensors.reduce((n, t) => n + t.size, 0);
  if (into && into.length !== size) throw new RangeError(`flatten: ${size} values into an array of ${into.length}`);
  const out = into ?? new Float32Array(size);
  let offset = 0;
  for (const t of tensors) {
    out.set(values(t), offset);
    offset += t.size;
  }
  return out;
}

/**
 * The inverse of flatten, shaped like `like` (a model's parameters, in order). The caller disposes them. They copy
 * `flat` (WASM copies into its heap anyway; the CPU backend would keep a view of an array that is reused and sent away).
 */
export function unflatten(flat: Float32Array, like: readonly tf.Tensor[]): tf.Tensor[] {
  let offset = 0;
  const copy = tf.getBackend() !== 'wasm';
  return like.map((t) => {
    const values = flat.subarray(offset, offset + t.size);
    const part = tf.tensor(copy ? values.slice() : values, t.shape);
    offset += t.size;
    return part;
  });
}

export function setWeights(model: DialogueModel, flat: Float32Array): void {
  const vars = [...model.params.vars.values()];
  const values = unflatten(flat, vars);
  vars.forEach((v, i) => v.assign(values[i]));
  tf.dispose(values);
}
