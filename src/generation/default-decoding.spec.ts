import type { DecodingInput } from './decoding-options';
import { withDefaultDecoding } from './default-decoding';

describe(withDefaultDecoding.name, () => {
  const beam4: DecodingInput = { strategy: 'beam', beamWidth: 4 };

  it('fills a request that picks no strategy with the default, keeping its other settings', () => {
    expect(withDefaultDecoding({}, beam4)).toEqual(beam4);
    expect(withDefaultDecoding({ maxTokens: 12, seed: 7 }, beam4)).toEqual({ strategy: 'beam', beamWidth: 4, maxTokens: 12, seed: 7 });
    expect(withDefaultDecoding({ beamWidth: 8 }, beam4)).toEqual({ strategy: 'beam', beamWidth: 8 });
  });

  it.each([
    ['a strategy', { strategy: 'greedy' }],
    ['candidates (greedy or sampled only)', { candidates: 8 }],
    ['n-gram blocking (greedy or sampled only)', { noRepeatNgram: 3 }],
    ['a temperature', { temperature: 0.7 }],
    ['top-k', { topK: 40 }],
    ['top-p', { topP: 0.9 }],
  ] as [string, DecodingInput][])('takes a request naming %s as it is', (_, requested) => {
    expect(withDefaultDecoding(requested, beam4)).toEqual(requested);
  });
});
