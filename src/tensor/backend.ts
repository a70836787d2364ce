/**
 * Picks the tensor backend once per process: tfjs-node where its native binding installed,
 * otherwise WASM (with the gradient kernel it lacks registered), the pure-JS CPU backend last.
 */
import * as tf from '@tensorflow/tfjs';
import { registerBlasMatMul } from './blas-matmul';
import { loadNativeKernels, parseNativeChoice } from './native-kernels';
import { registerNativeColumnSums } from './column-sums';
import { registerNativeAdam } from './fused-adam';
import { registerNativeAttentionDecoder } from './fused-attention-decoder';
import { registerNativeGruSequence } from './fused-gru-sequence';
import { registerNativeGruGates } from './fused-gru';
import { registerNativeSoftmaxXent } from './softmax-xent';
import { registerWasmKernelFixes } from './wasm-kernels';

export type BackendName = 'node' | 'wasm' | 'cpu';
export type BackendChoice = BackendName | 'auto';

export interface BackendInfo {
  name: BackendName;
  /** Threads the backend computes with (wasm is single-threaded in Node: tfjs issue #3830). */
  threads: number;
  /** On wasm: native kernels (OpenBLAS products, fused softmax cross-entropy, GRU gates and sequences, the attention decoder, Adam) when built; TF_NATIVE=off declines them. */
  nativeKernels: boolean;
  /** Why the native kernels are not in use (wasm only). */
  nativeKernelsNote?: string;
  /** With the native kernels: OpenBLAS's build and the core type whose kernels it runs. */
  blas?: string;
}

let active: BackendInfo | undefined;
let starting: Promise<BackendInfo> | undefined;

/** Initialises the backend once per process, however many callers race to it. `choice` comes from TF_BACKEND. */
export function initTensorBackend(choice: BackendChoice = 'auto'): Promise<BackendInfo> {
  starting ??= startBackend(choice).catch((err: Error) => {
    starting = undefined; // let a later call try again
    throw err;
  });
  return starting;
}

async function startBackend(choice: BackendChoice): Promise<BackendInfo> {
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
    return { name, threads: tf.env().getNumber('TFJS_NODE_THREADS' as never) || 0, nativeKernels: false };
  }
  if (name === 'wasm') {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require('@tensorflow/tfjs-backend-wasm');
    registerWasmKernelFixes();
    await setBackend('wasm');
    return { name, threads: 1, ...useNativeKernels() };
  }
  await setBackend('cpu');
  return { name, threads: 1, nativeKernels: false };
}

/**
 * OpenBLAS computes on one thread per tfjs thread: data-parallel training and the comparison already
 * run one backend per core, and more would oversubscribe the two cores.
 */
function useNativeKernels(): Pick<BackendInfo, 'nativeKernels' | 'nativeKernelsNote' | 'blas'> {
  if (parseNativeChoice(process.env.TF_NATIVE) === 'off') return { nativeKernels: false, nativeKernelsNote: 'TF_NATIVE=off' };
  const loaded = loadNativeKernels();
  if ('error' in loaded) return { nativeKernels: false, nativeKernelsNote: `not built: ${loaded.error}` };
  loaded.kernels.setThreads(1);
  registerBlasMatMul(loaded.kernels);
  registerNativeSoftmaxXent(loaded.kernels);
  registerNativeGruGates(loaded.kernels);
  registerNativeColumnSums(loaded.kernels);
  registerNativeAdam(loaded.kernels);
  registerNativeGruSequence(loaded.kernels);
  registerNativeAttentionDecoder(loaded.kernels);
  return { nativeKernels: true, blas: loaded.kernels.config() };
}

async function setBackend(name: string): Promise<void> {
  const ok = await tf.setBackend(name);
  if (!ok || tf.getBackend() !== name) throw new Error(`backend ${name} failed to initialise`);
  await tf.ready();
}

