/**
 * Every native op (native/kernels, computed on the WASM heap), defined once. From an entry follow its tfjs kernel
 * `Native<Name>` on 'wasm', the check of its operands' shapes and dtypes before the C code reads them (a tensor of
 * another shape would be read past its end, into its neighbours on the heap), the allocation of its outputs, and its
 * gradient (native-op-runtime.ts applies the table). Adding a kernel: its C file (and its line in module.c) and one
 * entry here.
 *
 * An entry:
 * - `inputs`, `outputs`: each operand's shape pattern (shape-pattern.ts: 'T N 3H', 'T*N H+E', '...n'), float32 unless
 *   said. A dimension is read from the first input that has it as a lone axis; every other operand is checked
 *   against it, and outputs are allocated from it. The first output is the op's value; the rest are kept for its
 *   gradient.
 * - `attrs`: boolean attributes, passed to C as 0 or 1.
 * - `call`: the C function's arguments after the heap, in order: dimensions, attributes, and operands (as word
 *   offsets into the heap).
 * - `gradient`: the entry that differentiates this one. Its inputs are this op's inputs and outputs by name, and
 *   `dy`, the gradient of the value; its output `d<input>` is the gradient of that input (an input without one,
 *   e.g. a mask or labels, gets zeros).
 *
 * Not here: the products (gemm) and column sums, which compute tfjs's own BatchMatMul and Sum (blas-matmul.ts,
 * column-sums.ts), whose operands and gradients tfjs defines.
 */

/** A tensor an op reads: its shape pattern, float32; or int32 when said. */
export type InputSpec = string | { shape: string; dtype: 'int32' };

export interface NativeOpSpec {
  inputs: Readonly<Record<string, InputSpec>>;
  outputs: Readonly<Record<string, string>>;
  attrs?: readonly string[];
  call: string;
  gradient?: string;
}

