/**
 * Picks the tensor backend once per process: tfjs-node where its native binding installed,
 * otherwise WASM (with the gradient kernel it lacks registered), the pure-JS CPU backend last.
 */
import * as tf from '@tensorflow/tfjs';

export type BackendName = 'node' | 'wasm' | 'cpu';
export type BackendChoice = BackendName | 'auto';

export interface BackendInfo {
  name: BackendName;
  /** Threads the backend computes with (wasm is single-threaded in Node: tfjs issue #3830). */
  threads: number;
}

let active: BackendInfo | undefined;

/** Initialises the backend (idempotent). `choice` comes from the TF_BACKEND setting. */
export async function initTensorBackend(choice: BackendChoice = 'auto'): Promise<BackendInfo> {
  if (active) return active;
  const order: BackendName[] = choice === 'auto' ? ['node', 'wasm', 'cpu'] : [choice];
  const errors: string[] = [];
  for (const name of order) {
    try {
      active = await tryBackend(name);
      return active;
    } catch (err) {
      errors.push(`${name}: ${(err as Error).message.split('\n')[0]}`);
    }
  }
  throw new Error(`No tensor backend could start (${errors.join('; ')})`);
}

export function backendInfo(): BackendInfo | undefined {
  return active;
}

async function tryBackend(name: BackendName): Promise<BackendInfo> {
  if (name === 'node') {
    // Optional dependency: absent or without its native binding on machines that cannot download libtensorflow.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require('@tensorflow/tfjs-node');
    await setBackend('tensorflow');
    return { name, threads: tf.env().getNumber('TFJS_NODE_THREADS' as never) || 0 };
  }
  if (name === 'wasm') {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require('@tensorflow/tfjs-backend-wasm');
    registerWasmSegmentSum();
    registerWasmTransposeFreeMatMul();
    await setBackend('wasm');
    return { name, threads: 1 };
  }
  await setBackend('cpu');
  return { name, threads: 1 };
}

async function setBackend(name: string): Promise<void> {
  const ok = await tf.setBackend(name);
  if (!ok || tf.getBackend() !== name) throw new Error(`backend ${name} failed to initialise`);
  await tf.ready();
}

/**
 * WASM has no UnsortedSegmentSum, the gradient of tf.gather (embeddings, target log-probs).
 * Its ScatterNd kernel sums duplicate indices, which is exactly a segment sum over the first axis.
 * (Bridging to the CPU kernel instead is O(vocab·N·D) and takes minutes per step.)
 */
function registerWasmSegmentSum(): void {
  if (tf.getKernel('UnsortedSegmentSum', 'wasm')) return;
  const scatterNd = tf.getKernel('ScatterNd', 'wasm');
  const reshape = tf.getKernel('Reshape', 'wasm');
  if (!scatterNd || !reshape) throw new Error('wasm backend lacks ScatterNd/Reshape');
  tf.registerKernel({
    kernelName: 'UnsortedSegmentSum',
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { x, segmentIds } = inputs as { x: tf.TensorInfo; segmentIds: tf.TensorInfo };
      const numSegments = (attrs as unknown as { numSegments: number }).numSegments;
      const n = segmentIds.shape.reduce((a, b) => a * b, 1);
      const indices = reshape.kernelFunc({
        inputs: { x: segmentIds },
        backend,
        attrs: { shape: [n, 1] },
      }) as tf.TensorInfo;
      const out = scatterNd.kernelFunc({
        inputs: { indices, updates: x },
        backend,
        attrs: { shape: [numSegments, ...x.shape.slice(1)] },
      }) as tf.TensorInfo;
      (backend as unknown as { disposeData(id: object): void }).disposeData(indices.dataId);
      return out;
    },
  });
}

/**
 * The WASM BatchMatMul kernel is fast only on untransposed operands: with transposeA/B set
 * (as every matMul gradient is) it ran 10-20x slower in our probe, 11 s for the output layer's
 * weight gradient. Transposing the operand physically first, then multiplying, fixes that.
 */
function registerWasmTransposeFreeMatMul(): void {
  const original = tf.getKernel('BatchMatMul', 'wasm');
  const transpose = tf.getKernel('Transpose', 'wasm');
  const multiply = tf.getKernel('Multiply', 'wasm');
  if (!original || !transpose || !multiply) throw new Error('wasm backend lacks BatchMatMul/Transpose/Multiply');
  tf.unregisterKernel('BatchMatMul', 'wasm');
  tf.registerKernel({
    ...original,
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { transposeA, transposeB } = attrs as unknown as { transposeA: boolean; transposeB: boolean };
      const { a, b } = inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
      const inner = a.shape[transposeA ? a.shape.length - 2 : a.shape.length - 1];
      // An inner dimension of 1 is an outer product (attention gradients): a broadcast multiply is ~50x faster.
      if (inner === 1 && a.shape.length === 3 && b.shape.length === 3) {
        const [B, M] = transposeA ? [a.shape[0], a.shape[2]] : [a.shape[0], a.shape[1]];
        const N = transposeB ? b.shape[1] : b.shape[2];
        const col = { ...a, shape: [B, M, 1] };
        const row = { ...b, shape: [B, 1, N] };
        return multiply.kernelFunc({ inputs: { a: col, b: row }, backend, attrs: {} });
      }
      if (!transposeA && !transposeB) return original.kernelFunc({ inputs, backend, attrs });
      const disposeData = (t: tf.TensorInfo) => (backend as unknown as { disposeData(id: object): void }).disposeData(t.dataId);
      const swapLast = (x: tf.TensorInfo) => {
        const perm = x.shape.map((_, i) => i);
        [perm[perm.length - 2], perm[perm.length - 1]] = [perm[perm.length - 1], perm[perm.length - 2]];
        return transpose.kernelFunc({ inputs: { x }, backend, attrs: { perm } }) as tf.TensorInfo;
      };
      const a2 = transposeA ? swapLast(a) : a;
      const b2 = transposeB ? swapLast(b) : b;
      const out = original.kernelFunc({
        inputs: { a: a2, b: b2 },
        backend,
        attrs: { ...(attrs as object), transposeA: false, transposeB: false },
      });
      if (a2 !== a) disposeData(a2);
      if (b2 !== b) disposeData(b2);
      return out;
    },
  });
}
