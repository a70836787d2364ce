/**
 * Sum over leading axes on the WASM backend by a native kernel (native/kernels/column_sums.c): the
 * gradient of every broadcast bias add. tfjs's WASM Sum transposes the input first when the reduced axes
 * are not the last ones. Other reductions go to the kernel registered before.
 */
import * as tf from '@tensorflow/tfjs';
import { booleanAttr, optionalNumbersAttr } from './kernel-attrs';
import type { NativeKernels } from './native-kernels';
import { heapWord, wasmHeap } from './wasm-heap';
import { kernel, replaceKernel } from './wasm-kernels';

export function registerNativeColumnSums(native: NativeKernels): void {
  const original = kernel('Sum');
  replaceKernel('Sum', (args) => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    const [axis, keepDims] = [optionalNumbersAttr(args.attrs, 'axis'), booleanAttr(args.attrs, 'keepDims')];
    const axes = axis === undefined ? x.shape.map((_, i) => i) : tf.util.parseAxisParam(axis, x.shape).sort((a, b) => a - b);
    const leading = axes.every((a, i) => a === i) && axes.length > 0 && axes.length < x.shape.length;
    if (x.dtype !== 'float32' || !leading) return original.kernelFunc(args);
    const rows = x.shape.slice(0, axes.length).reduce((a, b) => a * b, 1);
    const rest = x.shape.slice(axes.length);
    const cols = rest.reduce((a, b) => a * b, 1);
    const wasm = wasmHeap(args.backend);
    const out = wasm.makeOutput(keepDims ? [...axes.map(() => 1), ...rest] : rest, 'float32');
    if (cols === 0) return out;
    native.columnSums(wasm.typedArrayFromHeap(out).buffer, rows, cols, heapWord(wasm, x), heapWord(wasm, out));
    return out;
  });
}
