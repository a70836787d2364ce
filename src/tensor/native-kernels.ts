/**
 * The optional native kernels (native/kernels: OpenBLAS products, a fused softmax cross-entropy,
 * fused GRU gates and sequences, the attention decoder, Adam, computed on the WASM heap; built by `npm install` where libopenblas-dev is present). Absent, tfjs's
 * own WASM kernels serve.
 */
import path from 'node:path';

/** The addon's functions; offsets and strides count 4-byte words of the heap. */
export interface NativeKernels {
  gemm(
    heap: ArrayBufferLike,
    batch: number,
    m: number,
    n: number,
    k: number,
    transA: number,
    transB: number,
    aOffset: number,
    aBatchStride: number,
    bOffset: number,
    bBatchStride: number,
    cOffset: number,
  ): void;
  softmaxXent(heap: ArrayBufferLike, rows: number, cols: number, logits: number, labels: number, nll: number, probs: number): void;
  softmaxXentGrad(heap: ArrayBufferLike, rows: number, cols: number, probs: number, labels: number, dy: number, dx: number): void;
  columnSums(heap: ArrayBufferLike, rows: number, cols: number, x: number, out: number): void;
  gruGates(heap: ArrayBufferLike, B: number, H: number, xProj: number, hProj: number, h: number, out: number, gates: number): void;
  gruGatesGrad(heap: ArrayBufferLike, B: number, H: number, gates: number, hProj: number, h: number, dy: number, dxProj: number, dhProj: number, dh: number): void;
  gruSequence(heap: ArrayBufferLike, T: number, B: number, H: number, reverse: number, xProj: number, mask: number, h0: number, wh: number, bh: number, out: number, gates: number, hProj: number): void;
  gruSequenceGrad(
    heap: ArrayBufferLike,
    ...args: readonly [T: number, B: number, H: number, reverse: number, mask: number, h0: number, wh: number, out: number, gates: number, hProj: number, dy: number, dxProj: number, dh0: number, dwh: number, dbh: number]
  ): void;
  /** Offsets: embProj, mask, h0, a0, wxa, wh, bh, keys, values, bias, wc, bc, then att, hs, gates, hproj, cat, alpha. */
  attentionDecoder(heap: ArrayBufferLike, T: number, N: number, H: number, L: number, E: number, A: number, ...offsets: number[]): void;
  /** Offsets: mask, h0, a0, wxa, wh, keys, values, wc, att, hs, gates, hproj, cat, alpha, dAtt, then the ten gradients. */
  attentionDecoderGrad(heap: ArrayBufferLike, T: number, N: number, H: number, L: number, E: number, A: number, ...offsets: number[]): void;
  adam(heap: ArrayBufferLike, n: number, value: number, m: number, v: number, grad: number, valueOut: number, mOut: number, vOut: number, hyper: number): void;
  setThreads(n: number): void;
  threads(): number;
  config(): string;
}

export type NativeChoice = 'auto' | 'off';

/** src/tensor and dist/tensor both sit two levels below the project root. */
export const NATIVE_KERNELS_PATH = path.resolve(__dirname, '../../native/kernels/build/Release/native_kernels.node');

/** TF_NATIVE: `auto` uses the native kernels when they are built, `off` never does. */
export function parseNativeChoice(value: string | undefined): NativeChoice {
  if (value === undefined || value === '' || value === 'auto') return 'auto';
  if (value === 'off') return 'off';
  throw new Error(`TF_NATIVE must be auto or off (got ${JSON.stringify(value)})`);
}

const FUNCTIONS = ['gemm', 'softmaxXent', 'softmaxXentGrad', 'columnSums', 'gruGates', 'gruGatesGrad', 'gruSequence', 'gruSequenceGrad', 'attentionDecoder', 'attentionDecoderGrad', 'adam', 'setThreads', 'threads', 'config'] as const;

/** Loads the addon, or says in one line why it is not there. Each worker thread loads its own copy. */
export function loadNativeKernels(): { kernels: NativeKernels } | { error: string } {
  let kernels: Partial<NativeKernels>;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    kernels = require(NATIVE_KERNELS_PATH) as Partial<NativeKernels>;
  } catch (err) {
    return { error: (err as Error).message.split('\n')[0] };
  }
  // A build older than this code (the sources changed, `npm run build:native` not rerun) is not used at all.
  const missing = FUNCTIONS.filter((f) => typeof kernels[f] !== 'function');
  if (missing.length) return { error: `the build lacks ${missing.join(', ')}: rerun npm run build:native` };
  return { kernels: kernels as NativeKernels };
}

/** The part of tfjs's BackendWasm the native kernels use. */
export interface WasmHeapBackend {
  makeOutput(shape: number[], dtype: 'float32' | 'int32'): { dataId: object; shape: number[]; dtype: 'float32' | 'int32' };
  typedArrayFromHeap(t: { dataId: object; shape: number[]; dtype: string }): Float32Array | Int32Array;
}

/** Word offset of a tensor's data in the heap. Take it after the last makeOutput: allocating may move the heap. */
export const heapWord = (backend: WasmHeapBackend, t: { dataId: object; shape: number[]; dtype: string }) =>
  backend.typedArrayFromHeap(t).byteOffset / 4;
