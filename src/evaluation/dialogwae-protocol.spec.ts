import { evaluateDialogWae, f1, type ProtocolContext } from './dialogwae-protocol';
import type { EmbeddingLookup } from './metrics/embedding';

const words = (text: string): string[] => (text === '' ? [] : text.split(' '));

// BLEU values from NLTK 3.8: sentence_bleu([ref], hyp, weights=(1/3,)*3, smoothing_function=method7).
const BLEU_YES = 0.0451117610788709; // 'yes' vs 'yes it is'
const BLEU_TIME = 0.44164463129367443; // 'it is what time ?' vs 'what time is it ?'

const contexts: ProtocolContext[] = [
  { reference: words('yes it is'), samples: [words('yes'), words('no')] },
  { reference: words('what time is it ?'), samples: [words('it is what time ?')] },
];

describe('evaluateDialogWae', () => {
  test('BLEU recall is the mean of per-context maxima, precision the mean of per-context means', () => {
    const { figures, perContext } = evaluateDialogWae(contexts);
    expect(perContext.bleuRecall[0]).toBeCloseTo(BLEU_YES, 12);
    expect(perContext.bleuPrecision[0]).toBeCloseTo(BLEU_YES / 2, 12);
    const recall = (BLEU_YES + BLEU_TIME) / 2;
    const precision = (BLEU_YES / 2 + BLEU_TIME) / 2;
    expect(figures.bleuRecall).toBeCloseTo(recall, 12);
    expect(figures.bleuPrecision).toBeCloseTo(precision, 12);
    expect(figures.bleuF1).toBeCloseTo((2 * precision * recall) / (precision + recall), 12);
    expect(figures.contexts).toBe(2);
  });

  test('distinct and length figures average per-context values; one-token replies count 0 for bigrams', () => {
    const { figures, perContext } = evaluateDialogWae(contexts);
    expect(perContext.intraDist2).toEqual([0, 1]);
    expect(perContext.interDist1).toEqual([1, 1]);
    expect(figures.intraDist1).toBe(1);
    expect(figures.intraDist2).toBe(0.5);
    expect(figures.interDist2).toBe(0.5);
    expect(perContext.length).toEqual([1, 5]);
    expect(figures.meanLength).toBe(3);
  });

  test('identical samples lower inter-dist but not intra-dist', () => {
    const { figures } = evaluateDialogWae([{ reference: words('a b'), samples: [words('x y z'), words('x y z')] }]);
    expect(figures.intraDist1).toBe(1);
    expect(figures.interDist1).toBe(0.5);
    expect(figures.interDist2).toBe(0.5);
  });

  test('embedding scores are the best of N per context, and absent without a lookup', () => {
    const table: Record<string, number[]> = { yes: [1, 0], it: [0, 1], is: [0, 1], no: [-1, 0] };
    const lookup: EmbeddingLookup = (word) => table[word];
    const { figures, perContext } = evaluateDialogWae([contexts[0]], { embeddings: lookup });
    // 'yes' vs mean(yes, it, is) = (1/3, 2/3): cos = (1/3) / √(5/9) = 1/√5; 'no' gives −1/√5.
    expect(perContext.embeddingAverage?.[0]).toBeCloseTo(1 / Math.sqrt(5), 12);
    // extrema(ref) = (1, 1): cos with (1, 0) = 1/√2.
    expect(figures.embeddingExtrema).toBeCloseTo(1 / Math.SQRT2, 12);
    // greedy 'yes': hyp→ref 1; ref→hyp (1 + 0 + 0) / 3 → 2/3.
    expect(figures.embeddingGreedy).toBeCloseTo(2 / 3, 12);

    const without = evaluateDialogWae(contexts);
    expect(without.figures.embeddingAverage).toBeUndefined();
    expect(without.perContext.embeddingGreedy).toBeUndefined();
  });

  test('empty samples score 0 everywhere but length-averaging still counts them', () => {
    const { figures } = evaluateDialogWae([{ reference: words('hello'), samples: [[], words('hello')] }]);
    expect(figures.bleuPrecision).toBeCloseTo(figures.bleuRecall / 2, 12);
    expect(figures.meanLength).toBe(0.5);
  });

  test('a context without samples is an error; no contexts give zeros', () => {
    expect(() => evaluateDialogWae([{ reference: words('a'), samples: [] }])).toThrow(/context 0 has no sampled replies/);
    expect(evaluateDialogWae([]).figures.bleuF1).toBe(0);
  });

  test('f1 of 0 and 0 is 0', () => {
    expect(f1(0, 0)).toBe(0);
    expect(f1(0.5, 0.5)).toBe(0.5);
  });
});
