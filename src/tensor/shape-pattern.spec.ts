import { define, type Dims, dimsOf, parseShape, shapeOf } from './shape-pattern';

describe('shape patterns', () => {
  it('read each axis as a sum of products of whole numbers and dimensions', () => {
    const pattern = parseShape('T*N H+E 3H 7');
    expect(pattern.axes.map((a) => a.defines)).toEqual([undefined, undefined, undefined, undefined]);
    expect(dimsOf(pattern)).toEqual(['T', 'N', 'H', 'E']);
    expect(shapeOf(pattern, { sizes: { T: 2, N: 3, H: 4, E: 5 }, shapes: {} })).toEqual([6, 9, 12, 7]);
  });

  it('let a lone axis define its dimension, first come first served', () => {
    const dims: Dims = { sizes: {}, shapes: {} };
    expect(define(parseShape('T N'), [4, 5], dims)).toEqual(['T', 'N']);
    expect(define(parseShape('N H'), [6, 7], dims)).toEqual(['H']);
    expect(dims.sizes).toEqual({ T: 4, N: 5, H: 7 });
    expect(shapeOf(parseShape('N 3H'), dims)).toEqual([5, 21]);
  });

  it("take any shape for '...n', defining n as its size and the shape the others must have", () => {
    const dims: Dims = { sizes: {}, shapes: {} };
    expect(define(parseShape('...n'), [7, 5], dims)).toEqual(['n']);
    expect(dims).toEqual({ sizes: { n: 35 }, shapes: { n: [7, 5] } });
    expect(shapeOf(parseShape('...n'), dims)).toEqual([7, 5]);
  });

  it('refuse what they cannot read, and a dimension nothing defined', () => {
    expect(() => parseShape('T H-1')).toThrow(/shape pattern 'T H-1': cannot read 'H-1'/);
    expect(() => parseShape('T 2HH')).toThrow(/cannot read '2HH'/);
    expect(() => shapeOf(parseShape('T N'), { sizes: { T: 1 }, shapes: {} })).toThrow(/shape pattern 'T N': dimension N is not known/);
  });
});
