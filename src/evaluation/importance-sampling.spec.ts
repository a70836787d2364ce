import { CONTEXT_DIALOGUES, tinyModel } from '../../test/support/tiny-model';
import { useTensorBackend } from '../../test/support/tensor-backend';
import { scoreDialogues } from '../training/evaluate-loss';
import { perplexityOf, scoreReplies } from './importance-sampling';

const DIALOGUES = [...CONTEXT_DIALOGUES, [[4, 4, 9], [5, 6, 7, 8], [12], [13, 14]]];

describe(scoreReplies.name, () => {
  useTensorBackend();

  test('without z the estimate is the exact teacher-forced perplexity of scoreDialogues', () => {
    const model = tinyModel('hred');
    const scores = scoreReplies(model, DIALOGUES, { samples: 5 });
    expect(scores.samples).toBe(1);
    expect(scores.elbo).toEqual(scores.logLikelihood);
    expect(perplexityOf(scores.logLikelihood, scores.tokens)).toBeCloseTo(scoreDialogues(model, DIALOGUES).perplexity, 3);
    model.dispose();
  });

  test('VHRED: the importance-sampled perplexity is below the ELBO bound, and repeats with its seed', () => {
    const model = tinyModel('vhred');
    const scores = scoreReplies(model, DIALOGUES, { samples: 20, seed: 3 });
    const isPerplexity = perplexityOf(scores.logLikelihood, scores.tokens);
    const elboPerplexity = perplexityOf(scores.elbo, scores.tokens);
    expect(scores.tokens).toHaveLength(2 + 2 + 3);
    expect(isPerplexity).toBeLessThan(elboPerplexity);
    expect(scores.kl.every((kl) => kl >= 0)).toBe(true);
    expect(scores.posteriorMeans[0]).toHaveLength(model.config.latentDim);
    expect(scoreReplies(model, DIALOGUES, { samples: 20, seed: 3 }).logLikelihood).toEqual(scores.logLikelihood);
    model.dispose();
  });
});

describe(perplexityOf.name, () => {
  test('exp(−Σ log p / Σ tokens), over a resample when indices are given', () => {
    expect(perplexityOf([-2, -4], [1, 2])).toBeCloseTo(Math.exp(2), 12);
    expect(perplexityOf([-2, -4], [1, 2], [1, 1])).toBeCloseTo(Math.exp(2), 12);
    expect(perplexityOf([-2, -4], [1, 2], [0])).toBeCloseTo(Math.exp(2), 12);
  });
});
