/**
 * The optional native matrix kernel (native/blas: OpenBLAS called on the WASM heap, built by
 * `npm install` where libopenblas-dev is present). Absent, tfjs's own WASM kernels serve.
 */
import path from 'node:path';

export interface NativeBlas {
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
  setThreads(n: number): void;
  threads(): number;
  config(): string;
}

export type BlasChoice = 'auto' | 'off';

/** src/tensor and dist/tensor both sit two levels below the project root. */
export const NATIVE_BLAS_PATH = path.resolve(__dirname, '../../native/blas/build/Release/blas_kernels.node');

/** TF_BLAS: `auto` uses the native kernel when it is built, `off` never does. */
export function parseBlasChoice(value: string | undefined): BlasChoice {
  if (value === undefined || value === '' || value === 'auto') return 'auto';
  if (value === 'off') return 'off';
  throw new Error(`TF_BLAS must be auto or off (got ${JSON.stringify(value)})`);
}

/** Loads the addon, or explains in one line why it is not there. Each worker thread loads its own copy. */
export function loadNativeBlas(): { blas: NativeBlas } | { error: string } {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return { blas: require(NATIVE_BLAS_PATH) as NativeBlas };
  } catch (err) {
    return { error: (err as Error).message.split('\n')[0] };
  }
}
