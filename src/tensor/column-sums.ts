/**
 * Sum over leading axes on the WASM backend by a native kernel (native/kernels/column_sums.c): the
 * gradient of every broadcast bias add. tfjs's WASM Sum transposes the input first when the reduced axes
 * are not the last ones. Other reductions go to the kernel registered before.
 */
import * as tf from '@tensorflow/tfjs';
import { heapWord, type NativeKernels, type WasmHeapBackend } from './native-kernels';
import { kernel, replaceKernel } from './wasm-kernels';

export function registerNativeColumnSums(native: NativeKernels): void {
  const original = kernel('Sum');
  replaceKernel('Sum', (args) => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    const { axis, keepDims } = args.attrs as unknown as { axis: number | number[]; keepDims: boolean };
    const axes = tf.util.parseAxisParam(axis, x.shape).sort((a, b) => a - b);
    const leading = axes.every((a, i) => a === i) && axes.length > 0 && axes.length < x.shape.length;
    if (x.dtype !== 'float32' || !leading) return original.kernelFunc(args);
    const rows = x.shape.slice(0, axes.length).reduce((a, b) => a * b, 1);
    const rest = x.shape.slice(axes.length);
    const cols = rest.reduce((a, b) => a * b, 1);
    const wasm = args.backend as unknown as WasmHeapBackend;
    const out = wasm.makeOutput(keepDims ? [...axes.map(() => 1), ...rest] : rest, 'float32');
    if (cols === 0) return out;
    native.columnSums(wasm.typedArrayFromHeap(out).buffer, rows, cols, heapWord(wasm, x), heapWord(wasm, out));
    return out;
  });
}
