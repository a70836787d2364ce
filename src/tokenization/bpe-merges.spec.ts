import { BpeMerges } from './bpe-merges';

describe(BpeMerges.name, () => {
  it('applies merges lowest rank first, whatever their position', () => {
    const sut = new BpeMerges([['l', 'o'], ['lo', 'w'], ['e', 'r'], ['low', 'er']]);
    expect(sut.apply('lower')).toEqual(['lower']);
    expect(sut.apply('slower')).toEqual(['s', 'lower']);
    expect(sut.apply('xyz')).toEqual(['x', 'y', 'z']);
  });

  it('merges overlapping pairs left to right, as the library does', () => {
    expect(new BpeMerges([['a', 'a']]).apply('aaa')).toEqual(['aa', 'a']);
    expect(new BpeMerges([['a', 'a'], ['aa', 'aa']]).apply('aaaaa')).toEqual(['aaaa', 'a']);
  });

  it('reports each merge applied, for frequency counts', () => {
    const applied: number[] = [];
    new BpeMerges([['a', 'b'], ['ab', 'c']]).apply('abcab', (rank) => applied.push(rank));
    expect(applied).toEqual([0, 0, 1]);
  });
});
