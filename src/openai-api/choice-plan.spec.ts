import { planChoices, planRows } from './choice-plan';

/** DEFAULT_DECODING's default. */
const BEAM4 = { strategy: 'beam', beamWidth: 4 } as const;

describe(planChoices.name, () => {
  test.each([
    ['nothing given, a greedy service default: one greedy row', {}, 'hred', [{}]],
    ['temperature > 0 samples', { temperature: 0.7 }, 'hred', [{ strategy: 'sample', temperature: 0.7 }]],
    ['temperature 0 is greedy', { temperature: 0 }, 'hred', [{ strategy: 'greedy' }]],
    ['top_p samples', { top_p: 0.9 }, 'seq2seq', [{ strategy: 'sample', topP: 0.9 }]],
    ['max_tokens, seed', { max_tokens: 7, seed: 11 }, 'hred', [{ maxTokens: 7, seed: 11 }]],
    ['max_completion_tokens wins the same way', { max_completion_tokens: 9 }, 'hred', [{ maxTokens: 9 }]],
    ['n > 1, VHRED: greedy tokens, a z per choice', { n: 2, seed: 5 }, 'vhred', [{ seed: 5 }, { seed: 6 }]],
    ['n > 1, HRED: sampled, so that choices differ', { n: 2 }, 'hred', [{ strategy: 'sample' }, { strategy: 'sample' }]],
    ['an explicit strategy stays', { n: 2, decoding: { strategy: 'greedy' as const } }, 'hred', [{ strategy: 'greedy' }, { strategy: 'greedy' }]],
    ['decoding settings pass through', { temperature: 0.5, decoding: { topK: 3, latent: 'mean' as const } }, 'vhred', [{ strategy: 'sample', temperature: 0.5, topK: 3, latent: 'mean' }]],
    ['seeds wrap at 2^32', { n: 2, seed: 0xffffffff }, 'vhred', [{ seed: 0xffffffff }, { seed: 0 }]],
  ])('%s', (_, request, kind, decodings) => {
    const plan = planChoices(request, kind as 'hred', {});
    expect(plan.strategy).toBe('rows');
    expect(plan).toEqual({ strategy: 'rows', decodings: decodings.map((d) => ({ seed: undefined, ...d })) });
    expect(planRows(plan)).toBe(decodings.length);
  });

  test('beam search: one search whose n best are the choices, wide enough for n', () => {
    expect(planChoices({ n: 6, decoding: { strategy: 'beam' } }, 'hred', {})).toEqual({ strategy: 'beam', n: 6, decoding: { strategy: 'beam', nBest: 6, beamWidth: 6 } });
    const plan = planChoices({ n: 2, max_tokens: 5, decoding: { strategy: 'beam', beamWidth: 8 } }, 'vhred', {});
    expect(plan).toEqual({ strategy: 'beam', n: 2, decoding: { strategy: 'beam', nBest: 2, beamWidth: 8, maxTokens: 5 } });
    expect(planRows(plan)).toBe(8); // the search keeps its whole beam busy
  });

  test.each([
    ['nothing given: one beam search with the default width', {}, { strategy: 'beam', n: 1, decoding: { ...BEAM4, nBest: 1 } }],
    ['max_tokens and seed ride along', { max_tokens: 7, seed: 3 }, { strategy: 'beam', n: 1, decoding: { ...BEAM4, nBest: 1, maxTokens: 7, seed: 3 } }],
    ['a temperature samples instead', { temperature: 0.7 }, { strategy: 'rows', decodings: [{ strategy: 'sample', temperature: 0.7, seed: undefined }] }],
    ['candidates keep the library\'s greedy', { decoding: { candidates: 4 } }, { strategy: 'rows', decodings: [{ candidates: 4, seed: undefined }] }],
    ['n > 1 keeps its own rule (a z per choice for VHRED)', { n: 2 }, { strategy: 'rows', decodings: [{ seed: undefined }, { seed: undefined }] }],
  ])('with the beam 4 service default, %s', (_, request, plan) => {
    expect(planChoices(request, 'vhred', BEAM4)).toEqual(plan);
  });
});
