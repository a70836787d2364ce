/**
 * The GRU's gate arithmetic as one native kernel each way (native/kernels/gru_gates.c), for the WASM
 * backend: the dozen small kernels of a step, and their slice gradients, become two.
 * `fusedGruGates` is undefined where the kernels are not registered; the caller then composes tfjs ops.
 */
import * as tf from '@tensorflow/tfjs';
import { heapWord, type NativeKernels, type WasmHeapBackend } from './native-kernels';

const FORWARD = 'NativeGruGates';
const BACKWARD = 'NativeGruGatesGrad';

export function registerNativeGruGates(native: NativeKernels): void {
  tf.registerKernel({
    kernelName: FORWARD,
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend }) => {
      const { xProj, hProj, h } = inputs as Record<'xProj' | 'hProj' | 'h', tf.TensorInfo>;
      const [B, H] = h.shape;
      const wasm = backend as unknown as WasmHeapBackend;
      const out = wasm.makeOutput([B, H], 'float32');
      const gates = wasm.makeOutput([B, 3 * H], 'float32');
      const w = (t: tf.TensorInfo) => heapWord(wasm, t);
      native.gruGates(wasm.typedArrayFromHeap(out).buffer, B, H, w(xProj), w(hProj), w(h), w(out), w(gates));
      return [out, gates];
    },
  });
  tf.registerKernel({
    kernelName: BACKWARD,
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend }) => {
      const { gates, hProj, h, dy } = inputs as Record<'gates' | 'hProj' | 'h' | 'dy', tf.TensorInfo>;
      const [B, H] = h.shape;
      const wasm = backend as unknown as WasmHeapBackend;
      const dxProj = wasm.makeOutput([B, 3 * H], 'float32');
      const dhProj = wasm.makeOutput([B, 3 * H], 'float32');
      const dh = wasm.makeOutput([B, H], 'float32');
      const w = (t: tf.TensorInfo) => heapWord(wasm, t);
      native.gruGatesGrad(wasm.typedArrayFromHeap(dh).buffer, B, H, w(gates), w(hProj), w(h), w(dy), w(dxProj), w(dhProj), w(dh));
      return [dxProj, dhProj, dh];
    },
  });
}

const fused = tf.customGrad(((xProj: tf.Tensor, hProj: tf.Tensor, h: tf.Tensor, save: tf.GradSaveFunc) => {
  const [out, gates] = tf.engine().runKernel(FORWARD, { xProj, hProj, h }, {}) as tf.Tensor[];
  save([gates, hProj, h]);
  return {
    value: out,
    gradFunc: (dy: tf.Tensor, [gates, hProj, h]: tf.Tensor[]) => tf.engine().runKernel(BACKWARD, { gates, hProj, h, dy }, {}) as tf.Tensor[],
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]);

/** h' from the input projection xProj [B, 3H], the state projection hProj [B, 3H] and the state h [B, H]. */
export function fusedGruGates(xProj: tf.Tensor2D, hProj: tf.Tensor2D, h: tf.Tensor2D): tf.Tensor2D | undefined {
  if (tf.getBackend() !== 'wasm' || !tf.getKernel(FORWARD, 'wasm') || h.shape[0] === 0) return undefined;
  return fused(xProj, hProj, h) as tf.Tensor2D;
}
