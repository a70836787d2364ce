/**
 * Fixes to tfjs 4.22's WASM backend, found by profiling a training step: one missing gradient kernel
 * and kernels that copy or compute far more than they need. Each replaces the registered kernel for
 * 'wasm' only and gives identical results (the model tests run on this backend).
 */
import * as tf from '@tensorflow/tfjs';
import { booleanAttr, numberAttr, numbersAttr, optionalNumbersAttr } from './kernel-attrs';
import { wasmHeap, type WasmHeapBackend } from './wasm-heap';

let registered = false;

export function registerWasmKernelFixes(): void {
  if (registered) return;
  registered = true;
  registerSegmentSum();
  registerTransposeFreeMatMul();
  registerHeapViewSlice();
  registerSharedIdentity();
  registerRowGather();
}

/** The kernel registered for 'wasm' under `name` (to call, or to fall back to from a replacement). */
export function kernel(name: string): tf.KernelConfig {
  const k = tf.getKernel(name, 'wasm');
  if (!k) throw new Error(`wasm backend lacks ${name}`); // a tfjs-backend-wasm version without the kernel: an install bug, at start-up
  return k;
}

/** Registers `kernelFunc` for 'wasm' in place of what `name` had (keeping its other settings). */
export function replaceKernel(name: string, kernelFunc: tf.KernelFunc): void {
  const original = tf.getKernel(name, 'wasm');
  if (original) tf.unregisterKernel(name, 'wasm');
  tf.registerKernel({ ...original, kernelName: name, backendName: 'wasm', kernelFunc });
}

/**
 * WASM has no UnsortedSegmentSum, the gradient of tf.gather (embeddings, target log-probs).
 * Its ScatterNd kernel sums duplicate indices, which is exactly a segment sum over the first axis.
 * (Bridging to the CPU kernel instead is O(vocab·N·D) and takes minutes per step.)
 */
function registerSegmentSum(): void {
  const scatterNd = kernel('ScatterNd');
  const reshape = kernel('Reshape');
  replaceKernel('UnsortedSegmentSum', ({ inputs, backend, attrs }) => {
    const { x, segmentIds } = inputs as { x: tf.TensorInfo; segmentIds: tf.TensorInfo };
    const numSegments = numberAttr(attrs, 'numSegments');
    const n = segmentIds.shape.reduce((a, b) => a * b, 1);
    const indices = reshape.kernelFunc({ inputs: { x: segmentIds }, backend, attrs: { shape: [n, 1] } }) as tf.TensorInfo;
    const out = scatterNd.kernelFunc({
      inputs: { indices, updates: x },
      backend,
      attrs: { shape: [numSegments, ...x.shape.slice(1)] },
    }) as tf.TensorInfo;
    wasmHeap(backend).disposeData(indices.dataId);
    return out;
  });
}

/**
 * WASM's BatchMatMul is fast only on untransposed operands: with transposeA/B set (as in every
 * matMul gradient) it ran 10-20x slower, 11 s for the output layer's weight gradient. Transposing
 * the operand first fixes that; an inner dimension of 1 (an outer product, in the attention
 * gradients) is a broadcast multiply, ~50x faster than the batched product.
 */
