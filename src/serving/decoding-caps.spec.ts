import { decodingRows, overCap } from './decoding-caps';

const CAPS = { maxTokens: 64, beamWidth: 4, candidates: 8, ignoreEos: false };

describe(overCap.name, () => {
  test.each([
    ['nothing asked', {}, undefined],
    ['everything at its cap', { maxTokens: 64, beamWidth: 4, candidates: 8, ignoreEos: false }, undefined],
    ['maxTokens over', { maxTokens: 65 }, { field: 'maxTokens', max: 64 }],
    ['beamWidth over', { strategy: 'beam' as const, beamWidth: 16 }, { field: 'beamWidth', max: 4 }],
    ['candidates over', { candidates: 9 }, { field: 'candidates', max: 8 }],
    ['ignoreEos refused unless allowed', { ignoreEos: true }, { field: 'ignoreEos', max: false }],
    ['the first field over is named', { maxTokens: 512, beamWidth: 16, ignoreEos: true }, { field: 'maxTokens', max: 64 }],
  ])('%s', (_, decoding, expected) => {
    expect(overCap(decoding, CAPS)).toEqual(expected);
  });

  test('ignoreEos passes where it is allowed', () => {
    expect(overCap({ ignoreEos: true }, { ...CAPS, ignoreEos: true })).toBeUndefined();
  });
});

describe(decodingRows.name, () => {
  test.each([
    ['a plain reply', {}, 1],
    ['sample-and-rank: its candidates', { strategy: 'sample' as const, candidates: 6 }, 6],
    ['beam search: its beam', { strategy: 'beam' as const, beamWidth: 8 }, 8],
    ['beam search at the default width', { strategy: 'beam' as const }, 4],
  ])('%s', (_, decoding, rows) => {
    expect(decodingRows(decoding)).toBe(rows);
  });
});
