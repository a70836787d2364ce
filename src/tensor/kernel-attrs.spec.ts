import { booleanAttr, numberAttr, numbersAttr, optionalNumbersAttr } from './kernel-attrs';

describe('kernel attributes', () => {
  it('read each kind, an unset flag as false', () => {
    const attrs = { transposeA: true, axis: 1, begin: [0, 2], size: 3 };
    expect([booleanAttr(attrs, 'transposeA'), booleanAttr(attrs, 'transposeB')]).toEqual([true, false]);
    expect([numberAttr(attrs, 'axis'), numbersAttr(attrs, 'begin'), numbersAttr(attrs, 'size')]).toEqual([1, [0, 2], 3]);
  });

  it('let tfjs leave an optional one out or pass null (a slice to the end, a sum over every axis)', () => {
    expect([optionalNumbersAttr({}, 'size'), optionalNumbersAttr({ axis: [] }, 'axis')]).toEqual([undefined, []]);
    // tfjs's sum passes axis: null, which its attribute type does not list
    expect(optionalNumbersAttr(JSON.parse('{"axis": null}'), 'axis')).toBeUndefined();
  });

  it('refuse another kind, naming the attribute', () => {
    expect(() => booleanAttr({ keepDims: 1 }, 'keepDims')).toThrow(/^kernel attribute keepDims must be a boolean, got 1$/);
    expect(() => numberAttr({ axis: [1] }, 'axis')).toThrow(/^kernel attribute axis must be a number, got \[1\]$/);
    expect(() => numbersAttr({ begin: ['0'] }, 'begin')).toThrow(/must be a number or numbers/);
    expect(() => numberAttr({}, 'numSegments')).toThrow(/numSegments must be a number, got undefined/);
  });
});
