/**
 * The part of tfjs's WASM backend that kernels computing on its heap use: allocating outputs, viewing a tensor's
 * data in the heap, sharing and freeing data. tfjs hands a kernel its backend untyped; `wasmHeap` checks it.
 */
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type * as tf from '@tensorflow/tfjs';

export type WasmHeapBackend = Pick<BackendWasm, 'makeOutput' | 'typedArrayFromHeap' | 'incRef' | 'disposeData'>;

const METHODS = ['makeOutput', 'typedArrayFromHeap', 'incRef', 'disposeData'] as const;

function isWasmHeap(backend: unknown): backend is WasmHeapBackend {
  return backend instanceof Object && METHODS.every((m) => typeof Reflect.get(backend, m) === 'function');
}

/** The backend a kernel was called with, as the WASM backend; any other is a registration error. */
export function wasmHeap(backend: unknown): WasmHeapBackend {
  // A registration bug (a heap kernel registered for another backend), never input
  if (!isWasmHeap(backend)) throw new TypeError('a WASM heap kernel was called with a backend other than tfjs-backend-wasm');
  return backend;
}

/** Word offset of a tensor's data in the heap. Take it after the last makeOutput: allocating may move the heap. */
export const heapWord = (backend: WasmHeapBackend, t: tf.TensorInfo): number => backend.typedArrayFromHeap(t).byteOffset / 4;
