/**
 * The native-op table (native-ops.ts) read and checked once at load, and the check of an op's operands that every
 * call passes before the C code reads them.
 */
import type * as tf from '@tensorflow/tfjs';
import { NATIVE_OP_NAMES, NATIVE_OPS, type NativeOpName, type NativeOpSpec } from './native-ops';
import { define, definable, type Dims, dimsOf, parseShape, type ShapePattern, shapeOf } from './shape-pattern';

interface Operand {
  name: string;
  pattern: ShapePattern;
  dtype: 'float32' | 'int32';
}

/** One entry of the table, read and checked once. */
export interface CompiledOp {
  name: string;
  kernelName: string;
  inputs: Operand[];
  outputs: Operand[];
  attrs: readonly string[];
  /** The C arguments after the heap. */
  call: { kind: 'dim' | 'attr' | 'operand'; name: string }[];
  gradient?: CompiledOp;
}

/** Reads an entry, refusing one whose parts do not fit together (so a table mistake fails at load, in every test). */
export function compileOp(name: string, spec: NativeOpSpec, table: Readonly<Record<string, NativeOpSpec>>): CompiledOp {
  const fail = (why: string): never => {
    // A mistake in the table (native-ops.ts): a bug, never input, so a plain Error
    throw new Error(`native op table: ${name}: ${why}`);
  };
  const inputs = Object.entries(spec.inputs).map(([n, s]) => ({ name: n, ...(typeof s === 'string' ? { pattern: parseShape(s), dtype: 'float32' as const } : { pattern: parseShape(s.shape), dtype: s.dtype }) }));
  const outputs = Object.entries(spec.outputs).map(([n, s]) => ({ name: n, pattern: parseShape(s), dtype: 'float32' as const }));
  if (outputs.length === 0) fail('it has no outputs');
  const defined = new Set(inputs.flatMap((i) => definable(i.pattern)));
  for (const o of [...inputs, ...outputs]) {
    const unknown = dimsOf(o.pattern).filter((d) => !defined.has(d));
    if (unknown.length) fail(`${o.name}'s shape ${o.pattern.text} uses ${unknown.join(', ')}, which no input's lone axis gives`);
  }
  const attrs = spec.attrs ?? [];
  const operands = new Set([...inputs, ...outputs].map((o) => o.name));
  const call = spec.call.split(/\s+/).map((arg) => {
    if (operands.has(arg)) return { kind: 'operand' as const, name: arg };
    if (attrs.includes(arg)) return { kind: 'attr' as const, name: arg };
    if (defined.has(arg)) return { kind: 'dim' as const, name: arg };
    return fail(`call names ${arg}, which is no operand, attribute or dimension`);
  });
  const passed = call.map((a) => a.name);
  const missing = [...operands, ...attrs].filter((n) => !passed.includes(n));
  if (missing.length || new Set(passed).size !== passed.length) fail(`call must pass every operand and attribute once (missing: ${missing.join(', ') || 'none'})`);
  const op: CompiledOp = { name, kernelName: `Native${name[0].toUpperCase()}${name.slice(1)}`, inputs, outputs, attrs, call };
  if (spec.gradient === undefined) return op;
  const gradSpec = table[spec.gradient];
  if (!gradSpec) return fail(`its gradient ${spec.gradient} is not in the table`);
  const gradient = compileOp(spec.gradient, gradSpec, table);
  const forward = new Set([...inputs, ...outputs].map((o) => o.name));
  const strays = gradient.inputs.filter((i) => i.name !== 'dy' && !forward.has(i.name)).map((i) => i.name);
  if (strays.length || !gradient.inputs.some((i) => i.name === 'dy')) fail(`its gradient reads dy and this op's operands only (not: ${strays.join(', ') || 'none'})`);
  const foreign = gradient.outputs.filter((g) => !inputs.some((i) => `d${i.name}` === g.name)).map((g) => g.name);
  if (foreign.length) fail(`its gradient's outputs must be d<input> (not: ${foreign.join(', ')})`);
  if (gradient.attrs.join() !== attrs.join()) fail('its gradient must take the same attributes');
  const unread = outputs.slice(1).filter((o) => !gradient.inputs.some((i) => i.name === o.name));
  if (unread.length) fail(`its gradient must read every output after the value (not: ${unread.map((o) => o.name).join(', ')})`);
  return { ...op, gradient };
}

export const COMPILED_OPS = Object.fromEntries(NATIVE_OP_NAMES.map((n) => [n, compileOp(n, NATIVE_OPS[n], NATIVE_OPS)])) as Record<NativeOpName, CompiledOp>;

/** What the check reads of an operand (a tensor, or the TensorInfo a kernel gets). */
type OperandInfo = Pick<tf.TensorInfo, 'shape' | 'dtype'>;

/**
 * Checks every input's dtype and shape against the op's dimensions, read from the inputs themselves: a refusal
 * names the op, the operand, its shape, the expected one and where the dimensions came from. Returns the
 * dimensions and the inputs by name.
 */
export function checkOperands<T extends OperandInfo>(op: CompiledOp, inputs: Readonly<Record<string, T | undefined>>): { dims: Dims; operands: Record<string, T> } {
  const fail = (why: string): never => {
    // Operands a layer built wrong (their sizes come from the model's config, checked when it loads): a bug, so a plain Error
    throw new Error(`${op.name}: ${why}`);
  };
  const given = op.inputs.map((o) => ({ ...o, info: inputs[o.name] ?? fail(`operand ${o.name} is missing`) }));
  const dims: Dims = { sizes: {}, shapes: {} };
  const from: Record<string, string> = {};
  for (const { name, pattern, dtype, info } of given) {
    if (info.dtype !== dtype) fail(`${name} has dtype ${info.dtype}, expected ${dtype}`);
    if (!pattern.anyShapeOf && info.shape.length !== pattern.axes.length) fail(`${name} has shape [${info.shape}], expected [${pattern.axes.map((a) => a.text).join(', ')}]`);
    for (const d of define(pattern, info.shape, dims)) from[d] = name;
  }
  for (const { name, pattern, info } of given) {
    const expected = shapeOf(pattern, dims);
    if (expected.join() !== info.shape.join()) {
      const readFrom = dimsOf(pattern).map((d) => `${d}=${dims.sizes[d]} from ${from[d]}`);
      fail(`${name} has shape [${info.shape}], expected [${expected}] (${readFrom.join(', ')})`);
    }
  }
  return { dims, operands: Object.fromEntries(given.map((g) => [g.name, g.info])) };
}
