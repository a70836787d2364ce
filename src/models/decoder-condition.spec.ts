import { decoderCondition } from './decoder-condition';

describe(decoderCondition.name, () => {
  const parts = { answered: 'answered', context: 'context', z: 'z' };

  it.each([
    ['seq2seq', ['answered']],
    ['hred', ['context']],
    ['vhred', ['context', 'z']],
  ] as const)('%s: the decoder reads %j, in that order', (kind, expected) => {
    expect(decoderCondition(kind, parts)).toEqual(expected);
  });

  it('refuses a reply without the part its kind needs', () => {
    expect(() => decoderCondition('vhred', { context: 1 })).toThrow('a VHRED reply needs z');
    expect(() => decoderCondition('hred', { answered: 1 })).toThrow(/needs the context state/);
    expect(() => decoderCondition('seq2seq', { context: 1 })).toThrow(/needs the answered utterance/);
  });
});
