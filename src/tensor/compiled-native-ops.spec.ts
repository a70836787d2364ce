/**
 * The native-op table as the runtime reads it: every op's operands are checked before the C code reads them (with
 * or without the native kernels, the check is plain TypeScript), and a table entry whose parts do not fit is refused.
 */
import { checkOperands, COMPILED_OPS, compileOp, type CompiledOp } from './compiled-native-ops';
import { NATIVE_OP_NAMES, NATIVE_OPS, type NativeOpSpec } from './native-ops';
import { definable, dimsOf, shapeOf } from './shape-pattern';

type Info = { shape: number[]; dtype: 'float32' | 'int32' };

/** Inputs that fit together: each dimension its own size (2, 3, 4, …), so a mix-up of two shows. */
function fittingInputs(op: CompiledOp): Record<string, Info> {
  const names = [...new Set(op.inputs.flatMap((i) => dimsOf(i.pattern)))];
  const sizes = Object.fromEntries(names.map((d, i) => [d, i + 2]));
  // an elementwise op's '...n' operands: a matrix of n elements
  const shapes = Object.fromEntries(op.inputs.flatMap((i) => (i.pattern.anyShapeOf ? [[i.pattern.anyShapeOf, [2, sizes[i.pattern.anyShapeOf]]]] : [])));
  for (const [d, shape] of Object.entries(shapes)) sizes[d] = shape[0] * shape[1];
  return Object.fromEntries(op.inputs.map((i) => [i.name, { shape: shapeOf(i.pattern, { sizes, shapes }), dtype: i.dtype }]));
}

const inputsOf = (keep: (input: CompiledOp['inputs'][number], op: CompiledOp) => boolean) =>
  NATIVE_OP_NAMES.flatMap((name) => COMPILED_OPS[name].inputs.flatMap((input) => (keep(input, COMPILED_OPS[name]) ? [[name, input.name] as const] : [])));
/** '...n' takes any rank: what it must equal is the other test's. */
const ranked = inputsOf((input) => !input.pattern.anyShapeOf);
/** A last axis of a size no other input has is free to be any (the vocabulary of logits). */
const constrained = inputsOf((input, op) => {
  const last = input.pattern.anyShapeOf ?? input.pattern.axes[input.pattern.axes.length - 1].defines;
  return !last || op.inputs.some((i) => i !== input && dimsOf(i.pattern).includes(last));
});

describe('the operand check of every native op', () => {
  it.each(NATIVE_OP_NAMES)('%s takes inputs that fit together, and allocates outputs from them', (name) => {
    const op = COMPILED_OPS[name];
    const { dims, operands } = checkOperands(op, fittingInputs(op));
    expect(Object.keys(operands)).toEqual(op.inputs.map((i) => i.name));
    for (const o of op.outputs) expect(shapeOf(o.pattern, dims).every((n) => Number.isInteger(n) && n > 0)).toBe(true);
  });

  it.each(ranked)('%s refuses %s with an axis too many, naming both', (name, input) => {
    const op = COMPILED_OPS[name];
    const inputs = fittingInputs(op);
    inputs[input] = { ...inputs[input], shape: [...inputs[input].shape, 1] };
    expect(() => checkOperands(op, inputs)).toThrow(new RegExp(`^${name}: ${input} has shape \\[[\\d,]+\\], expected \\[[\\w+*, ]+\\]$`));
  });

  it.each(constrained)('%s refuses %s one longer on its last axis, naming it or the operand it contradicts', (name, input) => {
    const op = COMPILED_OPS[name];
    const inputs = fittingInputs(op);
    const shape = [...inputs[input].shape];
    shape[shape.length - 1] += 1;
    inputs[input] = { ...inputs[input], shape };
    // the first operand with a dimension defines it: when that is this one, another operand is refused, whose message says where the size came from
    const named = new RegExp(`^${name}: (${input} has shape \\[${shape}\\], expected \\[[\\d,]+\\] \\(.*\\)|\\w+ has shape .* from ${input}\\b.*)$`);
    expect(() => checkOperands(op, inputs)).toThrow(named);
  });

  it('refuses a float label, a missing operand, and parameter moments of another shape', () => {
    const xent = COMPILED_OPS['softmaxXent'];
    expect(() => checkOperands(xent, { logits: { shape: [3, 5], dtype: 'float32' }, labels: { shape: [3], dtype: 'float32' } })).toThrow(
      /^softmaxXent: labels has dtype float32, expected int32$/,
    );
    expect(() => checkOperands(xent, { logits: { shape: [3, 5], dtype: 'float32' } })).toThrow(/^softmaxXent: operand labels is missing$/);
    const f = (shape: number[]): Info => ({ shape, dtype: 'float32' });
    const adam = { value: f([7, 5]), m: f([7, 5]), v: f([7, 5]), grad: f([5, 7]), hyper: f([7]) };
    expect(() => checkOperands(COMPILED_OPS['adam'], adam)).toThrow(/^adam: grad has shape \[5,7\], expected \[7,5\] \(n=35 from value\)$/);
  });
});

describe('the table', () => {
  it('names each kernel after its op, and each gradient differentiates every input it can', () => {
    expect(COMPILED_OPS['gruSequence'].kernelName).toBe('NativeGruSequence');
    for (const name of NATIVE_OP_NAMES) {
      const op = COMPILED_OPS[name];
      if (!op.gradient) continue;
      // a gradient output has its input's shape, for the same dimensions
      const sizes = Object.fromEntries(op.inputs.flatMap((i) => definable(i.pattern)).map((d, i) => [d, i + 2]));
      for (const g of op.gradient.outputs) {
        const input = op.inputs.find((i) => `d${i.name}` === g.name)!;
        expect([g.name, shapeOf(g.pattern, { sizes, shapes: {} })]).toEqual([g.name, shapeOf(input.pattern, { sizes, shapes: {} })]);
      }
    }
  });

  const entry = (over: Partial<NativeOpSpec>): NativeOpSpec => ({ inputs: { x: 'B H' }, outputs: { y: 'B H' }, call: 'B H x y', ...over });

  it.each([
    ['an output of a dimension no input defines', entry({ outputs: { y: 'B K' } }), /y's shape B K uses K, which no input's lone axis gives/],
    ['a call that leaves an operand out', entry({ call: 'B H x' }), /call must pass every operand and attribute once \(missing: y\)/],
    ['a call naming something unknown', entry({ call: 'B H x y z' }), /call names z, which is no operand, attribute or dimension/],
    ['an unreadable shape', entry({ inputs: { x: 'B H-1' } }), /cannot read 'H-1'/],
    ['a gradient not in the table', entry({ gradient: 'nowhere' }), /its gradient nowhere is not in the table/],
    ['a gradient output that is no input\'s', entry({ gradient: 'grad' }), /its gradient's outputs must be d<input> \(not: dz\)/],
  ])('refuses %s', (_, spec, message) => {
    const table = { op: spec, grad: { inputs: { x: 'B H', dy: 'B H' }, outputs: { dz: 'B H' }, call: 'B H x dy dz' } };
    expect(() => compileOp('op', spec, table)).toThrow(message);
  });

  it('compiled every entry at load (a mistake in it fails every test that imports the runtime)', () => {
    expect(NATIVE_OP_NAMES).toEqual(Object.keys(NATIVE_OPS));
    expect(NATIVE_OP_NAMES.map((n) => COMPILED_OPS[n].name)).toEqual(NATIVE_OP_NAMES);
  });
});