export const NATIVE_OPS = {
  /**
   * −log softmax(logits[i])[labels[i]] for each row (nll), the softmax kept (probs): the loss at the vocabulary
   * output, the largest elementwise work of a step, in one pass instead of tfjs's one-hot path.
   */
  softmaxXent: {
    inputs: { logits: 'R V', labels: { shape: 'R', dtype: 'int32' } },
    outputs: { nll: 'R', probs: 'R V' },
    call: 'R V logits labels nll probs',
    gradient: 'softmaxXentGrad',
  },
  /** dy · (softmax − one-hot), from the kept softmax: one pass. */
  softmaxXentGrad: {
    inputs: { probs: 'R V', labels: { shape: 'R', dtype: 'int32' }, dy: 'R' },
    outputs: { dlogits: 'R V' },
    call: 'R V probs labels dy dlogits',
  },

  /**
   * One GRU step's gate arithmetic after its two products (the reference: gruGates in models/layers/gru.ts): the
   * next state from the input projection xProj, the state projection hProj and the state h; gates keeps r | z | n.
   */
  gruGates: {
    inputs: { h: 'B H', xProj: 'B 3H', hProj: 'B 3H' },
    outputs: { out: 'B H', gates: 'B 3H' },
    call: 'B H xProj hProj h out gates',
    gradient: 'gruGatesGrad',
  },
  gruGatesGrad: {
    inputs: { h: 'B H', gates: 'B 3H', hProj: 'B 3H', dy: 'B H' },
    outputs: { dxProj: 'B 3H', dhProj: 'B 3H', dh: 'B H' },
    call: 'B H gates hProj h dy dxProj dhProj dh',
  },

  /**
   * A GRU over a whole time-major sequence (the reference: gruCell step by step, models/layers/gru.ts): the states
   * after every step from the input projections xProj, h0, the recurrent weight wh and bias bh; where mask is 0 the
   * state is carried; `reverse` steps from the last time step. A step is one product and one pass of gate
   * arithmetic; the recurrent weight's gradient is one product over all steps.
   */
  gruSequence: {
    inputs: { mask: 'T B', h0: 'B H', xProj: 'T B 3H', wh: 'H 3H', bh: '3H' },
    outputs: { out: 'T B H', gates: 'T B 3H', hProj: 'T B 3H' },
    attrs: ['reverse'],
    call: 'T B H reverse xProj mask h0 wh bh out gates hProj',
    gradient: 'gruSequenceGrad',
  },
  gruSequenceGrad: {
    inputs: { mask: 'T B', h0: 'B H', wh: 'H 3H', out: 'T B H', gates: 'T B 3H', hProj: 'T B 3H', dy: 'T B H' },
    outputs: { dxProj: 'T B 3H', dh0: 'B H', dwh: 'H 3H', dbh: '3H' },
    attrs: ['reverse'],
    call: 'T B H reverse mask h0 wh out gates hProj dy dxProj dh0 dwh dbh',
  },

  /**
   * The attention vectors of every step of a GRU decoder with input feeding and Luong attention (the reference: the
   * decoder stepped in tfjs layers): embProj is the embedding part of the GRU's input projection (bias included),
   * wxa the part that reads the previous attention vector (a0 before the first step), h0 the first state; keys =
   * values·Wa, bias 0 or −1e9 on the memory's padding; the attention vector is tanh([h; context]·wc + bc). Where
   * mask is 0 the row's state and attention vector are carried. hs holds the states; the rest is kept for the
   * gradient. A step is three products and one pass over the memory.
   */
  attentionDecoder: {
    inputs: {
      mask: 'T N',
      h0: 'N H',
      a0: 'N A',
      values: 'N L E',
      embProj: 'T N 3H',
      wxa: 'A 3H',
      wh: 'H 3H',
      bh: '3H',
      keys: 'N L H',
      bias: 'N L',
      wc: 'H+E A',
      bc: 'A',
    },
    outputs: { att: 'T N A', hs: 'T N H', gates: 'T*N 3H', hproj: 'T*N 3H', cat: 'T*N H+E', alpha: 'T*N L' },
    call: 'T N H L E A embProj mask h0 a0 wxa wh bh keys values bias wc bc att hs gates hproj cat alpha',
    gradient: 'attentionDecoderGrad',
  },
  attentionDecoderGrad: {
    inputs: {
      mask: 'T N',
      h0: 'N H',
      a0: 'N A',
      values: 'N L E',
      wxa: 'A 3H',
      wh: 'H 3H',
      keys: 'N L H',
      wc: 'H+E A',
      att: 'T N A',
      hs: 'T N H',
      gates: 'T*N 3H',
      hproj: 'T*N 3H',
      cat: 'T*N H+E',
      alpha: 'T*N L',
      dy: 'T N A',
    },
    outputs: { dembProj: 'T N 3H', dh0: 'N H', da0: 'N A', dwxa: 'A 3H', dwh: 'H 3H', dbh: '3H', dkeys: 'N L H', dvalues: 'N L E', dwc: 'H+E A', dbc: 'A' },
    call: 'T N H L E A mask h0 a0 wxa wh keys values wc att hs gates hproj cat alpha dy dembProj dh0 da0 dwxa dwh dbh dkeys dvalues dwc dbc',
  },

  /**
   * One Adam step over a parameter's n values (any shape) with the gradient's clipping scale folded in, one pass (tfjs's Adam
   * runs about ten elementwise kernels). hyper: learning rate, β1, β2, ε, 1 − β1^t, 1 − β2^t, the gradient's scale.
   */
  adam: {
    inputs: { value: '...n', m: '...n', v: '...n', grad: '...n', hyper: '7' },
    outputs: { valueOut: '...n', mOut: '...n', vOut: '...n' },
    call: 'n value m v grad valueOut mOut vOut hyper',
  },
} as const satisfies Readonly<Record<string, NativeOpSpec>>;

export type NativeOpName = keyof typeof NATIVE_OPS;
export type NativeOpInput<K extends NativeOpName> = keyof (typeof NATIVE_OPS)[K]['inputs'] & string;
export type NativeOpOutput<K extends NativeOpName> = keyof (typeof NATIVE_OPS)[K]['outputs'] & string;
/** The ops with a gradient, which run differentiably. */
export type DifferentiableNativeOp = { [K in NativeOpName]: (typeof NATIVE_OPS)[K] extends { gradient: string } ? K : never }[NativeOpName];

/** The names, typed (Object.keys types them as plain strings). */
export const NATIVE_OP_NAMES = Object.keys(NATIVE_OPS) as NativeOpName[];