function registerTransposeFreeMatMul(): void {
  const original = kernel('BatchMatMul');
  const transpose = kernel('Transpose');
  const multiply = kernel('Multiply');
  replaceKernel('BatchMatMul', ({ inputs, backend, attrs }) => {
    const [transposeA, transposeB] = [booleanAttr(attrs, 'transposeA'), booleanAttr(attrs, 'transposeB')];
    const { a, b } = inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    const inner = a.shape[transposeA ? a.shape.length - 2 : a.shape.length - 1];
    if (inner === 0) {
      // an empty sum: tfjs's kernel leaves the result uninitialised (found by CI's TF_NATIVE=off pass)
      const m = a.shape[transposeA ? a.shape.length - 1 : a.shape.length - 2];
      const n = b.shape[transposeB ? b.shape.length - 2 : b.shape.length - 1];
      const batch = tf.broadcast_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
      const out = wasmHeap(backend).makeOutput([...batch, m, n], 'float32');
      wasmHeap(backend).typedArrayFromHeap(out).fill(0);
      return out;
    }
    if (inner === 1 && a.shape.length === 3 && b.shape.length === 3) {
      const [B, M] = transposeA ? [a.shape[0], a.shape[2]] : [a.shape[0], a.shape[1]];
      const N = transposeB ? b.shape[1] : b.shape[2];
      return multiply.kernelFunc({ inputs: { a: { ...a, shape: [B, M, 1] }, b: { ...b, shape: [B, 1, N] } }, backend, attrs: {} });
    }
    if (!transposeA && !transposeB) return original.kernelFunc({ inputs, backend, attrs });
    const swapLast = (x: tf.TensorInfo) => {
      const perm = x.shape.map((_, i) => i);
      [perm[perm.length - 2], perm[perm.length - 1]] = [perm[perm.length - 1], perm[perm.length - 2]];
      return transpose.kernelFunc({ inputs: { x }, backend, attrs: { perm } }) as tf.TensorInfo;
    };
    const a2 = transposeA ? swapLast(a) : a;
    const b2 = transposeB ? swapLast(b) : b;
    const out = original.kernelFunc({ inputs: { a: a2, b: b2 }, backend, attrs: { ...(attrs as object), transposeA: false, transposeB: false } });
    if (a2 !== a) wasmHeap(backend).disposeData(a2.dataId);
    if (b2 !== b) wasmHeap(backend).disposeData(b2.dataId);
    return out;
  });
}

/**
 * WASM's Slice reads its input through readSync, which copies the WHOLE input out of the heap on
 * every call: unstacking a [31, 119, 768] projection into time steps copied 350 MB and took ~300 ms.
 * Reading a view of the heap makes a slice cost its own size. Unpack (unstack) and SplitV (the gradient
 * of every concat) call the module-internal slice, so they are replaced too: splitting a [4,340, 256]
 * gradient into its time steps took 115 ms.
 */
function registerHeapViewSlice(): void {
  const originalSlice = kernel('Slice');
  replaceKernel('Slice', (args) => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    if (x.dtype === 'string') return originalSlice.kernelFunc(args);
    const [begin, size] = [numbersAttr(args.attrs, 'begin'), optionalNumbersAttr(args.attrs, 'size')];
    return sliceFromHeap(x, begin, size, wasmHeap(args.backend));
  });
  replaceKernel('Unpack', ({ inputs, attrs, backend }) => {
    const value = (inputs as { value: tf.TensorInfo }).value;
    const rank = value.shape.length;
    const axisAttr = numberAttr(attrs, 'axis');
    const axis = axisAttr < 0 ? axisAttr + rank : axisAttr;
    const outShape = value.shape.filter((_, i) => i !== axis);
    const begin = new Array<number>(rank).fill(0);
    const size = value.shape.slice();
    size[axis] = 1;
    const outs: tf.TensorInfo[] = [];
    for (let i = 0; i < value.shape[axis]; i++) {
      begin[axis] = i;
      const out = sliceFromHeap(value, begin, size, wasmHeap(backend));
      outs.push({ dataId: out.dataId, dtype: out.dtype, shape: outShape });
    }
    return outs;
  });
  const originalSplit = kernel('SplitV');
  replaceKernel('SplitV', (args) => {
    const { inputs, attrs, backend } = args;
    const { x } = inputs as { x: tf.TensorInfo };
    if (x.dtype === 'string') return originalSplit.kernelFunc(args);
    const [numOrSizeSplits, axis] = [numbersAttr(attrs, 'numOrSizeSplits'), numberAttr(attrs, 'axis')];
    const $axis = tf.util.parseAxisParam(axis, x.shape)[0];
    const sizes = tf.backend_util.prepareSplitSize(x as tf.Tensor, numOrSizeSplits, $axis);
    const begin = new Array<number>(x.shape.length).fill(0);
    return sizes.map((s) => {
      const size = x.shape.slice();
      size[$axis] = s;
      const out = sliceFromHeap(x, begin, size, wasmHeap(backend));
      begin[$axis] += s;
      return out;
    });
  });
}

