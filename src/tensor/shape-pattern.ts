/**
 * Shape patterns of the native ops' operands (native-ops.ts): one expression per axis over named dimensions, e.g.
 * 'T N 3H' or 'T*N H+E'. An axis that is a lone letter defines that dimension; the rest are checked against it.
 * '...n' is any shape of n elements (an elementwise op's operands): the first such operand defines n and the
 * shape, and the others must have that shape.
 */

/** A product of a whole number and dimensions: '3H' is 3·H, 'T*N' is T·N. */
interface Term {
  coefficient: number;
  dims: string[];
}

export interface Axis {
  text: string;
  /** Set when the axis is a lone dimension, whose size it can define. */
  defines?: string;
  terms: Term[];
}

export interface ShapePattern {
  text: string;
  axes: Axis[];
  /** Set for '...n': any shape, of n elements. */
  anyShapeOf?: string;
}

/** What an op's inputs defined: each dimension's size, and the shape of each '...n'. */
export interface Dims {
  sizes: Record<string, number>;
  shapes: Record<string, number[]>;
}

function parseTerm(text: string, pattern: string): Term {
  const term: Term = { coefficient: 1, dims: [] };
  for (const factor of text.split('*')) {
    const match = /^(\d*)([A-Za-z]?)$/.exec(factor);
    // Patterns are the op table's (native-ops.ts): a mistake there is a bug, found when the table is compiled
    if (!match || factor === '') throw new Error(`shape pattern '${pattern}': cannot read '${factor}' (a factor is a whole number, a letter, or both: 3H)`);
    if (match[1]) term.coefficient *= Number(match[1]);
    if (match[2]) term.dims.push(match[2]);
  }
  return term;
}

export function parseShape(text: string): ShapePattern {
  const anyShape = /^\.\.\.([A-Za-z])$/.exec(text.trim());
  if (anyShape) return { text, axes: [], anyShapeOf: anyShape[1] };
  const axes = text
    .split(/\s+/)
    .filter(Boolean)
    .map((axis) => ({ text: axis, ...(/^[A-Za-z]$/.test(axis) ? { defines: axis } : {}), terms: axis.split('+').map((t) => parseTerm(t, text)) }));
  return { text, axes };
}

/** Every dimension the pattern names. */
export function dimsOf(pattern: ShapePattern): string[] {
  if (pattern.anyShapeOf) return [pattern.anyShapeOf];
  return [...new Set(pattern.axes.flatMap((a) => a.terms.flatMap((t) => t.dims)))];
}

/** The dimensions the pattern can define: its lone axes, or n of '...n'. */
export function definable(pattern: ShapePattern): string[] {
  return pattern.anyShapeOf ? [pattern.anyShapeOf] : pattern.axes.flatMap((a) => (a.defines ? [a.defines] : []));
}

/** The dimensions an operand of this shape defines, where `dims` does not have them yet. */
export function define(pattern: ShapePattern, shape: readonly number[], dims: Dims): string[] {
  const defined: string[] = [];
  if (pattern.anyShapeOf) {
    if (dims.sizes[pattern.anyShapeOf] !== undefined) return defined;
    dims.sizes[pattern.anyShapeOf] = shape.reduce((a, b) => a * b, 1);
    dims.shapes[pattern.anyShapeOf] = [...shape];
    return [pattern.anyShapeOf];
  }
  pattern.axes.forEach((axis, i) => {
    if (axis.defines && dims.sizes[axis.defines] === undefined) {
      dims.sizes[axis.defines] = shape[i];
      defined.push(axis.defines);
    }
  });
  return defined;
}

/** The shape the pattern gives for these dimensions (each it names must be among them). */
export function shapeOf(pattern: ShapePattern, dims: Dims): number[] {
  const known = (d: string) => {
    const size = dims.sizes[d];
    // Internal invariant: compileOp checks that every output dimension is bound by an input
    if (size === undefined) throw new Error(`shape pattern '${pattern.text}': dimension ${d} is not known`);
    return size;
  };
  if (pattern.anyShapeOf) return dims.shapes[pattern.anyShapeOf] ?? [known(pattern.anyShapeOf)];
  return pattern.axes.map((axis) => axis.terms.reduce((sum, t) => sum + t.dims.reduce((product, d) => product * known(d), t.coefficient), 0));
}
