import { beatsBase, bestEpoch, compareWithBase } from './base-comparison';
import type { EpochMetrics } from './progress';

const epoch = (n: number, criterion: number, corpus: number): EpochMetrics => ({
  epoch: n,
  step: 10 * (n + 1),
  trainLoss: 1,
  trainPerplexity: 2.7,
  validationPerplexity: criterion,
  validationReconstructionPerplexity: criterion,
  validationKlPerToken: 0,
  validationSets: { corpus },
  learningRate: 1e-3,
  seconds: 1,
});
const BASE = { perplexity: 40, sets: { corpus: 30 } };

describe(beatsBase.name, () => {
  test.each([
    ['better on both', epoch(0, 35, 29), true],
    ['better on the criterion only', epoch(0, 35, 31), false],
    ['better on the other set only', epoch(0, 41, 29), false],
    ['equal is not better', epoch(0, 40, 29), false],
  ])('%s', (_, m, expected) => expect(beatsBase(m, BASE)).toBe(expected));

  it('holds for any epoch without a base (training from scratch)', () => expect(beatsBase(epoch(0, 99, 99), undefined)).toBe(true));
  it('counts a set the epoch was not scored on as not beaten', () => expect(beatsBase({ validationPerplexity: 1 }, BASE)).toBe(false));
});

describe(compareWithBase.name, () => {
  const state = (history: EpochMetrics[]) => ({ baseValidationPerplexity: 40, baseValidationSets: { corpus: 30 }, history });

  it('keep: best — the lowest criterion among the epochs that beat the base on every set', () => {
    // epoch 1 has the lowest criterion but forgot the corpus: epoch 0 is the model
    const comparison = compareWithBase(state([epoch(0, 38, 29.5), epoch(1, 33, 31), epoch(2, 39, 29)]), 'best', 'conversations');
    expect(comparison).toEqual({
      beatBase: true,
      keptEpoch: 0,
      sets: { conversations: { base: 40, model: 38, beatBase: true }, corpus: { base: 30, model: 29.5, beatBase: true } },
    });
    expect(bestEpoch(state([]).history, BASE)).toBeUndefined();
  });

  it('keep: best with no epoch beating the base — the base itself, which did not beat itself', () => {
    expect(compareWithBase(state([epoch(0, 33, 31)]), 'best', 'conversations')).toEqual({
      beatBase: false,
      keptEpoch: null,
      sets: { conversations: { base: 40, model: 40, beatBase: false }, corpus: { base: 30, model: 30, beatBase: false } },
    });
  });

  it('keep: last — the last epoch, set by set', () => {
    expect(compareWithBase(state([epoch(0, 38, 29), epoch(1, 33, 31)]), 'last', 'conversations')).toEqual({
      beatBase: false,
      keptEpoch: 1,
      sets: { conversations: { base: 40, model: 33, beatBase: true }, corpus: { base: 30, model: 31, beatBase: false } },
    });
  });

  it('is undefined for a run without a base model', () => {
    expect(compareWithBase({ history: [epoch(0, 1, 1)] }, 'best', 'conversations')).toBeUndefined();
  });
});