function sliceFromHeap(x: tf.TensorInfo, begin: number | number[], size: number | number[] | undefined, wasm: WasmHeapBackend): tf.TensorInfo {
  const [b, s] = tf.slice_util.parseSliceParams(x as tf.Tensor, begin, size);
  const out = wasm.makeOutput(s, x.dtype); // may grow the heap: take the views only after it
  const xVals = wasm.typedArrayFromHeap(x);
  const outVals = wasm.typedArrayFromHeap(out);
  if (outVals.length === 0) return out;
  const strides = tf.util.computeStrides(x.shape);
  if (tf.slice_util.isSliceContinous(x.shape, b, s)) {
    const offset = tf.slice_util.computeFlatOffset(b, strides);
    outVals.set(xVals.subarray(offset, offset + outVals.length));
    return out;
  }
  // Copy runs along the last axis, stepping the leading indices like an odometer.
  const rank = x.shape.length;
  const run = s[rank - 1];
  const index = new Array<number>(rank - 1).fill(0);
  for (let o = 0; o < outVals.length; o += run) {
    let offset = b[rank - 1];
    for (let d = 0; d < rank - 1; d++) offset += (b[d] + index[d]) * strides[d];
    outVals.set(xVals.subarray(offset, offset + run), o);
    for (let d = rank - 2; d >= 0 && ++index[d] === s[d]; d--) index[d] = 0;
  }
  return out;
}

/** WASM's Identity copies its input; tfjs tensors are immutable, so sharing the data (as Reshape does) is safe. */
function registerSharedIdentity(): void {
  const original = kernel('Identity');
  replaceKernel('Identity', (args) => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    if (x.dtype === 'string') return original.kernelFunc(args);
    wasmHeap(args.backend).incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  });
}

/**
 * WASM's GatherV2 walks every element through generic index arithmetic (~8 ms for a [1,400, 256] gather of
 * decoder states). Gathering whole rows along the first axis, as every gather of this model does, is a copy
 * of each chosen row; other gathers go to the original kernel.
 */
function registerRowGather(): void {
  const original = kernel('GatherV2');
  replaceKernel('GatherV2', (args) => {
    const { x, indices } = args.inputs as { x: tf.TensorInfo; indices: tf.TensorInfo };
    const [axis, batchDims] = [numberAttr(args.attrs, 'axis'), numberAttr(args.attrs, 'batchDims')];
    if (axis !== 0 || batchDims !== 0 || x.dtype === 'string' || x.dtype === 'complex64' || indices.dtype !== 'int32') return original.kernelFunc(args);
    const wasm = wasmHeap(args.backend);
    const rows = x.shape[0];
    const rowSize = x.shape.slice(1).reduce((a, b) => a * b, 1);
    const out = wasm.makeOutput([...indices.shape, ...x.shape.slice(1)], x.dtype); // may grow the heap: views after it
    const ids = wasm.typedArrayFromHeap(indices);
    const xVals = wasm.typedArrayFromHeap(x);
    const outVals = wasm.typedArrayFromHeap(out);
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i];
      if (!(id >= 0 && id < rows)) {
        wasm.disposeData(out.dataId);
        // As tfjs's own Gather refuses it: ids come from the tokenizer, whose vocabulary is checked against the model at load
        throw new Error(`GatherV2: index ${id} is not in [0, ${rows - 1}]`);
      }
      outVals.set(xVals.subarray(id * rowSize, (id + 1) * rowSize), i * rowSize);
    }
    return out;
  });
}
