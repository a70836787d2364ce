/**
 * The attention decoder over every step of a teacher-forced batch as one native kernel each way
 * (native/kernels/attention_decoder.c), for the WASM backend: a step costs three sgemms and one pass over the
 * memory instead of a dozen tfjs kernels forward and twice as many backward, and each weight's gradient is one
 * product over all steps. `fusedAttentionDecoder` is undefined where the kernels are not registered; the caller
 * then steps in tfjs ops (DialogueModel.decodeTeacherForced), which compute the same function.
 */
import * as tf from '@tensorflow/tfjs';
import { heapWord, type NativeKernels, type WasmHeapBackend } from './native-kernels';

const FORWARD = 'NativeAttentionDecoder';
const BACKWARD = 'NativeAttentionDecoderGrad';

/** What the kernel reads: see fusedAttentionDecoder for the shapes. */
export interface AttentionDecoderInputs {
  embProj: tf.Tensor3D;
  mask: tf.Tensor2D;
  h0: tf.Tensor2D;
  a0: tf.Tensor2D;
  wxa: tf.Tensor2D;
  wh: tf.Tensor2D;
  bh: tf.Tensor1D;
  keys: tf.Tensor3D;
  values: tf.Tensor3D;
  bias: tf.Tensor2D;
  wc: tf.Tensor2D;
  bc: tf.Tensor1D;
}

const INPUT_NAMES = ['embProj', 'mask', 'h0', 'a0', 'wxa', 'wh', 'bh', 'keys', 'values', 'bias', 'wc', 'bc'] as const;
const SAVED_NAMES = ['mask', 'h0', 'a0', 'wxa', 'wh', 'keys', 'values', 'wc', 'att', 'hs', 'gates', 'hproj', 'cat', 'alpha'] as const;

/** T, N, H, L, E, A of a call, from the shapes of mask [T, N], h0 [N, H], values [N, L, E] and wc [H + E, A]. */
function dims(x: Record<'mask' | 'h0' | 'values' | 'wc', tf.TensorInfo>): number[] {
  const [T, N] = x.mask.shape;
  const [, L, E] = x.values.shape;
  return [T, N, x.h0.shape[1], L, E, x.wc.shape[1]];
}

/**
 * The kernel reads its operands as flat arrays sized by these dimensions: a tensor of another shape would be read
 * past its end (into its neighbours on the heap), so every shape is checked first. Returns T, N, H, L, E, A.
 */
function checkedDims(x: Record<(typeof INPUT_NAMES)[number], tf.TensorInfo>): number[] {
  const [T, N, H, L, E, A] = dims(x);
  const expected: Record<(typeof INPUT_NAMES)[number], number[]> = {
    embProj: [T, N, 3 * H],
    mask: [T, N],
    h0: [N, H],
    a0: [N, A],
    wxa: [A, 3 * H],
    wh: [H, 3 * H],
    bh: [3 * H],
    keys: [N, L, H],
    values: [N, L, E],
    bias: [N, L],
    wc: [H + E, A],
    bc: [A],
  };
  for (const name of INPUT_NAMES) {
    if (x[name].shape.join() !== expected[name].join()) {
      throw new Error(`attention decoder: ${name} has shape [${x[name].shape}], expected [${expected[name]}]`);
    }
  }
  return [T, N, H, L, E, A];
}

