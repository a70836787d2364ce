/**
 * A GRU over a whole time-major sequence as one native kernel each way (native/kernels/gru_sequence.c), for
 * the WASM backend: a step costs one sgemm and one pass of gate arithmetic instead of a dozen tfjs kernels
 * forward and backward, and the recurrent weight's gradient is one product over all steps.
 * `fusedGruSequence` is undefined where the kernels are not registered; the caller then steps in tfjs ops.
 */
import * as tf from '@tensorflow/tfjs';
import { heapWord, type NativeKernels, type WasmHeapBackend } from './native-kernels';

const FORWARD = 'NativeGruSequence';
const BACKWARD = 'NativeGruSequenceGrad';

export function registerNativeGruSequence(native: NativeKernels): void {
  tf.registerKernel({
    kernelName: FORWARD,
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { xProj, mask, h0, wh, bh } = inputs as Record<'xProj' | 'mask' | 'h0' | 'wh' | 'bh', tf.TensorInfo>;
      const [T, B] = mask.shape;
      const H = h0.shape[1];
      const wasm = backend as unknown as WasmHeapBackend;
      const out = wasm.makeOutput([T, B, H], 'float32');
      const gates = wasm.makeOutput([T, B, 3 * H], 'float32');
      const hProj = wasm.makeOutput([T, B, 3 * H], 'float32');
      const w = (t: tf.TensorInfo) => heapWord(wasm, t);
      const reverse = (attrs as unknown as { reverse: boolean }).reverse ? 1 : 0;
      native.gruSequence(wasm.typedArrayFromHeap(out).buffer, T, B, H, reverse, w(xProj), w(mask), w(h0), w(wh), w(bh), w(out), w(gates), w(hProj));
      return [out, gates, hProj];
    },
  });
  tf.registerKernel({
    kernelName: BACKWARD,
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { mask, h0, wh, out, gates, hProj, dy } = inputs as Record<'mask' | 'h0' | 'wh' | 'out' | 'gates' | 'hProj' | 'dy', tf.TensorInfo>;
      const [T, B] = mask.shape;
      const H = h0.shape[1];
      const wasm = backend as unknown as WasmHeapBackend;
      const dxProj = wasm.makeOutput([T, B, 3 * H], 'float32');
      const dh0 = wasm.makeOutput([B, H], 'float32');
      const dwh = wasm.makeOutput([H, 3 * H], 'float32');
      const dbh = wasm.makeOutput([3 * H], 'float32');
      const w = (t: tf.TensorInfo) => heapWord(wasm, t);
      const reverse = (attrs as unknown as { reverse: boolean }).reverse ? 1 : 0;
      native.gruSequenceGrad(
        wasm.typedArrayFromHeap(dxProj).buffer,
        ...([T, B, H, reverse, w(mask), w(h0), w(wh), w(out), w(gates), w(hProj), w(dy), w(dxProj), w(dh0), w(dwh), w(dbh)] as const),
      );
      return [dxProj, dh0, dwh, dbh];
    },
  });
}

const sequenceOp = (reverse: boolean) =>
  tf.customGrad(((xProj: tf.Tensor, mask: tf.Tensor, h0: tf.Tensor, wh: tf.Tensor, bh: tf.Tensor, save: tf.GradSaveFunc) => {
    const [out, gates, hProj] = tf.engine().runKernel(FORWARD, { xProj, mask, h0, wh, bh }, { reverse } as unknown as tf.NamedAttrMap) as tf.Tensor[];
    save([mask, h0, wh, out, gates, hProj]);
    return {
      value: out,
      gradFunc: (dy: tf.Tensor, [m, h, w, o, g, hp]: tf.Tensor[]) => {
        const [dxProj, dh0, dwh, dbh] = tf.engine().runKernel(BACKWARD, { mask: m, h0: h, wh: w, out: o, gates: g, hProj: hp, dy }, {
          reverse,
        } as unknown as tf.NamedAttrMap) as tf.Tensor[];
        return [dxProj, tf.zerosLike(m), dh0, dwh, dbh];
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);

const ops = { forward: sequenceOp(false), reverse: sequenceOp(true) };

/**
 * States [T, B, H] of a GRU (recurrent weight wh [H, 3H], bias bh [3H]) over input projections xProj [T, B, 3H]
 * from h0 [B, H]; where mask [T, B] is 0 the state is carried. `reverse` steps from the last time step.
 * The mask is asked for only when the kernel runs (a packed batch builds it from its row counts).
 */
export function fusedGruSequence(xProj: tf.Tensor3D, mask: tf.Tensor2D | (() => tf.Tensor2D), h0: tf.Tensor2D, wh: tf.Tensor2D, bh: tf.Tensor1D, reverse: boolean): tf.Tensor3D | undefined {
  if (tf.getBackend() !== 'wasm' || !tf.getKernel(FORWARD, 'wasm') || xProj.size === 0) return undefined;
  return (reverse ? ops.reverse : ops.forward)(xProj, typeof mask === 'function' ? mask() : mask, h0, wh, bh) as tf.Tensor3D;
}
