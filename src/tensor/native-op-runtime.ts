/**
 * Applies the native-op table (native-ops.ts): registers each op as the tfjs kernel `Native<Name>` on 'wasm', checks
 * its operands before the C code reads them, allocates its outputs, and runs it differentiably through its gradient
 * entry. Callers ask `nativeOpReady` and otherwise compose tfjs ops (their reference).
 */
import * as tf from '@tensorflow/tfjs';
import { checkOperands, COMPILED_OPS as OPS, type CompiledOp } from './compiled-native-ops';
import { customGradient } from './custom-gradient';
import type { NativeKernels, NativeOpFunction } from './native-kernels';
import { type DifferentiableNativeOp, NATIVE_OP_NAMES, type NativeOpInput, type NativeOpName, type NativeOpOutput } from './native-ops';
import { shapeOf } from './shape-pattern';
import { heapWord, wasmHeap } from './wasm-heap';

function attrValue(op: CompiledOp, attrs: tf.NamedAttrMap | undefined, name: string): number {
  const value = attrs?.[name];
  // Internal invariant: attributes come from our own calls (see kernel-attrs.ts)
  if (typeof value !== 'boolean') throw new TypeError(`${op.name}: attribute ${name} must be true or false, got ${JSON.stringify(value)}`);
  return value ? 1 : 0;
}

function kernelFunc(op: CompiledOp, run: NativeOpFunction): tf.KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const { dims, operands } = checkOperands(op, inputs);
    const flags = Object.fromEntries(op.attrs.map((a) => [a, attrValue(op, attrs, a)]));
    const wasm = wasmHeap(backend);
    const outputs = op.outputs.map((o) => wasm.makeOutput(shapeOf(o.pattern, dims), o.dtype));
    op.outputs.forEach((o, i) => (operands[o.name] = outputs[i]));
    // word offsets only now: allocating an output may have moved the heap
    const args = op.call.map((a) => (a.kind === 'dim' ? dims.sizes[a.name] : a.kind === 'attr' ? flags[a.name] : heapWord(wasm, operands[a.name])));
    try {
      run(wasm.typedArrayFromHeap(outputs[0]).buffer, ...args);
    } catch (err) {
      outputs.forEach((o) => wasm.disposeData(o.dataId)); // e.g. a label outside the vocabulary
      throw err;
    }
    return outputs;
  };
}

/** Registers every op of the table for 'wasm' on these kernels. */
export function registerNativeOps(native: NativeKernels): void {
  for (const name of NATIVE_OP_NAMES) {
    tf.registerKernel({ kernelName: OPS[name].kernelName, backendName: 'wasm', kernelFunc: kernelFunc(OPS[name], native[name]) });
  }
}

/** Whether `name` runs here: the WASM backend is active and the native kernels are registered. */
export function nativeOpReady(name: NativeOpName): boolean {
  return tf.getBackend() === 'wasm' && !!tf.getKernel(OPS[name].kernelName, 'wasm');
}

export type NativeOpAttrs = Readonly<Record<string, boolean>>;

function runNative(op: CompiledOp, inputs: tf.NamedTensorMap, attrs: NativeOpAttrs): Record<string, tf.Tensor> {
  const out = tf.engine().runKernel(op.kernelName, inputs, { ...attrs });
  const list = Array.isArray(out) ? out : [out];
  return Object.fromEntries(op.outputs.map((o, i) => [o.name, list[i]]));
}

/** All of an op's outputs by name, not differentiated (decoding, the optimiser). */
export function nativeOpOutputs<K extends NativeOpName>(name: K, inputs: Readonly<Record<NativeOpInput<K>, tf.Tensor>>, attrs: NativeOpAttrs = {}): Record<NativeOpOutput<K>, tf.Tensor> {
  return runNative(OPS[name], inputs, attrs);
}

const differentiable = new Map<string, (...inputs: tf.Tensor[]) => tf.Tensor>();

/** The op as tfjs's autodiff sees it: forward and gradient kernels, with these attributes. */
function differentiableOp(op: CompiledOp & { gradient: CompiledOp }, attrs: NativeOpAttrs): (...inputs: tf.Tensor[]) => tf.Tensor {
  const grad = op.gradient;
  const kept = grad.inputs.map((i) => i.name).filter((n) => n !== 'dy');
  return customGradient((tensors, save) => {
    const named = Object.fromEntries(op.inputs.map((o, i) => [o.name, tensors[i]]));
    const outputs = runNative(op, named, attrs);
    const available = { ...named, ...outputs };
    save(kept.map((n) => available[n]));
    return {
      value: outputs[op.outputs[0].name],
      gradFunc: (dy, saved) => {
        const grads = runNative(grad, { ...Object.fromEntries(kept.map((n, i) => [n, saved[i]])), dy }, attrs);
        return op.inputs.map((o, i) => grads[`d${o.name}`] ?? tf.zeros(tensors[i].shape, tensors[i].dtype));
      },
    };
  });
}

/** The op's value (its first output), differentiable through its gradient entry. */
export function nativeOp<K extends DifferentiableNativeOp>(name: K, inputs: Readonly<Record<NativeOpInput<K>, tf.Tensor>>, attrs: NativeOpAttrs = {}): tf.Tensor {
  const op = OPS[name];
  if (!op.gradient) throw new Error(`${name} has no gradient entry`); // a table bug: the type already excludes it
  const key = `${name} ${JSON.stringify(attrs)}`;
  let run = differentiable.get(key);
  if (!run) differentiable.set(key, (run = differentiableOp({ ...op, gradient: op.gradient }, attrs)));
  const named: Readonly<Record<string, tf.Tensor>> = inputs;
  return run(...op.inputs.map((o) => named[o.name]));
}
