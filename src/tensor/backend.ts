/**
 * Picks the tensor backend once per process: tfjs-node where its native binding installed,
 * otherwise WASM (with the gradient kernel it lacks registered), the pure-JS CPU backend last.
 */
import * as tf from '@tensorflow/tfjs';
import { registerBlasMatMul } from './blas-matmul';
import { loadNativeBlas, parseBlasChoice } from './native-blas';
import { registerWasmKernelFixes } from './wasm-kernels';

export type BackendName = 'node' | 'wasm' | 'cpu';
export type BackendChoice = BackendName | 'auto';

export interface BackendInfo {
  name: BackendName;
  /** Threads the backend computes with (wasm is single-threaded in Node: tfjs issue #3830). */
  threads: number;
  /** Who computes matrix products: on wasm, native OpenBLAS when it is built (TF_BLAS=off declines it). */
  matMul: 'openblas' | 'builtin';
  /** Why the native kernel is not in use, when it is not (wasm only). */
  matMulNote?: string;
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
    return { name, threads: tf.env().getNumber('TFJS_NODE_THREADS' as never) || 0, matMul: 'builtin' };
  }
  if (name === 'wasm') {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require('@tensorflow/tfjs-backend-wasm');
    registerWasmKernelFixes();
    await setBackend('wasm');
    return { name, threads: 1, ...useNativeBlas() };
  }
  await setBackend('cpu');
  return { name, threads: 1, matMul: 'builtin' };
}

/**
 * OpenBLAS computes on one thread per tfjs thread: data-parallel training and the comparison already
 * run one backend per core, and more would oversubscribe the two cores.
 */
function useNativeBlas(): Pick<BackendInfo, 'matMul' | 'matMulNote'> {
  if (parseBlasChoice(process.env.TF_BLAS) === 'off') return { matMul: 'builtin', matMulNote: 'TF_BLAS=off' };
  const loaded = loadNativeBlas();
  if ('error' in loaded) return { matMul: 'builtin', matMulNote: `native kernel not built: ${loaded.error}` };
  loaded.blas.setThreads(1);
  registerBlasMatMul(loaded.blas);
  return { matMul: 'openblas' };
}

async function setBackend(name: string): Promise<void> {
  const ok = await tf.setBackend(name);
  if (!ok || tf.getBackend() !== name) throw new Error(`backend ${name} failed to initialise`);
  await tf.ready();
}