export function registerNativeAttentionDecoder(native: NativeKernels): void {
  tf.registerKernel({
    kernelName: FORWARD,
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend }) => {
      const x = inputs as Record<(typeof INPUT_NAMES)[number], tf.TensorInfo>;
      const [T, N, H, L, E, A] = checkedDims(x);
      const wasm = backend as unknown as WasmHeapBackend;
      const outputs = [[T, N, A], [T, N, H], [T * N, 3 * H], [T * N, 3 * H], [T * N, H + E], [T * N, L]].map((s) => wasm.makeOutput(s, 'float32'));
      const words = [...INPUT_NAMES.map((k) => x[k]), ...outputs].map((t) => heapWord(wasm, t));
      native.attentionDecoder(wasm.typedArrayFromHeap(outputs[0]).buffer, T, N, H, L, E, A, ...words);
      return outputs;
    },
  });
  tf.registerKernel({
    kernelName: BACKWARD,
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend }) => {
      const x = inputs as Record<(typeof SAVED_NAMES)[number] | 'dAtt', tf.TensorInfo>;
      const [T, N, H, L, E, A] = dims(x);
      const wasm = backend as unknown as WasmHeapBackend;
      const shapes = [[T, N, 3 * H], [N, H], [N, A], [A, 3 * H], [H, 3 * H], [3 * H], [N, L, H], [N, L, E], [H + E, A], [A]];
      const grads = shapes.map((s) => wasm.makeOutput(s, 'float32'));
      const words = [...SAVED_NAMES.map((k) => x[k]), x.dAtt, ...grads].map((t) => heapWord(wasm, t));
      native.attentionDecoderGrad(wasm.typedArrayFromHeap(grads[0]).buffer, T, N, H, L, E, A, ...words);
      return grads;
    },
  });
}

const decoderOp = tf.customGrad(((...args: tf.Tensor[]) => {
  const save = args.pop() as unknown as tf.GradSaveFunc;
  const inputs = Object.fromEntries(INPUT_NAMES.map((k, i) => [k, args[i]]));
  const [att, hs, gates, hproj, cat, alpha] = tf.engine().runKernel(FORWARD, inputs) as tf.Tensor[];
  const kept = { ...inputs, att, hs, gates, hproj, cat, alpha } as Record<string, tf.Tensor>;
  save(SAVED_NAMES.map((k) => kept[k]));
  return {
    value: att,
    gradFunc: (dAtt: tf.Tensor, saved: tf.Tensor[]) => {
      const named = Object.fromEntries(SAVED_NAMES.map((k, i) => [k, saved[i]]));
      const [dEmb, dh0, da0, dwxa, dwh, dbh, dKeys, dValues, dwc, dbc] = tf.engine().runKernel(BACKWARD, { ...named, dAtt }) as tf.Tensor[];
      return [dEmb, tf.zerosLike(named.mask), dh0, da0, dwxa, dwh, dbh, dKeys, dValues, tf.zerosLike(args[9]), dwc, dbc];
    },
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]);

/** Whether fusedAttentionDecoder runs (the WASM backend with the native kernels registered). */
export function hasFusedAttentionDecoder(): boolean {
  return tf.getBackend() === 'wasm' && !!tf.getKernel(FORWARD, 'wasm');
}

/**
 * The attention vectors [T, N, A] of every step of a GRU decoder with input feeding and Luong attention:
 * embProj [T, N, 3H] is the embedding part of the GRU's input projection (bias included), wxa [A, 3H] the part
 * that reads the previous attention vector (a0 [N, A] before the first step), h0 [N, H] the first state;
 * keys [N, L, H] = values·Wa, values [N, L, E], bias [N, L] (0 or −1e9 on the memory's padding); the attention
 * vector is tanh([h; context]·wc + bc). Where mask [T, N] is 0 the row's state and attention vector are carried.
 */
export function fusedAttentionDecoder(x: AttentionDecoderInputs): tf.Tensor3D | undefined {
  if (!hasFusedAttentionDecoder() || x.embProj.size === 0) return undefined;
  return decoderOp(...INPUT_NAMES.map((k) => x[k])) as tf.Tensor3D;
}

/** The same steps without a gradient (decoding): the attention vectors [T, N, A] and the states [T, N, H]. */
export function fusedAttentionDecoderStates(x: AttentionDecoderInputs): { attention: tf.Tensor3D; states: tf.Tensor3D } | undefined {
  if (!hasFusedAttentionDecoder() || x.embProj.size === 0) return undefined;
  const [attention, states, ...saved] = tf.engine().runKernel(FORWARD, { ...x }) as tf.Tensor[];
  tf.dispose(saved);
  return { attention: attention as tf.Tensor3D, states: states as tf.Tensor3D };
}
